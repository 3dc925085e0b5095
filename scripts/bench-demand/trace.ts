/**
 * The job trace: steady arrivals (a Poisson process: exponential gaps of a given mean) over a
 * window, plus a burst of jobs queued at one instant in one workflow run (a matrix), each job
 * with a duration drawn uniformly within ± jitter of the mean. Seeded: the same options give
 * the same trace on every machine, so every strategy of a run, and every run, sees the same jobs.
 */

export interface TraceOptions {
    seed: number;
    /** Steady arrivals happen in [0, windowMs). */
    windowMs: number;
    /** Mean gap between two steady arrivals; 0: none. */
    steadyMeanGapMs: number;
    burstSize: number;
    /** The burst is queued within a minute after this (seeded), from the trace's start. */
    burstAtMs: number;
    meanDurationMs: number;
    /** Durations are uniform in mean × [1 − jitter, 1 + jitter]; 0: all equal. */
    durationJitter: number;
}

/** The burst's instant is drawn within this long after its nominal time. */
export const BURST_SPREAD_MS = 60_000;

export interface TraceJob {
    /** 0-based, in arrival order (the burst's jobs in their matrix order). */
    index: number;
    kind: "steady" | "burst";
    /** From the trace's start. */
    arrivalMs: number;
    durationMs: number;
}

/** Jobs queued at the same instant, queued together as one workflow run. */
export interface Arrival {
    atMs: number;
    jobs: TraceJob[];
}

/**
 * A seeded pseudo-random generator in [0, 1): mulberry32 (Tommy Ettinger's 32-bit generator, as
 * widely published); good enough for a workload, never for anything secret.
 */
export function seededRandom(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

export function generateTrace(options: TraceOptions): TraceJob[] {
    validate(options);
    const random = seededRandom(options.seed);
    const duration = () => Math.round(options.meanDurationMs * (1 + options.durationJitter * (2 * random() - 1)));
    const arrivals: { atMs: number; kind: TraceJob["kind"] }[] = [];
    if (options.steadyMeanGapMs > 0) {
        // Exponential gaps (inverse transform): a Poisson process of rate 1 / mean gap.
        for (let at = -Math.log(1 - random()) * options.steadyMeanGapMs; at < options.windowMs; at += -Math.log(1 - random()) * options.steadyMeanGapMs) {
            arrivals.push({ atMs: Math.round(at), kind: "steady" });
        }
    }
    // The burst comes at a seeded instant within the minute after burstAtMs, so that it does not
    // fall on a tick of a schedule or of the polling loop (which all start on whole minutes).
    const burstAtMs = options.burstAtMs + Math.floor(random() * BURST_SPREAD_MS);
    for (let i = 0; i < options.burstSize; i++) arrivals.push({ atMs: burstAtMs, kind: "burst" });
    // Stable: at equal times steady jobs (drawn first) come before the burst.
    arrivals.sort((a, b) => a.atMs - b.atMs);
    return arrivals.map((arrival, index) => ({ index, kind: arrival.kind, arrivalMs: arrival.atMs, durationMs: duration() }));
}

/** The trace's jobs grouped by arrival instant and kind (the burst is one run; steady jobs are one run each). */
export function arrivalsOf(trace: readonly TraceJob[]): Arrival[] {
    const groups: Arrival[] = [];
    for (const job of trace) {
        const last = groups[groups.length - 1];
        if (job.kind === "burst" && last !== undefined && last.atMs === job.arrivalMs && last.jobs[0]?.kind === "burst") last.jobs.push(job);
        else groups.push({ atMs: job.arrivalMs, jobs: [job] });
    }
    return groups;
}

function validate(options: TraceOptions): void {
    const problems: string[] = [];
    if (!Number.isInteger(options.seed)) problems.push(`seed: got ${options.seed}; expected a whole number`);
    if (!(options.windowMs > 0)) problems.push(`window: got ${options.windowMs} ms; expected more than 0`);
    if (!(options.steadyMeanGapMs >= 0)) problems.push(`steady mean gap: got ${options.steadyMeanGapMs} ms; expected 0 (none) or more`);
    if (!(Number.isInteger(options.burstSize) && options.burstSize >= 0)) problems.push(`burst size: got ${options.burstSize}; expected a whole number, 0 or more`);
    if (!(options.burstAtMs >= 0 && options.burstAtMs < options.windowMs)) problems.push(`burst time: got ${options.burstAtMs} ms; expected within the window [0, ${options.windowMs})`);
    if (!(options.meanDurationMs >= 1000)) problems.push(`mean job duration: got ${options.meanDurationMs} ms; expected at least 1 s`);
    if (!(options.durationJitter >= 0 && options.durationJitter < 1)) problems.push(`duration jitter: got ${options.durationJitter}; expected a fraction in [0, 1)`);
    if (problems.length > 0) throw new Error(`invalid job trace:\n  - ${problems.join("\n  - ")}`);
}
