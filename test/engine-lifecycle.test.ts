/**
 * The dev stack deployed, previewed again and scaled down: the program runs through Pulumi's
 * cmd/run each time, its dynamic resources run in the SDK's own cmd/dynamic-provider host
 * (a separate process, fed the serialized `__provider`) against the fake GitHub, and a simulated
 * engine keeps the state between runs and orders deletes as Pulumi does.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertCleanExit, assertSecretsNotShown, assertSecretsStaySecret } from "./harness/fleet-assertions";
import { FleetDeployments, resourceName, startDevFleet, type Deployment } from "./harness/fleet-deployment";
import { diagnostics, GithubWorld, TYPES } from "./harness/fleet-stack";
import { unwrap } from "./harness/pulumi-values";
import type { Step } from "./harness/simulated-engine";

const REPO_SCOPE = "acme/widgets";

function slotName(pool: string, index: number): string {
    return `fleet-${pool}-${index}`;
}

function stepsOfKind(steps: Step[], kind: Step["kind"]): Step[] {
    return steps.filter((step) => step.kind === kind);
}

describe("dev stack lifecycle through cmd/run and the SDK's dynamic-provider host", () => {
    let world: GithubWorld;
    let secrets: Record<string, string>;
    let deployments: FleetDeployments;
    let poolName: string;
    let slots: number;
    let firstPreview: Deployment;
    let first: Deployment;
    let second: Deployment;
    let scaledDown: Deployment;
    let runnersAfterScaleDown: number;
    let destroyed: Omit<Deployment, "run">;
    let runnersAfterFirst: string[];
    let registeredNamesAfterFirst: string[];
    let jitConfigsAfterFirst: Record<string, string>;

    before(async () => {
        const fleet = await startDevFleet(1);
        ({ world, deployments, secrets } = fleet);
        poolName = fleet.pool.name;
        slots = fleet.pool.count;
        firstPreview = await deployments.deploy(true, slots);
        first = await deployments.deploy(false, slots);
        runnersAfterFirst = world.fake.runners(REPO_SCOPE).map((runner) => runner.name);
        registeredNamesAfterFirst = [...deployments.state.resources.values()]
            .filter((resource) => resource.type === TYPES.registration)
            .map((resource) => String(resource.outputs["runnerName"]));
        jitConfigsAfterFirst = Object.fromEntries(
            [...deployments.state.resources.values()]
                .filter((resource) => resource.type === TYPES.registration)
                .map((resource) => [`jitConfig of ${resource.name}`, String(resource.outputs["jitConfig"])]),
        );
        second = await deployments.deploy(true, slots);
        scaledDown = await deployments.deploy(false, slots - 1);
        runnersAfterScaleDown = world.fake.runners(REPO_SCOPE).length;
        destroyed = await deployments.destroy();
    });
    after(() => world.stop());

    test("a first preview checks each dynamic resource (unknown inputs and all) in the provider host, plans only creates and calls no GitHub", () => {
        assertCleanExit(firstPreview.run, `${diagnostics(firstPreview.run)}\n${firstPreview.providerStderr}`);
        assert.equal(firstPreview.steps.length, firstPreview.run.monitor.registrations.filter((registration) => registration.custom).length);
        assert.deepEqual(firstPreview.steps.filter((step) => step.kind !== "create"), []);
        assert.deepEqual(firstPreview.requests, []);
    });

    test("up creates every resource; each slot's registration, run from its serialized provider, registers a runner on GitHub", () => {
        assertCleanExit(first.run, `${diagnostics(first.run)}\n${first.providerStderr}`);
        assert.deepEqual(first.steps.filter((step) => step.kind !== "create"), []);
        assert.equal(stepsOfKind(first.steps, "create").length, first.run.monitor.registrations.filter((r) => r.custom).length);
        const jitRequests = first.requests.filter((request) => request.operationId === "actions/generate-runner-jitconfig-for-repo");
        assert.equal(jitRequests.length, slots);
        // The runner names came back as Create outputs of the dynamic-provider process, and GitHub knows exactly those.
        assert.equal(registeredNamesAfterFirst.length, slots);
        assert.deepEqual([...runnersAfterFirst].sort(), [...registeredNamesAfterFirst].sort());
        world.fake.assertNoContractViolations();
    });

    test("the JIT configs minted by the provider host reach the program as secrets only, and are never shown", () => {
        assert.equal(Object.keys(jitConfigsAfterFirst).length, slots);
        for (const jitConfig of Object.values(jitConfigsAfterFirst)) assert.ok(jitConfig.length > 20, "no JIT config in the Create outputs");
        for (const registration of first.run.monitor.registrationsOfType(TYPES.registration)) {
            assert.ok(registration.additionalSecretOutputs.includes("jitConfig"), `${registration.name} does not mark jitConfig secret`);
        }
        // The check below is not vacuous: each instance's (secret) userData carries a JIT config.
        for (const instance of first.run.monitor.registrationsOfType(TYPES.instance)) {
            const userData = String(unwrap(instance.inputs["userData"]));
            assert.ok(Object.values(jitConfigsAfterFirst).some((jitConfig) => userData.includes(jitConfig)), `${instance.name}: no JIT config in userData`);
        }
        assertSecretsStaySecret(first.run, { ...secrets, ...jitConfigsAfterFirst });
        assertSecretsNotShown(first.run, { ...secrets, ...jitConfigsAfterFirst });
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
        assert.equal(scaledDown.deleteError, undefined);
        const dropped = slotName(poolName, slots - 1);
        const deletes = stepsOfKind(scaledDown.steps, "delete");
        assert.deepEqual(
            deletes.map((step) => [step.type, resourceName(step.urn)]),
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
        assert.equal(runnersAfterScaleDown, slots - 1);
        world.fake.assertNoContractViolations();
    });

    test("destroy deregisters every runner before deleting its VM and leaves nothing on GitHub or in the state", () => {
        assert.equal(destroyed.deleteError, undefined, destroyed.providerStderr);
        const order = destroyed.steps.map((step) => `${step.type} ${resourceName(step.urn)}`);
        for (let index = 0; index < slots - 1; index++) {
            const slot = slotName(poolName, index);
            const guard = order.indexOf(`${TYPES.drainGuard} ${slot}-drain`);
            const instance = order.indexOf(`${TYPES.instance} ${slot}`);
            const registration = order.indexOf(`${TYPES.registration} ${slot}`);
            assert.ok(guard >= 0 && guard < instance && instance < registration, `delete order of ${slot}: ${order.join(", ")}`);
        }
        assert.equal(deployments.state.resources.size, 0);
        assert.deepEqual(world.fake.runners(REPO_SCOPE), []);
        assert.ok(destroyed.requests.some((request) => request.method === "DELETE" && request.status === 204));
        world.fake.assertNoContractViolations();
    });
});
