/**
 * A config change reaches runners only when they are idle: through Pulumi's cmd/run and the
 * SDK's dynamic-provider host, changing a pool's labels replaces the idle slot now, defers the
 * busy one (a warning and the stack outputs say so, in the preview too), and replaces that one on
 * a later run once its job is done.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startDevFleet, type Deployment, type DevFleet } from "./harness/fleet-deployment";
import type { PoolConfig } from "./harness/fleet-stack";
import { assertSucceeded, changes, servers, slotRunners, warnings } from "./engine-support";

const REPO_SCOPE = "acme/widgets";

function slotReplacement(slot: string): string[] {
    return [`replace guard ${slot}-drain`, `replace instance ${slot}`, `replace registration ${slot}`];
}

function deferredOf(deployment: Deployment, pool: string): string[] {
    return (deployment.result.outputs as { pools: Record<string, { deferred: string[] }> }).pools[pool]?.deferred ?? [];
}

describe("a label change with one busy and one idle runner", () => {
    const addLabel = (pools: PoolConfig[]): void => {
        pools[0]!.labels = [...pools[0]!.labels, "extra-label"];
    };
    let fleet: DevFleet;
    let slot0: string;
    let slot1: string;
    let busyRunner: string;
    let busyServerId: string | undefined;
    let previewWhileBusy: Deployment;
    let whileBusy: Deployment;
    let busyRunnerAfterChange: { id: number; busy: boolean } | undefined;
    let busyServerAfterChange: string | undefined;
    let afterJobPreview: Deployment;

    before(async () => {
        fleet = await startDevFleet(2);
        const { world, deployments, pool } = fleet;
        slot0 = `fleet-${pool.name}-0`;
        slot1 = `fleet-${pool.name}-1`;
        assertSucceeded(await deployments.deploy(false, 2));
        const runners = slotRunners(fleet);
        for (const runner of runners.values()) world.fake.setRunner(REPO_SCOPE, runner, { status: "online" });
        busyRunner = runners.get(1)!;
        busyServerId = servers(fleet).get(busyRunner)?.id;
        world.fake.setRunner(REPO_SCOPE, busyRunner, { status: "online", busy: true });

        previewWhileBusy = await deployments.deployWith(true, addLabel);
        whileBusy = await deployments.deployWith(false, addLabel);
        busyRunnerAfterChange = world.fake.runner(REPO_SCOPE, busyRunner);
        busyServerAfterChange = servers(fleet).get(busyRunner)?.id;

        world.fake.setRunner(REPO_SCOPE, busyRunner, { busy: false });
        afterJobPreview = await deployments.deployWith(true, addLabel);
    });
    after(() => fleet.world.stop());

    test("the preview already says which runner's change waits for its job", () => {
        assertSucceeded(previewWhileBusy);
        assert.deepEqual(changes(previewWhileBusy).sort(), slotReplacement(slot0));
        assert.ok(warnings(previewWhileBusy).some((message) => message.includes(busyRunner) && message.includes("busy")), warnings(previewWhileBusy).join("\n"));
    });

    test("up replaces the idle slot and leaves the busy one: its VM, its runner, no deregistration", () => {
        assertSucceeded(whileBusy);
        assert.deepEqual(changes(whileBusy).sort(), slotReplacement(slot0));
        assert.equal(busyRunnerAfterChange?.busy, true, "the busy runner left GitHub");
        assert.equal(busyServerAfterChange, busyServerId, "the busy runner's VM was replaced");
        const busyPath = `/repos/${REPO_SCOPE}/actions/runners/${busyRunnerAfterChange.id}`;
        assert.ok(!whileBusy.requests.some((request) => request.method === "DELETE" && request.path === busyPath));
        assert.deepEqual(deferredOf(whileBusy, fleet.pool.name), [busyRunner]);
        fleet.world.fake.assertNoContractViolations();
    });

    test("once its job is done, the deferred slot is replaced, and only it", () => {
        assertSucceeded(afterJobPreview);
        assert.deepEqual(changes(afterJobPreview).sort(), slotReplacement(slot1));
        assert.deepEqual(afterJobPreview.requests.filter((request) => request.method !== "GET"), []);
    });
});
