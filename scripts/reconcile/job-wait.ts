/**
 * Job wait: from a job's `queued` event to its `in_progress` event (GitHub's
 * created_at and started_at, as the demand source reports them), attributed to
 * the pool whose runners can take the job (assignQueuedJobs' rule). Remembers a
 * bounded number of queued jobs; the oldest are forgotten first.
 */
import { assignQueuedJobs, type PoolLabels } from "../../components/demand/match";
import type { JobEvent } from "./demand/types";

export const UNMATCHED_POOL = "(none)";

export class JobWaitTracker {
    private readonly queuedAt = new Map<number, { at: number; labels: string[] }>();

    constructor(
        private readonly pools: () => readonly PoolLabels[],
        private readonly observe: (pool: string, seconds: number) => void,
        private readonly capacity = 10_000,
    ) {}

    get remembered(): number {
        return this.queuedAt.size;
    }

    handle(event: JobEvent): void {
        switch (event.action) {
            case "queued":
                if (!this.queuedAt.has(event.jobId)) {
                    if (this.queuedAt.size >= this.capacity) {
                        const oldest = this.queuedAt.keys().next();
                        if (!oldest.done) this.queuedAt.delete(oldest.value);
                    }
                    this.queuedAt.set(event.jobId, { at: event.at.getTime(), labels: event.labels });
                }
                return;
            case "in_progress": {
                const queued = this.queuedAt.get(event.jobId);
                if (queued === undefined) return;
                this.queuedAt.delete(event.jobId);
                const { perPool } = assignQueuedJobs([...this.pools()], [{ labels: queued.labels, count: 1 }]);
                const pool = Object.entries(perPool).find(([, count]) => count > 0)?.[0] ?? UNMATCHED_POOL;
                this.observe(pool, Math.max(0, (event.at.getTime() - queued.at) / 1000));
                return;
            }
            case "completed":
                this.queuedAt.delete(event.jobId);
                return;
            default: {
                const unknown: never = event.action;
                throw new Error(`unknown job event action ${String(unknown)}`);
            }
        }
    }
}
