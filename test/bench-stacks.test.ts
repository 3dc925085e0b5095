/**
 * The stacks the reconcile benchmark compares (scripts/bench/stacks.ts), at a tiny size: the
 * fleet set up with every runner registered and online, steady-state `up`s that change nothing
 * for the fleet and the bare baseline, and a demand file that grows a demand pool by one runner.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { BareBenchStack, changesOf, FleetBenchStack, requireNoChanges, requireSuccess } from "../scripts/bench/stacks";
import { TYPES } from "./harness/fleet-stack";
import type { OperationResult } from "./harness/harness-stack";

const SLOT_TYPES: string[] = [TYPES.registration, TYPES.instance, TYPES.drainGuard];

function slotCreates(result: OperationResult): number {
    return result.steps.filter((step) => step.kind === "create" && SLOT_TYPES.includes(step.type)).length;
}

const opened: FleetBenchStack[] = [];

async function fleet(sizing: { count: number } | { min: number; max: number }): Promise<FleetBenchStack> {
    const stack = await FleetBenchStack.open(sizing);
    opened.push(stack);
    return stack;
}

describe("benchmark stacks", { timeout: 600_000 }, () => {
    after(async () => {
        for (const stack of opened) await stack.close();
    });

    // One fleet for both (a set-up costs most of this file's time): a demand pool at its minimum
    // is in steady state until a demand file asks for more.
    test("the fleet: set up with every runner online, an up that changes nothing and writes nothing to GitHub, then a demand file that grows it by exactly one runner", async () => {
        const stack = await fleet({ min: 1, max: 3 });
        const setUp = await stack.setUp();
        assert.equal(slotCreates(setUp), 3, "a registration, an instance and a drain guard per runner");
        const runners = stack.world.fake.runners("acme/widgets");
        assert.deepEqual(runners.map((runner) => runner.status), ["online"]);
        const writesBefore = stack.world.fake.writes().length;
        const steady = await stack.stack.up();
        requireNoChanges(steady, "the fleet's steady-state up");
        assert.equal(stack.world.fake.writes().length, writesBefore);

        stack.writeDemand(1);
        const grown = requireSuccess(await stack.stack.up(), "the up after the demand");
        assert.equal(stack.runnerCount(), 2);
        assert.equal(slotCreates(grown), 3);
        assert.deepEqual(changesOf(grown).filter((change) => !change.startsWith("create ")), []);
        assert.equal(stack.world.fake.runners("acme/widgets").filter((runner) => runner.status === "online").length, 1, "the new runner is not online yet");
        stack.markOnline();
        assert.deepEqual(stack.world.fake.runners("acme/widgets").map((runner) => runner.status), ["online", "online"]);
    });

    test("the bare baseline: N instances, then an up that changes nothing", async () => {
        const bare = BareBenchStack.open(2);
        const setUp = await bare.setUp();
        assert.deepEqual(changesOf(setUp).map((change) => change.split("::").pop()).sort(), ["bare-0", "bare-1"]);
        assert.ok(changesOf(setUp).every((change) => change.startsWith("create urn:pulumi:bench::bare-fleet::openstack:compute/instance:Instance::")));
        requireNoChanges(await bare.stack.up(), "the bare baseline's steady-state up");
    });

    test("a steady-state up with a change, or a failed one, is refused with what happened", () => {
        const base: OperationResult = { operation: "up", steps: [], diagnostics: [], outputs: {}, error: undefined, deleteError: undefined, run: undefined, providerStderr: "", hookCalls: [] };
        const changed = { ...base, steps: [{ urn: "urn:x", type: "t", kind: "update" as const, op: "update" as const, custom: true }] };
        assert.throws(() => requireNoChanges(changed, "up 1"), /up 1 was to change nothing, but: update urn:x/);
        const same = { ...base, steps: [{ urn: "urn:x", type: "t", kind: "same" as const, op: "same" as const, custom: true }] };
        requireNoChanges(same, "up 2");
        const failed = { ...base, error: "boom", diagnostics: [{ severity: "error" as const, urn: "", message: "it broke" }] };
        assert.throws(() => requireNoChanges(failed, "up 3"), /up 3 failed: boom\nerror: it broke/);
    });
});
