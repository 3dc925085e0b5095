/**
 * GitHub's write budget for runner registrations. A JIT registration is a
 * POST, and GitHub allows about 500 content-creating requests an hour (80 a
 * minute) per account (GitHub REST docs, "Rate limits for the REST API",
 * secondary rate limits; scripts/reconcile/demand/README.md has the numbers).
 * Going over answers 403 and fails the `up`, so the program spends at most
 * what is left of the hour: the slots it cannot register now wait for a later
 * `up` (used-up slots are held, not recycled; new slots are not added yet).
 * Token-mode slots share one registration token per run (one POST), so only
 * JIT registrations count.
 */
import type { PoolPlan } from "./pool-plan";

export const BUDGET_WINDOW_MS = 60 * 60_000;

/** Registrations left for this run: the hourly budget minus the JIT registrations made in the last hour. */
export function registrationsLeft(perHour: number, createdAt: readonly string[], now: Date): number {
    const since = now.getTime() - BUDGET_WINDOW_MS;
    const recent = createdAt.filter((time) => {
        const at = Date.parse(time);
        return !Number.isNaN(at) && at > since;
    }).length;
    return Math.max(0, perHour - recent);
}

export interface PoolRegistrations {
    pool: string;
    plan: PoolPlan;
    /** Only JIT pools spend the budget. */
    jit: boolean;
    /** Slots of the plan that exist already and whose runner is gone: their registration recycles them now. */
    recycling: ReadonlySet<number>;
    /** Slots of the plan that exist already. */
    existing: ReadonlySet<number>;
}

export interface BudgetedPlans {
    plans: Record<string, PoolPlan>;
    /** Registrations this run will make (JIT). */
    spent: number;
    /** Registrations that wait for a later run. */
    deferred: number;
}

/**
 * Gives the registrations left to the pools in config order, used-up slots
 * before new ones (a pool keeps its size before it grows): a used-up slot
 * beyond the budget is held (kept, not recycled), a new slot beyond it is not
 * declared yet.
 */
export function spendRegistrationBudget(pools: readonly PoolRegistrations[], left: number): BudgetedPlans {
    let remaining = left;
    let deferred = 0;
    const plans: Record<string, PoolPlan> = {};
    for (const pool of pools) {
        if (!pool.jit) {
            plans[pool.pool] = pool.plan;
            continue;
        }
        const held = new Set<number>();
        for (const slot of pool.plan.slots) {
            if (slot.retiring || !pool.recycling.has(slot.index)) continue;
            if (remaining > 0) remaining--;
            else held.add(slot.index);
        }
        const dropped = new Set<number>();
        for (const slot of pool.plan.slots) {
            if (slot.retiring || pool.existing.has(slot.index)) continue;
            if (remaining > 0) remaining--;
            else dropped.add(slot.index);
        }
        deferred += held.size + dropped.size;
        plans[pool.pool] = {
            ...pool.plan,
            slots: pool.plan.slots.filter((slot) => !dropped.has(slot.index)).map((slot) => (held.has(slot.index) ? { ...slot, hold: true } : slot)),
        };
    }
    return { plans, spent: left - remaining, deferred };
}
