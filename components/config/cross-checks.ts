/**
 * Rules that span several keys, checked once every key is valid on its own:
 * how GitHub authenticates, and how many labels each pool's runners carry.
 */
import { parseGithubPath } from "../github/paths";
import { type ConfigProblem, SECRET_SHOWN, formatKeyPath, showValue } from "./errors";
import { MAX_RUNNER_LABELS } from "./pool-schema";
import type { StackConfig } from "./schema";

/** The labels every runner carries unless its pool turns them off: `self-hosted`, `linux`, arch and base. */
export function fleetDefaultLabels(image: StackConfig["image"]): string[] {
    return ["self-hosted", "linux", image.arch, image.base];
}

/** A pool's runner labels as GitHub receives them: the default labels (when on) and the pool's own, each once. */
export function runnerLabelsOf(pool: StackConfig["pools"][number], image: StackConfig["image"]): string[] {
    return [...new Set([...(pool.defaultLabels ? fleetDefaultLabels(image) : []), ...pool.labels])];
}

function authProblems(config: StackConfig, secretKeys: ReadonlySet<string>): ConfigProblem[] {
    const hasApp = config.github.app !== undefined;
    const problems: ConfigProblem[] = [];
    if (hasApp && config.githubAppPrivateKey === undefined) {
        problems.push({ key: "githubAppPrivateKey", shown: showValue(undefined, true), expected: "expected the GitHub App's private key (secret) because github.app is set" });
    }
    if (hasApp && config.githubToken !== undefined) {
        problems.push({ key: "githubToken", shown: SECRET_SHOWN, expected: "expected no token when github.app is set: choose one way to authenticate" });
    }
    if (!hasApp && config.githubToken === undefined) {
        problems.push({ key: "githubToken", shown: showValue(undefined, true), expected: "expected a GitHub token (secret), or github.app with githubAppPrivateKey" });
    }
    if (!hasApp && config.githubAppPrivateKey !== undefined) {
        problems.push({ key: "github.app", shown: showValue(undefined, false), expected: "expected github.app (appId, installationId) because githubAppPrivateKey is set" });
    }
    // GitHub marks every enterprise runner endpoint `enabledForGitHubApps: false` (@octokit/openapi 23.0.2,
    // generated/ghec.json and ghes-3.19.json, e.g. POST /enterprises/{enterprise}/actions/runners/generate-jitconfig).
    if (hasApp && parseGithubPath(config.github.path)?.kind === "enterprise") {
        problems.push({
            key: "github.app",
            shown: showValue(config.github.app, secretKeys.has("github")),
            expected:
                "expected a token instead of a GitHub App for an enterprise path: GitHub's enterprise runner endpoints do not accept App installation tokens; use a personal access token (classic) with the manage_runners:enterprise scope in githubToken",
        });
    }
    return problems;
}

function labelProblems(config: StackConfig, secretKeys: ReadonlySet<string>): ConfigProblem[] {
    return config.pools.flatMap((pool, index) => {
        const labels = runnerLabelsOf(pool, config.image);
        if (labels.length <= MAX_RUNNER_LABELS) {
            return [];
        }
        return [
            {
                key: formatKeyPath(["pools", index, "labels"]),
                shown: showValue(pool.labels, secretKeys.has("pools")),
                expected: `expected at most ${MAX_RUNNER_LABELS} labels per runner (GitHub's limit): with the default labels ${fleetDefaultLabels(config.image).join(", ")} this pool's runners would carry ${labels.length}; remove labels or set defaultLabels: false`,
            },
        ];
    });
}

export function crossKeyProblems(config: StackConfig, secretKeys: ReadonlySet<string>): ConfigProblem[] {
    return [...authProblems(config, secretKeys), ...labelProblems(config, secretKeys)];
}
