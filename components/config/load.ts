/**
 * Turns raw Pulumi stack config into a validated FleetConfig, or throws one
 * ConfigError. Pure: no resource is declared before this has succeeded.
 */
import type { GithubAuth } from "../github/client";
import { type GithubPath, parseGithubPath } from "../github/paths";
import { crossKeyProblems, runnerLabelsOf } from "./cross-checks";
import { ConfigError, type ConfigProblem, problemsFromIssues, showValue } from "./errors";
import { STRUCTURED_KEYS, type StackConfig, stackConfigSchema } from "./schema";
import { secretFlagProblems } from "./secrets";

export interface RawStackConfig {
    /** The project name: the config namespace. */
    project: string;
    stack: string;
    /** Values of this project's keys (without the `project:` prefix) as Pulumi hands them over: strings, JSON for structure. */
    values: Readonly<Record<string, string>>;
    /** Keys whose values are Pulumi secrets. */
    secretKeys: ReadonlySet<string>;
}

export type PoolConfig = StackConfig["pools"][number] & {
    /** JIT runners are single-use, so persistent pools register with a registration token. */
    registration: "jit" | "token";
    /** Every label the pool's runners carry, as GitHub receives them: the default labels (unless turned off) and `labels`, each once. */
    runnerLabels: string[];
};

export interface FleetConfig extends Omit<StackConfig, "github" | "githubToken" | "githubAppPrivateKey" | "pools" | "namePrefix"> {
    github: {
        path: GithubPath;
        pathText: string;
        runnerGroup?: string;
        apiUrl: string;
        registration: "jit" | "token";
        /** Most JIT registrations in any hour (GitHub's write budget). */
        registrationsPerHour: number;
        /** Plain in memory; wrap with pulumi.secret before it goes into any resource. */
        auth: GithubAuth;
    };
    pools: PoolConfig[];
    namePrefix: string;
    project: string;
    stack: string;
    /**
     * Top-level keys (without the `project:` prefix) that were set with `--secret`: values
     * from them must stay secret in every resource input and output. Never `pools` or `namePrefix`.
     */
    secretKeys: ReadonlySet<string>;
}

const STRUCTURED = new Set<string>(STRUCTURED_KEYS);

/** Decoded values, and the keys that could not be decoded (already reported, not to be validated again). */
function decodeValues(raw: RawStackConfig, problems: ConfigProblem[]): { decoded: Record<string, unknown>; undecodable: Set<string> } {
    const decoded: Record<string, unknown> = {};
    const undecodable = new Set<string>();
    for (const [key, text] of Object.entries(raw.values)) {
        if (!STRUCTURED.has(key)) {
            decoded[key] = text;
            continue;
        }
        try {
            decoded[key] = JSON.parse(text);
        } catch {
            undecodable.add(key);
            problems.push({ key, shown: showValue(text, raw.secretKeys.has(key)), expected: "expected YAML structure (an object or a list), not a plain string" });
        }
    }
    return { decoded, undecodable };
}

/** `gh-<stack>`, reduced to what a name prefix allows (always valid: it starts with a letter). */
function defaultNamePrefix(stack: string): string {
    return `gh-${stack.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`.slice(0, 24).replace(/-+$/, "");
}

export function parseStackConfig(raw: RawStackConfig): FleetConfig {
    const problems: ConfigProblem[] = secretFlagProblems(raw.values, raw.secretKeys);
    const { decoded, undecodable } = decodeValues(raw, problems);
    const result = stackConfigSchema.safeParse(decoded);
    if (!result.success) {
        const issues = result.error.issues.filter((issue) => !undecodable.has(String(issue.path[0])));
        problems.push(...problemsFromIssues(issues, decoded, raw.secretKeys));
        throw new ConfigError(raw.project, problems);
    }
    const config = result.data;
    problems.push(...crossKeyProblems(config, raw.secretKeys));
    if (problems.length > 0) {
        throw new ConfigError(raw.project, problems);
    }
    const path = parseGithubPath(config.github.path);
    if (path === undefined) {
        throw new Error("unreachable: github.path was validated");
    }
    const { githubToken, githubAppPrivateKey, github, pools, ...rest } = config;
    const auth: GithubAuth =
        github.app !== undefined && githubAppPrivateKey !== undefined
            ? { kind: "app", appId: github.app.appId, installationId: github.app.installationId, privateKey: githubAppPrivateKey }
            : { kind: "token", token: githubToken ?? "" };
    return {
        ...rest,
        namePrefix: config.namePrefix ?? defaultNamePrefix(raw.stack),
        project: raw.project,
        stack: raw.stack,
        secretKeys: new Set(raw.secretKeys),
        github: {
            path,
            pathText: github.path,
            runnerGroup: github.runnerGroup,
            apiUrl: github.apiUrl,
            registration: github.registration,
            registrationsPerHour: github.registrationsPerHour,
            auth,
        },
        pools: pools.map((pool) => ({
            ...pool,
            registration: pool.ephemeral ? github.registration : "token",
            runnerLabels: runnerLabelsOf(pool, config.image),
        })),
    };
}
