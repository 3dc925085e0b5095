/**
 * Recycling under the real program, cmd/run and cmd/dynamic-provider: a used-up ephemeral runner
 * (gone from GitHub) gets exactly its slot replaced, and a busy runner is never torn down.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertCleanExit } from "./harness/fleet-assertions";
import { FleetDeployments, resourceName, startDevFleet, type Deployment } from "./harness/fleet-deployment";
import { diagnostics, GithubWorld, TYPES } from "./harness/fleet-stack";

const REPO_SCOPE = "acme/widgets";

describe("recycling runner slots through cmd/run and the SDK's dynamic-provider host", () => {
    let world: GithubWorld;
    let deployments: FleetDeployments;
    let slots: number;
    let poolName: string;
    let usedUpRunner: string;
    let previewAfterJob: Deployment;
    let upAfterJob: Deployment;
    let busyRunner: string;
    let scaleDownWhileBusy: Deployment;

    function registeredRunnerName(slot: string): string {
        const registration = [...deployments.state.resources.values()].find(
            (resource) => resource.type === TYPES.registration && resourceName(resource.urn) === slot,
        );
        assert.ok(registration, `no registration for ${slot} in the state`);
        return String(registration.outputs["runnerName"]);
    }

    before(async () => {
        const fleet = await startDevFleet(2);
        ({ world, deployments } = fleet);
        slots = fleet.pool.count;
        poolName = fleet.pool.name;
        const initial = await deployments.deploy(false, slots);
        assertCleanExit(initial.run, `${diagnostics(initial.run)}\n${initial.providerStderr}`);

        // The ephemeral runner of slot 0 ran its job: GitHub removes it.
        usedUpRunner = registeredRunnerName(`fleet-${poolName}-0`);
        world.fake.removeRunner(REPO_SCOPE, usedUpRunner);
        previewAfterJob = await deployments.deploy(true, slots);
        upAfterJob = await deployments.deploy(false, slots);

        // The last slot's runner is running a job while the pool shrinks by one.
        busyRunner = registeredRunnerName(`fleet-${poolName}-${slots - 1}`);
        world.fake.setRunner(REPO_SCOPE, busyRunner, { status: "online", busy: true });
        scaleDownWhileBusy = await deployments.deploy(false, slots - 1);
    });
    after(() => world.stop());

    test("preview after a job shows the used-up slot replaced, and nothing else changed", () => {
        assertCleanExit(previewAfterJob.run, `${diagnostics(previewAfterJob.run)}\n${previewAfterJob.providerStderr}`);
        const changed = previewAfterJob.steps.filter((step) => step.kind !== "same").map((step) => [step.kind, step.type, resourceName(step.urn)]);
        const slot = `fleet-${poolName}-0`;
        assert.deepEqual(changed.sort(), [
            ["replace", TYPES.instance, slot],
            ["replace", TYPES.drainGuard, `${slot}-drain`],
            ["replace", TYPES.registration, slot],
        ].sort());
        assert.deepEqual(previewAfterJob.requests.filter((request) => request.method !== "GET"), []);
    });

    test("up after a job registers one new runner and removes the old slot's resources, drain guard first", () => {
        assertCleanExit(upAfterJob.run, `${diagnostics(upAfterJob.run)}\n${upAfterJob.providerStderr}`);
        assert.equal(upAfterJob.deleteError, undefined);
        const slot = `fleet-${poolName}-0`;
        assert.equal(upAfterJob.requests.filter((request) => request.operationId === "actions/generate-runner-jitconfig-for-repo").length, 1);
        assert.deepEqual(
            upAfterJob.steps.filter((step) => step.kind === "delete").map((step) => [step.type, resourceName(step.urn)]),
            [[TYPES.drainGuard, `${slot}-drain`], [TYPES.instance, slot], [TYPES.registration, slot]],
        );
        const replacement = registeredRunnerName(slot);
        assert.notEqual(replacement, usedUpRunner);
        assert.ok(world.fake.runner(REPO_SCOPE, replacement), "the replacement runner is not registered on GitHub");
        assert.equal(world.fake.runners(REPO_SCOPE).length, slots);
        world.fake.assertNoContractViolations();
    });

    test("scaling down while the dropped runner is busy stops at its drain guard: the VM and the runner stay", () => {
        const slot = `fleet-${poolName}-${slots - 1}`;
        assert.equal(scaleDownWhileBusy.run.exit.code, 0, diagnostics(scaleDownWhileBusy.run));
        assert.match(scaleDownWhileBusy.deleteError ?? "", /busy/);
        assert.match(scaleDownWhileBusy.deleteError ?? "", new RegExp(busyRunner));
        assert.deepEqual(scaleDownWhileBusy.steps.filter((step) => step.kind === "delete"), []);
        const instance = [...deployments.state.resources.values()].find((resource) => resource.type === TYPES.instance && resourceName(resource.urn) === slot);
        assert.ok(instance, "the busy runner's instance was deleted");
        assert.equal(world.fake.runner(REPO_SCOPE, busyRunner)?.busy, true);
        const deregistrations = scaleDownWhileBusy.requests.filter((request) => request.method === "DELETE");
        assert.deepEqual(deregistrations.map((request) => request.status), [422]);
    });
});
