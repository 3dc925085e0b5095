import assert from "node:assert/strict";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { describe, test } from "node:test";
import { DEREGISTRATION_TYPE, JIT_CONFIG_PLACEHOLDER, REGISTRATION_TYPE, type ProgramRun, type RecordedResource, isSecret, runProgram, unwrapSecret, withoutSecrets } from "./support/mock-program";
import { FakeGithub } from "./fake-github";
import { PROJECT } from "../scripts/plan/stack-file";
import { TEST_SECRETS, testPlaintext } from "./support/test-secrets";

const TOKEN = TEST_SECRETS[`${PROJECT}:githubToken`];
const APP_KEY = TEST_SECRETS[`${PROJECT}:githubAppPrivateKey`];

const runDev = (preview = false, override?: Record<string, string>) =>
    runProgram({ stackFile: "Pulumi.dev.yaml", stack: "dev", secrets: testPlaintext, preview, override });

function countByType(run: ProgramRun): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of run.resources) {
        counts[r.type] = (counts[r.type] ?? 0) + 1;
    }
    return counts;
}

const INSTANCE = "openstack:compute/instance:Instance";

const byName = (run: ProgramRun, name: string, type?: string): RecordedResource => {
    const found = run.resources.find((r) => r.name === name && (type === undefined || r.type === type));
    assert.ok(found, `no resource named ${name}; have ${run.resources.map((r) => r.name).join(", ")}`);
    return found;
};

describe("dev stack (repository, token, created network, one pool of 2)", () => {
    test("declares the expected resources, each under its component", async () => {
        const run = await runDev();
        assert.deepEqual(countByType(run), {
            "github-runners:index:RunnerFleet": 1,
            "github-runners:index:RunnerImage": 1,
            "github-runners:index:RunnerNetwork": 1,
            "openstack:networking/network:Network": 1,
            "openstack:networking/subnet:Subnet": 1,
            "openstack:networking/router:Router": 1,
            "openstack:networking/routerInterface:RouterInterface": 1,
            "openstack:networking/secGroup:SecGroup": 1,
            "openstack:networking/secGroupRule:SecGroupRule": 3,
            "github-runners:index:RunnerPool": 1,
            "github-runners:index:RunnerFlavor": 1,
            "openstack:compute/flavor:Flavor": 1,
            "openstack:compute/flavorAccess:FlavorAccess": 1,
            "github-runners:index:RunnerSlot": 2,
            [REGISTRATION_TYPE]: 2,
            "openstack:compute/instance:Instance": 2,
            [DEREGISTRATION_TYPE]: 2,
        });
        assert.equal(byName(run, "fleet-small-0", "github-runners:index:RunnerSlot").parentName, "fleet-small");
        assert.equal(byName(run, "fleet-small", "github-runners:index:RunnerPool").parentName, "fleet");
        assert.equal(byName(run, "fleet-network-subnet").parentName, "fleet-network");
        assert.equal(byName(run, "fleet-small-flavor", "github-runners:index:RunnerFlavor").parentName, "fleet-small");
        for (const slot of ["fleet-small-0", "fleet-small-1"]) {
            const children = run.resources.filter((r) => r.parentName === slot).map((r) => `${r.type}/${r.name}`);
            assert.deepEqual(children.sort(), [
                `openstack:compute/instance:Instance/${slot}`,
                `${DEREGISTRATION_TYPE}/${slot}-drain`,
                `${REGISTRATION_TYPE}/${slot}`,
            ]);
        }
        assert.deepEqual(run.outputs.runners.small.length, 2);
    });

    test("the security group is egress-only, with SSH in from the configured range alone", async () => {
        const run = await runDev();
        const group = byName(run, "fleet-network-secgroup");
        assert.equal(group.inputs.deleteDefaultRules, true);
        const rules = run.resources.filter((r) => r.type === "openstack:networking/secGroupRule:SecGroupRule").map((r) => r.inputs);
        const ingress = rules.filter((rule) => rule.direction === "ingress");
        assert.deepEqual(
            ingress.map((rule) => [rule.protocol, rule.portRangeMin, rule.portRangeMax, rule.remoteIpPrefix]),
            [["tcp", 22, 22, "10.0.0.0/16"]],
        );
        assert.deepEqual(rules.filter((rule) => rule.direction === "egress").map((rule) => rule.ethertype).sort(), ["IPv4", "IPv6"]);
    });

    test("instances: image, flavor, network and group from the registration's applied spec; ownership metadata; no floating IP", async () => {
        const run = await runDev();
        const instance = byName(run, "fleet-small-0", INSTANCE);
        const registration = run.resources.find((r) => r.type === REGISTRATION_TYPE && r.name === "fleet-small-0");
        assert.ok(registration);
        assert.equal(instance.inputs.imageId, "<id of image github-runner-jammy-x64>");
        assert.equal(instance.inputs.flavorId, "<id of fleet-small-flavor>");
        assert.deepEqual(instance.inputs.networks, [{ uuid: "<id of fleet-network-net>" }]);
        assert.deepEqual(instance.inputs.securityGroups, ["gh-dev-runners"]);
        assert.equal(instance.inputs.floatingIp, undefined);
        const runnerName = run.outputs.runners.small[0];
        assert.equal(instance.inputs.name, runnerName);
        assert.ok(runnerName.length <= 64 && runnerName.startsWith("gh-dev-small-"));
        assert.deepEqual(instance.inputs.metadata, {
            "github-runners:stack": "dev",
            "github-runners:pool": "small",
            "github-runners:slot": "0",
            "github-runners:runner": runnerName,
        });
        for (const value of Object.values(instance.inputs.metadata as Record<string, string>)) assert.ok(value.length <= 255);
        const drain = byName(run, "fleet-small-0-drain");
        assert.equal(drain.inputs.instanceId, "<id of fleet-small-0>", "the drain guard depends on the instance, so it is deleted first");
    });

    test("registration: labels, mode, path and the spec the instance is built from", async () => {
        const run = await runDev();
        const registration = run.resources.find((r) => r.type === REGISTRATION_TYPE && r.name === "fleet-small-1");
        assert.ok(registration);
        assert.equal(registration.inputs.path, "acme/widgets");
        assert.equal(registration.inputs.mode, "jit");
        assert.equal(registration.inputs.namePrefix, "gh-dev-small");
        assert.deepEqual(registration.inputs.labels, ["self-hosted", "linux", "x64", "jammy", "small", "dev"]);
        assert.equal(registration.inputs.ephemeral, true);
        assert.equal(registration.inputs.bootstrapTimeoutSeconds, 1200);
        const spec = registration.inputs.spec as Record<string, string>;
        assert.equal(spec.imageId, "<id of image github-runner-jammy-x64>");
        const boot = JSON.parse(spec.boot);
        assert.equal(boot.dockerhubMirror, "https://registry-mirror.cloud.example.net");
        assert.equal(boot.sshDebug.host, "10.0.1.20");
        assert.equal(boot.proxy.http, "http://proxy.cloud.example.net:3128");
    });

    test("secrets: the token, JIT configs and userdata are secret; no plain input or output carries them", async () => {
        const run = await runDev();
        for (const r of run.resources.filter((r) => r.type === REGISTRATION_TYPE || r.type === DEREGISTRATION_TYPE)) {
            assert.ok(isSecret(r.inputs.github), `${r.name}: github connection must be secret`);
            assert.deepEqual((unwrapSecret(r.inputs.github) as { auth: unknown }).auth, { kind: "token", token: TOKEN });
            assert.ok(!String(r.inputs.__provider).includes(TOKEN), `${r.name}: serialized provider must not capture the token`);
        }
        for (const instance of run.resources.filter((r) => r.type === "openstack:compute/instance:Instance")) {
            assert.ok(isSecret(instance.inputs.userData), `${instance.name}: userData must be secret`);
        }
        const plain = JSON.stringify(run.resources.map((r) => withoutSecrets(r.inputs)));
        assert.ok(!plain.includes(TOKEN), "the GitHub token leaked into a plain input");
        assert.ok(!plain.includes(JIT_CONFIG_PLACEHOLDER), "a JIT config leaked into a plain input");
        assert.ok(!JSON.stringify(run.outputs).includes(JIT_CONFIG_PLACEHOLDER));
    });

    test("userdata: rendered from the registration, with hostname, mirror, proxy and the JIT config", async () => {
        const run = await runDev();
        const instance = byName(run, "fleet-small-0", INSTANCE);
        const userData = String(unwrapSecret(instance.inputs.userData));
        const runnerName = run.outputs.runners.small[0];
        assert.ok(userData.startsWith("#!/bin/bash"));
        assert.ok(userData.includes(JIT_CONFIG_PLACEHOLDER));
        assert.ok(userData.includes(runnerName));
        assert.ok(userData.includes("https://registry-mirror.cloud.example.net"));
        assert.ok(userData.includes("http://proxy.cloud.example.net:3128"));
        assert.ok(userData.includes("TMATE_SERVER_HOST=10.0.1.20"));
        assert.ok(Buffer.from(userData).toString("base64").length < 65535);
    });

    test("two evaluations with the same config give identical instance and registration inputs", async () => {
        const first = await runDev();
        const second = await runDev();
        const pick = (run: ProgramRun) =>
            run.resources
                
                .map((r) => ({ type: r.type, name: r.name, inputs: { ...r.inputs, __provider: undefined } }));
        assert.deepEqual(pick(second), pick(first));
    });

    test("steady-state preview: every instance and drain-guard input is known (no change would show)", async () => {
        for (const [file, stack, override] of [
            ["Pulumi.dev.yaml", "dev", {}],
            ["Pulumi.dev.yaml", "dev", { pools: JSON.stringify([{ name: "small", count: 2, ephemeral: false, flavor: { existing: "m1.small" } }]) }],
            ["Pulumi.prod.yaml", "prod", { image: JSON.stringify({ base: "noble", name: "runner-image" }) }],
        ] as const) {
            const run = await runProgram({ stackFile: file, stack, secrets: testPlaintext, preview: true, override });
            for (const r of run.resources.filter((r) => r.type === INSTANCE || r.type === DEREGISTRATION_TYPE)) {
                const text = JSON.stringify(r.inputs);
                assert.ok(!text.includes('"__pulumiUnknown"') && !text.includes(unknownValue), `${stack} ${r.type} ${r.name} has an unknown input in preview: ${text.slice(0, 300)}`);
            }
        }
    });

    test("preview evaluates the whole program and writes nothing to GitHub", async () => {
        const fake = await FakeGithub.start();
        try {
            fake.addToken(TOKEN);
            fake.addOrg("acme");
            fake.addRepo("acme", "widgets");
            const run = await runDev(true, { github: JSON.stringify({ path: "acme/widgets", apiUrl: fake.apiUrl }) });
            assert.equal(run.resources.filter((r) => r.type === INSTANCE).length, 2);
            const registration = run.resources.find((r) => r.type === REGISTRATION_TYPE);
            assert.equal((unwrapSecret(registration?.inputs.github) as { apiUrl: string }).apiUrl, fake.apiUrl);
            assert.deepEqual(fake.writes(), []);
            fake.assertNoContractViolations();
        } finally {
            await fake.stop();
        }
    });

    test("proxy credentials are kept out of plain state: the registration's spec and applied spec become secret", async () => {
        const proxy = { http: "http://ci:s3cr3t-pw@proxy.example.net:3128", https: "http://ci:s3cr3t-pw@proxy.example.net:3128" };
        const run = await runDev(false, { proxy: JSON.stringify(proxy) });
        const plain = JSON.stringify(run.resources.map((r) => withoutSecrets(r.inputs)));
        assert.ok(!plain.includes("s3cr3t-pw"), "a proxy password leaked into a plain input");
        const registration = run.resources.find((r) => r.type === REGISTRATION_TYPE);
        const spec = registration?.inputs.spec;
        assert.ok(isSecret(spec) || isSecret((spec as Record<string, unknown>).boot), "the spec holding the proxy must be secret");
        const instance = byName(run, "fleet-small-0", INSTANCE);
        assert.ok(String(unwrapSecret(instance.inputs.userData)).includes("s3cr3t-pw"), "the runner still gets its proxy");
        const withoutCredentials = await runDev();
        const plainSpec = withoutCredentials.resources.find((r) => r.type === REGISTRATION_TYPE)?.inputs.spec as Record<string, unknown>;
        assert.equal(typeof plainSpec.boot, "string", "without credentials the boot settings stay readable in the plan");
    });

    test("count 0 declares the pool and its flavor but no slot", async () => {
        const run = await runDev(false, {
            pools: JSON.stringify([{ name: "small", count: 0, flavor: { vcpus: 2, ramMb: 4096, diskGb: 30 } }]),
        });
        const counts = countByType(run);
        assert.equal(counts["github-runners:index:RunnerPool"], 1);
        assert.equal(counts["openstack:compute/flavor:Flavor"], 1);
        assert.equal(counts["github-runners:index:RunnerSlot"], undefined);
    });

    test("a bad config fails before any resource is declared", async () => {
        await assert.rejects(runDev(false, { dockerhubMirror: "http://insecure.example.net" }), /dockerhubMirror: got "http:\/\/insecure.example.net"; expected the Docker Hub mirror as an https:\/\/ URL/);
    });
});

describe("prod stack (organization, GitHub App, runner group, two pools, existing network)", () => {
    test("pools, flavors, network lookups and the App connection", async () => {
        const run = await runProgram({ stackFile: "Pulumi.prod.yaml", stack: "prod", secrets: testPlaintext, preview: false, override: { image: JSON.stringify({ base: "noble", name: "github-runner-noble-x64" }) } });
        const counts = countByType(run);
        assert.equal(counts["github-runners:index:RunnerSlot"], 8);
        assert.equal(counts["openstack:compute/instance:Instance"], 8);
        assert.equal(counts["openstack:compute/flavor:Flavor"], 1, "only the large pool creates a flavor");
        assert.equal(counts["openstack:networking/network:Network"], undefined, "the network exists already");
        assert.equal(counts["openstack:networking/secGroup:SecGroup"], undefined, "the security group exists already");
        assert.ok(run.invokes.some((i) => i.token === "openstack:compute/getFlavor:getFlavor" && i.args.name === "m1.large"));
        assert.ok(run.invokes.some((i) => i.token === "openstack:networking/getNetwork:getNetwork" && i.args.name === "ci-runners"));
        const standard = byName(run, "fleet-standard-3", INSTANCE);
        assert.equal(standard.inputs.flavorId, "<id of flavor m1.large>");
        assert.deepEqual(standard.inputs.securityGroups, ["ci-runners-egress"]);
        const registration = run.resources.find((r) => r.type === REGISTRATION_TYPE && r.name === "fleet-large-1");
        assert.ok(registration);
        assert.equal(registration.inputs.path, "acme");
        assert.equal(registration.inputs.runnerGroup, "openstack-prod");
        assert.deepEqual(registration.inputs.labels, ["self-hosted", "linux", "x64", "noble", "linux-large", "docker"]);
        const connection = unwrapSecret(registration.inputs.github) as { auth: Record<string, unknown> };
        assert.ok(isSecret(registration.inputs.github));
        assert.deepEqual(connection.auth, { kind: "app", appId: "123456", installationId: 98765432, privateKey: APP_KEY });
        const plain = JSON.stringify(run.resources.map((r) => withoutSecrets(r.inputs)));
        assert.ok(!plain.includes("MIItest"), "the App private key leaked into a plain input");
    });

    test("SSH debug servers are spread over slots deterministically", async () => {
        const servers = [
            { host: "10.0.1.20", port: 22, rsaFingerprint: `SHA256:${"a".repeat(43)}`, ed25519Fingerprint: `SHA256:${"b".repeat(43)}` },
            { host: "10.0.1.21", port: 22, rsaFingerprint: `SHA256:${"c".repeat(43)}`, ed25519Fingerprint: `SHA256:${"d".repeat(43)}` },
        ];
        const run = await runDev(false, { sshDebug: JSON.stringify(servers) });
        const hostOf = (slot: string) => {
            const registration = run.resources.find((r) => r.type === REGISTRATION_TYPE && r.name === slot);
            return JSON.parse((registration?.inputs.spec as Record<string, string>).boot).sshDebug.host;
        };
        assert.deepEqual([hostOf("fleet-small-0"), hostOf("fleet-small-1")], ["10.0.1.20", "10.0.1.21"]);
    });
});
