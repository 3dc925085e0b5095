/**
 * The slots every pool declares in a run, GitHub's registration budget
 * spent: pure, shared by the program (fleet.ts) and the status tool, so
 * `npm run status` says what the next `up` will really do.
 */
import type { FleetConfig, PoolConfig } from "./config";
import type { PreviousDeployment, RegistrationBudgetOutput } from "./fleet-outputs";
import type { ObservedRunner } from "./github/runners";
import { planPool, type ExistingSlot, type PoolPlan, type PoolSize, type SlotRunnerState } from "./pool-plan";
import { minimumAt } from "./pool-sizing";
import { registrationsLeft, spendRegistrationBudget, type PoolRegistrations } from "./registration-budget";

export interface FleetPlanInput {
    pools: readonly PoolConfig[];
    registrationsPerHour: FleetConfig["github"]["registrationsPerHour"];
    previous: PreviousDeployment;
    /** GitHub's runners of the fleet's scope now. */
    runners: readonly ObservedRunner[];
    now: Date;
    /** Queued jobs per pool from the reconciler's demand file; undefined without demand information. */
    queuedByPool?: Record<string, number>;
}

export interface FleetPlan {
    pools: Record<string, { plan: PoolPlan; existing: ExistingSlot[] }>;
    registrations: RegistrationBudgetOutput;
}

export function poolSizeOf(pool: PoolConfig, now: Date): PoolSize {
    const { sizing } = pool;
    return sizing.kind === "fixed" ? sizing : { kind: "demand", minimum: minimumAt(sizing, now), max: sizing.max };
}

export function runnerState(runner: ObservedRunner | undefined): SlotRunnerState {
    if (runner === undefined) return "absent";
    if (runner.busy) return "busy";
    return runner.status === "online" ? "online" : "offline";
}

/** The slots the last run declared for a pool, with GitHub's view of each slot's runner (by name). */
export function existingSlots(previous: PreviousDeployment, runners: readonly ObservedRunner[], pool: string): ExistingSlot[] {
    const byName = new Map(runners.map((runner) => [runner.name, runner]));
    return (previous.pools[pool]?.slots ?? []).map((slot) => ({ index: slot.index, runner: runnerState(byName.get(slot.runner)) }));
}

export function planFleetPools(input: FleetPlanInput): FleetPlan {
    const existingByPool = Object.fromEntries(input.pools.map((pool) => [pool.name, existingSlots(input.previous, input.runners, pool.name)]));
    const planned: PoolRegistrations[] = input.pools.map((pool) => {
        const existing = existingByPool[pool.name] ?? [];
        const plan = planPool({
            size: poolSizeOf(pool, input.now),
            existing,
            previousDesired: input.previous.pools[pool.name]?.desired,
            queued: input.queuedByPool === undefined ? undefined : (input.queuedByPool[pool.name] ?? 0),
        });
        return {
            pool: pool.name,
            plan,
            jit: pool.registration === "jit",
            recycling: new Set(existing.filter((slot) => slot.runner === "absent").map((slot) => slot.index)),
            existing: new Set(existing.map((slot) => slot.index)),
        };
    });
    const jitPools = new Set(planned.filter((pool) => pool.jit).map((pool) => pool.pool));
    const createdAt = Object.entries(input.previous.pools)
        .filter(([pool]) => jitPools.has(pool))
        .flatMap(([, pool]) => pool.slots.flatMap((slot) => (slot.createdAt === undefined ? [] : [slot.createdAt])));
    const left = registrationsLeft(input.registrationsPerHour, createdAt, input.now);
    const budget = spendRegistrationBudget(planned, left);
    const pools: FleetPlan["pools"] = {};
    for (const pool of input.pools) {
        const plan = budget.plans[pool.name];
        if (plan === undefined) throw new Error(`unreachable: pool ${pool.name} was planned`);
        pools[pool.name] = { plan, existing: existingByPool[pool.name] ?? [] };
    }
    return { pools, registrations: { perHour: input.registrationsPerHour, left, spent: budget.spent, deferred: budget.deferred } };
}
