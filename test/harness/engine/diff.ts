/**
 * The engine's handling of a provider's Diff (pulumi/pulumi v3.259
 * pkg/resource/deploy/step_generator.go): processIgnoreChanges resets ignored paths of the new
 * inputs to their old values before Check; diffResource turns an "unknown" answer into a
 * comparison of inputs; applyReplaceOnChanges turns changes under a replaceOnChanges path into
 * replacements (of the changed keys, and of the detailed diff's paths); DiffResult.Replace is true
 * when any key or detailed-diff entry replaces.
 */
import { parsePropertyPath, pathContains, resetPath } from "../property-path";
import { copyWire, type WireObject } from "../pulumi-values";
import type { DiffResult } from "../resource-provider";
import { inputDiff } from "./input-diff";

export function processIgnoreChanges(inputs: WireObject, oldInputs: WireObject, ignoreChanges: readonly string[]): { inputs: WireObject; invalid: string[] } {
    const result = copyWire(inputs);
    const invalid: string[] = [];
    for (const text of ignoreChanges) {
        let path;
        try {
            path = parsePropertyPath(text);
        } catch {
            continue;
        }
        if (!resetPath(oldInputs, result, path)) invalid.push(text);
    }
    return { inputs: result, invalid };
}

/** diffResource: an "unknown" diff becomes the engine's own comparison of inputs. */
export function settleUnknownDiff(diff: DiffResult, oldInputs: WireObject, newInputs: WireObject, ignoreChanges: readonly string[]): DiffResult {
    if (diff.changes !== "unknown") return diff;
    const compared = inputDiff(oldInputs, processIgnoreChanges(newInputs, oldInputs, ignoreChanges).inputs);
    if (compared.detailedDiff.length === 0) return { ...diff, changes: "none" };
    return { ...diff, changes: "some", changedKeys: compared.changedKeys, detailedDiff: compared.detailedDiff };
}

export function applyReplaceOnChanges(diff: DiffResult, replaceOnChanges: readonly string[]): DiffResult {
    if (diff.changes !== "some" || replaceOnChanges.length === 0) return diff;
    const patterns = replaceOnChanges.map(parsePropertyPath);
    const contained = (path: string): boolean => {
        const parsed = parsePropertyPath(path);
        return patterns.some((pattern) => pathContains(pattern, parsed));
    };
    const replaceKeys = new Set(diff.replaceKeys);
    for (const key of diff.changedKeys) if (contained(key)) replaceKeys.add(key);
    const detailedDiff = diff.detailedDiff?.map((entry) => (contained(entry.path) ? { ...entry, replace: true } : entry));
    return { ...diff, replaceKeys: [...replaceKeys], detailedDiff };
}

export function requiresReplacement(diff: DiffResult): boolean {
    return diff.replaceKeys.length > 0 || (diff.detailedDiff ?? []).some((entry) => entry.replace);
}
