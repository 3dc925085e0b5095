/**
 * One error for a bad stack configuration, listing every problem as
 * `<namespace>:<key path>: got <value>; <what is expected>`, secrets masked.
 */
import type { z } from "zod";
import { maskUserInfoDeep } from "./redact";

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

/** Pulumi's property path syntax: `a.b[0]`, and `a["key with . or spaces"]` for keys a dot cannot carry. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
    return path
        .map((part, index) => {
            if (typeof part === "number") return `[${part}]`;
            const name = String(part);
            if (/^[^.[\]"\s]+$/.test(name)) return `${index === 0 ? "" : "."}${name}`;
            return `[${JSON.stringify(name)}]`;
        })
        .join("");
}

const MAX_SHOWN = 80;
export const SECRET_SHOWN = "[secret]";

/** A value for an error message: `[secret]` when secret, otherwise JSON with URL user info masked, cut at 80 characters. */
export function showValue(value: unknown, secret: boolean): string {
    if (value === undefined) {
        return "nothing (the key is missing)";
    }
    if (secret) {
        return SECRET_SHOWN;
    }
    const text = JSON.stringify(maskUserInfoDeep(value)) ?? String(value);
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

const isSecretPath = (path: readonly PropertyKey[], secretKeys: ReadonlySet<string>) => path.length > 0 && secretKeys.has(String(path[0]));

/** Turns zod issues into problems that name the key, the value and the expectation. */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], raw: unknown, secretKeys: ReadonlySet<string>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const issue of issues) {
        if (issue.code === "unrecognized_keys") {
            for (const key of issue.keys) {
                const path = [...issue.path, key];
                problems.push({
                    key: formatKeyPath(path),
                    shown: showValue(valueAt(raw, path), isSecretPath(path, secretKeys)),
                    expected: "expected no such key (check its spelling against the configuration reference in the README)",
                });
            }
            continue;
        }
        const path = issue.path;
        if (issue.code === "invalid_key") {
            // A map key (e.g. server metadata) is wrong: show the key itself, with what its own check said.
            problems.push({
                key: formatKeyPath(path),
                shown: showValue(path[path.length - 1], isSecretPath(path, secretKeys)),
                expected: issue.issues.map((inner) => inner.message).join("; "),
            });
            continue;
        }
        problems.push({
            key: formatKeyPath(path),
            shown: showValue(valueAt(raw, path), isSecretPath(path, secretKeys)),
            expected: issue.message,
        });
    }
    return problems;
}
