/**
 * Token-mode ephemeral runners: telling "used up" from "still booting".
 *
 * A JIT runner exists on GitHub from its slot's create, so a runner GitHub no
 * longer lists is used up. A token-mode runner registers itself from its VM,
 * and GitHub removes an ephemeral one after its job, so "not listed" means
 * either. What tells them apart is the VM: an ephemeral runner's boot script
 * powers the VM off once the runner exits (userdata, runner-service.ts), and
 * Nova then reports the server SHUTOFF. Only the slots that are ambiguous
 * (token mode, ephemeral, not listed) are looked up, so a steady fleet costs
 * no call.
 */
import type { PoolConfig } from "./config";
import type { PreviousDeployment } from "./fleet-outputs";
import type { ObservedRunner } from "./github/runners";

export interface PowerCheckCandidate {
    pool: string;
    index: number;
    serverId: string;
}

/** Nova's power state of a server, lowercased ("active", "shutoff", ...), or undefined when it cannot be told. */
export type PowerStateLookup = (serverId: string) => Promise<string | undefined>;

export function powerCheckCandidates(pools: readonly PoolConfig[], previous: PreviousDeployment, runners: readonly ObservedRunner[]): PowerCheckCandidate[] {
    const listed = new Set(runners.map((runner) => runner.name));
    const candidates: PowerCheckCandidate[] = [];
    for (const pool of pools) {
        if (pool.registration !== "token" || !pool.ephemeral) continue;
        for (const slot of previous.pools[pool.name]?.slots ?? []) {
            if (slot.retiring || slot.serverId === undefined || listed.has(slot.runner)) continue;
            candidates.push({ pool: pool.name, index: slot.index, serverId: slot.serverId });
        }
    }
    return candidates;
}

/** Slot indexes per pool whose server is powered off. */
export async function poweredOffSlots(candidates: readonly PowerCheckCandidate[], lookup: PowerStateLookup): Promise<Record<string, number[]>> {
    const states = await Promise.all(candidates.map((candidate) => lookup(candidate.serverId)));
    const result: Record<string, number[]> = {};
    candidates.forEach((candidate, position) => {
        if (states[position] === "shutoff") (result[candidate.pool] ??= []).push(candidate.index);
    });
    return result;
}
