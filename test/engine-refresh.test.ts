/**
 * `pulumi refresh` on the fleet: the registration and the drain guard implement `read`, so a
 * refresh records GitHub's view of each runner (a runner GitHub no longer has shows as changed,
 * `githubStatus: "absent"`), writes nothing to GitHub, and the next preview recycles exactly that
 * slot. (Importing a runner is not possible: Pulumi's engine cannot import a dynamic resource,
 * see harness-dynamic.test.ts.)
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startDevFleet, type Deployment, type DevFleet } from "./harness/fleet-deployment";
import type { OperationResult } from "./harness/harness-stack";
import { assertSucceeded, changes, slotRunners, TYPES } from "./engine-support";

const REPO_SCOPE = "acme/widgets";

describe("refresh with one runner gone from GitHub and one busy", () => {
    let fleet: DevFleet;
    let slot0: string;
    let slot1: string;
    let refreshed: OperationResult;
    let refreshRequests: { method: string }[];
    let afterRefresh: Deployment;

    const githubStatusOf = (type: string, name: string): unknown =>
        [...fleet.deployments.state.resources.values()].find((resource) => resource.type === type && resource.urn.endsWith(`::${name}`))?.outputs["githubStatus"];

    before(async () => {
        fleet = await startDevFleet(2);
        const { world, deployments, pool } = fleet;
        slot0 = `fleet-${pool.name}-0`;
        slot1 = `fleet-${pool.name}-1`;
        assertSucceeded(await deployments.deploy(false, 2));
        const runners = slotRunners(fleet);
        world.fake.setRunner(REPO_SCOPE, runners.get(1)!, { status: "online", busy: true });
        world.fake.removeRunner(REPO_SCOPE, runners.get(0)!);
        const before = world.fake.requests.length;
        refreshed = await deployments.stack.refresh();
        refreshRequests = world.fake.requests.slice(before);
        afterRefresh = await deployments.deploy(true, 2);
    });
    after(() => fleet.world.stop());

    test("refresh reads every registration and drain guard from GitHub and records the runner gone or busy", () => {
        assert.equal(refreshed.error, undefined, refreshed.error);
        const refreshedDynamic = refreshed.steps.filter((step) => step.kind === "refresh" && (step.type === TYPES.registration || step.type === TYPES.drainGuard));
        assert.equal(refreshedDynamic.length, 4);
        const gone = refreshedDynamic.filter((step) => step.urn.endsWith(`::${slot0}`) || step.urn.endsWith(`::${slot0}-drain`));
        assert.deepEqual(gone.map((step) => step.refreshed), ["changed", "changed"]);
        assert.equal(githubStatusOf(TYPES.registration, slot0), "absent");
        assert.equal(githubStatusOf(TYPES.drainGuard, `${slot0}-drain`), "absent");
        assert.equal(githubStatusOf(TYPES.registration, slot1), "busy");
        assert.deepEqual(refreshRequests.filter((request) => request.method !== "GET"), [], "refresh wrote to GitHub");
    });

    test("the next preview recycles exactly the slot whose runner is gone", () => {
        assertSucceeded(afterRefresh);
        assert.deepEqual(changes(afterRefresh).sort(), [`replace guard ${slot0}-drain`, `replace instance ${slot0}`, `replace registration ${slot0}`]);
    });
});
