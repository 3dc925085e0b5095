/**
 * The prod example stack (an org, a GitHub App, a runner group, an existing network and flavor,
 * a built image, a pool sized by demand) previewed through Pulumi's cmd/run against the recording
 * monitor, then deployed and previewed again with its dynamic resources run in the SDK's
 * dynamic-provider host. The deployment uses an existing Glance image instead of the build (the
 * build itself is engine-image's subject) and a demand file asking for more large runners than
 * the pool's max, so the demand pool's size is known whatever the time of day.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { EngineRun } from "./harness/engine-run";
import {
    assertCleanExit,
    assertFleetTree,
    assertPoolsAndSlots,
    assertSecretsNotShown,
    assertSecretsStaySecret,
    assertSerializedProviders,
    only,
} from "./harness/fleet-assertions";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { canonicalLabels, serializeDemandSnapshot } from "../components/demand";
import { FleetDeployments, type Deployment } from "./harness/fleet-deployment";
import { childrenOf, diagnostics, GithubWorld, poolsOf, PROJECT, runStack, stackConfig, TYPES, type PoolConfig } from "./harness/fleet-stack";
import type { StackFileConfig as StackConfig } from "../scripts/plan/stack-file";

const STACK = "prod";
/** Queued jobs for the large pool in the demand file: more than its max (4). */
const QUEUED_LARGE_JOBS = 9;
const LARGE_POOL_MAX = 4;

interface ProdGithub {
    path: string;
    runnerGroup: string;
    app: { appId: number; installationId: number };
}

function prodSecrets(privateKeyPem: string): Record<string, string> {
    return {
        [`${PROJECT}:githubAppPrivateKey`]: privateKeyPem,
        "openstack:password": `pw-${randomBytes(12).toString("hex")}`,
    };
}

/** The fake GitHub with the prod stack's org, runner group and App; returns the group's id. */
function addProdOrg(world: GithubWorld, github: ProdGithub, publicKeyPem: string): number {
    world.fake.addOrg(github.path);
    const groupId = world.fake.addRunnerGroup(github.path, github.runnerGroup);
    world.fake.addApp({ appId: String(github.app.appId), installationId: github.app.installationId, publicKeyPem });
    return groupId;
}

function prodGithubOf(config: StackConfig): ProdGithub {
    return JSON.parse(config.config[`${PROJECT}:github`] ?? "{}") as ProdGithub;
}

describe("prod stack preview through Pulumi's cmd/run", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const secrets = prodSecrets(privateKey.export({ type: "pkcs1", format: "pem" }).toString());
    let world: GithubWorld;
    let run: EngineRun;
    let pools: PoolConfig[];

    before(async () => {
        world = await GithubWorld.start();
        const config = stackConfig(STACK, secrets, world.apiUrl);
        addProdOrg(world, prodGithubOf(config), publicKey.export({ type: "spki", format: "pem" }).toString());
        pools = poolsOf(config);
        run = await runStack(world, STACK, config, { timeoutMs: 300_000 });
    });
    after(() => world.stop());

    test("the program exits 0 after signalling shutdown, with no error logged", () => {
        assertCleanExit(run, diagnostics(run));
    });

    test("the fleet has one pool component per configured pool, with their slots (a demand pool: its minimum)", () => {
        assertFleetTree(run, pools);
        const slotsOfPool = (pool: PoolConfig): number =>
            run.monitor.registrationsOfType(TYPES.slot).filter((slot) => slot.name.startsWith(`fleet-${pool.name}-`)).length;
        const demandPools = pools.filter((pool) => pool.count === undefined);
        assert.ok(demandPools.length > 0, "the prod example has a pool sized by demand");
        for (const pool of demandPools) {
            // Without demand information a new pool starts at its minimum: 0, or 2 in Berlin office hours.
            assert.ok([pool.min, 2].includes(slotsOfPool(pool)), `${pool.name}: ${slotsOfPool(pool)} slots`);
        }
        assertPoolsAndSlots(run, pools, (pool) => pool.count ?? slotsOfPool(pool));
    });

    test("an existing network is looked up, not created", () => {
        const network = only(run.monitor.registrationsOfType(TYPES.network), "network component");
        assert.deepEqual(childrenOf(run, network, TYPES.osNetwork), []);
        assert.deepEqual(run.monitor.registrationsOfType(TYPES.subnet), []);
        assert.ok(run.monitor.invokes.some((invoke) => invoke.token === "openstack:networking/getNetwork:getNetwork"));
    });

    test("dynamic resources carry their serialized provider, and the App key stays secret", () => {
        assertSerializedProviders(run);
        assertSecretsStaySecret(run, secrets);
        assertSecretsNotShown(run, secrets);
    });

    test("every data-source call the program made was one the fixtures know", () => {
        assert.deepEqual(run.monitor.invokes.filter((invoke) => !invoke.answered).map((invoke) => invoke.token), []);
    });

    test("preview mints no runner credential and changes nothing on GitHub", () => {
        // An App can read nothing without an installation token, so the token exchange is the one
        // POST a preview that reads (here: the runner downloads for the image build) may make.
        const changes = world.fake.writes().filter((request) => request.operationId !== "apps/create-installation-access-token");
        assert.deepEqual(changes, []);
        assert.deepEqual(world.front.writes().filter((request) => !/^\/app\/installations\/\d+\/access_tokens$/.test(request.path)), []);
        world.fake.assertNoContractViolations();
    });
});

describe("prod stack up and steady-state preview through cmd/run and the SDK's dynamic-provider host", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const secrets = prodSecrets(privateKey.export({ type: "pkcs1", format: "pem" }).toString());
    let world: GithubWorld;
    let github: ProdGithub;
    let groupId: number;
    let totalSlots: number;
    let up: Deployment;
    let steady: Deployment;
    let demandDir: string;

    before(async () => {
        world = await GithubWorld.start();
        const config = stackConfig(STACK, secrets, world.apiUrl);
        github = prodGithubOf(config);
        groupId = addProdOrg(world, github, publicKey.export({ type: "spki", format: "pem" }).toString());
        totalSlots = poolsOf(config).reduce((sum, pool) => sum + (pool.count ?? LARGE_POOL_MAX), 0);
        demandDir = mkdtempSync(path.join(tmpdir(), "engine-prod-demand-"));
        const demandFile = path.join(demandDir, "demand.json");
        writeFileSync(
            demandFile,
            serializeDemandSnapshot({
                version: 1,
                observedAt: new Date().toISOString(),
                queued: [{ labels: canonicalLabels(["self-hosted", "linux-large"]), count: QUEUED_LARGE_JOBS }],
            }),
        );
        const deployments = new FleetDeployments(world, STACK, secrets, { env: { RUNNER_DEMAND_FILE: demandFile } });
        deployments.editConfig((values) => {
            const image = JSON.parse(values[`${PROJECT}:image`] ?? "{}") as Record<string, unknown>;
            values[`${PROJECT}:image`] = JSON.stringify({ base: image["base"], arch: image["arch"], name: "github-runner-noble-x64" });
        });
        up = await deployments.deployWith(false, () => {});
        steady = await deployments.deployWith(true, () => {});
    });
    after(async () => {
        await world.stop();
        rmSync(demandDir, { recursive: true, force: true });
    });

    test("up registers one org runner per slot, each in the configured runner group, authenticated as the App", () => {
        assertCleanExit(up.run, `${diagnostics(up.run)}\n${up.providerStderr}`);
        assert.equal(up.requests.filter((request) => request.operationId === "actions/generate-runner-jitconfig-for-org").length, totalSlots);
        const runners = world.fake.runners(github.path);
        assert.equal(runners.length, totalSlots);
        const large = (up.result.outputs as { pools: Record<string, { desired: number; slots: unknown[] }> }).pools["large"];
        assert.equal(large?.desired, LARGE_POOL_MAX, "queued jobs beyond max grow the pool to max");
        assert.equal(large.slots.length, LARGE_POOL_MAX);
        assert.deepEqual([...new Set(runners.map((runner) => runner.runnerGroupId))], [groupId]);
        world.fake.assertNoContractViolations();
    });

    test("a steady-state preview changes nothing and reads one page of runners per process, whatever the number of slots", () => {
        assertCleanExit(steady.run, `${diagnostics(steady.run)}\n${steady.providerStderr}`);
        assert.deepEqual(steady.steps.filter((step) => step.kind !== "same"), []);
        const changes = steady.requests.filter((request) => request.method !== "GET" && request.operationId !== "apps/create-installation-access-token");
        assert.deepEqual(changes, []);
        // One page per process: the program's observation and the provider host's diffs.
        assert.equal(steady.requests.filter((request) => request.operationId === "actions/list-self-hosted-runners-for-org").length, 2);
        assert.ok(steady.requests.length < totalSlots, `${steady.requests.length} GitHub calls for ${totalSlots} unchanged runners`);
    });
});
