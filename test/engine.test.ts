/**
 * The real program (index.ts) run through @pulumi/pulumi's own cmd/run, launched the way the
 * Pulumi CLI's Node.js language host launches it, against a recording gRPC resource monitor:
 * what `pulumi preview` of the dev stack would register, with nothing written to GitHub.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import yaml from "js-yaml";
import { runUnderEngine, type EngineRun } from "./harness/engine-run";
import { GithubRecorder } from "./harness/github-recorder";
import { openstackFixtures } from "./harness/openstack-fixtures";
import { plaintextStrings, secretPaths } from "./harness/pulumi-values";
import type { RecordedRegistration } from "./harness/recording-monitor";
import { readStackConfig, type StackConfig } from "./harness/stack-config";
import { ROOT_STACK_TYPE } from "./harness/urn";

const REPO = path.resolve(__dirname, "..");
const PROJECT = (yaml.load(readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8")) as { name: string }).name;
const STACK = "dev";

const T = {
    fleet: "github-runners:index:RunnerFleet",
    image: "github-runners:index:RunnerImage",
    network: "github-runners:index:RunnerNetwork",
    pool: "github-runners:index:RunnerPool",
    flavor: "github-runners:index:RunnerFlavor",
    slot: "github-runners:index:RunnerSlot",
    registration: "pulumi-nodejs:dynamic/github-runners:RunnerRegistration",
    drainGuard: "pulumi-nodejs:dynamic/github-runners:RunnerDeregistration",
    instance: "openstack:compute/instance:Instance",
    osNetwork: "openstack:networking/network:Network",
    subnet: "openstack:networking/subnet:Subnet",
    router: "openstack:networking/router:Router",
    routerInterface: "openstack:networking/routerInterface:RouterInterface",
    secGroup: "openstack:networking/secGroup:SecGroup",
    osFlavor: "openstack:compute/flavor:Flavor",
} as const;

/** Test plaintexts for the stack file's `secure:` values: random, so a leak cannot be a coincidence. */
const SECRETS = {
    [`${PROJECT}:githubToken`]: `ghp_${randomBytes(18).toString("hex")}`,
    "openstack:password": `pw-${randomBytes(12).toString("hex")}`,
};

interface PoolConfig {
    name: string;
    count: number;
    flavor: { name?: string; vcpus?: number };
}

/** The dev stack's config, with the GitHub API pointed at the local stand-in. */
function devStackConfig(apiUrl: string, override: (config: Record<string, string>) => void = () => {}): StackConfig {
    const stackConfig = readStackConfig(path.join(REPO, `Pulumi.${STACK}.yaml`), PROJECT, SECRETS);
    const githubKey = `${PROJECT}:github`;
    const github = JSON.parse(stackConfig.config[githubKey] ?? "{}") as Record<string, unknown>;
    stackConfig.config[githubKey] = JSON.stringify({ ...github, apiUrl });
    override(stackConfig.config);
    return stackConfig;
}

async function preview(github: GithubRecorder, stackConfig: StackConfig): Promise<EngineRun> {
    return runUnderEngine({
        programDir: REPO,
        project: PROJECT,
        stack: STACK,
        dryRun: true,
        config: stackConfig.config,
        secretKeys: stackConfig.secretKeys,
        env: github.programEnv,
        invoke: openstackFixtures,
    });
}

/** Logged errors and the program's stderr, for assertion messages (the secrets are test values). */
function diagnostics(run: EngineRun): string {
    const errors = run.monitor.logs.filter((log) => log.severity === "error").map((log) => log.message);
    return [`exit ${run.exit.code}`, ...errors, run.exit.stderr].join("\n").slice(0, 4000);
}

function childrenOf(run: EngineRun, parent: RecordedRegistration, type: string): RecordedRegistration[] {
    return run.monitor.registrations.filter((registration) => registration.parent === parent.urn && registration.type === type);
}

function only(registrations: RecordedRegistration[], what: string): RecordedRegistration {
    assert.equal(registrations.length, 1, `expected exactly one ${what}, got ${registrations.map((r) => r.name).join(", ") || "none"}`);
    return registrations[0]!;
}

function dependsOn(dependent: RecordedRegistration, dependency: RecordedRegistration): boolean {
    const propertyDependencies = Object.values(dependent.propertyDependencies).flat();
    return dependent.dependencies.includes(dependency.urn) || propertyDependencies.includes(dependency.urn);
}

describe("dev stack preview through Pulumi's cmd/run", () => {
    const github = new GithubRecorder();
    let run: EngineRun;
    let pools: PoolConfig[];

    before(async () => {
        await github.start();
        const stackConfig = devStackConfig(github.apiUrl);
        pools = JSON.parse(stackConfig.config[`${PROJECT}:pools`] ?? "[]") as PoolConfig[];
        run = await preview(github, stackConfig);
    });
    after(() => github.stop());

    test("the program exits 0 after signalling shutdown, with no error logged", () => {
        assert.equal(run.exit.code, 0, diagnostics(run));
        assert.equal(run.exit.timedOut, false);
        assert.equal(run.monitor.shutdownSignalled, true);
        assert.deepEqual(run.monitor.logs.filter((log) => log.severity === "error"), []);
        assert.deepEqual(run.monitor.errors, []);
    });

    test("cmd/run compiles the program with the project's TypeScript and ts-node, not the SDK's vendored 3.8", () => {
        const typescriptVersion = (JSON.parse(readFileSync(path.join(REPO, "node_modules/typescript/package.json"), "utf8")) as { version: string }).version;
        const tsNodeVersion = (JSON.parse(readFileSync(path.join(REPO, "node_modules/ts-node/package.json"), "utf8")) as { version: string }).version;
        const messages = run.monitor.logs.map((log) => log.message);
        assert.ok(
            messages.includes(`Found typescript version ${typescriptVersion} at ${path.join(REPO, "node_modules/typescript/lib/typescript.js")}`),
            messages.filter((message) => /typescript/i.test(message)).join("\n"),
        );
        assert.ok(messages.includes(`Found ts-node version: ${tsNodeVersion} at ${path.join(REPO, "node_modules/ts-node/dist/index.js")}`));
        assert.ok(!messages.some((message) => message.includes("vendored")));
    });

    test("the stack registers the fleet, its image, network and one component per configured pool", () => {
        const root = only(run.monitor.registrationsOfType(ROOT_STACK_TYPE), "stack");
        assert.equal(run.monitor.rootResourceUrn, root.urn);
        const fleet = only(childrenOf(run, root, T.fleet), "fleet under the stack");
        only(childrenOf(run, fleet, T.image), "image component");
        only(childrenOf(run, fleet, T.network), "network component");
        const poolComponents = childrenOf(run, fleet, T.pool);
        assert.deepEqual(poolComponents.map((pool) => pool.name).sort(), pools.map((pool) => `fleet-${pool.name}`).sort());
        // Every registration hangs off a registered parent: the tree is closed.
        for (const registration of run.monitor.registrations) {
            if (registration.type === ROOT_STACK_TYPE) continue;
            assert.ok(run.monitor.byUrn(registration.parent), `${registration.urn} has an unregistered parent ${registration.parent}`);
        }
    });

    test("the created network has a network, subnet, router, router interface and security group", () => {
        const network = only(run.monitor.registrationsOfType(T.network), "network component");
        for (const type of [T.osNetwork, T.subnet, T.router, T.routerInterface, T.secGroup]) {
            only(childrenOf(run, network, type), type);
        }
    });

    test("each pool has its flavor and as many slots as configured, each slot a registration, an instance and a drain guard", () => {
        for (const poolConfig of pools) {
            const pool = only(run.monitor.registrations.filter((r) => r.type === T.pool && r.name === `fleet-${poolConfig.name}`), `pool ${poolConfig.name}`);
            const flavor = only(childrenOf(run, pool, T.flavor), `flavor of ${poolConfig.name}`);
            if (poolConfig.flavor.vcpus !== undefined) only(childrenOf(run, flavor, T.osFlavor), "created flavor");
            const slots = childrenOf(run, pool, T.slot);
            assert.equal(slots.length, poolConfig.count, `slots of pool ${poolConfig.name}`);
            for (const slot of slots) {
                const registration = only(childrenOf(run, slot, T.registration), `registration of ${slot.name}`);
                const instance = only(childrenOf(run, slot, T.instance), `instance of ${slot.name}`);
                const drainGuard = only(childrenOf(run, slot, T.drainGuard), `drain guard of ${slot.name}`);
                assert.ok(dependsOn(instance, registration), `${instance.name} must be built from its registration`);
                // Pulumi deletes dependents first: the guard depending on the instance deregisters before the VM goes.
                assert.ok(dependsOn(drainGuard, instance), `${drainGuard.name} must depend on ${instance.name}`);
            }
        }
        const totalSlots = pools.reduce((sum, pool) => sum + pool.count, 0);
        assert.equal(run.monitor.registrationsOfType(T.instance).length, totalSlots);
        assert.equal(run.monitor.registrationsOfType(T.registration).length, totalSlots);
        assert.equal(run.monitor.registrationsOfType(T.drainGuard).length, totalSlots);
    });

    test("dynamic resources carry their serialized provider in __provider", () => {
        for (const registration of [...run.monitor.registrationsOfType(T.registration), ...run.monitor.registrationsOfType(T.drainGuard)]) {
            const provider = registration.inputs["__provider"];
            assert.equal(typeof provider, "string", `${registration.name} has no __provider`);
            assert.match(provider as string, /exports\.handler = /);
        }
    });

    test("secret config reaches resources only as secrets: never in clear in any input, serialized provider included", () => {
        for (const registration of run.monitor.registrations) {
            const clear = plaintextStrings(registration.inputs);
            for (const [key, secret] of Object.entries(SECRETS)) {
                assert.ok(!clear.some((text) => text.includes(secret)), `${key} appears in clear in the inputs of ${registration.urn}`);
            }
        }
        for (const registration of [...run.monitor.registrationsOfType(T.registration), ...run.monitor.registrationsOfType(T.drainGuard)]) {
            assert.ok(secretPaths(registration.inputs).includes("github"), `${registration.name}: the GitHub connection must be a secret input`);
        }
        for (const instance of run.monitor.registrationsOfType(T.instance)) {
            assert.ok(secretPaths(instance.inputs).includes("userData"), `${instance.name}: userData must be a secret input`);
        }
    });

    test("every data-source call the program made was one the fixtures know", () => {
        assert.deepEqual(run.monitor.invokes.filter((invoke) => !invoke.answered).map((invoke) => invoke.token), []);
    });

    test("preview writes nothing to GitHub", () => {
        assert.deepEqual(github.writes(), []);
    });
});

describe("a bad config value under Pulumi's cmd/run", () => {
    const github = new GithubRecorder();
    let run: EngineRun;

    before(async () => {
        await github.start();
        const stackConfig = devStackConfig(github.apiUrl, (config) => {
            config[`${PROJECT}:dockerhubMirror`] = "http://registry-mirror.example.net";
        });
        run = await preview(github, stackConfig);
    });
    after(() => github.stop());

    test("fails the program with the config error naming the key, the value and what is expected", () => {
        assert.notEqual(run.exit.code, 0);
        assert.equal(run.exit.timedOut, false);
        const errors = run.monitor.logs.filter((log) => log.severity === "error").map((log) => log.message);
        assert.equal(errors.length, 1, errors.join("\n---\n"));
        assert.match(errors[0]!, /dockerhubMirror/);
        assert.match(errors[0]!, /http:\/\/registry-mirror\.example\.net/);
        assert.match(errors[0]!, /https/);
    });

    test("registers no resource but the stack and calls nothing on GitHub", () => {
        assert.deepEqual(run.monitor.registrations.map((registration) => registration.type), [ROOT_STACK_TYPE]);
        assert.deepEqual(github.requests, []);
    });
});
