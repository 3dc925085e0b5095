/**
 * The reconciler's up scheduler on a manual clock: runs never overlap, requests
 * during a run give exactly one more run, failures back off (bounded, jittered),
 * a held stack lock is waited for, a safety run comes when nothing asked, the
 * write-budget gate can postpone, and stop() waits for the running up.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "../scripts/reconcile/demand/clock";
import { UpScheduler, type SchedulerOptions } from "../scripts/reconcile/scheduler";
import type { UpFailure } from "../scripts/reconcile/up-failure";
import { backoffCeilingMs, backoffDelayMs, lockWaitMs } from "../scripts/reconcile/backoff";

const SECOND = 1000;

class Deferred {
    resolve!: () => void;
    reject!: (error: Error) => void;
    readonly promise = new Promise<void>((resolve, reject) => {
        this.resolve = resolve;
        this.reject = reject;
    });
}

/** An `up` the test finishes by hand, recording when each started and how many ran at once. */
class ManualUps {
    readonly runs: { reasons: string[]; startedAt: number; done: Deferred }[] = [];
    running = 0;
    maxRunning = 0;

    constructor(private readonly clock: ManualClock) {}

    readonly runUp = (reasons: readonly string[]): Promise<void> => {
        const done = new Deferred();
        this.runs.push({ reasons: [...reasons], startedAt: this.clock.now(), done });
        this.running += 1;
        this.maxRunning = Math.max(this.maxRunning, this.running);
        return done.promise.finally(() => {
            this.running -= 1;
        });
    };

    /** Waits (real time) until the nth run has started. */
    async started(count: number): Promise<void> {
        const deadline = Date.now() + 10_000;
        while (this.runs.length < count) {
            if (Date.now() > deadline) throw new Error(`expected ${count} runs, saw ${this.runs.length}`);
            await new Promise((resolve) => setImmediate(resolve));
        }
    }

    last(): { reasons: string[]; startedAt: number; done: Deferred } {
        const run = this.runs.at(-1);
        if (run === undefined) throw new Error("no run yet");
        return run;
    }
}

class LockedError extends Error {}

const classify = (error: unknown): UpFailure => ({
    kind: error instanceof LockedError ? "locked" : "failed",
    reason: error instanceof Error ? error.message : String(error),
});

function setUp(overrides: Partial<SchedulerOptions> = {}) {
    const clock = new ManualClock(1_000_000);
    const ups = new ManualUps(clock);
    const events = { coalesced: [] as string[], finished: [] as { outcome: string; retryInMs?: number }[], postponed: [] as string[] };
    const scheduler = new UpScheduler({
        clock,
        runUp: ups.runUp,
        classify,
        safetyIntervalMs: 600 * SECOND,
        debounceMs: 2 * SECOND,
        backoff: { baseMs: 10 * SECOND, maxMs: 80 * SECOND },
        lockRetryMs: 30 * SECOND,
        random: () => 0.5,
        observer: {
            coalesced: (reason) => events.coalesced.push(reason),
            finished: ({ outcome, retryInMs }) => events.finished.push({ outcome, ...(retryInMs !== undefined ? { retryInMs } : {}) }),
            postponed: ({ reason }) => events.postponed.push(reason),
        },
        ...overrides,
    });
    return { clock, ups, events, scheduler };
}

/**
 * Moves the manual clock on once the loop sleeps. A woken loop may start an `up`
 * (which the test finishes by hand) instead of sleeping again, so the clock does
 * not wait for it to sleep between steps.
 */
async function tick(clock: ManualClock, ms: number): Promise<void> {
    await clock.untilSleeping(1);
    await clock.advance(ms, { sleepers: 0 });
}

/** Lets the scheduler's continuations run after a run ends. */
async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe("up scheduler", { timeout: 60_000 }, () => {
    test("the first run comes at start, after the debounce; the loop then sleeps until the safety run", async () => {
        const { clock, ups, scheduler } = setUp();
        scheduler.start();
        await tick(clock, 2 * SECOND);
        await ups.started(1);
        assert.deepEqual(ups.last().reasons, ["start"]);
        assert.equal(ups.last().startedAt, 1_000_000 + 2 * SECOND);
        ups.last().done.resolve();
        await settle();
        assert.equal(scheduler.status().state, "idle");
        await tick(clock, 600 * SECOND - 1);
        assert.equal(ups.runs.length, 1, "nothing before the safety interval");
        await tick(clock, 1);
        await ups.started(2);
        assert.deepEqual(ups.last().reasons, ["safety"]);
        ups.last().done.resolve();
        await scheduler.stop();
    });

    test("requests during a run are folded into exactly one more run; runs never overlap", async () => {
        const { clock, ups, events, scheduler } = setUp();
        scheduler.start();
        await tick(clock, 2 * SECOND);
        await ups.started(1);
        for (let i = 0; i < 25; i++) scheduler.request(i % 2 === 0 ? "demand" : "job completed");
        assert.equal(scheduler.status().state, "running");
        ups.last().done.resolve();
        await tick(clock, 2 * SECOND);
        await ups.started(2);
        assert.deepEqual(ups.last().reasons.sort(), ["demand", "job completed"]);
        for (let i = 0; i < 5; i++) scheduler.request("demand");
        ups.last().done.resolve();
        await tick(clock, 2 * SECOND);
        await ups.started(3);
        ups.last().done.resolve();
        await settle();
        await tick(clock, 60 * SECOND);
        assert.equal(ups.runs.length, 3, "no fourth run: nothing was asked after the third started");
        assert.equal(ups.maxRunning, 1);
        assert.equal(events.coalesced.length, 25 + 5 - 2, "every request but the first of each batch was folded");
        await scheduler.stop();
    });

    test("a burst while idle gives one run after the debounce", async () => {
        const { clock, ups, scheduler } = setUp();
        scheduler.start();
        await tick(clock, 2 * SECOND);
        await ups.started(1);
        ups.last().done.resolve();
        await settle();
        await tick(clock, 30 * SECOND);
        scheduler.request("demand");
        await tick(clock, SECOND);
        scheduler.request("demand");
        scheduler.request("supply");
        await tick(clock, SECOND);
        await ups.started(2);
        assert.deepEqual(ups.last().reasons.sort(), ["demand", "supply"]);
        assert.equal(ups.last().startedAt - ups.runs[0]!.startedAt, 32 * SECOND, "the debounce counts from the first request");
        ups.last().done.resolve();
        await scheduler.stop();
    });

    test("failures are retried with exponential, capped, jittered backoff; a success resets it", async () => {
        const { clock, ups, events, scheduler } = setUp();
        scheduler.start();
        await tick(clock, 2 * SECOND);
        const gaps: number[] = [];
        for (let attempt = 1; attempt <= 5; attempt++) {
            await ups.started(attempt);
            const previous = ups.runs[attempt - 2];
            if (previous !== undefined) gaps.push(ups.last().startedAt - previous.startedAt);
            ups.last().done.reject(new Error(`GitHub answered 503 (attempt ${attempt})`));
            await settle();
            assert.equal(scheduler.status().state, "retrying");
            assert.equal(scheduler.status().consecutiveFailures, attempt);
            await tick(clock, events.finished.at(-1)?.retryInMs ?? 0);
        }
        // random 0.5 → three quarters of the ceiling: 10, 20, 40, 80 (capped), 80 s.
        assert.deepEqual(gaps, [7.5, 15, 30, 60].map((s) => s * SECOND));
        assert.deepEqual(ups.runs.slice(0, 5).map((run) => run.reasons), Array(5).fill(["start"]), "the failed run's reasons are kept for the retry");
        await ups.started(6);
        assert.equal(ups.last().startedAt - ups.runs[4]!.startedAt, 60 * SECOND, "the cap holds");
        ups.last().done.resolve();
        await settle();
        assert.equal(scheduler.status().consecutiveFailures, 0);
        assert.equal(scheduler.status().lastFailure, undefined);
        await scheduler.stop();
    });

    test("backoff delays lie between half the ceiling and the ceiling, and the ceiling is capped", () => {
        const policy = { baseMs: 1000, maxMs: 60_000 };
        assert.deepEqual([1, 2, 3, 7, 8, 50, 2000].map((n) => backoffCeilingMs(policy, n)), [1000, 2000, 4000, 60_000, 60_000, 60_000, 60_000]);
        assert.equal(backoffDelayMs(policy, 3, () => 0), 2000);
        assert.equal(backoffDelayMs(policy, 3, () => 0.999999), 4000);
        assert.throws(() => backoffCeilingMs(policy, 0), /whole number ≥ 1/);
        assert.equal(lockWaitMs(30_000, () => 0), 24_000);
        assert.equal(lockWaitMs(30_000, () => 0.999999), 36_000);
    });

    test("a held stack lock is waited for (no failure counted, no backoff growth) until the other update ends", async () => {
        const { clock, ups, events, scheduler } = setUp();
        scheduler.start();
        await tick(clock, 2 * SECOND);
        for (let attempt = 1; attempt <= 3; attempt++) {
            await ups.started(attempt);
            ups.last().done.reject(new LockedError("the stack is currently locked by 1 lock(s)"));
            await settle();
            assert.equal(scheduler.status().state, "waiting-for-lock");
            assert.equal(scheduler.status().consecutiveFailures, 0);
            assert.equal(events.finished.at(-1)?.retryInMs, 30 * SECOND);
            await tick(clock, 30 * SECOND);
        }
        await ups.started(4);
        ups.last().done.resolve();
        await settle();
        assert.deepEqual(events.finished.map((run) => run.outcome), ["locked", "locked", "locked", "succeeded"]);
        assert.equal(scheduler.status().failingSince, undefined);
        await scheduler.stop();
    });

    test("requests during a backoff wait are folded into the retry, not run early", async () => {
        const { clock, ups, events, scheduler } = setUp();
        scheduler.start();
        await tick(clock, 2 * SECOND);
        await ups.started(1);
        ups.last().done.reject(new Error("boom"));
        await settle();
        scheduler.request("demand");
        scheduler.request("demand");
        await tick(clock, 5 * SECOND);
        assert.equal(ups.runs.length, 1, "still backing off");
        await tick(clock, (events.finished.at(-1)?.retryInMs ?? 0) - 5 * SECOND);
        await ups.started(2);
        assert.deepEqual(ups.last().reasons.sort(), ["demand", "start"]);
        ups.last().done.resolve();
        await scheduler.stop();
    });

    test("the write-budget gate postpones a run and says why", async () => {
        let allowAt = 1_000_000 + 62 * SECOND;
        const clockStart = 1_000_000;
        const { clock, ups, events, scheduler } = setUp({
            gate: () => {
                const now = clock.now();
                return now < allowAt ? { delayMs: allowAt - now, reason: "registration budget used up" } : undefined;
            },
        });
        scheduler.start();
        await tick(clock, 61 * SECOND);
        assert.equal(ups.runs.length, 0);
        assert.deepEqual(events.postponed, ["registration budget used up"]);
        await tick(clock, SECOND);
        await ups.started(1);
        assert.equal(ups.last().startedAt, clockStart + 62 * SECOND);
        allowAt = 0;
        ups.last().done.resolve();
        await scheduler.stop();
    });

    test("stop waits for the running up, then nothing more runs and requests are ignored", async () => {
        const { clock, ups, scheduler } = setUp();
        scheduler.start();
        await tick(clock, 2 * SECOND);
        await ups.started(1);
        scheduler.request("demand");
        let stopped = false;
        const stopping = scheduler.stop().then(() => {
            stopped = true;
        });
        await settle();
        assert.equal(stopped, false, "stop waits while an up runs");
        ups.last().done.resolve();
        await stopping;
        scheduler.request("demand");
        assert.equal(ups.runs.length, 1);
        assert.equal(scheduler.status().state, "stopped");
        assert.equal(scheduler.status().alive, false);
    });

    test("stop with a grace period aborts the running up through its signal once the period is over", async () => {
        const clock = new ManualClock();
        let signalSeen: AbortSignal | undefined;
        const scheduler = new UpScheduler({
            clock,
            runUp: (_reasons, signal) => {
                signalSeen = signal;
                return new Promise<void>((_resolve, reject) => signal.addEventListener("abort", () => reject(new Error("update cancelled")), { once: true }));
            },
            classify,
            safetyIntervalMs: 600 * SECOND,
            debounceMs: 0,
            backoff: { baseMs: SECOND, maxMs: SECOND },
            lockRetryMs: SECOND,
        });
        scheduler.start();
        await settle();
        assert.ok(signalSeen !== undefined && !signalSeen.aborted);
        await scheduler.stop(50);
        assert.equal(signalSeen?.aborted, true);
    });
});
