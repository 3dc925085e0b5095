/**
 * The fleet program under the SDK's mock engine (pulumi.runtime.setMocks, via
 * the offline plan's evaluator): the resource graph of both example stacks,
 * parents, secrets, the registration's inputs, the userdata the instances
 * boot with, stable inputs across evaluations, and the planning of slots.
 */
import assert from "node:assert/strict";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { describe, test } from "node:test";
import { identityDigests } from "../components/github/registration/identity";
import { PROVIDER_ENTRY } from "../components/providers/loader";
import { decodeUserdata } from "../components/userdata/encode";
import { NO_PREVIOUS_DEPLOYMENT } from "../components/fleet-outputs";
import { DEREGISTRATION_TYPE, JIT_CONFIG_PLACEHOLDER, REGISTRATION_TYPE, type ProgramRun, type RecordedResource, isSecret, runProgram, unwrapSecret, withoutSecrets } from "./support/mock-program";
import { PROJECT } from "../scripts/plan/stack-file";
import { TEST_SECRETS, testPlaintext } from "./support/test-secrets";

const TOKEN = TEST_SECRETS[`${PROJECT}:githubToken`];
const APP_KEY = TEST_SECRETS[`${PROJECT}:githubAppPrivateKey`];

type RunOverrides = { override?: Record<string, string>; secretOverrides?: string[]; observed?: Parameters<typeof runProgram>[0]["observed"] };

const runDev = (preview = false, options: RunOverrides = {}) =>
    runProgram({ stackFile: "Pulumi.dev.yaml", stack: "dev", secrets: testPlaintext, preview, ...options });
const runProd = (options: RunOverrides = {}) =>
    runProgram({
        stackFile: "Pulumi.prod.yaml",
        stack: "prod",
        secrets: testPlaintext,
        preview: false,
        ...options,
        override: { image: JSON.stringify({ base: "noble", name: "github-runner-noble-x64" }), ...options.override },
    });

function countByType(run: ProgramRun): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of run.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    return counts;
}

const INSTANCE = "openstack:compute/instance:Instance";

const byName = (run: ProgramRun, name: string, type?: string): RecordedResource => {
    const found = run.resources.find((r) => r.name === name && (type === undefined || r.type === type));
    assert.ok(found, `no resource named ${name}; have ${run.resources.map((r) => r.name).join(", ")}`);
    return found;
};
const registrationOf = (run: ProgramRun, slot: string) => byName(run, slot, REGISTRATION_TYPE);
const userdataOf = (run: ProgramRun, slot: string) => decodeUserdata(String(unwrapSecret(byName(run, slot, INSTANCE).inputs.userData)));
const slotNames = (run: ProgramRun) => run.resources.filter((r) => r.type === "github-runners:index:RunnerSlot").map((r) => r.name);

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
            [INSTANCE]: 2,
            [DEREGISTRATION_TYPE]: 2,
        });
        assert.equal(byName(run, "fleet-small-0", "github-runners:index:RunnerSlot").parentName, "fleet-small");
        assert.equal(byName(run, "fleet-small", "github-runners:index:RunnerPool").parentName, "fleet");
        assert.equal(byName(run, "fleet-network-subnet").parentName, "fleet-network");
        for (const slot of ["fleet-small-0", "fleet-small-1"]) {
            const children = run.resources.filter((r) => r.parentName === slot).map((r) => `${r.type}/${r.name}`);
            assert.deepEqual(children.sort(), [`${INSTANCE}/${slot}`, `${DEREGISTRATION_TYPE}/${slot}-drain`, `${REGISTRATION_TYPE}/${slot}`].sort());
        }
        assert.equal(run.outputs.pools.small?.slots.length, 2);
        assert.equal(run.outputs.pools.small?.desired, 2);
    });

    test("the security group is egress-only, with SSH in from the configured range alone", async () => {
        const run = await runDev();
        assert.equal(byName(run, "fleet-network-secgroup").inputs.deleteDefaultRules, true);
        const rules = run.resources.filter((r) => r.type === "openstack:networking/secGroupRule:SecGroupRule").map((r) => r.inputs);
        assert.deepEqual(
            rules.filter((rule) => rule.direction === "ingress").map((rule) => [rule.protocol, rule.portRangeMin, rule.portRangeMax, rule.remoteIpPrefix]),
            [["tcp", 22, 22, "10.0.0.0/16"]],
        );
        assert.deepEqual(rules.filter((rule) => rule.direction === "egress").map((rule) => rule.ethertype).sort(), ["IPv4", "IPv6"]);
    });

    test("a created flavor's name carries its size, so a resize never reuses a name Nova still holds", async () => {
        const run = await runDev();
        assert.equal(byName(run, "fleet-small-flavor", "openstack:compute/flavor:Flavor").inputs.name, "gh-dev-small-2c4096m30g");
        const bigger = await runDev(false, { override: { pools: JSON.stringify([{ name: "small", count: 2, flavor: { vcpus: 4, ramMb: 8192, diskGb: 30 } }]) } });
        assert.equal(byName(bigger, "fleet-small-flavor", "openstack:compute/flavor:Flavor").inputs.name, "gh-dev-small-4c8192m30g");
    });

    test("instances: built from the registration's applied instance settings; ownership metadata; no floating IP", async () => {
        const run = await runDev();
        const instance = byName(run, "fleet-small-0", INSTANCE);
        assert.equal(instance.inputs.imageId, "<id of image github-runner-jammy-x64>");
        assert.equal(instance.inputs.flavorId, "<id of fleet-small-flavor>");
        assert.deepEqual(instance.inputs.networks, [{ uuid: "<id of fleet-network-net>" }]);
        assert.deepEqual(instance.inputs.securityGroups, ["gh-dev-runners"]);
        assert.equal(instance.inputs.floatingIp, undefined);
        assert.equal(instance.inputs.blockDevices, undefined);
        const runnerName = run.outputs.pools.small?.slots[0]?.runner ?? "";
        assert.equal(instance.inputs.name, runnerName);
        assert.match(runnerName, /^gh-dev-small-0-[0-9a-f]{12}$/, "the runner name carries the pool and the slot index");
        assert.deepEqual(instance.inputs.metadata, {
            "github-runners:stack": "dev",
            "github-runners:pool": "small",
            "github-runners:slot": "0",
            "github-runners:runner": runnerName,
        });
        assert.equal(byName(run, "fleet-small-0-drain").inputs.instanceId, "<id of fleet-small-0>", "the drain guard depends on the instance, so it is deleted first");
    });

    test("registration inputs: identity and desired settings, no credential, a one-line provider loader", async () => {
        const run = await runDev();
        const registration = registrationOf(run, "fleet-small-1");
        assert.equal(registration.inputs.path, "acme/widgets");
        assert.equal(registration.inputs.mode, "jit");
        assert.equal(registration.inputs.namePrefix, "gh-dev-small-1");
        assert.deepEqual(registration.inputs.labels, ["self-hosted", "linux", "x64", "jammy", "small", "dev"]);
        assert.equal(registration.inputs.ephemeral, true);
        assert.equal(registration.inputs.retiring, false);
        assert.equal(registration.inputs.github, undefined, "credentials come from the stack config in the provider's configure");
        assert.equal(registration.inputs.bootstrapTimeoutSeconds, undefined, "the timeout comes from the stack config in the provider's configure");
        assert.deepEqual(registration.inputs.instance, {
            imageId: "<id of image github-runner-jammy-x64>",
            flavorId: "<id of fleet-small-flavor>",
            networkId: "<id of fleet-network-net>",
            securityGroup: "gh-dev-runners",
        });
        const boot = JSON.parse(String(registration.inputs.boot));
        assert.equal(boot.dockerhubMirror, "https://registry-mirror.cloud.example.net");
        assert.equal(boot.sshDebug.host, "10.0.1.20");
        assert.match(String(registration.inputs.template), /^[0-9a-f]{32}$/);
        for (const r of run.resources.filter((r) => r.type === REGISTRATION_TYPE || r.type === DEREGISTRATION_TYPE)) {
            const provider = String(r.inputs.__provider);
            assert.ok(provider.length < 200 && provider.includes(JSON.stringify(PROVIDER_ENTRY)), `${r.name}: the provider is the stable loader, got ${provider.length} characters`);
        }
    });

    test("secrets: no GitHub credential in any input; userdata is secret; nothing secret in plain inputs or outputs", async () => {
        const run = await runDev();
        const everything = JSON.stringify(run.resources.map((r) => r.inputs));
        assert.ok(!everything.includes(TOKEN), "the GitHub token reached a resource input");
        for (const instance of run.resources.filter((r) => r.type === INSTANCE)) assert.ok(isSecret(instance.inputs.userData));
        const plain = JSON.stringify(run.resources.map((r) => withoutSecrets(r.inputs)));
        assert.ok(!plain.includes(JIT_CONFIG_PLACEHOLDER), "a JIT config leaked into a plain input");
        assert.ok(!JSON.stringify(run.outputs).includes(JIT_CONFIG_PLACEHOLDER));
    });

    test("userdata: base64 gzip of the boot script rendered with the registration's name and credential", async () => {
        const run = await runDev();
        const script = userdataOf(run, "fleet-small-0");
        const runnerName = run.outputs.pools.small?.slots[0]?.runner ?? "";
        assert.ok(script.startsWith("#!/bin/bash"));
        assert.ok(script.includes(JIT_CONFIG_PLACEHOLDER));
        assert.ok(script.includes(`hostnamectl set-hostname '${runnerName}'`));
        assert.ok(script.includes("https://registry-mirror.cloud.example.net"));
        assert.ok(script.includes("http://proxy.cloud.example.net:3128"));
        assert.ok(script.includes("TMATE_SERVER_HOST=10.0.1.20"));
        assert.ok(String(unwrapSecret(byName(run, "fleet-small-0", INSTANCE).inputs.userData)).length < 65535);
    });

    test("the template digest follows the rendered userdata: same settings, same digest; another setting, another digest", async () => {
        const first = registrationOf(await runDev(), "fleet-small-0").inputs.template;
        const again = registrationOf(await runDev(), "fleet-small-0").inputs.template;
        const otherMirror = registrationOf(await runDev(false, { override: { dockerhubMirror: "https://mirror2.example.net" } }), "fleet-small-0").inputs.template;
        assert.equal(again, first);
        assert.notEqual(otherMirror, first);
    });

    test("two evaluations with the same config give identical inputs everywhere", async () => {
        const pick = (run: ProgramRun) => run.resources.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
        assert.deepEqual(pick(await runDev()), pick(await runDev()));
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
                assert.ok(!text.includes(unknownValue), `${stack} ${r.type} ${r.name} has an unknown input in preview: ${text.slice(0, 300)}`);
            }
        }
    });

    test("proxy credentials keep the slot's settings secret; the runner still gets its proxy", async () => {
        const proxy = { http: "http://ci:s3cr3t-pw@proxy.example.net:3128", https: "http://ci:s3cr3t-pw@proxy.example.net:3128" };
        const run = await runDev(false, { override: { proxy: JSON.stringify(proxy) } });
        const plain = JSON.stringify(run.resources.map((r) => withoutSecrets(r.inputs)));
        assert.ok(!plain.includes("s3cr3t-pw"), "a proxy password leaked into a plain input");
        const registration = registrationOf(run, "fleet-small-0");
        assert.ok(isSecret(registration.inputs.boot) && isSecret(registration.inputs.instance));
        assert.ok(userdataOf(run, "fleet-small-0").includes("s3cr3t-pw"));
        const withoutCredentials = registrationOf(await runDev(), "fleet-small-0");
        assert.equal(typeof withoutCredentials.inputs.boot, "string", "without credentials the boot settings stay readable in the plan");
    });

    test("a key set with --secret (preJobScript) keeps its secret flag in every resource", async () => {
        const script = "#!/bin/sh\necho s3cret-hook-value\n";
        const run = await runDev(false, { override: { preJobScript: script }, secretOverrides: ["preJobScript"] });
        const plain = JSON.stringify(run.resources.map((r) => withoutSecrets(r.inputs)));
        assert.ok(!plain.includes("s3cret-hook-value"), "a secret pre-job script leaked into a plain input");
        assert.ok(isSecret(registrationOf(run, "fleet-small-0").inputs.boot));
        assert.ok(userdataOf(run, "fleet-small-0").includes("s3cret-hook-value"));
    });

    test("count 0 declares the pool and its flavor but no slot", async () => {
        const run = await runDev(false, { override: { pools: JSON.stringify([{ name: "small", count: 0, flavor: { vcpus: 2, ramMb: 4096, diskGb: 30 } }]) } });
        const counts = countByType(run);
        assert.equal(counts["github-runners:index:RunnerPool"], 1);
        assert.equal(counts["openstack:compute/flavor:Flavor"], 1);
        assert.equal(counts["github-runners:index:RunnerSlot"], undefined);
    });

    test("a bad config fails before any resource is declared", async () => {
        await assert.rejects(runDev(false, { override: { dockerhubMirror: "http://insecure.example.net" } }), /dockerhubMirror/);
    });
});

describe("per-pool OpenStack settings", () => {
    const pool = {
        name: "small",
        count: 1,
        flavor: { existing: "m1.small" },
        bootVolume: { sizeGb: 80, type: "ssd" },
        availabilityZone: "az-2",
        serverGroup: { policy: "anti-affinity" },
        keyPair: "ops-key",
        metadata: { team: "ci", "cost-center": "42" },
    };

    test("boot volume, availability zone, server group, key pair and extra metadata reach the instance through the applied settings", async () => {
        const run = await runDev(false, { override: { pools: JSON.stringify([pool]) } });
        const group = byName(run, "fleet-small-servers", "openstack:compute/serverGroup:ServerGroup");
        assert.deepEqual(group.inputs.policies, ["anti-affinity"]);
        assert.equal(group.inputs.name, "gh-dev-small-anti-affinity");
        const instance = byName(run, "fleet-small-0", INSTANCE);
        assert.equal(instance.inputs.imageId, undefined, "booting from a volume, the image is the volume's source");
        assert.deepEqual(instance.inputs.blockDevices, [
            { sourceType: "image", uuid: "<id of image github-runner-jammy-x64>", destinationType: "volume", volumeSize: 80, volumeType: "ssd", bootIndex: 0, deleteOnTermination: true },
        ]);
        assert.equal(instance.inputs.availabilityZone, "az-2");
        assert.equal(instance.inputs.keyPair, "ops-key");
        assert.deepEqual(instance.inputs.schedulerHints, [{ group: "<id of fleet-small-servers>" }]);
        const metadata = instance.inputs.metadata as Record<string, string>;
        assert.equal(metadata.team, "ci");
        assert.equal(metadata["cost-center"], "42");
        assert.equal(metadata["github-runners:pool"], "small");
        const spec = registrationOf(run, "fleet-small-0").inputs.instance as Record<string, unknown>;
        assert.deepEqual(spec.bootVolume, { sizeGb: 80, type: "ssd" });
        assert.equal(spec.serverGroupId, "<id of fleet-small-servers>");
    });

    test("defaultLabels: false leaves only the pool's labels", async () => {
        const run = await runDev(false, { override: { pools: JSON.stringify([{ name: "small", count: 1, flavor: { existing: "m1.small" }, defaultLabels: false, labels: ["gpu"] }]) } });
        assert.deepEqual(registrationOf(run, "fleet-small-0").inputs.labels, ["gpu"]);
    });
});

describe("slots follow the pool's plan", () => {
    const demandPool = (min: number, max: number) => JSON.stringify([{ name: "small", min, max, flavor: { existing: "m1.small" } }]);
    const previous = (desired: number, runners: string[]) => ({
        previous: {
            ...NO_PREVIOUS_DEPLOYMENT,
            pools: { small: { desired, slots: runners.map((runner, index) => ({ index, runner, retiring: false, imageId: "img" })) } },
        },
    });
    const observedRunner = (id: number, name: string, state: "idle" | "busy" | "offline") => ({ id, name, status: state === "offline" ? "offline" : "online", busy: state === "busy" });

    test("by demand, a new stack without demand information starts at min; with demand it grows to queued + busy + min, at most max", async () => {
        assert.deepEqual(slotNames(await runDev(false, { override: { pools: demandPool(1, 5) } })), ["fleet-small-0"]);
        const burst = await runDev(false, { override: { pools: demandPool(1, 5) }, observed: { queuedByPool: { small: 50 } } });
        assert.equal(slotNames(burst).length, 5);
        assert.equal(burst.outputs.pools.small?.desired, 5);
    });

    test("without demand information a pool keeps the size it had, within [min, max]", async () => {
        const runners = ["gh-dev-small-0-aaaaaaaaaaaa", "gh-dev-small-1-bbbbbbbbbbbb", "gh-dev-small-2-cccccccccccc"];
        const run = await runDev(false, {
            override: { pools: demandPool(1, 5) },
            observed: { ...previous(3, runners), runners: runners.map((name, i) => observedRunner(i + 1, name, "idle")) },
        });
        assert.deepEqual(slotNames(run), ["fleet-small-0", "fleet-small-1", "fleet-small-2"]);
    });

    test("scaling in keeps the busy runner whatever its index, drains idle ones, drops used-up ones", async () => {
        const runners = ["gh-dev-small-0-aaaaaaaaaaaa", "gh-dev-small-1-bbbbbbbbbbbb", "gh-dev-small-2-cccccccccccc", "gh-dev-small-3-dddddddddddd"];
        const run = await runDev(false, {
            override: { pools: JSON.stringify([{ name: "small", count: 1, flavor: { existing: "m1.small" } }]) },
            observed: {
                ...previous(4, runners),
                // slot 0 idle, slot 1 used up (gone from GitHub), slot 2 idle, slot 3 busy
                runners: [observedRunner(1, runners[0], "idle"), observedRunner(3, runners[2], "idle"), observedRunner(4, runners[3], "busy")],
            },
        });
        assert.deepEqual(slotNames(run), ["fleet-small-0", "fleet-small-2", "fleet-small-3"]);
        assert.equal(registrationOf(run, "fleet-small-3").inputs.retiring, false, "the busy runner is the one runner kept");
        for (const slot of ["fleet-small-0", "fleet-small-2"]) {
            assert.equal(registrationOf(run, slot).inputs.retiring, true);
            assert.equal(byName(run, `${slot}-drain`).inputs.drain, true, `${slot}'s idle runner is drained before its VM goes`);
        }
    });

    test("GitHub's hourly registration budget caps new slots; the outputs say how much is left and what waits", async () => {
        const recent = new Date(Date.now() - 10 * 60_000).toISOString();
        const runners = Array.from({ length: 3 }, (_, i) => `gh-dev-small-${i}-${"a".repeat(12)}`);
        const run = await runDev(false, {
            override: {
                pools: demandPool(0, 10),
                github: JSON.stringify({ path: "acme/widgets", registration: "jit", registrationsPerHour: 5 }),
            },
            observed: {
                previous: { ...NO_PREVIOUS_DEPLOYMENT, pools: { small: { desired: 3, slots: runners.map((runner, index) => ({ index, runner, retiring: false, imageId: "img", createdAt: recent })) } } },
                runners: runners.map((name, i) => observedRunner(i + 1, name, "idle")),
                queuedByPool: { small: 7 },
            },
        });
        assert.equal(slotNames(run).length, 5, "3 existing + 2 new: 5 registrations an hour, 3 made 10 minutes ago");
        assert.deepEqual(run.outputs.registrations, { perHour: 5, left: 2, spent: 2, deferred: 2 }, "7 wanted: 3 exist, 2 added now, 2 wait");
    });

    test("a busy runner with a pending change is reported as deferred", async () => {
        const runners = ["gh-dev-small-0-aaaaaaaaaaaa"];
        const run = await runDev(false, {
            override: { pools: JSON.stringify([{ name: "small", count: 1, flavor: { existing: "m1.small" } }]) },
            observed: { ...previous(1, runners), runners: [observedRunner(1, runners[0], "busy")] },
        });
        // In the mock engine a registration's digests are those of its current inputs, so nothing is pending.
        assert.deepEqual(run.outputs.pools.small?.deferred, []);
        assert.equal(run.outputs.pools.small?.busy, 1);
        const inputs = registrationOf(run, "fleet-small-0").inputs;
        assert.equal(Object.keys(identityDigests({ ...inputs, runnerGroup: inputs.runnerGroup } as never)).length, 8);
    });
});

describe("prod stack (organization, GitHub App, runner group, two pools, existing network)", () => {
    test("pools, flavors, network lookups; the App key reaches no resource", async () => {
        // A Wednesday at 10:00 in Berlin: the large pool's office-hours schedule keeps 2 runners warm.
        const run = await runProd({ observed: { now: new Date("2026-06-10T08:00:00Z") } });
        const counts = countByType(run);
        assert.equal(counts["github-runners:index:RunnerSlot"], 8);
        assert.equal(counts[INSTANCE], 8);
        const night = await runProd({ observed: { now: new Date("2026-06-10T22:00:00Z") } });
        assert.equal(countByType(night)["github-runners:index:RunnerSlot"], 6, "at night the demand-sized pool starts at its min of 0");
        assert.equal(counts["openstack:compute/flavor:Flavor"], 1, "only the large pool creates a flavor");
        assert.equal(counts["openstack:networking/network:Network"], undefined, "the network exists already");
        assert.ok(run.invokes.some((i) => i.token === "openstack:compute/getFlavor:getFlavor" && i.args.name === "m1.large"));
        assert.ok(run.invokes.some((i) => i.token === "openstack:networking/getNetwork:getNetwork" && i.args.name === "ci-runners"));
        const standard = byName(run, "fleet-standard-3", INSTANCE);
        assert.equal(standard.inputs.flavorId, "<id of flavor m1.large>");
        assert.deepEqual(standard.inputs.securityGroups, ["ci-runners-egress"]);
        const registration = registrationOf(run, "fleet-large-1");
        assert.equal(registration.inputs.path, "acme");
        assert.equal(registration.inputs.runnerGroup, "openstack-prod");
        assert.deepEqual(registration.inputs.labels, ["self-hosted", "linux", "x64", "noble", "linux-large", "docker"]);
        const everything = JSON.stringify(run.resources.map((r) => r.inputs));
        assert.ok(!everything.includes(APP_KEY.slice(40, 80)), "the App private key reached a resource input");
    });

    test("SSH debug servers are spread over slots deterministically", async () => {
        const servers = [
            { host: "10.0.1.20", port: 22, rsaFingerprint: `SHA256:${"a".repeat(43)}`, ed25519Fingerprint: `SHA256:${"b".repeat(43)}` },
            { host: "10.0.1.21", port: 22, rsaFingerprint: `SHA256:${"c".repeat(43)}`, ed25519Fingerprint: `SHA256:${"d".repeat(43)}` },
        ];
        const run = await runDev(false, { override: { sshDebug: JSON.stringify(servers) } });
        const hostOf = (slot: string) => JSON.parse(String(registrationOf(run, slot).inputs.boot)).sshDebug.host;
        assert.deepEqual([hostOf("fleet-small-0"), hostOf("fleet-small-1")], ["10.0.1.20", "10.0.1.21"]);
    });
});
