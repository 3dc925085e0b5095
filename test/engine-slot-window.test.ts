/**
 * A pool declared a window of slots at a time (components/slot-window.ts), under the real program,
 * cmd/run and cmd/dynamic-provider, with RUNNER_FLEET_SLOT_WINDOW=2 and five slots: a slot is
 * declared only once an earlier slot's last registration (its drain guard's) was answered; every
 * slot is deployed and the next preview changes nothing; a registration that fails in the middle
 * frees its place, so the `up` ends with that error instead of waiting forever, and the next `up`
 * completes the pool. A bad RUNNER_FLEET_SLOT_WINDOW fails the program before it declares anything.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SLOT_WINDOW_VARIABLE } from "../components/slot-window";
import { startDevFleet, type Deployment, type DevFleet } from "./harness/fleet-deployment";
import { ROOT_STACK_TYPE } from "./harness/urn";
import { assertSucceeded, changes, resourceName, servers, slotRunners, TYPES } from "./engine-support";

const WINDOW = 2;
const SLOTS = 5;
const REPO_SCOPE = "acme/widgets";

/** Per slot index from WINDOW on: how many drain guards had reached the engine before that slot's registration. */
function guardsBeforeEachSlot(deployment: Deployment, pool: string): Map<number, number> {
    const result = new Map<number, number>();
    let guards = 0;
    for (const registration of deployment.run.monitor.registrations) {
        if (registration.type === TYPES.drainGuard) guards++;
        const match = registration.type === TYPES.registration ? new RegExp(`^fleet-${pool}-(\\d+)$`).exec(resourceName(registration.urn)) : null;
        if (match !== null) result.set(Number(match[1]), guards);
    }
    return result;
}

describe(`a pool of ${SLOTS} declared ${WINDOW} slots at a time`, () => {
    let fleet: DevFleet;
    let first: Deployment;
    let preview: Deployment;

    before(async () => {
        fleet = await startDevFleet(1, { env: { [SLOT_WINDOW_VARIABLE]: String(WINDOW) } });
        first = await fleet.deployments.deploy(false, SLOTS);
        preview = await fleet.deployments.deploy(true, SLOTS);
    });

    after(async () => {
        await fleet?.world.stop();
    });

    test("each slot past the window is declared after an earlier slot's guard was answered", () => {
        assertSucceeded(first);
        const guardsBefore = guardsBeforeEachSlot(first, fleet.pool.name);
        assert.deepEqual([...guardsBefore.keys()].sort(), [0, 1, 2, 3, 4], "every slot registered, once");
        for (const [index, guards] of guardsBefore) {
            assert.ok(guards >= index - WINDOW + 1, `slot ${index} was declared with ${guards} guard(s) registered; at most ${WINDOW} slots may be open`);
        }
    });

    test("every slot is deployed and the next preview changes nothing", () => {
        assertSucceeded(first);
        assert.equal(slotRunners(fleet).size, SLOTS);
        assert.equal(servers(fleet).size, SLOTS);
        assert.equal(fleet.world.fake.runners(REPO_SCOPE).length, SLOTS);
        assertSucceeded(preview);
        assert.deepEqual(changes(preview), []);
    });

    test("a registration failing inside a window ends the up with its error; the next up completes the pool", async () => {
        const { world, deployments } = fleet;
        world.fake.failNext({ method: "POST", path: /generate-jitconfig/ }, { status: 422 }, 1, 1);
        const failed = await deployments.deploy(false, SLOTS + 3);
        assert.equal(world.fake.pendingFailures(), 0, "the injected failure was met");
        // The second JIT config asked for is refused: the up names that new slot and GitHub's 422; another new slot was created.
        const failedSlot = new RegExp(`RunnerRegistration::fleet-${fleet.pool.name}-(\\d+): [\\s\\S]*422`).exec(failed.result.error ?? "");
        assert.ok(failedSlot !== null, `the up failed with the refused registration: ${failed.result.error}`);
        assert.ok(Number(failedSlot[1]) >= SLOTS, `a new slot failed: ${failedSlot[0]}`);
        const created = failed.steps.filter((step) => step.type === TYPES.registration && step.op === "create").map((step) => resourceName(step.urn));
        assert.ok(created.some((name) => name !== `fleet-${fleet.pool.name}-${failedSlot[1]}`), `another new slot was created: ${created.join(", ")}`);

        const completed = await deployments.deploy(false, SLOTS + 3);
        assertSucceeded(completed);
        assert.equal(slotRunners(fleet).size, SLOTS + 3);
        assert.equal(servers(fleet).size, SLOTS + 3);
    });
});

describe(`a bad ${SLOT_WINDOW_VARIABLE}`, () => {
    test("fails the preview with one clear error before any resource is declared", async () => {
        const fleet = await startDevFleet(1, { env: { [SLOT_WINDOW_VARIABLE]: "ten" } });
        try {
            const preview = await fleet.deployments.deploy(true, 2);
            const messages = [preview.result.error ?? "", ...preview.result.diagnostics.map((diagnostic) => diagnostic.message)].join("\n");
            assert.match(messages, new RegExp(`${SLOT_WINDOW_VARIABLE} is "ten"; expected a whole number of slots from 1`));
            const declared = preview.run.monitor.registrations.filter((registration) => registration.type !== ROOT_STACK_TYPE);
            assert.deepEqual(declared.map((registration) => registration.urn), [], "nothing declared");
        } finally {
            await fleet.world.stop();
        }
    });
});
