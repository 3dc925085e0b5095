/**
 * The jobs a demand source knows, per job id: labels, status and times, fed
 * by observations from webhooks or REST in any order. A job only moves forward
 * (waiting → queued → in_progress → completed): a late or repeated observation
 * of an earlier state changes nothing, as GARM orders them
 * (cloudbase/garm runner/pool/pool.go persistJobToDB, "only allow forward
 * transitions"). GitHub "may deliver webhooks in a different order than the
 * order in which the events took place" (docs.github.com webhooks/testing-and-
 * troubleshooting-webhooks/troubleshooting-webhooks) and does not retry failed
 * deliveries (webhooks/using-webhooks/handling-failed-webhook-deliveries), so
 * finished jobs are remembered for a while and jobs GitHub itself would have
 * ended are expired.
 * Memory is bounded: live jobs by GitHub's own limits, finished ones by count.
 */
import { canonicalLabels, labelSetKey } from "../../../components/demand/labels";
import type { QueuedJobGroup } from "../../../components/demand/snapshot";
import type { JobEvent } from "./types";

export type JobStatus = "waiting" | "queued" | "in_progress" | "completed";

export interface JobObservation {
    jobId: number;
    status: JobStatus;
    labels: readonly string[];
    /** When GitHub says this state began (created_at, started_at, completed_at). */
    at: Date;
    runnerName?: string;
}

export interface TrackedJob {
    jobId: number;
    status: Exclude<JobStatus, "completed">;
    labels: string[];
    runnerName?: string;
    queuedAt?: Date;
    startedAt?: Date;
    /** The table's clock when the job was first seen and when it last changed. */
    firstSeenMs: number;
    lastChangeMs: number;
}

export interface ListingResult {
    queueChanged: boolean;
    events: JobEvent[];
    /** Jobs the listing no longer shows. */
    dropped: number[];
}

export interface ObservationResult {
    /** The set of queued jobs changed. */
    queueChanged: boolean;
    /** The transition this observation revealed, if any. */
    event?: JobEvent;
}

const RANK: Record<JobStatus, number> = { waiting: 0, queued: 1, in_progress: 2, completed: 3 };

const HOUR_MS = 60 * 60 * 1000;
/**
 * GitHub's limits for self-hosted runners (docs.github.com actions/reference/limits):
 * a job waits in the queue at most 24 hours, runs at most 5 days, and a workflow
 * may wait for environment approval up to 30 days. A job tracked longer than that
 * (plus an hour's slack) has ended on GitHub without us seeing it.
 */
export const GITHUB_JOB_LIMITS_MS: Record<Exclude<JobStatus, "completed">, number> = {
    waiting: 30 * 24 * HOUR_MS + HOUR_MS,
    queued: 24 * HOUR_MS + HOUR_MS,
    in_progress: 5 * 24 * HOUR_MS + HOUR_MS,
};

export interface JobTableOptions {
    now: () => number;
    /** Finished job ids remembered to ignore late deliveries; default 50,000. */
    maxFinishedJobs?: number;
}

export class JobTable {
    private readonly live = new Map<number, TrackedJob>();
    /** Insertion-ordered, so the oldest is dropped first. */
    private readonly finished = new Set<number>();
    private readonly maxFinished: number;

    constructor(private readonly options: JobTableOptions) {
        this.maxFinished = options.maxFinishedJobs ?? 50_000;
        if (!Number.isInteger(this.maxFinished) || this.maxFinished < 1) {
            throw new Error(`maxFinishedJobs must be a positive whole number, got ${options.maxFinishedJobs}`);
        }
    }

    observe(observation: JobObservation): ObservationResult {
        const { jobId, status } = observation;
        if (this.finished.has(jobId)) return { queueChanged: false };
        const existing = this.live.get(jobId);
        if (existing && RANK[status] <= RANK[existing.status]) return { queueChanged: false };
        const labels = existing?.labels ?? canonicalLabels(observation.labels);
        const runnerName = observation.runnerName ?? existing?.runnerName;
        const wasQueued = existing?.status === "queued";
        const nowMs = this.options.now();
        if (status === "completed") {
            this.live.delete(jobId);
            this.rememberFinished(jobId);
        } else {
            this.live.set(jobId, {
                jobId,
                status,
                labels,
                runnerName,
                queuedAt: status === "queued" ? observation.at : existing?.queuedAt,
                startedAt: status === "in_progress" ? observation.at : existing?.startedAt,
                firstSeenMs: existing?.firstSeenMs ?? nowMs,
                lastChangeMs: nowMs,
            });
        }
        const queueChanged = wasQueued !== (status === "queued");
        if (status === "waiting") return { queueChanged };
        const event: JobEvent = { jobId, action: status, at: observation.at, labels: [...labels] };
        if (runnerName !== undefined && status !== "queued") event.runnerName = runnerName;
        return { queueChanged, event };
    }

    /**
     * Applies a complete REST listing that began at `listingStartedMs`. A job we
     * hold that the listing does not show, and that has not changed since the
     * listing began, is no longer queued or running on GitHub: it ended while no
     * delivery told us (or between two polls). It is dropped without an event,
     * as we do not know when or how it ended.
     */
    applyListing(observations: readonly JobObservation[], listingStartedMs: number): ListingResult {
        let queueChanged = false;
        const events: JobEvent[] = [];
        const listed = new Set<number>();
        for (const observation of observations) {
            listed.add(observation.jobId);
            const result = this.observe(observation);
            queueChanged ||= result.queueChanged;
            if (result.event) events.push(result.event);
        }
        const dropped: number[] = [];
        for (const job of this.live.values()) {
            if (!listed.has(job.jobId) && job.lastChangeMs < listingStartedMs) {
                this.live.delete(job.jobId);
                dropped.push(job.jobId);
                if (job.status === "queued") queueChanged = true;
            }
        }
        return { queueChanged, events, dropped };
    }

    /** Drops jobs tracked past GitHub's own limits; true when the queue changed. */
    expire(): boolean {
        const nowMs = this.options.now();
        let queueChanged = false;
        for (const job of this.live.values()) {
            if (nowMs - job.lastChangeMs > GITHUB_JOB_LIMITS_MS[job.status]) {
                this.live.delete(job.jobId);
                if (job.status === "queued") queueChanged = true;
            }
        }
        return queueChanged;
    }

    /** Queued jobs grouped by label set, groups ordered by their labels. */
    queuedGroups(): QueuedJobGroup[] {
        const groups = new Map<string, QueuedJobGroup>();
        for (const job of this.live.values()) {
            if (job.status !== "queued") continue;
            const key = labelSetKey(job.labels);
            const group = groups.get(key);
            if (group) group.count++;
            else groups.set(key, { labels: [...job.labels], count: 1 });
        }
        return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, group]) => group);
    }

    get(jobId: number): TrackedJob | undefined {
        const job = this.live.get(jobId);
        return job ? { ...job, labels: [...job.labels] } : undefined;
    }

    count(status?: Exclude<JobStatus, "completed">): number {
        if (status === undefined) return this.live.size;
        let n = 0;
        for (const job of this.live.values()) if (job.status === status) n++;
        return n;
    }

    get finishedRemembered(): number {
        return this.finished.size;
    }

    private rememberFinished(jobId: number): void {
        this.finished.add(jobId);
        if (this.finished.size > this.maxFinished) {
            const oldest = this.finished.values().next().value;
            if (oldest !== undefined) this.finished.delete(oldest);
        }
    }
}
