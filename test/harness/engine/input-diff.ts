/**
 * The engine's own comparison of old and new inputs, used when a provider's Diff answers
 * "unknown" (pulumi/pulumi v3.259 pkg/resource/deploy/step_generator.go diffResource: the inputs
 * with ignoreChanges applied, secrets and output wrappers removed, compared property by property,
 * changed keys and a detailed diff from the object diff) and for resources without a provider.
 */
import { formatPropertyPath, type PropertyPath } from "../property-path";
import { UNKNOWN_VALUE, type WireObject, type WireValue } from "../pulumi-values";
import type { PropertyDiff } from "../resource-provider";
import { stripSecrets } from "../secret-values";

function isObject(value: WireValue | undefined): value is WireObject {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function compare(old: WireValue | undefined, next: WireValue | undefined, path: PropertyPath, diffs: PropertyDiff[]): void {
    if (next === UNKNOWN_VALUE && old !== undefined) {
        diffs.push({ path: formatPropertyPath(path), replace: false });
        return;
    }
    if (isObject(old) && isObject(next)) {
        for (const key of new Set([...Object.keys(old), ...Object.keys(next)])) compare(old[key], next[key], [...path, key], diffs);
        return;
    }
    if (Array.isArray(old) && Array.isArray(next)) {
        for (let i = 0; i < Math.max(old.length, next.length); i++) compare(old[i], next[i], [...path, i], diffs);
        return;
    }
    if (JSON.stringify(old) !== JSON.stringify(next)) diffs.push({ path: formatPropertyPath(path), replace: false });
}

export function inputDiff(oldInputs: WireObject, newInputs: WireObject): { changedKeys: string[]; detailedDiff: PropertyDiff[] } {
    const diffs: PropertyDiff[] = [];
    const old = stripSecrets(oldInputs) as WireObject;
    const next = stripSecrets(newInputs) as WireObject;
    for (const key of new Set([...Object.keys(old), ...Object.keys(next)])) compare(old[key], next[key], [key], diffs);
    const changedKeys = [...new Set(diffs.map((diff) => diff.path.split(/[.[]/)[0]!))].sort();
    return { changedKeys, detailedDiff: diffs };
}
