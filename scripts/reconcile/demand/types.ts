/**
 * What the reconciler consumes from a demand source (webhooks or polling).
 * The snapshot types live in components/demand, shared with the program.
 */
import type { DemandSnapshot, QueuedJobGroup } from "../../../components/demand/snapshot";

export type { DemandSnapshot, QueuedJobGroup };

export interface JobEvent {
    jobId: number;
    action: "queued" | "in_progress" | "completed";
    /** When the transition happened on GitHub (the job's created_at, started_at or completed_at). */
    at: Date;
    /** Canonical (lowercased, sorted, unique). */
    labels: string[];
    runnerName?: string;
}

export interface DemandSource {
    /** Rebuilds the queue from GitHub (REST), then starts receiving (webhooks) or polling. */
    start(): Promise<void>;
    stop(): Promise<void>;
    /** The queued jobs it knows now. */
    snapshot(): DemandSnapshot;
    /** Called after every change of the queue (coalescing is the caller's job). */
    onChange(listener: () => void): () => void;
    /** Every job transition it learns, for job-wait metrics (queued → in_progress). */
    onJobEvent(listener: (event: JobEvent) => void): () => void;
    /** Counters for metrics: deliveries accepted/rejected/duplicate, API calls, budget used. */
    stats(): Record<string, number>;
}

/** Optional structured log lines (one JSON object per line in the reconciler); never carries a secret. */
export type DemandLog = (level: "info" | "warn" | "error", message: string, fields?: Record<string, string | number | boolean>) => void;
