/**
 * Which pool a queued job counts for. GitHub gives a job to a runner that has
 * every label of its `runs-on` ("jobs will be queued on runners that have all
 * the labels that you specify", docs.github.com, actions/hosting-your-own-runners/
 * using-self-hosted-runners-in-a-workflow), comparing labels case-insensitively
 * (see labels.ts).
 */
import { canonicalLabels } from "./labels";
import type { QueuedJobGroup } from "./snapshot";

export interface PoolLabels {
    pool: string;
    /** Every label the pool's runners carry (self-hosted, linux, arch, base and the pool's own). */
    labels: string[];
}

export interface QueuedJobAssignment {
    /** Queued jobs per pool; every pool is present, 0 when none. */
    perPool: Record<string, number>;
    /** Groups no pool can run, and groups without labels (see below). */
    unmatched: QueuedJobGroup[];
}

/**
 * A job group counts for the first pool (config order) whose runners carry every
 * one of the job's labels (case-insensitive, as GitHub matches runs-on labels);
 * groups no pool can run are reported apart.
 *
 * A group without labels is reported apart too: it cannot say which runners it
 * needs (GARM skips such jobs, cloudbase/garm runner/pool/pool.go HandleWorkflowJob
 * "Jobs without labels cannot be processed"; so does ARC,
 * actions/actions-runner-controller controllers/actions.summerwind.net/autoscaling.go).
 */
export function assignQueuedJobs(pools: PoolLabels[], queued: QueuedJobGroup[]): QueuedJobAssignment {
    const perPool: Record<string, number> = {};
    const poolLabelSets: { pool: string; labels: Set<string> }[] = [];
    for (const { pool, labels } of pools) {
        if (Object.hasOwn(perPool, pool)) throw new Error(`assignQueuedJobs: pool "${pool}" is listed twice; expected unique pool names`);
        perPool[pool] = 0;
        poolLabelSets.push({ pool, labels: new Set(canonicalLabels(labels)) });
    }
    const unmatched: QueuedJobGroup[] = [];
    for (const group of queued) {
        if (!Number.isInteger(group.count) || group.count < 0) {
            throw new Error(`assignQueuedJobs: a queued job group has count ${group.count}; expected a whole number of jobs`);
        }
        const jobLabels = canonicalLabels(group.labels);
        const home = jobLabels.length === 0 ? undefined : poolLabelSets.find((p) => jobLabels.every((label) => p.labels.has(label)));
        if (home) perPool[home.pool] += group.count;
        else unmatched.push({ labels: jobLabels, count: group.count });
    }
    return { perPool, unmatched };
}
