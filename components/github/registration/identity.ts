/**
 * The identity of a runner slot: the inputs whose change needs a new runner
 * (and so a new VM). A slot keeps, in its outputs, a short digest of each as
 * they were APPLIED at create; the diff compares the desired inputs with
 * those, never with the previous inputs: when a busy runner defers a change,
 * the engine still records the new inputs, and only the applied digests
 * remember what the runner really runs, so the change is found again later.
 */
import { createHash } from "node:crypto";
import { containsUnknown } from "./inputs";

export const IDENTITY_KEYS = ["path", "runnerGroup", "mode", "namePrefix", "labels", "ephemeral", "instance", "template"] as const;
export type IdentityKey = (typeof IDENTITY_KEYS)[number];
export type IdentityDigests = Record<IdentityKey, string>;

/** JSON with object keys sorted and undefined members left out: equal values give equal text. */
export function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value)
            .filter(([, field]) => field !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(",")}}`;
    }
    return value === undefined || value === null ? "null" : JSON.stringify(value);
}

function digest(value: unknown): string {
    return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 16);
}

/** GitHub treats labels as a set: a reordered list is not a change worth a new runner. */
function identityValue(key: IdentityKey, value: unknown): unknown {
    if (key === "labels" && Array.isArray(value) && value.every((label) => typeof label === "string")) {
        return [...new Set(value.map((label) => label.toLowerCase()))].sort();
    }
    return value;
}

/** Digests of the identity of known inputs. */
export function identityDigests(inputs: Record<IdentityKey, unknown>): IdentityDigests {
    return Object.fromEntries(IDENTITY_KEYS.map((key) => [key, digest(identityValue(key, inputs[key]))])) as IdentityDigests;
}

/**
 * Identity keys whose desired value differs from the applied one. A value
 * still unknown (preview) counts as a change: it cannot be shown equal.
 */
export function changedIdentityKeys(applied: Partial<IdentityDigests>, desired: Record<string, unknown>): IdentityKey[] {
    return IDENTITY_KEYS.filter((key) => containsUnknown(desired[key]) || applied[key] !== digest(identityValue(key, desired[key])));
}
