/**
 * What the benchmark prints: a header with every parameter and where its default comes from,
 * then one table, one row per strategy (or the same as JSON). Pure: it only formats what the
 * strategies recorded.
 */
import { idleMinutesPerJob, summarizeWaits, type WaitSummary } from "./accounting";
import { fmt, SOURCES, type BenchOptions, type StrategyId } from "./options";
import type { StrategyRun } from "./strategies";
import type { TraceJob } from "./trace";

export interface StrategySummary {
    strategy: StrategyId;
    jobs: number;
    started: number;
    completed: number;
    waitSeconds: { p50: number; p95: number; max: number; mean: number };
    idleRunnerMinutesPerJob: number;
    ups: number;
    failedUps: number;
    registrations: number;
    /** Simulated minutes from the trace's start to the last job's end. */
    simulatedMinutes: number;
    realSeconds: number;
    /** The reconciler's own job-wait histogram, for comparison with waitSeconds.mean (reconciler strategies). */
    reconcilerJobWaitMeanSeconds?: number;
}

export function summarize(run: StrategyRun): StrategySummary {
    const waits: WaitSummary = summarizeWaits(run.records);
    const summary: StrategySummary = {
        strategy: run.id,
        jobs: waits.jobs,
        started: waits.started,
        completed: waits.completed,
        waitSeconds: { p50: waits.p50, p95: waits.p95, max: waits.max, mean: waits.mean },
        idleRunnerMinutesPerJob: idleMinutesPerJob(run.idleRunnerMs, waits.jobs),
        ups: run.ups.length,
        failedUps: run.ups.filter((up) => up.outcome === "failed").length,
        registrations: run.registrations,
        simulatedMinutes: (run.endMs - run.traceStartMs) / 60_000,
        realSeconds: run.realSeconds,
    };
    if (run.reconcilerJobWait !== undefined && run.reconcilerJobWait.count > 0) {
        summary.reconcilerJobWaitMeanSeconds = run.reconcilerJobWait.sumSeconds / run.reconcilerJobWait.count;
    }
    return summary;
}

/** The parameters as printed: value and source of each. */
export function parameterLines(options: BenchOptions, trace: readonly TraceJob[]): string[] {
    const steady = trace.filter((job) => job.kind === "steady").length;
    const burst = trace.length - steady;
    const burstAt = trace.find((job) => job.kind === "burst")?.arrivalMs;
    const value: Record<string, string> = {
        seed: String(options.seed),
        windowMs: fmt(options.windowMs),
        steadyMeanGapMs: options.steadyMeanGapMs === 0 ? "none" : fmt(options.steadyMeanGapMs),
        burstSize: String(options.burstSize),
        burstAtMs: fmt(options.burstAtMs),
        jobDurationMs: fmt(options.jobDurationMs),
        durationJitter: String(options.durationJitter),
        bootMs: fmt(options.bootMs),
        upMs: fmt(options.upMs),
        min: String(options.min),
        max: String(options.max),
        count: String(options.count),
        pollIntervalMs: fmt(options.pollIntervalMs),
        pollBudgetPerMinute: `${options.pollBudgetPerMinute}/min`,
        warmupMs: fmt(options.warmupMs),
        timeScale: options.timeScale === undefined ? "max" : `${options.timeScale}x`,
    };
    const width = Math.max(...Object.keys(value).map((key) => key.length));
    return [
        `trace: ${trace.length} jobs (${steady} steady, ${burst} in the burst${burstAt === undefined ? "" : ` at ${(burstAt / 1000).toFixed(0)} s`})${options.quick ? " [--quick]" : ""}; simulated time starts ${fmt(options.warmupMs)} before it`,
        ...Object.entries(value).map(([key, text]) => `  ${key.padEnd(width)}  ${text.padEnd(8)}  ${options.quick && isQuickKey(key) ? "--quick" : SOURCES[key] ?? ""}`),
    ];
}

function isQuickKey(key: string): boolean {
    return ["windowMs", "steadyMeanGapMs", "burstSize", "burstAtMs", "jobDurationMs", "durationJitter", "min", "max", "count", "warmupMs"].includes(key);
}

const COLUMNS = ["strategy", "jobs", "wait p50 s", "wait p95 s", "wait max s", "idle runner-min/job", "ups", "registrations", "real s"] as const;

export function formatTable(summaries: readonly StrategySummary[]): string {
    const rows = summaries.map((summary) => [
        summary.strategy,
        summary.completed === summary.jobs ? String(summary.jobs) : `${summary.completed}/${summary.jobs}`,
        seconds(summary.waitSeconds.p50),
        seconds(summary.waitSeconds.p95),
        seconds(summary.waitSeconds.max),
        summary.idleRunnerMinutesPerJob.toFixed(2),
        summary.failedUps > 0 ? `${summary.ups} (${summary.failedUps} failed)` : String(summary.ups),
        String(summary.registrations),
        summary.realSeconds.toFixed(0),
    ]);
    const widths = COLUMNS.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    const line = (cells: readonly string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
    return [line(COLUMNS), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

function seconds(value: number): string {
    return Number.isNaN(value) ? "-" : value.toFixed(0);
}
