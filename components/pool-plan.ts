/**
 * Which slots a pool declares in this run, and how many runners it wants:
 * pure, so the rule is tested on its own and the same everywhere.
 *
 * - Size. A fixed pool wants `count`. A demand pool wants its busy runners
 *   plus the queued jobs it can run plus `minimum` idle ones, at most `max`,
 *   when the reconciler passed demand; without demand information (a preview
 *   on a pull request, a plain `pulumi up`) it keeps the size it wanted last
 *   time, within [minimum, max], so nobody's preview proposes to grow or
 *   shrink a pool just because it cannot see the queue.
 * - Which slots. Busy runners always stay (a job is never killed). Then
 *   existing slots fill the size, idle online ones first, then those still
 *   booting, then used-up ones (they are recycled), lowest index first; then
 *   new slots take the lowest free indices. Scaling in therefore removes idle
 *   runners first, whatever their index.
 * - Retiring slots (existing, not chosen): a busy one stays until its job is
 *   done; an idle or booting one stays one more run with `drain` set, so its
 *   guard deregisters the runner (an atomic "remove unless busy" on GitHub)
 *   before anything deletes its VM; one whose runner is gone is dropped.
 */
export type SlotRunnerState = "online" | "offline" | "busy" | "absent";

export interface ExistingSlot {
    index: number;
    /** GitHub's view of the slot's runner now. */
    runner: SlotRunnerState;
}

export type PoolSize = { kind: "fixed"; count: number } | { kind: "demand"; minimum: number; max: number };

export interface PoolPlanInput {
    size: PoolSize;
    /** The slots the last run declared (from the stack's previous outputs), with GitHub's view of each. */
    existing: ExistingSlot[];
    /** The size the last run wanted; undefined for a new stack. */
    previousDesired?: number;
    /** Queued jobs this pool can run, from the reconciler; undefined when no demand information was passed. */
    queued?: number;
}

export interface PlannedSlot {
    index: number;
    /** Not part of the wanted size: it goes once its runner is drained or its job is done. */
    retiring: boolean;
    /** Deregister this retiring slot's runner as soon as it is idle. */
    drain: boolean;
    /** Do not recycle this slot in this run (GitHub's registration budget is spent): keep it as it is. */
    hold?: boolean;
}

export interface PoolPlan {
    desired: number;
    busy: number;
    /** Declared slots, by index. */
    slots: PlannedSlot[];
}

function clamp(value: number, low: number, high: number): number {
    return Math.min(high, Math.max(low, value));
}

export function desiredSize(input: PoolPlanInput, busy: number): number {
    const { size } = input;
    if (size.kind === "fixed") return size.count;
    if (input.queued !== undefined) return clamp(busy + input.queued + size.minimum, size.minimum, size.max);
    return clamp(input.previousDesired ?? size.minimum, size.minimum, size.max);
}

const KEEP_ORDER: Record<SlotRunnerState, number> = { busy: 0, online: 1, offline: 2, absent: 3 };

export function planPool(input: PoolPlanInput): PoolPlan {
    const existing = [...new Map(input.existing.map((slot) => [slot.index, slot])).values()];
    const busy = existing.filter((slot) => slot.runner === "busy").length;
    const desired = desiredSize(input, busy);
    const ranked = [...existing].sort((a, b) => KEEP_ORDER[a.runner] - KEEP_ORDER[b.runner] || a.index - b.index);
    const active = new Set(ranked.slice(0, desired).map((slot) => slot.index));
    const used = new Set(existing.map((slot) => slot.index));
    for (let index = 0; active.size < desired; index++) {
        if (!used.has(index)) active.add(index);
    }
    const slots: PlannedSlot[] = [...active].map((index) => ({ index, retiring: false, drain: false }));
    for (const slot of existing) {
        if (active.has(slot.index) || slot.runner === "absent") continue;
        slots.push({ index: slot.index, retiring: true, drain: slot.runner !== "busy" });
    }
    return { desired, busy, slots: slots.sort((a, b) => a.index - b.index) };
}
