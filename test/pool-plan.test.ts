import assert from "node:assert/strict";
import { test } from "node:test";
import { planPool, type ExistingSlot, type PoolPlanInput } from "../components/pool-plan";

const fixed = (count: number): PoolPlanInput["size"] => ({ kind: "fixed", count });
const demand = (minimum: number, max: number): PoolPlanInput["size"] => ({ kind: "demand", minimum, max });
const slots = (...states: ExistingSlot["runner"][]): ExistingSlot[] => states.map((runner, index) => ({ index, runner }));
const summary = (input: PoolPlanInput) =>
    planPool(input).slots.map((slot) => `${slot.index}${slot.retiring ? (slot.drain ? ":drain" : ":retire") : ""}`);

test("a new fixed pool declares slots 0..count-1", () => {
    assert.deepEqual(summary({ size: fixed(3), existing: [] }), ["0", "1", "2"]);
    assert.deepEqual(summary({ size: fixed(0), existing: [] }), []);
});

test("an unchanged pool declares the same slots, used-up ones included (they are recycled)", () => {
    assert.deepEqual(summary({ size: fixed(3), existing: slots("online", "absent", "busy") }), ["0", "1", "2"]);
});

test("scaling in keeps busy runners whatever their index, and removes idle ones first", () => {
    // count 2 with slots 0,1 idle and 2,3 busy: the busy ones are the two kept.
    assert.deepEqual(summary({ size: fixed(2), existing: slots("online", "online", "busy", "busy") }), ["0:drain", "1:drain", "2", "3"]);
    // count 1: the busy one stays, the idle ones are drained, the used-up one is dropped at once.
    assert.deepEqual(summary({ size: fixed(1), existing: slots("online", "absent", "online", "busy") }), ["0:drain", "2:drain", "3"]);
});

test("more busy runners than wanted: all stay; the extra ones retire after their job, never drained", () => {
    assert.deepEqual(summary({ size: fixed(1), existing: slots("busy", "busy", "busy") }), ["0", "1:retire", "2:retire"]);
});

test("kept slots prefer online idle runners, then booting ones, then used-up ones, lowest index first", () => {
    assert.deepEqual(summary({ size: fixed(2), existing: slots("absent", "offline", "online", "online") }), ["1:drain", "2", "3"]);
    const plan = planPool({ size: fixed(2), existing: slots("absent", "offline", "online", "online") });
    assert.deepEqual(plan.slots.filter((slot) => !slot.retiring).map((slot) => slot.index), [2, 3]);
    assert.deepEqual(plan.slots.filter((slot) => slot.retiring).map((slot) => slot.index), [1], "the booting runner is drained; the used-up slot is dropped");
});

test("growing fills the lowest free indices", () => {
    assert.deepEqual(summary({ size: fixed(4), existing: [{ index: 1, runner: "online" }, { index: 3, runner: "busy" }] }), ["0", "1", "2", "3"]);
});

test("by demand: busy + queued + minimum, at most max; without demand information the previous size within [minimum, max]", () => {
    const existing = slots("busy", "busy", "online");
    assert.equal(planPool({ size: demand(1, 10), existing, queued: 4 }).desired, 2 + 4 + 1);
    assert.equal(planPool({ size: demand(1, 5), existing, queued: 40 }).desired, 5);
    assert.equal(planPool({ size: demand(1, 5), existing, queued: 0 }).desired, 3);
    assert.equal(planPool({ size: demand(1, 5), existing: [], queued: 0 }).desired, 1);
    assert.equal(planPool({ size: demand(1, 5), existing, previousDesired: 4 }).desired, 4);
    assert.equal(planPool({ size: demand(1, 5), existing, previousDesired: 9 }).desired, 5);
    assert.equal(planPool({ size: demand(2, 5), existing: [] }).desired, 2, "a new stack without demand information starts at its minimum");
    assert.equal(planPool({ size: demand(3, 5), existing, previousDesired: 1 }).desired, 3, "a schedule that raises the minimum applies without demand information");
});

test("a burst grows to max in one plan; when the jobs are done it shrinks back without touching busy runners", () => {
    const grown = planPool({ size: demand(0, 5), existing: [], queued: 50 });
    assert.equal(grown.slots.length, 5);
    const afterJobs: ExistingSlot[] = [
        { index: 0, runner: "absent" },
        { index: 1, runner: "busy" },
        { index: 2, runner: "absent" },
        { index: 3, runner: "online" },
        { index: 4, runner: "absent" },
    ];
    const shrunk = planPool({ size: demand(0, 5), existing: afterJobs, queued: 0 });
    assert.equal(shrunk.desired, 1);
    assert.deepEqual(shrunk.slots.map((slot) => `${slot.index}${slot.retiring ? ":drain" : ""}`), ["1", "3:drain"]);
});
