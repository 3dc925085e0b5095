/**
 * What the reconciler takes from the stack's configuration, read the way the
 * program reads it (components/config parseStackConfig, one schema): where
 * runners register and with which credentials (for the demand source and the
 * supply check), each pool's runner labels (queued jobs per pool), and every
 * secret value (so none is ever logged).
 */
import type { PoolLabels } from "../../components/demand/match";
import { parseStackConfig } from "../../components/config";
import type { GithubAuth } from "../../components/github/client";
import type { GithubPath } from "../../components/github/paths";

/** `pulumi config --show-secrets --json`, as the Automation API's getAllConfig returns it. */
export type ConfigValues = Record<string, { value: string; secret?: boolean }>;

export interface StackSettings {
    github: { apiUrl: string; path: GithubPath; auth: GithubAuth };
    pools: PoolLabels[];
    /** Plaintexts of every secret config value (for the redactor). */
    secretValues: string[];
}

export function stackSettingsFromConfig(project: string, stack: string, config: ConfigValues): StackSettings {
    const prefix = `${project}:`;
    const values: Record<string, string> = {};
    const secretKeys = new Set<string>();
    const secretValues: string[] = [];
    for (const [fullKey, { value, secret }] of Object.entries(config)) {
        if (secret === true) secretValues.push(value, ...secretLeaves(value));
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        values[key] = value;
        if (secret === true) secretKeys.add(key);
    }
    const fleet = parseStackConfig({ project, stack, values, secretKeys });
    return {
        github: { apiUrl: fleet.github.apiUrl, path: fleet.github.path, auth: fleet.github.auth },
        pools: fleet.pools.map((pool) => ({ pool: pool.name, labels: pool.runnerLabels })),
        secretValues,
    };
}

/** The string leaves of a secret object value (JSON text), each as secret as the whole. */
function secretLeaves(value: string): string[] {
    let parsed: unknown;
    try {
        parsed = JSON.parse(value);
    } catch {
        return [];
    }
    const leaves: string[] = [];
    const walk = (node: unknown): void => {
        if (typeof node === "string") leaves.push(node);
        else if (Array.isArray(node)) node.forEach(walk);
        else if (typeof node === "object" && node !== null) Object.values(node).forEach(walk);
    };
    if (typeof parsed === "object") walk(parsed);
    return leaves;
}
