/**
 * One error for a bad stack configuration, listing every problem as
 * `<namespace>:<key path>: got <value>; <what is expected>`, secrets masked.
 */
import type { z } from "zod";

export interface ConfigProblem {
    /** Key path as the user writes it with `pulumi config set --path`, e.g. `pools[0].count`. */
    key: string;
    /** The offending value for display, already masked when secret. */
    shown: string;
    expected: string;
}

export class ConfigError extends Error {
    constructor(
        readonly namespace: string,
        readonly problems: readonly ConfigProblem[],
    ) {
        super(
            `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was created:\n` +
                problems.map((p) => `  - ${namespace}:${p.key}: got ${p.shown}; ${p.expected}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

export function formatKeyPath(path: readonly PropertyKey[]): string {
    return path
        .map((part, index) => (typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`))
        .join("");
}

const MAX_SHOWN = 80;

export function showValue(value: unknown, secret: boolean): string {
    if (value === undefined) {
        return "nothing (the key is missing)";
    }
    if (secret) {
        return "[secret]";
    }
    const text = JSON.stringify(value) ?? String(value);
    return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    let current: unknown = root;
    for (const part of path) {
        if (current === null || typeof current !== "object") {
            return undefined;
        }
        current = (current as Record<PropertyKey, unknown>)[part];
    }
    return current;
}

/** Turns zod issues into problems that name the key, the value and the expectation. */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], raw: unknown, secretKeys: ReadonlySet<string>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const issue of issues) {
        if (issue.code === "unrecognized_keys") {
            for (const key of issue.keys) {
                const path = [...issue.path, key];
                problems.push({
                    key: formatKeyPath(path),
                    shown: showValue(valueAt(raw, path), secretKeys.has(String(path[0]))),
                    expected: "expected no such key (check its spelling against the configuration reference in the README)",
                });
            }
            continue;
        }
        const path = issue.path;
        problems.push({
            key: formatKeyPath(path),
            shown: showValue(valueAt(raw, path), path.length > 0 && secretKeys.has(String(path[0]))),
            expected: issue.message,
        });
    }
    return problems;
}
