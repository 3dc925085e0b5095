/**
 * The demand benchmark (scripts/bench-demand.ts): its arithmetic on hand-computed cases, its
 * seeded trace, its virtual clock and its options; the scheduled strategies' schedule and
 * accounting on the fake GitHub with a stand-in `up` (a real `up` costs 10-20 real seconds
 * here, and this file must stay under a minute); then one tiny pass of the reconciler with the
 * webhook source on the real program (the `pulumi` double on the engine harness, the fake
 * GitHub, the reconciler's own code): every job started and completed, the waits the clock
 * design implies, the reconciler's ups and demand files in the double's invocation log.
 * The full four-strategy run is the benchmark's own (npx tsx scripts/bench-demand.ts --quick).
 * No assertion on real time.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseDemandSnapshot } from "../components/demand/snapshot";
import { parseReconcileArgs } from "../scripts/reconcile/args";
import { idleMinutesPerJob, percentile, summarizeWaits, TimeIntegral, waitSeconds, type JobRecord } from "../scripts/bench-demand/accounting";
import { DEFAULTS, parseCommand, QUICK, STRATEGIES, UsageError, type BenchOptions } from "../scripts/bench-demand/options";
import { formatTable, summarize } from "../scripts/bench-demand/report";
import { runBenchmark, traceOf, type BenchmarkResult } from "../scripts/bench-demand/run";
import { runStrategy, type StrategyRun } from "../scripts/bench-demand/strategies";
import { arrivalsOf, BURST_SPREAD_MS, generateTrace, type TraceOptions } from "../scripts/bench-demand/trace";
import { VirtualClock } from "../scripts/bench-demand/virtual-clock";
import { REPO_SCOPE, type BenchWorld } from "../scripts/bench-demand/world";

const MINUTE = 60_000;

describe("the benchmark's arithmetic", { timeout: 30_000 }, () => {
    test("percentiles are nearest-rank", () => {
        assert.equal(percentile([40, 10, 30, 20], 50), 20);
        assert.equal(percentile([40, 10, 30, 20], 95), 40);
        assert.equal(percentile([40, 10, 30, 20], 25), 10);
        assert.equal(percentile([7], 95), 7);
        assert.equal(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 95), 19);
        assert.equal(percentile(Array.from({ length: 10 }, (_, i) => i + 1), 51), 6, "rank ⌈5.1⌉ = 6");
        assert.equal(percentile([3, 1, 2], 40), 2, "rank ⌈1.2⌉ = 2");
        assert.throws(() => percentile([], 50), /no values/);
        assert.throws(() => percentile([1], 0), /0 < p <= 100/);
    });

    test("waits come from the recorded queued and started times; a job not started has none", () => {
        const records: JobRecord[] = [
            { index: 0, queuedAtMs: 1_000, startedAtMs: 1_000, completedAtMs: 61_000 },
            { index: 1, queuedAtMs: 1_000, startedAtMs: 61_000, completedAtMs: 121_000 },
            { index: 2, queuedAtMs: 3_000, startedAtMs: 440_000, completedAtMs: 500_000 },
            { index: 3, queuedAtMs: 5_000 },
        ];
        assert.deepEqual(waitSeconds(records), [0, 60, 437]);
        assert.deepEqual(summarizeWaits(records), { jobs: 4, started: 3, completed: 3, p50: 60, p95: 437, max: 437, mean: 497 / 3 });
        assert.ok(Number.isNaN(summarizeWaits([{ index: 0, queuedAtMs: 0 }]).p50));
    });

    test("idle runner time is count × duration inside the window", () => {
        const idle = new TimeIntegral();
        idle.add(0, 60_000, 2);
        idle.add(60_000, 120_000, 1);
        idle.add(120_000, 180_000, 0);
        idle.add(180_000, 240_000, 3);
        assert.equal(idle.total(), 2 * 60_000 + 60_000 + 3 * 60_000);
        idle.window(30_000, 90_000);
        // 30 s at 2 runners, 30 s at 1.
        assert.equal(idle.total(), 90_000);
        assert.equal(idleMinutesPerJob(idle.total(), 3), 0.5);
        assert.throws(() => idle.add(10, 5, 1), /ends \(5\) before it starts \(10\)/);
        assert.throws(() => idleMinutesPerJob(1, 0), /at least 1/);
    });

    test("the table shows each strategy's figures, and jobs left undone", () => {
        const text = formatTable([
            {
                strategy: "scheduled-10m",
                jobs: 3,
                started: 3,
                completed: 2,
                waitSeconds: { p50: 0, p95: 437.4, max: 437.4, mean: 145.8 },
                idleRunnerMinutesPerJob: 1.6667,
                ups: 2,
                failedUps: 1,
                registrations: 4,
                simulatedMinutes: 11,
                realSeconds: 21.6,
            },
        ]);
        const [header, , row] = text.split("\n");
        assert.match(header ?? "", /^strategy\s+jobs\s+wait p50 s\s+wait p95 s\s+wait max s\s+idle runner-min\/job\s+ups\s+registrations\s+real s$/);
        assert.deepEqual(row?.trim().split(/\s{2,}/), ["scheduled-10m", "2/3", "0", "437", "437", "1.67", "2 (1 failed)", "4", "22"]);
    });
});

describe("the job trace", { timeout: 30_000 }, () => {
    const options: TraceOptions = { seed: 7, windowMs: 60 * MINUTE, steadyMeanGapMs: 5 * MINUTE, burstSize: 50, burstAtMs: 20 * MINUTE, meanDurationMs: 600_000, durationJitter: 0.2 };

    test("is the same for the same seed, and another for another seed", () => {
        assert.deepEqual(generateTrace(options), generateTrace(options));
        assert.notDeepEqual(generateTrace(options), generateTrace({ ...options, seed: 8 }));
    });

    test("has the burst at one instant within a minute of its time, steady jobs within the window, durations within the jitter", () => {
        const trace = generateTrace(options);
        const burst = trace.filter((job) => job.kind === "burst");
        const steady = trace.filter((job) => job.kind === "steady");
        assert.equal(burst.length, 50);
        assert.equal(new Set(burst.map((job) => job.arrivalMs)).size, 1);
        const burstAt = burst[0]!.arrivalMs;
        assert.ok(burstAt >= options.burstAtMs && burstAt < options.burstAtMs + BURST_SPREAD_MS, String(burstAt));
        assert.notEqual(burstAt % 1000, 0, "off the whole seconds, so off every schedule's and the polling loop's ticks");
        // A Poisson process of mean gap 5 min over 60 min: about 12 arrivals (seed 7 gives a handful either way).
        assert.ok(steady.length >= 4 && steady.length <= 24, String(steady.length));
        assert.ok(steady.every((job) => job.arrivalMs >= 0 && job.arrivalMs < options.windowMs));
        assert.ok(trace.every((job) => job.durationMs >= 480_000 && job.durationMs <= 720_000));
        assert.deepEqual(trace.map((job) => job.index), trace.map((_, index) => index));
        assert.ok(trace.every((job, index) => index === 0 || job.arrivalMs >= trace[index - 1]!.arrivalMs), "in arrival order");
        assert.equal(new Set(generateTrace({ ...options, durationJitter: 0 }).map((job) => job.durationMs)).size, 1);
    });

    test("groups the burst into one arrival (one workflow run) and each steady job into its own", () => {
        const trace = generateTrace(options);
        const arrivals = arrivalsOf(trace);
        assert.equal(arrivals.filter((arrival) => arrival.jobs.length === 50).length, 1);
        assert.equal(arrivals.length, trace.length - 49);
        assert.equal(arrivals.reduce((sum, arrival) => sum + arrival.jobs.length, 0), trace.length);
    });

    test("refuses impossible options, naming each problem", () => {
        assert.throws(
            () => generateTrace({ ...options, burstAtMs: 61 * MINUTE, durationJitter: 1.5 }),
            (error: Error) => /burst time: got 3660000 ms; expected within the window/.test(error.message) && /duration jitter: got 1.5/.test(error.message),
        );
    });
});

describe("the virtual clock", { timeout: 30_000 }, () => {
    test("fires sleeps in due order, jumping time to each, and reports the jumps", async () => {
        const jumps: [number, number][] = [];
        const clock = new VirtualClock({ startMs: 1_000, onAdvance: (from, to) => jumps.push([from, to]) });
        const woken: [string, number][] = [];
        void clock.sleep(5_000).then(() => woken.push(["b", clock.now()]));
        void clock.sleep(2_000).then(() => woken.push(["a", clock.now()]));
        void clock.sleep(5_000).then(() => woken.push(["c", clock.now()]));
        await clock.run(() => woken.length === 3, 60_000);
        assert.deepEqual(woken, [["a", 3_000], ["b", 6_000], ["c", 6_000]]);
        assert.deepEqual(jumps, [[1_000, 3_000], [3_000, 6_000]]);
    });

    test("stands still while tracked real work runs, whatever it takes in real time", async () => {
        const clock = new VirtualClock({ startMs: 0 });
        const seen: string[] = [];
        void clock.sleep(1_000).then(() => seen.push(`sleeper at ${clock.now()}`));
        clock.at(0, "slow work", async () => {
            await new Promise((resolve) => setTimeout(resolve, 150));
            seen.push(`work done at ${clock.now()}`);
            // Work started by woken code delays the clock as well.
            void clock.track("more", () => new Promise((resolve) => setTimeout(resolve, 50))).then(() => seen.push(`more done at ${clock.now()}`));
        });
        await clock.run(() => seen.length === 3, 60_000);
        assert.deepEqual(seen, ["work done at 0", "more done at 0", "sleeper at 1000"]);
    });

    test("lets woken code start its real work before moving on", async () => {
        const clock = new VirtualClock({ startMs: 0 });
        const seen: string[] = [];
        void clock.sleep(1_000).then(async () => {
            // A few turns of the event loop pass before this code starts its request.
            await new Promise((resolve) => setImmediate(resolve));
            await new Promise((resolve) => setImmediate(resolve));
            await clock.track("late request", () => new Promise((resolve) => setTimeout(resolve, 50)));
            seen.push(`request done at ${clock.now()}`);
        });
        void clock.sleep(2_000).then(() => seen.push(`next sleeper at ${clock.now()}`));
        await clock.run(() => seen.length === 2, 60_000);
        assert.deepEqual(seen, ["request done at 1000", "next sleeper at 2000"]);
    });

    test("fails at its horizon, when nothing is left to fire, and when a world action fails", async () => {
        const late = new VirtualClock({ startMs: 0 });
        void late.sleep(10 * MINUTE);
        await assert.rejects(late.run(() => false, 5 * MINUTE), /passed its horizon \(5 simulated minutes\)/);
        await assert.rejects(new VirtualClock({ startMs: 0 }).run(() => false, MINUTE), /stalled at simulated minute 0\.00/);
        const failing = new VirtualClock({ startMs: 0 });
        failing.at(1_000, "broken action", () => {
            throw new Error("the world broke");
        });
        await assert.rejects(failing.run(() => false, MINUTE), /the world broke/);
    });

    test("with a time scale it never runs ahead of that many simulated seconds per real second", async () => {
        const clock = new VirtualClock({ startMs: 0, maxSpeed: 60 });
        const realStart = Date.now();
        let woke = false;
        void clock.sleep(12_000).then(() => (woke = true));
        await clock.run(() => woke, MINUTE);
        // 12 simulated seconds at 60 per real second: at least 200 real milliseconds (a lower bound only).
        assert.ok(Date.now() - realStart >= 195, `${Date.now() - realStart} ms`);
        assert.throws(() => new VirtualClock({ startMs: 0, maxSpeed: 0 }), /maxSpeed must be a positive number/);
    });

    test("an aborted sleep ends at once and never fires; shutdown ends the pending ones", async () => {
        const clock = new VirtualClock({ startMs: 0 });
        const abort = new AbortController();
        let aborted = false;
        void clock.sleep(1_000, abort.signal).then(() => (aborted = true));
        abort.abort();
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(aborted, true);
        assert.equal(clock.pendingTimers, 0);
        let ended = false;
        void clock.sleep(MINUTE).then(() => (ended = true));
        clock.shutdown();
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(ended, true);
        assert.equal(clock.now(), 0, "shutdown does not move time");
    });
});

describe("the benchmark's options", { timeout: 30_000 }, () => {
    const run = (argv: string[]): BenchOptions => {
        const command = parseCommand(argv);
        assert.equal(command.kind, "run");
        return (command as { options: BenchOptions }).options;
    };

    test("defaults, --quick, and explicit flags over both", () => {
        assert.deepEqual({ ...run([]), strategies: undefined, json: undefined, quick: undefined, verbose: undefined, timeScale: undefined }, { ...DEFAULTS, strategies: undefined, json: undefined, quick: undefined, verbose: undefined, timeScale: undefined });
        const quick = run(["--quick", "--max", "5", "--json", "--time-scale", "120"]);
        assert.equal(quick.burstSize, QUICK.burstSize);
        assert.equal(quick.max, 5);
        assert.equal(quick.timeScale, 120);
        assert.equal(quick.json, true);
        assert.deepEqual(run(["--strategies", "reconciler-poll,scheduled-10m"]).strategies, ["scheduled-10m", "reconciler-poll"]);
        assert.deepEqual(parseCommand(["--measure-up", "3", "--max", "4"]), { kind: "measure-up", repeat: 3, max: 4 });
        assert.deepEqual(parseCommand(["--help"]), { kind: "help" });
    });

    test("a bad value is one error naming the flag, the value and what is expected", () => {
        const cases: [string[], RegExp][] = [
            [["--up", "fast"], /^--up: got "fast"; expected a positive duration such as/],
            [["--burst", "-3"], /^--burst: got "-3"; expected a whole number from 0 to 1000/],
            [["--duration-jitter", "1"], /^--duration-jitter: got "1"; expected a fraction/],
            [["--min", "5", "--max", "4"], /^--min: got 5; expected at most --max \(4\)/],
            [["--up", "10m"], /^--up: got 10m; expected less than the scheduled-10m period \(10m\)/],
            [["--strategies", "cron"], /^--strategies: got "cron"; expected a comma-separated list of scheduled-10m/],
            [["--burst-at", "2h"], /^--burst-at: got 2h; expected within --window \(1h\)/],
            [["--window"], /^--window: expected a value after it/],
            [["--frobnicate"], /^unknown argument "--frobnicate"/],
        ];
        for (const [argv, expected] of cases) {
            assert.throws(() => parseCommand(argv), (error: Error) => error instanceof UsageError && expected.test(error.message) && error.message.endsWith("Run with --help for the options."), argv.join(" "));
        }
        assert.equal(STRATEGIES["scheduled-5m"].kind, "scheduled");
    });
});

function runOptions(argv: string[]): BenchOptions {
    const command = parseCommand(argv);
    if (command.kind !== "run") throw new Error(`expected a run from ${argv.join(" ")}`);
    return command.options;
}

/**
 * A stand-in for the program's `up` of a fixed pool, as GitHub sees it: it registers runners
 * until the pool has `count` again (components/fleet.ts), each ephemeral and offline until its
 * VM boots (the fake's JIT registration, generateJitConfig in test/fake-github/github-handlers.ts),
 * carrying `self-hosted` and the pool's labels (a subset of what runnerLabelsOf in
 * components/config/cross-checks.ts gives the program's registrations, and exactly what the
 * trace's jobs ask for). The simulation brings them online boot after the up. Only the schedule
 * and the accounting are under test here; the real `up` is the benchmark's.
 */
function topUpPool(count: number): (world: BenchWorld) => () => Promise<void> {
    let ups = 0;
    return (world) => async () => {
        ups++;
        const missing = count - world.runnerNames().size;
        if (missing > 0) world.fake.addRunners(REPO_SCOPE, missing, `standin-up${ups}`, { labels: world.jobLabels, status: "offline", ephemeral: true });
    };
}

describe("the scheduled strategies: ups only at their schedule, replacements boot before they take a job", { timeout: 60_000 }, () => {
    // A pool of 2 and a burst of 3 one-minute jobs: two start at once on the warm pool, the third
    // waits for the next scheduled up and its runner's boot.
    const options = runOptions(["--quick", "--count", "2", "--burst", "3", "--job-duration", "1m"]);
    const trace = traceOf(options);
    const epochMs = 1_800_000_000_000;

    for (const id of ["scheduled-10m", "scheduled-5m"] as const) {
        test(id, async () => {
            const strategy = STRATEGIES[id];
            assert.equal(strategy.kind, "scheduled");
            const periodMs = strategy.kind === "scheduled" ? strategy.periodMs : 0;
            const run = await runStrategy(id, strategy, trace, options, epochMs, { scheduledUp: topUpPool(options.count) });
            assert.deepEqual(run.ups.map((up) => up.startMs - run.startMs), [0, periodMs], "an up at 0 and one a period later, none other");
            assert.deepEqual(run.ups.map((up) => up.endMs - up.startMs), [options.upMs, options.upMs], "each up lasts --up in simulated time");
            assert.deepEqual(run.ups.map((up) => up.registered), [2, 2], "the pool, then a replacement for each used-up runner");
            const queuedAt = run.traceStartMs + trace[0]!.arrivalMs;
            assert.ok(run.records.every((record) => record.queuedAtMs === queuedAt && record.completedAtMs === (record.startedAtMs as number) + options.jobDurationMs));
            const thirdStarts = run.startMs + periodMs + options.upMs + options.bootMs;
            assert.deepEqual(waitSeconds(run.records), [0, 0, (thirdStarts - queuedAt) / 1000]);
            assert.equal(run.endMs, thirdStarts + options.jobDurationMs, "the run ends with the last job");
            // Idle, from the trace's start: both warm runners until the burst; then the second
            // replacement while the third job runs.
            assert.equal(run.idleRunnerMs, 2 * trace[0]!.arrivalMs + options.jobDurationMs);
            assert.equal(summarize(run).idleRunnerMinutesPerJob, run.idleRunnerMs / 60_000 / 3);
            assert.equal(run.log.length, 0, "no reconciler ran");
        });
    }
});

describe("the reconciler with webhooks on the real program, the fake GitHub and the pulumi double", { timeout: 3 * MINUTE }, () => {
    // Tiny on purpose (each real `up` costs 10-20 real seconds here): a burst of 2 on a pool of
    // 0..2 that arrives before the reconciler's first up starts (no warm-up, a seed whose burst
    // falls within half the debounce), so that one real up serves it; jobs of 1 s, shorter than
    // the debounce, so the run ends before the up that the emptied queue asks for.
    const reconcilerDefaults = parseReconcileArgs(["--stack", "x", "--poll"], process.cwd());
    const debounceMs = reconcilerDefaults === "help" ? Number.NaN : reconcilerDefaults.debounceMs;
    const argv = ["--quick", "--strategies", "reconciler-webhook", "--warmup", "0s", "--burst", "2", "--min", "0", "--max", "2", "--job-duration", "1s"];
    const seed = Array.from({ length: 2000 }, (_, index) => index + 1).find((candidate) => traceOf(runOptions([...argv, "--seed", String(candidate)]))[0]!.arrivalMs < debounceMs / 2);
    assert.ok(seed !== undefined, "no seed puts the burst within half the debounce");
    const options = runOptions([...argv, "--seed", String(seed)]);
    let result: BenchmarkResult | undefined;
    const webhook = (): StrategyRun => {
        const found = result?.runs.find((run) => run.id === "reconciler-webhook");
        assert.ok(found !== undefined, "reconciler-webhook did not run");
        return found;
    };

    test("runs", async () => {
        result = await runBenchmark(options);
        assert.deepEqual(result.runs.map((run) => run.id), ["reconciler-webhook"]);
    });

    test("every job of the trace started and completed; the waits are the clock design's", () => {
        const run = webhook();
        assert.equal(run.records.length, options.burstSize);
        for (const record of run.records) {
            assert.ok(record.startedAtMs !== undefined && record.completedAtMs !== undefined, JSON.stringify(record));
            assert.ok(record.queuedAtMs <= record.startedAtMs && record.startedAtMs < record.completedAtMs, JSON.stringify(record));
        }
        assert.equal(summarize(run).completed, options.burstSize);
        const up = run.ups[0];
        assert.ok(up !== undefined, "no up");
        // The up starts after the debounce (within it of the queued webhook), counts as lasting
        // --up, and both jobs start when its runners come online, --boot after it ends.
        assert.ok(up.startMs - run.traceStartMs >= debounceMs && up.startMs - run.traceStartMs <= debounceMs + options.burstSize * 1000, String(up.startMs - run.traceStartMs));
        assert.equal(up.endMs, up.startMs + options.upMs);
        assert.deepEqual(waitSeconds(run.records), run.records.map((record) => (up.endMs + options.bootMs - record.queuedAtMs) / 1000));
    });

    test("it ran the reconciler: its up is the double's, with the demand file it wrote", () => {
        const run = webhook();
        const ups = run.invocations.filter((invocation) => invocation.argv[0] === "up");
        assert.equal(ups.length, 1, "the first up served the burst");
        assert.equal(ups.length, run.ups.length, "every up the simulation timed is one the double ran");
        assert.ok(ups.every((invocation) => invocation.exitCode === 0 && invocation.argv.includes("--skip-preview")));
        const demands = ups.map((invocation) => parseDemandSnapshot(invocation.captured["RUNNER_DEMAND_FILE"] ?? "null", "demand file"));
        assert.deepEqual(demands.map((demand) => demand.queued.reduce((sum, group) => sum + group.count, 0)), [options.burstSize], "the up saw the whole burst queued");
        assert.deepEqual(run.ups.map((up) => up.registered), [options.burstSize], "a runner per queued job (min 0)");
        assert.equal(run.registrations, options.burstSize, "GitHub's JIT registrations are the runners the up added");
        const log = run.log.map((line) => JSON.parse(line) as { msg: string; reasons?: string[] });
        assert.equal(log.filter((line) => line.msg === "up started").length, 1);
        assert.equal(log.filter((line) => line.msg === "up succeeded").length, 1);
        assert.ok(log.find((line) => line.msg === "up started")?.reasons?.includes("start"), JSON.stringify(log.find((line) => line.msg === "up started")));
        assert.equal(run.reconcilerJobWait?.count, options.burstSize, "the reconciler's own job-wait metric saw every start");
        for (const secret of run.secrets) assert.ok(!run.log.some((line) => line.includes(secret)), "a secret in the reconciler's log");
    });
});
