/**
 * One strategy's run: a world of its own (fresh fake GitHub, fresh stack), a virtual clock of
 * its own, the trace, and what it all recorded. The strategies themselves are in
 * scheduled-strategy.ts and reconciler-strategy.ts.
 */
import type { Invocation } from "../../test/pulumi-cli-double/invocations";
import { TimeIntegral, type JobRecord } from "./accounting";
import type { BenchOptions, StrategyId, StrategyKind } from "./options";
import { runReconciler, type ReconcilerRecord } from "./reconciler-strategy";
import { runScheduled, type RunUp } from "./scheduled-strategy";
import { GithubSimulation, type UpRecord } from "./simulation";
import type { TraceJob } from "./trace";
import { VirtualClock } from "./virtual-clock";
import { BenchWorld } from "./world";

/** Simulated time a strategy may take past the trace's window before the run gives up on it. */
const DRAIN_LIMIT_MS = 24 * 60 * 60_000;

export interface StrategyRun {
    id: StrategyId;
    strategy: StrategyKind;
    records: JobRecord[];
    ups: UpRecord[];
    /** Runner-milliseconds online and not busy, from the trace's start to the last job's end. */
    idleRunnerMs: number;
    registrations: number;
    /** Simulated epoch ms: the strategy's start (its clock's zero), the trace's start, the last job's end. */
    startMs: number;
    traceStartMs: number;
    endMs: number;
    realSeconds: number;
    /** What the `pulumi` double recorded of every run of it (argv, exit code, the demand file it saw). */
    invocations: Invocation[];
    /** The reconciler's JSON log lines (reconciler strategies). */
    log: string[];
    /** The reconciler's own job-wait histogram (reconciler strategies): observations and their sum. */
    reconcilerJobWait?: { count: number; sumSeconds: number };
    /** Every generated secret of the world (for the test's leak check). */
    secrets: string[];
}

/** Test seams; the benchmark passes none. */
export interface StrategySeams {
    /** The scheduled strategies' `up` instead of the real one (their schedule tested without real ups' seconds). */
    scheduledUp?: (world: BenchWorld) => RunUp;
}

export async function runStrategy(id: StrategyId, strategy: StrategyKind, trace: readonly TraceJob[], options: BenchOptions, epochMs: number, seams: StrategySeams = {}): Promise<StrategyRun> {
    const realStart = Date.now();
    const world = await BenchWorld.start(strategy.kind === "scheduled" ? { count: options.count } : { min: options.min, max: options.max });
    try {
        const idle = new TimeIntegral();
        const clock = new VirtualClock({
            startMs: epochMs,
            ...(options.timeScale !== undefined ? { maxSpeed: options.timeScale } : {}),
            onAdvance: (from, to) => idle.add(from, to, world.idleRunners()),
            ...(options.verbose ? { verbose: (line: string) => process.stderr.write(`${id} ${line}\n`) } : {}),
        });
        const simulation = new GithubSimulation(clock, world, trace, epochMs + options.warmupMs, { bootMs: options.bootMs, upMs: options.upMs });
        const running = { world, clock, simulation };
        const horizon = simulation.traceStartMs + options.windowMs + DRAIN_LIMIT_MS;
        let reconciler: ReconcilerRecord | undefined;
        if (strategy.kind === "scheduled") await runScheduled(running, strategy.periodMs, horizon, seams.scheduledUp?.(world));
        else reconciler = await runReconciler(running, strategy.demand, options, horizon);
        const endMs = simulation.lastCompletionMs() ?? clock.now();
        idle.window(simulation.traceStartMs, endMs);
        return {
            id,
            strategy,
            records: simulation.records,
            ups: simulation.ups,
            idleRunnerMs: idle.total(),
            registrations: world.registrations(),
            startMs: epochMs,
            traceStartMs: simulation.traceStartMs,
            endMs,
            realSeconds: (Date.now() - realStart) / 1000,
            invocations: world.invocations(),
            secrets: world.secrets,
            log: reconciler?.log ?? [],
            ...(reconciler !== undefined ? { reconcilerJobWait: reconciler.reconcilerJobWait } : {}),
        };
    } finally {
        await world.stop();
    }
}
