import assert from "node:assert/strict";
import { test } from "node:test";
import { planPool } from "../components/pool-plan";
import { registrationsLeft, spendRegistrationBudget, type PoolRegistrations } from "../components/registration-budget";

const now = new Date("2026-06-10T12:00:00Z");
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();

test("the registrations left are the hourly budget minus those of the last hour", () => {
    assert.equal(registrationsLeft(450, [], now), 450);
    assert.equal(registrationsLeft(450, [minutesAgo(5), minutesAgo(59), minutesAgo(61), "garbage"], now), 448);
    assert.equal(registrationsLeft(2, [minutesAgo(1), minutesAgo(2), minutesAgo(3)], now), 0);
});

function pool(name: string, plan: ReturnType<typeof planPool>, existing: number[], recycling: number[], jit = true): PoolRegistrations {
    return { pool: name, plan, jit, existing: new Set(existing), recycling: new Set(recycling) };
}

test("within the budget, every plan is unchanged", () => {
    const plan = planPool({ size: { kind: "fixed", count: 3 }, existing: [{ index: 0, runner: "absent" }] });
    const spent = spendRegistrationBudget([pool("a", plan, [0], [0])], 10);
    assert.deepEqual(spent.plans.a, plan);
    assert.deepEqual([spent.spent, spent.deferred], [3, 0]);
});

test("over the budget: used-up slots are recycled before new ones are added, pool by pool; the rest waits", () => {
    const a = planPool({ size: { kind: "fixed", count: 4 }, existing: [{ index: 0, runner: "absent" }, { index: 1, runner: "online" }, { index: 2, runner: "absent" }] });
    const b = planPool({ size: { kind: "fixed", count: 2 }, existing: [] });
    const spent = spendRegistrationBudget([pool("a", a, [0, 1, 2], [0, 2]), pool("b", b, [], [])], 3);
    assert.deepEqual(spent.plans.a?.slots.map((slot) => `${slot.index}${slot.hold ? ":hold" : ""}`), ["0", "1", "2", "3"], "slots 0 and 2 recycle, slot 3 is new");
    assert.deepEqual(spent.plans.b?.slots, [], "pool b's new slots wait");
    assert.deepEqual([spent.spent, spent.deferred], [3, 2]);
    const broke = spendRegistrationBudget([pool("a", a, [0, 1, 2], [0, 2])], 1);
    assert.deepEqual(broke.plans.a?.slots.map((slot) => `${slot.index}${slot.hold ? ":hold" : ""}`), ["0", "1", "2:hold"]);
    assert.deepEqual([broke.spent, broke.deferred], [1, 2]);
});

test("token-mode pools share one registration token per run: they never spend the budget", () => {
    const plan = planPool({ size: { kind: "fixed", count: 5 }, existing: [] });
    const spent = spendRegistrationBudget([pool("persistent", plan, [], [], false)], 0);
    assert.equal(spent.plans.persistent?.slots.length, 5);
    assert.equal(spent.deferred, 0);
});
