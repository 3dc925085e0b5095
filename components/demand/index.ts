/** Demand: GitHub's queued jobs as the reconciler sees them, and which pool each counts for. Pure code. */
export { canonicalLabels, isCanonicalLabels, labelSetKey } from "./labels";
export { assignQueuedJobs } from "./match";
export type { PoolLabels, QueuedJobAssignment } from "./match";
export { DemandFileError, demandSnapshotSchema, parseDemandSnapshot, serializeDemandSnapshot } from "./snapshot";
export type { DemandSnapshot, QueuedJobGroup } from "./snapshot";
