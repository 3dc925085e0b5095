/**
 * Supply: what GitHub says of the stack's runners, pool by pool, and which
 * changes between two looks call for an `up`. A runner that is gone (an
 * ephemeral runner after its job: GitHub removes it) leaves a slot to recycle;
 * a runner that stopped being busy may let a pool shrink. Runners coming
 * online after boot change nothing the program decides on, so they wait for
 * the next run. Pure: the listing comes from the caller.
 */
import type { FleetState } from "./fleet-outputs";
import type { RunnerState } from "./metrics";

/** A runner as GitHub lists it (components/github/runners.ts ObservedRunner). */
export interface ListedRunner {
    name: string;
    status: string;
    busy: boolean;
}

export type SlotStates = Record<string, { pool: string; state: RunnerState }>;

export function runnerState(runner: ListedRunner | undefined): RunnerState {
    if (runner === undefined) return "absent";
    if (runner.busy) return "busy";
    return runner.status === "online" ? "idle" : "offline";
}

/** The state of every slot's runner, keyed by runner name. */
export function slotStates(fleet: FleetState, listing: readonly ListedRunner[]): SlotStates {
    const byName = new Map(listing.map((runner) => [runner.name, runner]));
    const states: SlotStates = {};
    for (const [pool, state] of Object.entries(fleet)) {
        for (const name of state.runners) states[name] = { pool, state: runnerState(byName.get(name)) };
    }
    return states;
}

export function countByPool(fleet: FleetState, states: SlotStates): Record<string, Record<RunnerState, number>> {
    const counts: Record<string, Record<RunnerState, number>> = {};
    for (const pool of Object.keys(fleet)) counts[pool] = { idle: 0, busy: 0, offline: 0, absent: 0 };
    for (const { pool, state } of Object.values(states)) {
        const poolCounts = counts[pool];
        if (poolCounts !== undefined) poolCounts[state] += 1;
    }
    return counts;
}

/** Why the change from `before` to `after` needs an `up` (empty: it does not). */
export function supplyChangesNeedingUp(before: SlotStates, after: SlotStates): string[] {
    const reasons: string[] = [];
    for (const [name, { pool, state }] of Object.entries(after)) {
        const previous = before[name]?.state;
        if (state === "absent" && previous !== "absent") reasons.push(`runner ${name} of pool ${pool} is gone from GitHub`);
        else if (previous === "busy" && state !== "busy") reasons.push(`runner ${name} of pool ${pool} finished its job`);
    }
    return reasons;
}

/**
 * Registrations the next `up` would make as far as the last outputs and GitHub
 * tell: per pool, the runners it wanted minus those still alive on GitHub (or,
 * without a listing, minus those GitHub knew when that `up` started). New demand
 * adds to this; the program decides the sizes, this is the floor the write
 * budget must allow for.
 */
export function plannedRegistrations(fleet: FleetState, states: SlotStates | undefined): Record<string, number> {
    const planned: Record<string, number> = {};
    for (const [pool, state] of Object.entries(fleet)) {
        const alive = states === undefined ? state.current : state.runners.filter((name) => states[name] !== undefined && states[name]?.state !== "absent").length;
        planned[pool] = Math.max(0, state.desired - alive);
    }
    return planned;
}
