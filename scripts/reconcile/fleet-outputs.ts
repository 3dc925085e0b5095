/**
 * The one place that reads what the program reports about its pools: the
 * `pools` stack output (components/fleet-outputs.ts FleetOutputs) and the
 * engine events of runner registrations. If the program's outputs change
 * shape, this module changes, nothing else in the reconciler.
 */
import { z } from "zod";

export interface PoolState {
    desired: number;
    /** Runners GitHub knew among the pool's slots when the last up started. */
    current: number;
    busy: number;
    /** Runner names of the pool's slots. */
    runners: string[];
}

export type FleetState = Record<string, PoolState>;

const poolOutputSchema = z.object({
    desired: z.number().int().min(0),
    current: z.number().int().min(0),
    busy: z.number().int().min(0),
    slots: z.array(z.object({ runner: z.string() })),
});

/** The Automation API's outputs: key -> { value, secret }. */
export type StackOutputs = Record<string, { value: unknown; secret: boolean }>;

/** Reads the `pools` output; a stack without it (never deployed, or an older program) gives an error naming what is missing. */
export function fleetStateFromOutputs(outputs: StackOutputs): { fleet: FleetState } | { problem: string } {
    const pools = outputs["pools"];
    if (pools === undefined) return { problem: "the stack has no `pools` output (not deployed yet, or deployed by a program that does not report its pools)" };
    const parsed = z.record(z.string(), poolOutputSchema).safeParse(pools.value);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return { problem: `the stack's \`pools\` output is not as expected at ${["pools", ...(issue?.path ?? [])].join(".")}: ${issue?.message ?? "unknown problem"}` };
    }
    const fleet: FleetState = {};
    for (const [pool, output] of Object.entries(parsed.data)) {
        fleet[pool] = { desired: output.desired, current: output.current, busy: output.busy, runners: output.slots.map((slot) => slot.runner).filter((name) => name !== "") };
    }
    return { fleet };
}

/** The dynamic resource type of a slot's GitHub registration (components/github/registration.ts). */
export const REGISTRATION_TYPE = "pulumi-nodejs:dynamic/github-runners:RunnerRegistration";
/** The fleet component's name in index.ts; slots are named `<fleet>-<pool>-<index>` (components/fleet.ts, pool.ts). */
const FLEET_NAME = "fleet";

/** The pool of a registration resource, from its URN's name, or undefined for another resource. */
export function poolOfRegistration(urn: string, type: string, pools: readonly string[]): string | undefined {
    if (type !== REGISTRATION_TYPE) return undefined;
    const name = urn.split("::").pop() ?? "";
    // The slot index is all digits, so at most one pool fits: "small" does not claim "fleet-small-gpu-0".
    return pools.find((pool) => new RegExp(`^${FLEET_NAME}-${escapeRegExp(pool)}-\\d+$`).test(name));
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Engine step ops that leave a new registration behind (pulumi/pulumi sdk/go/common/apitype OpType). */
export const CREATING_OPS: ReadonlySet<string> = new Set(["create", "create-replacement"]);
