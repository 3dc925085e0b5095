/**
 * A config change reaches runners only when they are idle: through Pulumi's cmd/run and the
 * SDK's dynamic-provider host, changing a pool's labels replaces the idle slots now, defers the
 * busy one, and replaces that one on a later run once its job is done.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertCleanExit } from "./harness/fleet-assertions";
import { FleetDeployments, resourceName, startDevFleet, type Deployment } from "./harness/fleet-deployment";
import { diagnostics, GithubWorld, TYPES, type PoolConfig } from "./harness/fleet-stack";
import type { Step } from "./harness/simulated-engine";

const REPO_SCOPE = "acme/widgets";

/** [kind, type, name] of every step that is not "same", sorted. */
function changes(deployment: Deployment): [Step["kind"], string, string][] {
    return deployment.steps
        .filter((step) => step.kind !== "same")
        .map((step): [Step["kind"], string, string] => [step.kind, step.type, resourceName(step.urn)])
        .sort();
}

function slotReplacement(slot: string): [Step["kind"], string, string][] {
    return [
        ["replace", TYPES.drainGuard, `${slot}-drain`],
        ["replace", TYPES.instance, slot],
        ["replace", TYPES.registration, slot],
    ];
}

describe("a label change under cmd/run and the SDK's dynamic-provider host", () => {
    const addLabel = (pools: PoolConfig[]): void => {
        pools[0]!.labels = [...pools[0]!.labels, "extra-label"];
    };
    let world: GithubWorld;
    let deployments: FleetDeployments;
    let poolName: string;
    let slots: number;
    let busyRunner: string;
    let whileBusy: Deployment;
    let busyRunnerAfterChange: { id: number; busy: boolean } | undefined;
    let afterJob: Deployment;

    before(async () => {
        const fleet = await startDevFleet(2);
        ({ world, deployments } = fleet);
        poolName = fleet.pool.name;
        slots = fleet.pool.count;
        const initial = await deployments.deploy(false, slots);
        assertCleanExit(initial.run, `${diagnostics(initial.run)}\n${initial.providerStderr}`);

        const lastSlot = `fleet-${poolName}-${slots - 1}`;
        const registration = [...deployments.state.resources.values()].find(
            (resource) => resource.type === TYPES.registration && resourceName(resource.urn) === lastSlot,
        );
        busyRunner = String(registration?.outputs["runnerName"]);
        world.fake.setRunner(REPO_SCOPE, busyRunner, { status: "online", busy: true });
        whileBusy = await deployments.deployWith(false, addLabel);
        busyRunnerAfterChange = world.fake.runner(REPO_SCOPE, busyRunner);

        world.fake.setRunner(REPO_SCOPE, busyRunner, { busy: false });
        afterJob = await deployments.deployWith(true, addLabel);
    });
    after(() => world.stop());

    test("up replaces every idle slot and leaves the busy one, its runner untouched", () => {
        assertCleanExit(whileBusy.run, `${diagnostics(whileBusy.run)}\n${whileBusy.providerStderr}`);
        assert.equal(whileBusy.deleteError, undefined);
        const replaced = changes(whileBusy).filter(([kind]) => kind === "replace");
        const expected = Array.from({ length: slots - 1 }, (_, index) => slotReplacement(`fleet-${poolName}-${index}`)).flat().sort();
        assert.deepEqual(replaced, expected);
        assert.equal(busyRunnerAfterChange?.busy, true, "the busy runner left GitHub");
        const busyPath = `/repos/${REPO_SCOPE}/actions/runners/${busyRunnerAfterChange.id}`;
        assert.ok(!whileBusy.requests.some((request) => request.method === "DELETE" && request.path === busyPath));
        world.fake.assertNoContractViolations();
    });

    test("once its job is done, the deferred slot is replaced, and only it", () => {
        assertCleanExit(afterJob.run, `${diagnostics(afterJob.run)}\n${afterJob.providerStderr}`);
        assert.deepEqual(changes(afterJob), slotReplacement(`fleet-${poolName}-${slots - 1}`).sort());
        assert.deepEqual(afterJob.requests.filter((request) => request.method !== "GET"), []);
    });
});
