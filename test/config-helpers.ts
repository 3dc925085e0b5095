/** Shared by the config tests: the example stacks as raw config, edited one key at a time. */
import assert from "node:assert/strict";
import { ConfigError, type ConfigProblem, parseStackConfig, type RawStackConfig } from "../components/config";
import { rawStackConfig } from "../scripts/plan/stack-file";
import { testPlaintext } from "./support/test-secrets";

export const dev = () => rawStackConfig("Pulumi.dev.yaml", "dev", testPlaintext);
export const prod = () => rawStackConfig("Pulumi.prod.yaml", "prod", testPlaintext);

function safeJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/**
 * A copy of `raw` with one top-level key's value replaced, or a nested value changed through `edit`.
 * `edit` receives decoded YAML of any shape; each case reaches into it freely, hence `any`.
 */
export function changed(raw: RawStackConfig, key: string, edit: (value: any) => unknown): RawStackConfig {
    const current = raw.values[key] === undefined ? undefined : safeJson(raw.values[key]);
    const next = edit(structuredClone(current));
    const values = { ...raw.values };
    if (next === undefined) {
        delete values[key];
    } else {
        values[key] = typeof next === "string" ? next : JSON.stringify(next);
    }
    return { ...raw, values };
}

/** The first pool of `raw` changed through `edit` (which returns the new pool). */
export const withPool = (raw: RawStackConfig, edit: (pool: any) => unknown) => changed(raw, "pools", (pools) => [edit(pools[0]), ...pools.slice(1)]);

export const withSecret = (raw: RawStackConfig, ...keys: string[]): RawStackConfig => ({ ...raw, secretKeys: new Set([...raw.secretKeys, ...keys]) });

export function problemsOf(raw: RawStackConfig): ConfigError {
    try {
        parseStackConfig(raw);
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return error;
    }
    assert.fail("expected the config to be rejected");
}

/** The single problem `raw` has; fails when there are none or several. */
export function onlyProblem(raw: RawStackConfig): ConfigProblem {
    const error = problemsOf(raw);
    assert.equal(error.problems.length, 1, `expected exactly one problem, got:\n${error.message}`);
    return error.problems[0];
}
