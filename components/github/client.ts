/**
 * The one way this project talks to GitHub: Octokit with the retry and
 * throttling plugins, authenticated by a personal access token or as a GitHub
 * App installation (whose 1-hour token @octokit/auth-app refreshes by itself).
 */
import { createAppAuth } from "@octokit/auth-app";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import Bottleneck from "bottleneck";

export type GithubAuth =
    | { kind: "token"; token: string }
    | { kind: "app"; appId: string; installationId: number; privateKey: string };

export interface GithubConnection {
    /** REST API root: https://api.github.com or https://HOST/api/v3 for Enterprise Server. */
    apiUrl: string;
    auth: GithubAuth;
}

export interface GithubClientTuning {
    /** Attempts after the first for 5xx and network errors. */
    retries?: number;
    /** Milliseconds multiplied by the retry-after seconds (plugins' default 1000); tests lower it. */
    retryAfterBaseMs?: number;
    /** Rate-limit waits longer than this many seconds fail instead of sleeping. */
    maxRateLimitWaitSeconds?: number;
    /**
     * Milliseconds between two writes (POST, DELETE). By default the throttling
     * plugin's process-wide limiter spaces writes by a second, as GitHub asks
     * of integrators to avoid secondary rate limits; tests against a local fake
     * lower it.
     */
    writeSpacingMs?: number;
}

/** Statuses a retry cannot fix; 409 (a JIT name already taken) added to the plugin's list. */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 451];

const RunnerOctokit = Octokit.plugin(retry, throttling);
export type GithubClient = InstanceType<typeof RunnerOctokit>;

const USER_AGENT = "openstack-github-runners";

export function createGithubClient(connection: GithubConnection, tuning: GithubClientTuning = {}): GithubClient {
    const retries = tuning.retries ?? 3;
    const baseMs = tuning.retryAfterBaseMs ?? 1000;
    const maxWait = tuning.maxRateLimitWaitSeconds ?? 120;
    const shouldRetryRateLimit = (retryAfter: number, retryCount: number) => retryCount < retries && retryAfter <= maxWait;
    const common = {
        baseUrl: connection.apiUrl.replace(/\/+$/, ""),
        userAgent: USER_AGENT,
        // Quiet by default: Octokit's console warnings could echo request details.
        log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
        retry: { retries, retryAfterBaseValue: baseMs, doNotRetry: DO_NOT_RETRY },
        throttle: {
            retryAfterBaseValue: baseMs,
            ...(tuning.writeSpacingMs !== undefined
                ? { write: new Bottleneck.Group({ maxConcurrent: 1, minTime: tuning.writeSpacingMs }) }
                : {}),
            onRateLimit: (retryAfter: number, _options: object, _octokit: unknown, retryCount: number) =>
                shouldRetryRateLimit(retryAfter, retryCount),
            onSecondaryRateLimit: (retryAfter: number, _options: object, _octokit: unknown, retryCount: number) =>
                shouldRetryRateLimit(retryAfter, retryCount),
        },
    };
    const auth = connection.auth;
    switch (auth.kind) {
        case "token":
            return new RunnerOctokit({ ...common, auth: auth.token });
        case "app":
            return new RunnerOctokit({
                ...common,
                authStrategy: createAppAuth,
                auth: { appId: auth.appId, privateKey: auth.privateKey, installationId: auth.installationId },
            });
        default: {
            const unreachable: never = auth;
            throw new Error(`unknown GitHub auth kind ${JSON.stringify(unreachable)}`);
        }
    }
}
