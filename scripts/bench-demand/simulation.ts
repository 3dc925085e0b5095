/**
 * What happens outside Pulumi, in simulated time, on the fake GitHub of one world:
 *
 *   - the trace's jobs are queued at their arrival times (one workflow run per arrival; the
 *     burst is one run of many jobs), and the fake sends the `queued` webhooks;
 *   - a runner registered by an `up` comes online `boot` after that `up` ends (as a VM boots
 *     once Nova made it and the runner starts; README "Boot test and boot figures");
 *   - whenever a job is queued or a runner comes online, GitHub hands every queued job, oldest
 *     first, to an online idle runner carrying all its labels (the fake's dispatchQueuedJobs,
 *     which cites GitHub's rules), and the fake sends `in_progress`;
 *   - a job ends its duration after it started: the fake marks it completed, sends `completed`
 *     and removes its ephemeral runner, as GitHub does.
 *
 * Every `up` (the reconciler's or a scheduled one) goes through `up` here: it runs for real
 * (the Automation API, the `pulumi` double, the real program on the harness) while the clock
 * stands still, and is then taken to last `upMs` of simulated time.
 */
import type { JobRecord } from "./accounting";
import { arrivalsOf, type Arrival, type TraceJob } from "./trace";
import type { VirtualClock } from "./virtual-clock";
import { REPO_SCOPE, type BenchWorld } from "./world";

export interface UpRecord {
    /** Simulated epoch ms. */
    startMs: number;
    /** When it counts as finished in simulated time: startMs + the up-time parameter. */
    endMs: number;
    /** Real milliseconds the real `up` took. */
    realMs: number;
    outcome: "succeeded" | "failed";
    /** Runners it registered (GitHub's view before and after). */
    registered: number;
    /** Runners it removed. */
    removed: number;
    error?: string;
}

/** What a strategy runs on: its world, its clock, and the simulation of GitHub's side on them. */
export interface SimulatedWorld {
    world: BenchWorld;
    clock: VirtualClock;
    simulation: GithubSimulation;
}

export interface SimulationTiming {
    bootMs: number;
    upMs: number;
}

export class GithubSimulation {
    readonly records: JobRecord[];
    readonly ups: UpRecord[] = [];
    private readonly jobOfFakeId = new Map<number, TraceJob>();
    private completedJobs = 0;

    constructor(
        private readonly clock: VirtualClock,
        private readonly world: BenchWorld,
        private readonly trace: readonly TraceJob[],
        /** Simulated epoch ms of the trace's time 0. */
        readonly traceStartMs: number,
        private readonly timing: SimulationTiming,
    ) {
        this.records = trace.map((job) => ({ index: job.index, queuedAtMs: Number.NaN }));
    }

    /** Puts every arrival of the trace on the clock. */
    scheduleTrace(): void {
        for (const arrival of arrivalsOf(this.trace)) this.clock.at(this.traceStartMs + arrival.atMs, `${arrival.jobs.length} job(s) queued`, () => this.queue(arrival));
    }

    allCompleted(): boolean {
        return this.completedJobs === this.trace.length;
    }

    /** Simulated epoch ms of the last job's end (undefined before every job ended). */
    lastCompletionMs(): number | undefined {
        if (!this.allCompleted()) return undefined;
        return Math.max(...this.records.map((record) => record.completedAtMs as number));
    }

    /**
     * Runs one real `up` now, with the clock standing still; its new runners boot from the
     * moment it counts as finished. Returns its result and when it counts as finished; a failed
     * `up` is recorded and thrown again.
     */
    async up<T>(run: () => Promise<T>): Promise<{ result: T; endsAtMs: number }> {
        const startMs = this.clock.now();
        const endsAtMs = startMs + this.timing.upMs;
        const before = this.world.runnerNames();
        const realStart = Date.now();
        let outcome: UpRecord["outcome"] = "failed";
        let error: string | undefined;
        try {
            const result = await this.clock.track("pulumi up", run);
            outcome = "succeeded";
            return { result, endsAtMs };
        } catch (failure) {
            error = failure instanceof Error ? failure.message.split("\n")[0] : String(failure);
            throw failure;
        } finally {
            const after = this.world.runnerNames();
            const registered = [...after].filter((name) => !before.has(name));
            const removed = [...before].filter((name) => !after.has(name)).length;
            for (const name of registered) this.clock.at(endsAtMs + this.timing.bootMs, "runner online", () => this.bootFinished(name));
            this.ups.push({ startMs, endMs: endsAtMs, realMs: Date.now() - realStart, outcome, registered: registered.length, removed, ...(error !== undefined ? { error } : {}) });
        }
    }

    private async queue(arrival: Arrival): Promise<void> {
        const now = this.clock.now();
        this.world.syncClock(now);
        const jobs = await this.world.fake.actions.queueJobs({ repo: REPO_SCOPE, labels: this.world.jobLabels, count: arrival.jobs.length });
        jobs.forEach((fakeJob, position) => {
            const job = arrival.jobs[position]!;
            this.jobOfFakeId.set(fakeJob.id, job);
            this.records[job.index]!.queuedAtMs = now;
        });
        await this.dispatch();
    }

    private async bootFinished(runnerName: string): Promise<void> {
        // An `up` may have removed it while it booted (the pool shrank).
        if (!this.world.runnerNames().has(runnerName)) return;
        this.world.syncClock(this.clock.now());
        this.world.fake.setRunner(REPO_SCOPE, runnerName, { status: "online" });
        await this.dispatch();
    }

    private async dispatch(): Promise<void> {
        const now = this.clock.now();
        this.world.syncClock(now);
        for (const { jobId } of await this.world.fake.actions.dispatchQueuedJobs()) {
            const job = this.jobOfFakeId.get(jobId);
            if (job === undefined) throw new Error(`GitHub started job ${jobId}, which is not in the trace`);
            this.records[job.index]!.startedAtMs = now;
            this.clock.at(now + job.durationMs, "job ends", () => this.complete(jobId, job));
        }
    }

    private async complete(jobId: number, job: TraceJob): Promise<void> {
        this.world.syncClock(this.clock.now());
        await this.world.fake.actions.completeJob(jobId, "success");
        this.records[job.index]!.completedAtMs = this.clock.now();
        this.completedJobs++;
    }
}
