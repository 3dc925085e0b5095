/**
 * Recycling and scaling in under the real program, cmd/run and cmd/dynamic-provider: a used-up
 * ephemeral runner (gone from GitHub) gets exactly its slot replaced, the old VM deleted before its
 * replacement boots; scaling a pool to zero with a busy runner among the removed slots completes
 * the `up` without touching that runner: the idle runner is deregistered (its drain guard's
 * update, which GitHub refuses for a runner that has just taken a job, so no job is killed), and
 * the next `up` deletes the slots whose runners are gone, the busy one's once its job is done.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startDevFleet, type Deployment, type DevFleet } from "./harness/fleet-deployment";
import { assertSucceeded, changes, indexOf, servers, slotRunners, TYPES, warnings } from "./engine-support";

const REPO_SCOPE = "acme/widgets";

/** "op type name" of each custom step, in the order the engine ran them. */
function opsInOrder(deployment: Deployment): string[] {
    return deployment.steps.map((step) => `${step.op} ${step.type} ${step.urn.split("::").pop()}`);
}

function opIndex(deployment: Deployment, op: string, type: string, name: string): number {
    const index = deployment.steps.findIndex((step) => step.op === op && step.type === type && step.urn.endsWith(`::${name}`));
    assert.ok(index >= 0, `no ${op} of ${name} (${type}) in:\n${opsInOrder(deployment).join("\n")}`);
    return index;
}

interface PoolOutputs {
    desired: number;
    slots: { index: number; runner: string; retiring: boolean }[];
    deferred: string[];
}

function poolOutputs(deployment: Deployment, pool: string): PoolOutputs {
    const outputs = deployment.result.outputs as unknown as { pools: Record<string, PoolOutputs> };
    const result = outputs.pools[pool];
    assert.ok(result, `no outputs for pool ${pool}`);
    return result;
}

describe("recycling a used-up slot and scaling in past a busy runner", () => {
    let fleet: DevFleet;
    let slot0: string;
    let slot1: string;
    let usedUpRunner: string;
    let previewAfterJob: Deployment;
    let upAfterJob: Deployment;
    let runnersAfterRecycle: Map<number, string>;
    let serversAfterRecycle: Map<string, { id: string; status: string | undefined }>;
    let githubAfterRecycle: string[];
    let busyRunner: string;
    let busyServerId: string | undefined;
    let scaleToZero: Deployment;
    let serversWhileBusy: Map<string, { id: string; status: string | undefined }>;
    let afterJobDone: Deployment;
    let busyRunnerWhileRetiring: { id: number; busy: boolean } | undefined;

    before(async () => {
        fleet = await startDevFleet(2);
        const { world, deployments, pool } = fleet;
        slot0 = `fleet-${pool.name}-0`;
        slot1 = `fleet-${pool.name}-1`;
        assertSucceeded(await deployments.deploy(false, 2));
        const initialRunners = slotRunners(fleet);
        for (const runner of initialRunners.values()) world.fake.setRunner(REPO_SCOPE, runner, { status: "online" });

        // The ephemeral runner of slot 0 ran its job: GitHub removes it.
        usedUpRunner = initialRunners.get(0)!;
        world.fake.removeRunner(REPO_SCOPE, usedUpRunner);
        previewAfterJob = await deployments.deploy(true, 2);
        upAfterJob = await deployments.deploy(false, 2);
        runnersAfterRecycle = slotRunners(fleet);
        serversAfterRecycle = servers(fleet);
        githubAfterRecycle = world.fake.runners(REPO_SCOPE).map((runner) => runner.name);

        // Slot 1's runner takes a job while the pool is scaled to zero.
        busyRunner = runnersAfterRecycle.get(1)!;
        busyServerId = serversAfterRecycle.get(busyRunner)?.id;
        for (const runner of runnersAfterRecycle.values()) world.fake.setRunner(REPO_SCOPE, runner, { status: "online" });
        world.fake.setRunner(REPO_SCOPE, busyRunner, { status: "online", busy: true });
        scaleToZero = await deployments.deploy(false, 0);
        serversWhileBusy = servers(fleet);
        busyRunnerWhileRetiring = world.fake.runner(REPO_SCOPE, busyRunner);

        // The job ends: GitHub removes the ephemeral runner.
        world.fake.removeRunner(REPO_SCOPE, busyRunner);
        afterJobDone = await deployments.deploy(false, 0);
    });
    after(() => fleet.world.stop());

    test("preview after a job shows exactly the used-up slot replaced and writes nothing", () => {
        assertSucceeded(previewAfterJob);
        const replaced = changes(previewAfterJob).filter((line) => !line.startsWith("delete "));
        assert.deepEqual(replaced.sort(), [`replace guard ${slot0}-drain`, `replace instance ${slot0}`, `replace registration ${slot0}`]);
        assert.deepEqual(previewAfterJob.requests.filter((request) => request.method !== "GET"), []);
    });

    test("up after a job registers one new runner; the old VM is deleted before its replacement is created (no double quota)", () => {
        assertSucceeded(upAfterJob);
        const jit = upAfterJob.requests.filter((request) => request.operationId === "actions/generate-runner-jitconfig-for-repo");
        assert.equal(jit.length, 1);
        const oldGuardGone = opIndex(upAfterJob, "delete-replaced", TYPES.drainGuard, `${slot0}-drain`);
        const oldVmGone = opIndex(upAfterJob, "delete-replaced", TYPES.instance, slot0);
        // The harness reports a delete-before-replace's creation as its "replace" step.
        const newVm = opIndex(upAfterJob, "replace", TYPES.instance, slot0);
        const newRegistration = opIndex(upAfterJob, "replace", TYPES.registration, slot0);
        assert.ok(oldGuardGone < oldVmGone && oldVmGone < newRegistration && newRegistration < newVm, opsInOrder(upAfterJob).join("\n"));
        assert.equal(indexOf(upAfterJob.steps, "replace", TYPES.instance, slot1), -1, "slot 1 was touched");

        const replacement = runnersAfterRecycle.get(0)!;
        assert.notEqual(replacement, usedUpRunner);
        assert.deepEqual(githubAfterRecycle.sort(), [...runnersAfterRecycle.values()].sort(), "GitHub has exactly the slots' runners");
        assert.equal(serversAfterRecycle.size, 2);
        assert.ok(serversAfterRecycle.has(replacement), "the new VM is named after the new runner");
        assert.ok(!serversAfterRecycle.has(usedUpRunner), "the used-up runner's VM is gone");
        fleet.world.fake.assertNoContractViolations();
    });

    test("scaling to zero with a busy runner completes: the idle runner is deregistered, the busy one untouched, both slots retiring", () => {
        assertSucceeded(scaleToZero);
        // Only the idle slot's guard drains; the busy runner is not even asked to go.
        assert.deepEqual(changes(scaleToZero), [`update guard ${slot0}-drain`]);
        assert.equal(fleet.world.fake.runner(REPO_SCOPE, runnersAfterRecycle.get(0)!), undefined, "the idle runner is still registered");
        assert.equal(serversWhileBusy.get(busyRunner)?.id, busyServerId, "the busy runner's VM was replaced or deleted");
        assert.equal(busyRunnerWhileRetiring?.busy, true, "the busy runner left GitHub");
        const busyRunnerPath = `/repos/${REPO_SCOPE}/actions/runners/${busyRunnerWhileRetiring?.id}`;
        const busyDeletes = scaleToZero.requests.filter((request) => request.method === "DELETE" && request.path === busyRunnerPath);
        assert.deepEqual(busyDeletes, [], "a deregistration of the busy runner was attempted");
        const pool = poolOutputs(scaleToZero, fleet.pool.name);
        assert.equal(pool.desired, 0);
        assert.deepEqual(pool.slots.map((slot) => [slot.index, slot.retiring]), [[0, true], [1, true]]);
        assert.deepEqual(pool.deferred, [busyRunner], "the busy runner's removal is listed as deferred");
        assert.ok(warnings(scaleToZero).some((message) => message.includes(busyRunner)), warnings(scaleToZero).join("\n"));
    });

    test("once the job is done, the next up deletes both retiring slots, each drain guard before its VM", () => {
        assertSucceeded(afterJobDone);
        assert.deepEqual(changes(afterJobDone).sort(), [
            `delete guard ${slot0}-drain`,
            `delete guard ${slot1}-drain`,
            `delete instance ${slot0}`,
            `delete instance ${slot1}`,
            `delete registration ${slot0}`,
            `delete registration ${slot1}`,
        ]);
        for (const slot of [slot0, slot1]) {
            assert.ok(indexOf(afterJobDone.steps, "delete", TYPES.drainGuard, `${slot}-drain`) < indexOf(afterJobDone.steps, "delete", TYPES.instance, slot));
        }
        assert.equal(servers(fleet).size, 0);
        assert.deepEqual(poolOutputs(afterJobDone, fleet.pool.name).slots, []);
        fleet.world.fake.assertNoContractViolations();
    });
});
