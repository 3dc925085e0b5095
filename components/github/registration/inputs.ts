/**
 * The registration resource's inputs as the provider receives them (plain
 * JSON, possibly with Pulumi's unknown placeholder during preview), checked
 * into typed values. Failure messages name the property, the bad value (never
 * a credential) and what is expected.
 */
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { GithubAuth, GithubConnection } from "../client";
import { RegistrationInputError } from "../errors";
import { parseGithubPath } from "../paths";

export type RegistrationMode = "jit" | "token";

export interface RegistrationInputs {
    github: GithubConnection;
    path: string;
    runnerGroup?: string;
    mode: RegistrationMode;
    namePrefix: string;
    labels: string[];
    ephemeral: boolean;
    bootstrapTimeoutSeconds: number;
    spec: Record<string, string>;
}

export interface InputFailure {
    property: string;
    reason: string;
}

export function isUnknown(value: unknown): boolean {
    return value === unknownValue;
}

function containsUnknown(value: unknown): boolean {
    if (isUnknown(value)) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
    return false;
}

const LABEL = /^[\w-]+$/;
const NAME_PREFIX = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function show(value: unknown): string {
    return JSON.stringify(value) ?? String(value);
}

function checkConnection(value: unknown, failures: InputFailure[]): GithubConnection | undefined {
    if (typeof value !== "object" || value === null) {
        failures.push({ property: "github", reason: "expected a GitHub connection { apiUrl, auth }" });
        return undefined;
    }
    const { apiUrl, auth } = value as { apiUrl?: unknown; auth?: unknown };
    let validUrl = false;
    if (typeof apiUrl === "string") {
        try {
            validUrl = ["http:", "https:"].includes(new URL(apiUrl).protocol);
        } catch {
            validUrl = false;
        }
    }
    if (!validUrl) {
        failures.push({ property: "github.apiUrl", reason: `got ${show(apiUrl)}, expected an http(s) URL such as https://api.github.com` });
    }
    const checkedAuth = checkAuth(auth, failures);
    return validUrl && checkedAuth !== undefined ? { apiUrl: apiUrl as string, auth: checkedAuth } : undefined;
}

// Credential values are never echoed: only their presence is reported.
function checkAuth(value: unknown, failures: InputFailure[]): GithubAuth | undefined {
    const auth = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
    if (auth.kind === "token") {
        if (typeof auth.token === "string" && auth.token.length > 0) return { kind: "token", token: auth.token };
        failures.push({ property: "github.auth.token", reason: "the token is missing or empty; expected a GitHub token (secret)" });
        return undefined;
    }
    if (auth.kind === "app") {
        const appId = typeof auth.appId === "string" || typeof auth.appId === "number" ? String(auth.appId) : "";
        const ok = appId.length > 0 && Number.isInteger(auth.installationId) && typeof auth.privateKey === "string" && auth.privateKey.length > 0;
        if (ok) return { kind: "app", appId, installationId: auth.installationId as number, privateKey: auth.privateKey as string };
        failures.push({ property: "github.auth", reason: "a GitHub App needs appId, an integer installationId and a non-empty privateKey (secret)" });
        return undefined;
    }
    failures.push({ property: "github.auth.kind", reason: `got ${show(auth.kind)}, expected "token" or "app"` });
    return undefined;
}

/** A known, well-formed connection, or undefined. */
export function validConnection(value: unknown): GithubConnection | undefined {
    return containsUnknown(value) ? undefined : checkConnection(value, []);
}

/**
 * Checks raw inputs. Unknown values (preview) are not judged; `inputs` is set
 * only when every value is known and valid.
 */
export function checkRegistrationInputs(raw: Record<string, unknown>): { inputs?: RegistrationInputs; failures: InputFailure[] } {
    const failures: InputFailure[] = [];
    const known = (key: string) => !containsUnknown(raw[key]);
    const fail = (property: string, expected: string) => failures.push({ property, reason: `got ${show(raw[property])}, expected ${expected}` });

    const github = known("github") ? checkConnection(raw.github, failures) : undefined;
    const path = raw.path;
    const parsedPath = typeof path === "string" ? parseGithubPath(path) : undefined;
    if (known("path") && parsedPath === undefined) fail("path", 'an organization "org" or a repository "owner/repo"');
    const runnerGroup = raw.runnerGroup;
    if (known("runnerGroup") && runnerGroup !== undefined && runnerGroup !== null) {
        if (typeof runnerGroup !== "string" || runnerGroup.trim().length === 0) {
            fail("runnerGroup", "a runner group name (a non-empty string)");
        } else if (parsedPath?.kind === "repo") {
            fail("runnerGroup", `no runner group for repository "${path as string}": repository runners always join the default group`);
        }
    }
    if (known("mode") && raw.mode !== "jit" && raw.mode !== "token") fail("mode", '"jit" or "token"');
    if (known("namePrefix") && (typeof raw.namePrefix !== "string" || !NAME_PREFIX.test(raw.namePrefix))) {
        fail("namePrefix", "letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    const labels = raw.labels;
    if (known("labels")) {
        if (!Array.isArray(labels) || labels.length === 0 || labels.length > 100) {
            fail("labels", "a list of 1 to 100 labels");
        } else {
            labels.forEach((label, index) => {
                if (typeof label !== "string" || !LABEL.test(label)) {
                    failures.push({ property: `labels[${index}]`, reason: `got ${show(label)}, expected letters, digits, '_' or '-' only` });
                }
            });
        }
    }
    if (known("ephemeral") && typeof raw.ephemeral !== "boolean") fail("ephemeral", "true or false");
    if (known("mode") && known("ephemeral") && raw.mode === "jit" && raw.ephemeral === false) {
        failures.push({ property: "mode", reason: 'a JIT runner is always ephemeral; use mode "token" for persistent runners' });
    }
    const timeout = raw.bootstrapTimeoutSeconds;
    if (known("bootstrapTimeoutSeconds") && !(typeof timeout === "number" && Number.isInteger(timeout) && timeout > 0)) {
        fail("bootstrapTimeoutSeconds", "a whole number of seconds greater than 0");
    }
    const spec = raw.spec;
    if (known("spec")) {
        if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
            fail("spec", "an object of string values");
        } else {
            for (const [key, value] of Object.entries(spec)) {
                if (typeof value !== "string") failures.push({ property: `spec.${key}`, reason: `got ${show(value)}, expected a string` });
            }
        }
    }

    const allKnown = ["github", "path", "runnerGroup", "mode", "namePrefix", "labels", "ephemeral", "bootstrapTimeoutSeconds", "spec"].every(known);
    if (failures.length > 0 || !allKnown || github === undefined) {
        return { failures };
    }
    const inputs: RegistrationInputs = {
        github,
        path: path as string,
        mode: raw.mode as RegistrationMode,
        namePrefix: raw.namePrefix as string,
        labels: labels as string[],
        ephemeral: raw.ephemeral as boolean,
        bootstrapTimeoutSeconds: timeout as number,
        spec: spec as Record<string, string>,
    };
    if (typeof runnerGroup === "string") inputs.runnerGroup = runnerGroup;
    return { inputs, failures };
}

/** Like checkRegistrationInputs, for create/update where everything must be known: one error listing every problem. */
export function requireRegistrationInputs(raw: Record<string, unknown>, resourceKind: string): RegistrationInputs {
    const { inputs, failures } = checkRegistrationInputs(raw);
    if (inputs === undefined) {
        const details = failures.length > 0 ? failures.map((f) => `${f.property}: ${f.reason}`).join("; ") : "some inputs are still unknown";
        throw new RegistrationInputError(`invalid ${resourceKind} inputs: ${details}`);
    }
    return inputs;
}
