/**
 * The benchmark's arithmetic, pure: job waits from the recorded times, their percentiles, and
 * idle runner time integrated over simulated time.
 */

/** One job of the trace as a strategy ran it (simulated epoch milliseconds). */
export interface JobRecord {
    index: number;
    queuedAtMs: number;
    startedAtMs?: number;
    completedAtMs?: number;
}

export interface WaitSummary {
    jobs: number;
    started: number;
    completed: number;
    /** Seconds from queued to started, over the started jobs. */
    p50: number;
    p95: number;
    max: number;
    mean: number;
}

/**
 * The nearest-rank percentile: the smallest value with at least p % of the values at or
 * below it (rank ⌈p/100 · n⌉ of the sorted values).
 */
export function percentile(values: readonly number[], p: number): number {
    if (values.length === 0) throw new Error("percentile: no values; expected at least one");
    if (!(p > 0 && p <= 100)) throw new Error(`percentile: got p = ${p}; expected 0 < p <= 100`);
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Seconds each started job waited, queued → started, in trace order. */
export function waitSeconds(records: readonly JobRecord[]): number[] {
    return records.filter((record) => record.startedAtMs !== undefined).map((record) => ((record.startedAtMs as number) - record.queuedAtMs) / 1000);
}

export function summarizeWaits(records: readonly JobRecord[]): WaitSummary {
    const waits = waitSeconds(records);
    const base = {
        jobs: records.length,
        started: waits.length,
        completed: records.filter((record) => record.completedAtMs !== undefined).length,
    };
    if (waits.length === 0) return { ...base, p50: Number.NaN, p95: Number.NaN, max: Number.NaN, mean: Number.NaN };
    return {
        ...base,
        p50: percentile(waits, 50),
        p95: percentile(waits, 95),
        max: Math.max(...waits),
        mean: waits.reduce((sum, wait) => sum + wait, 0) / waits.length,
    };
}

/**
 * Runner-milliseconds integrated over simulated time, counted only inside a window that is
 * opened and closed later (the trace's start, the last job's end): between two changes the
 * count is constant, so the integral is a sum of count × duration.
 */
export class TimeIntegral {
    private windowStartMs: number | undefined;
    private windowEndMs: number | undefined;
    private readonly pieces: { fromMs: number; toMs: number; count: number }[] = [];

    /** `count` held from `fromMs` to `toMs`. */
    add(fromMs: number, toMs: number, count: number): void {
        if (toMs < fromMs) throw new Error(`TimeIntegral.add: the piece ends (${toMs}) before it starts (${fromMs})`);
        if (count < 0) throw new Error(`TimeIntegral.add: got a count of ${count}; expected 0 or more`);
        if (count === 0 || toMs === fromMs) return;
        this.pieces.push({ fromMs, toMs, count });
    }

    /** The window: only time within [startMs, endMs] counts. */
    window(startMs: number, endMs: number): void {
        if (endMs < startMs) throw new Error(`TimeIntegral.window: ends (${endMs}) before it starts (${startMs})`);
        this.windowStartMs = startMs;
        this.windowEndMs = endMs;
    }

    /** Count-milliseconds inside the window (everything added, when no window was set). */
    total(): number {
        const start = this.windowStartMs ?? Number.NEGATIVE_INFINITY;
        const end = this.windowEndMs ?? Number.POSITIVE_INFINITY;
        let total = 0;
        for (const piece of this.pieces) {
            const overlap = Math.min(piece.toMs, end) - Math.max(piece.fromMs, start);
            if (overlap > 0) total += overlap * piece.count;
        }
        return total;
    }
}

/** Idle runner-minutes per job: the integral (runner-ms) in minutes, divided by the jobs. */
export function idleMinutesPerJob(idleRunnerMs: number, jobs: number): number {
    if (jobs <= 0) throw new Error(`idleMinutesPerJob: got ${jobs} jobs; expected at least 1`);
    return idleRunnerMs / 60_000 / jobs;
}
