/**
 * Which keys must be set with `pulumi config set --secret`, and which must not:
 * a key whose value becomes part of resource names and URNs cannot be kept
 * secret by Pulumi, so a secret flag there would only promise what it cannot keep.
 */
import type { ConfigProblem } from "./errors";
import type { StackConfigKey } from "./schema";

/** Credentials: plain text in a stack file would be readable by everyone with the repository. */
export const REQUIRED_SECRET_KEYS = ["githubToken", "githubAppPrivateKey"] as const satisfies readonly StackConfigKey[];

/** Keys Pulumi cannot keep secret, with the reason the error gives. */
export const NEVER_SECRET_KEYS = {
    pools: "pool names are part of runner names, OpenStack names and Pulumi resource names (URNs), which Pulumi never encrypts",
    namePrefix: "the prefix is part of every runner and OpenStack name and of Pulumi resource names (URNs), which Pulumi never encrypts",
} as const satisfies Partial<Record<StackConfigKey, string>>;

export function secretFlagProblems(values: Readonly<Record<string, string>>, secretKeys: ReadonlySet<string>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const key of REQUIRED_SECRET_KEYS) {
        if (values[key] !== undefined && !secretKeys.has(key)) {
            problems.push({
                key,
                shown: "a plain (unencrypted) value",
                expected: `expected a secret: set it with \`pulumi config set --secret ${key} ...\``,
            });
        }
    }
    for (const [key, reason] of Object.entries(NEVER_SECRET_KEYS)) {
        if (secretKeys.has(key)) {
            problems.push({
                key,
                shown: "a secret value",
                expected: `expected a plain value: ${reason}, so it cannot be kept secret; set it again without --secret`,
            });
        }
    }
    return problems;
}
