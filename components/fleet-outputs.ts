/**
 * The stack's outputs: what a dashboard reads (per pool the wanted and current
 * sizes, busy runners, runners whose change waits for their job, the image and
 * runner version) and what the next run reads back through a reference to
 * this same stack (which slots exist, which runner each holds, which image
 * each was built from, and the built images still declared).
 */
import { z } from "zod";

export interface SlotOutput {
    index: number;
    runner: string;
    retiring: boolean;
    imageId: string;
    /** When the slot's runner was registered (GitHub's hourly registration budget counts these). */
    createdAt?: string;
    /** The Nova server of the slot (absent in outputs written before it was recorded). */
    serverId?: string;
}

export interface PoolOutput {
    desired: number;
    /** Runners GitHub knows among the pool's slots (online, offline or busy) when the run started. */
    current: number;
    busy: number;
    slots: SlotOutput[];
    /** Busy runners whose slot has a change waiting for their job: a changed setting, or the slot's removal. */
    deferred: string[];
}

export interface BuiltImageOutput {
    key: string;
    id: string;
    inputs: {
        name: string;
        localFilePath: string;
        containerFormat: string;
        diskFormat: string;
        visibility: string;
        properties: Record<string, string>;
    };
}

export interface RegistrationBudgetOutput {
    perHour: number;
    /** JIT registrations this run could still make when it started. */
    left: number;
    /** Registrations this run planned to make. */
    spent: number;
    /** Registrations that wait for a later run (used-up slots held, new slots not added yet). */
    deferred: number;
}

export interface FleetOutputs {
    pools: Record<string, PoolOutput>;
    registrations: RegistrationBudgetOutput;
    image: { id: string; name: string; runnerVersion?: string; buildHash?: string };
    images: BuiltImageOutput[];
    networkId: string;
}

const slotSchema = z.object({ index: z.number().int().min(0), runner: z.string(), retiring: z.boolean(), imageId: z.string(), createdAt: z.string().optional(), serverId: z.string().optional() });
const poolSchema = z.object({ desired: z.number().int().min(0), slots: z.array(slotSchema) });
const builtImageSchema = z.object({
    key: z.string(),
    id: z.string(),
    inputs: z.object({
        name: z.string(),
        localFilePath: z.string(),
        containerFormat: z.string(),
        diskFormat: z.string(),
        visibility: z.string(),
        properties: z.record(z.string(), z.string()),
    }),
});

/** What the next run needs from the previous outputs. */
export interface PreviousDeployment {
    pools: Record<string, { desired: number; slots: SlotOutput[] }>;
    images: BuiltImageOutput[];
}

export const NO_PREVIOUS_DEPLOYMENT: PreviousDeployment = { pools: {}, images: [] };

/**
 * Reads the previous run's outputs; anything unreadable (a new stack, outputs
 * of an older version) counts as nothing known, which is what a first run is.
 * Returns the problem, if any, for a warning.
 */
export function readPreviousDeployment(pools: unknown, images: unknown): { previous: PreviousDeployment; problem?: string } {
    const parsedPools = pools === undefined ? { success: true as const, data: {} } : z.record(z.string(), poolSchema).safeParse(pools);
    const parsedImages = images === undefined ? { success: true as const, data: [] } : z.array(builtImageSchema).safeParse(images);
    if (!parsedPools.success || !parsedImages.success) {
        return { previous: NO_PREVIOUS_DEPLOYMENT, problem: "the previous run's outputs are not in the format this version writes; planning as for a new stack" };
    }
    return { previous: { pools: parsedPools.data, images: parsedImages.data } };
}

/** Image ids the previous run's slots were built from. */
export function imagesInUse(previous: PreviousDeployment): Set<string> {
    return new Set(Object.values(previous.pools).flatMap((pool) => pool.slots.map((slot) => slot.imageId)));
}
