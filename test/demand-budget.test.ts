/** The REST budget of the demand sources, on a manual clock: windows, GitHub's quota headers, rate-limit waits. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiBudget, ManualClock, quotaCallsPerMinute, rateLimitFromHeaders } from "../scripts/reconcile/demand";
import { rateLimitRetryAt } from "../scripts/reconcile/demand/rest-queue";

const TIMEOUT = { timeout: 20_000 };

/** Acquires `n` calls one after the other, recording the clock time of each grant. */
async function grantTimes(budget: ApiBudget, clock: ManualClock, n: number): Promise<number[]> {
    const start = clock.now();
    const times: number[] = [];
    const run = (async () => {
        for (let i = 0; i < n; i++) {
            await budget.acquire();
            times.push(clock.now() - start);
        }
    })();
    while (times.length < n) await clock.advance(10_000, { sleepers: 0 });
    await run;
    return times;
}

test("no 60-second window holds more calls than the budget", TIMEOUT, async () => {
    const clock = new ManualClock(0);
    const budget = new ApiBudget({ callsPerMinute: 5, clock });
    const times = await grantTimes(budget, clock, 12);
    assert.deepEqual(times, [0, 0, 0, 0, 0, 60_000, 60_000, 60_000, 60_000, 60_000, 120_000, 120_000]);
    for (const t of times) assert.ok(times.filter((u) => u >= t && u < t + 60_000).length <= 5);
    assert.equal(budget.stats().apiCalls, 12);
});

test("GitHub's rate-limit headers lower the rate so the hour's quota lasts, keeping a reserve", TIMEOUT, () => {
    const now = 1_700_000_000_000;
    const inHalfAnHour = now / 1000 + 1800;
    assert.equal(quotaCallsPerMinute(undefined, now, 0.2), Infinity);
    // 1,000 left, 1,000 kept for others (20% of 5,000): nothing to spend.
    assert.equal(quotaCallsPerMinute({ limit: 5000, remaining: 1000, resetEpochSeconds: inHalfAnHour }, now, 0.2), 0);
    // 1,900 left, 1,000 reserved, 30 minutes to go: 30 a minute.
    assert.equal(quotaCallsPerMinute({ limit: 5000, remaining: 1900, resetEpochSeconds: inHalfAnHour }, now, 0.2), 30);
    assert.deepEqual(rateLimitFromHeaders({ "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "12", "x-ratelimit-reset": "1700000100" }), {
        limit: 5000,
        remaining: 12,
        resetEpochSeconds: 1_700_000_100,
    });
    assert.equal(rateLimitFromHeaders({ "x-ratelimit-remaining": "many" }), undefined);
});

test("a quota reported as spent stops calls until GitHub's reset time", TIMEOUT, async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const budget = new ApiBudget({ callsPerMinute: 20, clock });
    const reset = clock.now() / 1000 + 600;
    budget.observe({ "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "900", "x-ratelimit-reset": String(reset) });
    assert.equal(budget.effectiveCallsPerMinute(), 0);
    const granted = budget.acquire();
    await clock.advance(599_000, { sleepers: 0 });
    assert.equal(clock.pendingSleeps, 1, "still waiting before the reset");
    await clock.advance(2_000, { sleepers: 0 });
    assert.equal(await granted, true);
    assert.ok(clock.now() >= reset * 1000);
});

test("blockUntil holds every call; an aborted wait counts nothing", TIMEOUT, async () => {
    const clock = new ManualClock(0);
    const budget = new ApiBudget({ callsPerMinute: 20, clock });
    budget.blockUntil(90_000);
    const abort = new AbortController();
    const waiting = budget.acquire(abort.signal);
    await clock.untilSleeping();
    abort.abort();
    assert.equal(await waiting, false);
    assert.equal(budget.stats().apiCalls, 0);
    const later = budget.acquire();
    await clock.advance(90_000, { sleepers: 0 });
    assert.equal(await later, true);
    assert.equal(clock.now(), 90_000);
});

test("when a rate-limit answer allows the next call (GitHub's documented order)", TIMEOUT, () => {
    const now = 1_000_000;
    assert.equal(rateLimitRetryAt(403, { "retry-after": "30" }, "You have exceeded a secondary rate limit", now), now + 30_000);
    assert.equal(rateLimitRetryAt(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "5000" }, "API rate limit exceeded", now), 5_000_000);
    assert.equal(rateLimitRetryAt(429, {}, undefined, now), now + 60_000, "otherwise at least a minute");
    assert.equal(rateLimitRetryAt(403, {}, "You have exceeded a secondary rate limit.", now), now + 60_000);
    assert.equal(rateLimitRetryAt(403, { "x-ratelimit-remaining": "4000" }, "Resource not accessible by integration", now), undefined, "a permission error is no rate limit");
    assert.equal(rateLimitRetryAt(500, { "retry-after": "1" }, undefined, now), undefined);
});

test("a budget must be a whole number of calls", TIMEOUT, () => {
    assert.throws(() => new ApiBudget({ callsPerMinute: 0, clock: new ManualClock() }), /whole number of calls per minute, at least 1; got 0/);
    assert.throws(() => new ApiBudget({ callsPerMinute: 20, clock: new ManualClock(), reserveFraction: 1 }), /fraction in \[0, 1\), got 1/);
});
