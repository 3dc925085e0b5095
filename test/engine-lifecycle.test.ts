/**
 * The dev stack deployed, previewed again and scaled down: the program runs through Pulumi's
 * cmd/run each time, its dynamic resources run in the SDK's own cmd/dynamic-provider host
 * (a separate process, fed the serialized `__provider`) against the fake GitHub, and a simulated
 * engine keeps the state between runs and orders deletes as Pulumi does.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { EngineRun } from "./harness/engine-run";
import { assertCleanExit } from "./harness/fleet-assertions";
import { diagnostics, GithubWorld, poolsOf, PROJECT, REPO, runStack, stackConfig, TYPES } from "./harness/fleet-stack";
import type { RecordedRequest } from "./fake-github";
import { DeploymentState, SimulatedEngine, type Step } from "./harness/simulated-engine";

const STACK = "dev";
const REPO_SCOPE = "acme/widgets";

interface Deployment {
    run: EngineRun;
    steps: Step[];
    /** What the fake GitHub received during this deployment. */
    requests: RecordedRequest[];
    providerStderr: string;
}

function slotName(pool: string, index: number): string {
    return `fleet-${pool}-${index}`;
}

function stepsOfKind(steps: Step[], kind: Step["kind"]): Step[] {
    return steps.filter((step) => step.kind === kind);
}

describe("dev stack lifecycle through cmd/run and the SDK's dynamic-provider host", () => {
    const token = `ghp_${randomBytes(18).toString("hex")}`;
    const secrets = { [`${PROJECT}:githubToken`]: token, "openstack:password": `pw-${randomBytes(12).toString("hex")}` };
    const state = new DeploymentState();
    let world: GithubWorld;
    let poolName: string;
    let slots: number;
    let first: Deployment;
    let second: Deployment;
    let scaledDown: Deployment;

    async function deploy(dryRun: boolean, poolCount: number): Promise<Deployment> {
        const config = stackConfig(STACK, secrets, world.apiUrl, (values) => {
            const pools = poolsOf({ config: values, secretKeys: [] });
            pools[0]!.count = poolCount;
            values[`${PROJECT}:pools`] = JSON.stringify(pools);
        });
        const engine = new SimulatedEngine({ state, dryRun, programDir: REPO, providerEnv: world.front.programEnv });
        const requestsBefore = world.fake.requests.length;
        try {
            const run = await runStack(world, STACK, config, { dryRun, respond: engine.respond, onMonitorStarted: (address) => engine.attach(address) });
            if (run.exit.code === 0) await engine.deleteUnregistered(run.monitor.registrations.map((registration) => registration.urn));
            return { run, steps: engine.steps, requests: world.fake.requests.slice(requestsBefore), providerStderr: engine.providerStderr };
        } finally {
            await engine.close();
        }
    }

    before(async () => {
        world = await GithubWorld.start();
        world.fake.addToken(token);
        world.fake.addRepo("acme", "widgets");
        const pool = poolsOf(stackConfig(STACK, secrets, world.apiUrl))[0];
        assert.ok(pool !== undefined && pool.count >= 1, "the dev stack needs a pool with at least one runner");
        poolName = pool.name;
        slots = pool.count;
        first = await deploy(false, slots);
        second = await deploy(true, slots);
        scaledDown = await deploy(false, slots - 1);
    });
    after(() => world.stop());

    test("up creates every resource; each slot's registration, run from its serialized provider, registers a runner on GitHub", () => {
        assertCleanExit(first.run, `${diagnostics(first.run)}\n${first.providerStderr}`);
        assert.deepEqual(first.steps.filter((step) => step.kind !== "create"), []);
        assert.equal(stepsOfKind(first.steps, "create").length, first.run.monitor.registrations.filter((r) => r.custom).length);
        const jitRequests = first.requests.filter((request) => request.operationId === "actions/generate-runner-jitconfig-for-repo");
        assert.equal(jitRequests.length, slots);
        const runnerNames = [...state.resources.values()].filter((r) => r.type === TYPES.registration).map((r) => r.outputs["runnerName"]);
        assert.deepEqual(world.fake.runners(REPO_SCOPE).map((runner) => runner.name).sort(), [...runnerNames].sort());
        world.fake.assertNoContractViolations();
    });

    test("a second run with the same config changes nothing, and costs one page of runner listing", () => {
        assertCleanExit(second.run, `${diagnostics(second.run)}\n${second.providerStderr}`);
        assert.deepEqual(second.steps.filter((step) => step.kind !== "same"), []);
        assert.equal(second.steps.length, first.steps.length);
        assert.deepEqual(second.requests.filter((request) => request.method !== "GET"), []);
        const listings = second.requests.filter((request) => request.operationId === "actions/list-self-hosted-runners-for-repo");
        assert.ok(listings.length <= 1, `expected at most one runner listing for ${slots} runners, got ${listings.length}`);
    });

    test("scaling down deletes the dropped slot's drain guard, then its instance, then its registration, and its runner leaves GitHub", () => {
        assertCleanExit(scaledDown.run, `${diagnostics(scaledDown.run)}\n${scaledDown.providerStderr}`);
        const dropped = slotName(poolName, slots - 1);
        const deletes = stepsOfKind(scaledDown.steps, "delete");
        assert.deepEqual(
            deletes.map((step) => [step.type, step.urn.split("::").pop()]),
            [
                [TYPES.drainGuard, `${dropped}-drain`],
                [TYPES.instance, dropped],
                [TYPES.registration, dropped],
            ],
        );
        assert.deepEqual(scaledDown.steps.filter((step) => step.kind !== "same" && step.kind !== "delete"), []);
        const firstDelete = scaledDown.requests.findIndex((request) => request.method === "DELETE");
        assert.ok(firstDelete >= 0, "no runner was deregistered");
        assert.equal(scaledDown.requests[firstDelete]!.status, 204);
        assert.equal(world.fake.runners(REPO_SCOPE).length, slots - 1);
        world.fake.assertNoContractViolations();
    });
});
