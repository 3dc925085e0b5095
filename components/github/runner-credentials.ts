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
