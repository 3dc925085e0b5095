/**
 * Small status snapshots for the report's unit tests: the dev example's config (pools edited
 * per test), slots whose registration holds applied digests computed by the program's own
 * identityDigests (so "nothing changed" really is nothing), stack outputs shaped like
 * fleet-outputs.ts, GitHub runners and Nova servers. The states of real deployments are
 * tested in status-dev.test.ts and status-prod.test.ts.
 */
import path from "node:path";
import { type FleetConfig, parseStackConfig } from "../../components/config";
import { identityDigests } from "../../components/github/registration/identity";
import type { ObservedRunner } from "../../components/github/runners";
import { ownershipMetadata } from "../../components/naming";
import type { NovaServer, NovaServerStatus } from "../../components/openstack";
import type { StatusSnapshot } from "../../scripts/status/report";
import type { SlotState, StackState } from "../../scripts/status/stack-state";
import { rawStackConfig } from "../../scripts/plan/stack-file";

export const NOW = new Date("2025-06-02T10:00:00Z");
const REPO = path.resolve(__dirname, "..", "..");

export interface PoolEdit {
    name: string;
    count?: number;
    min?: number;
    max?: number;
}

/** The dev example's config with its pools replaced (same flavor and labels as its pool). */
export function devConfig(pools: PoolEdit[], extra: Record<string, string> = {}): FleetConfig {
    const raw = rawStackConfig(path.join(REPO, "Pulumi.dev.yaml"), "dev", { "openstack-github-runners:githubToken": "ghp_unit", "openstack:password": "pw" });
    const template = (JSON.parse(raw.values["pools"] ?? "[]") as Record<string, unknown>[])[0] ?? {};
    const values = {
        ...raw.values,
        ...extra,
        pools: JSON.stringify(pools.map((pool) => {
            const { count: _count, ...rest } = template;
            return { ...rest, ...pool };
        })),
    };
    return parseStackConfig({ ...raw, values });
}

export const IMAGE_ID = "11111111-2222-3333-4444-555555555555";

export interface SlotSpec {
    pool?: string;
    index: number;
    runner: string;
    runnerId?: number;
    mode?: "jit" | "token";
    createdAt?: string;
    retiring?: boolean;
    serverId?: string;
    drained?: boolean;
    /** Change the desired labels (a change since the slot was created). */
    desiredLabels?: string[];
}

const IDENTITY = {
    path: "acme/widgets",
    mode: "jit" as const,
    labels: ["self-hosted", "linux", "x64", "small", "dev"],
    ephemeral: true,
    instance: { imageId: IMAGE_ID, flavorId: "f", networkId: "n", securityGroup: "s" },
    template: "a".repeat(16),
};

export function slot(spec: SlotSpec): SlotState {
    const pool = spec.pool ?? "small";
    const mode = spec.mode ?? "jit";
    const applied = { ...IDENTITY, mode, runnerGroup: undefined, namePrefix: `gh-dev-${pool}-${spec.index}` };
    const desired: Record<string, unknown> = { ...applied, labels: spec.desiredLabels ?? applied.labels, retiring: spec.retiring === true };
    delete desired["runnerGroup"];
    return {
        name: `fleet-${pool}-${spec.index}`,
        pool,
        index: spec.index,
        registration: {
            runnerName: spec.runner,
            ...(spec.runnerId !== undefined ? { runnerId: spec.runnerId } : {}),
            mode,
            createdAt: spec.createdAt ?? new Date(NOW.getTime() - 5 * 60_000).toISOString(),
            path: "acme/widgets",
            appliedImageId: IMAGE_ID,
            digests: identityDigests(applied),
            desired,
        },
        ...(spec.serverId !== undefined ? { serverId: spec.serverId } : {}),
        drainGuard: { drain: spec.retiring === true, drained: spec.drained === true },
        problems: [],
    };
}

/** The `pools` output of the last up: each pool's desired size and its slots. */
export function poolsOutput(pools: Record<string, { desired: number; slots: SlotState[] }>): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(pools).map(([name, pool]) => [
            name,
            {
                desired: pool.desired,
                current: 0,
                busy: 0,
                deferred: [],
                slots: pool.slots.map((entry) => ({
                    index: entry.index,
                    runner: entry.registration?.runnerName ?? "",
                    retiring: entry.registration?.desired["retiring"] === true,
                    imageId: IMAGE_ID,
                })),
            },
        ]),
    );
}

export function state(slots: SlotState[], outputs: Record<string, unknown>, extra: Partial<StackState> = {}): StackState {
    return { slots, pendingDeletes: [], pendingOperations: [], outputs: { image: { id: IMAGE_ID, name: "github-runner-jammy-x64" }, images: [], ...outputs }, ...extra };
}

let nextRunnerId = 100;

export function runner(name: string, status: "online" | "offline", busy = false, id?: number): ObservedRunner {
    return { id: id ?? nextRunnerId++, name, status, busy };
}

export function server(id: string, status: NovaServerStatus, owner?: { stack?: string; pool: string; slot: number; runner: string }): NovaServer {
    return {
        id,
        name: owner?.runner ?? id,
        status,
        created: new Date(NOW.getTime() - 4 * 60_000).toISOString(),
        imageId: IMAGE_ID,
        flavor: { name: "gh-dev-small-2c-4g-30g", vcpus: 2, ramMb: 4096, diskGb: 30 },
        metadata: owner === undefined ? {} : ownershipMetadata({ stack: owner.stack ?? "dev", pool: owner.pool, slot: owner.slot, runnerName: owner.runner }),
        addresses: {},
        taskState: null,
    };
}

export function snapshot(parts: { config: FleetConfig; state: StackState; runners: ObservedRunner[]; servers?: NovaServer[]; imageNames?: Record<string, string> }): StatusSnapshot {
    return {
        stack: "dev",
        project: "openstack-github-runners",
        now: NOW,
        config: parts.config,
        state: parts.state,
        runners: { "acme/widgets": parts.runners },
        servers: parts.servers ?? [],
        imageNames: parts.imageNames ?? {},
    };
}
