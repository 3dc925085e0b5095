/**
 * What a new runner registers with: a just-in-time config (the registration
 * exists on GitHub at once, single use) or a registration token (reusable for
 * an hour; the runner registers itself with config.sh).
 */
import type { GithubClient } from "./client";
import { githubCallError, isHttpStatus } from "./errors";
import type { GithubPath } from "./paths";
import { describePath } from "./runners";
import { scopeEndpoint } from "./scope";

export interface JitRegistration {
    runnerId: number;
    runnerName: string;
    /** Secret: base64 config passed to `run.sh --jitconfig`. */
    encodedJitConfig: string;
}

export interface JitRequest {
    name: string;
    runnerGroupId: number;
    labels: string[];
}

/** Thrown when the runner name is taken (409), so the caller can pick another name. */
export class RunnerNameTakenError extends Error {
    constructor(readonly runnerName: string) {
        super(`a runner named "${runnerName}" already exists`);
        this.name = "RunnerNameTakenError";
    }
}

export async function generateJitConfig(client: GithubClient, apiUrl: string, path: GithubPath, request: JitRequest): Promise<JitRegistration> {
    const body = { name: request.name, runner_group_id: request.runnerGroupId, labels: request.labels, work_folder: "_work" };
    const { route, params } = scopeEndpoint("POST", path, "/actions/runners/generate-jitconfig");
    try {
        const response = await client.request(route, { ...params, ...body });
        const data = response.data as { runner: { id: number; name: string }; encoded_jit_config: string };
        return { runnerId: data.runner.id, runnerName: data.runner.name, encodedJitConfig: data.encoded_jit_config };
    } catch (error) {
        if (isHttpStatus(error, 409)) {
            throw new RunnerNameTakenError(request.name);
        }
        throw githubCallError(
            `creating a JIT runner config for runner "${request.name}" (group id ${request.runnerGroupId}) in ${describePath(path)}`,
            apiUrl,
            error,
        );
    }
}

export interface RegistrationToken {
    /** Secret: passed to `config.sh --token`. */
    token: string;
    expiresAt: string;
}

export async function createRegistrationToken(client: GithubClient, apiUrl: string, path: GithubPath, runnerName: string): Promise<RegistrationToken> {
    const { route, params } = scopeEndpoint("POST", path, "/actions/runners/registration-token");
    try {
        const response = await client.request(route, params);
        const data = response.data as { token: string; expires_at: string };
        return { token: data.token, expiresAt: data.expires_at };
    } catch (error) {
        throw githubCallError(`creating a registration token for runner "${runnerName}" in ${describePath(path)}`, apiUrl, error);
    }
}

/** A shared token is reused while it stays valid this much longer: long enough for a VM to boot and register. */
const SHARED_TOKEN_MIN_VALIDITY_MS = 30 * 60_000;
const sharedTokens = new Map<string, Promise<RegistrationToken>>();

/**
 * One registration token per process per scope, reused for every slot of a
 * run while it stays valid for another half hour: a registration token
 * registers any number of runners for an hour (GitHub REST docs, "Create a
 * registration token"), and minting one per slot would spend GitHub's write
 * budget (about 500 content-creating requests an hour) for nothing.
 */
export async function sharedRegistrationToken(
    client: GithubClient,
    apiUrl: string,
    path: GithubPath,
    runnerName: string,
    now: () => number = Date.now,
): Promise<RegistrationToken> {
    const key = `${apiUrl.replace(/\/+$/, "")} ${JSON.stringify(path)}`;
    const cached = sharedTokens.get(key);
    if (cached !== undefined) {
        const token = await cached.catch(() => undefined);
        if (token !== undefined && Date.parse(token.expiresAt) - now() > SHARED_TOKEN_MIN_VALIDITY_MS) return token;
    }
    const fresh = createRegistrationToken(client, apiUrl, path, runnerName);
    sharedTokens.set(key, fresh);
    fresh.catch(() => sharedTokens.delete(key));
    return fresh;
}

/** Forget shared tokens (tests). */
export function forgetSharedRegistrationTokens(): void {
    sharedTokens.clear();
}
