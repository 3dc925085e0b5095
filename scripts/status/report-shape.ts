/**
 * The status report's shape: what `npm run status -- --json` prints (version 1, documented
 * in README.md here; fields may be added within a version, never renamed or removed).
 */
import type { NovaServerStatus } from "../../components/openstack";

/** GitHub's view of a runner: `online` is split into idle and busy. */
export type GithubState = "idle" | "busy" | "offline" | "absent";
export type NovaState = NovaServerStatus | "absent";
/**
 * keep / replace: the registration's reconcile decision; create: a new slot (or a slot with
 * no registration yet); drain: a retiring slot whose idle runner the drain guard deregisters;
 * wait: a retiring slot whose runner is busy; remove: the slot is deleted; fail: the next up
 * stops on this slot (the reason says why).
 */
export type NextAction = "keep" | "replace" | "create" | "drain" | "wait" | "remove" | "fail";

export const REPORT_VERSION = 1;

export interface RunnerReport {
    name: string;
    id: number | null;
    mode: "jit" | "token";
    path: string;
    github: GithubState;
}

export interface SlotReport {
    index: number;
    /** The slot component's name; null for a slot the next up creates. */
    slot: string | null;
    runner: RunnerReport | null;
    vm: { serverId: string | null; nova: NovaState; flavor: string | null };
    image: { id: string; name: string | null } | null;
    createdAt: string | null;
    ageSeconds: number | null;
    /** Retiring as the last up declared it. */
    retiring: boolean;
    next: { action: NextAction; reason: string; deferred: string[] };
    notes: string[];
}

export interface PoolReport {
    name: string;
    /** False for a pool the stack still has but the config no longer declares. */
    configured: boolean;
    sizing: string;
    /** How many runners the next up wants. */
    desired: number;
    slots: SlotReport[];
}

export interface PendingDeleteReport {
    slot: string;
    kind: "registration" | "instance";
    runner: string | null;
    github: GithubState | null;
    serverId: string | null;
    nova: NovaState | null;
}

export interface OrphanRunnerReport {
    path: string;
    id: number;
    name: string;
    pool: string;
    github: GithubState;
    /** Orphan servers whose metadata names this runner. */
    serverIds: string[];
}

export interface OrphanServerReport {
    id: string;
    name: string;
    nova: NovaServerStatus;
    createdAt: string;
    ageSeconds: number;
    pool: string;
    slot: string | null;
    runner: string;
    /** GitHub's view of the runner the server's metadata names. */
    runnerGithub: GithubState;
    /** The slot that owns that runner, when one does (the server is a stray copy of a slot's VM). */
    runnerOwner: string | null;
}

export interface StatusSummary {
    pools: number;
    slots: number;
    runners: Record<GithubState, number>;
    vms: Record<string, number>;
    next: Partial<Record<NextAction, number>>;
    orphanRunners: number;
    orphanServers: number;
}

export interface StatusReport {
    version: typeof REPORT_VERSION;
    stack: string;
    project: string;
    generatedAt: string;
    github: { path: string; apiUrl: string };
    bootstrapTimeoutMinutes: number;
    pools: PoolReport[];
    pendingDeletes: PendingDeleteReport[];
    pendingOperations: { type: string; resourceType: string; name: string }[];
    orphans: { runners: OrphanRunnerReport[]; servers: OrphanServerReport[] };
    summary: StatusSummary;
}
