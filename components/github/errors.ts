/**
 * Errors of the registration layer. Every message names what was being done
 * (runner, path), the cause (HTTP status and GitHub's own message) and the fix.
 * Messages are built from the status and GitHub's message only, never from the
 * request, so no token can leak into them.
 */

/** Base class: a GitHub call for a runner registration failed. */
export class GithubRegistrationError extends Error {
    readonly status: number | undefined;
    constructor(message: string, status?: number) {
        super(message);
        this.name = new.target.name;
        this.status = status;
    }
}

/** The runner is running a job; GitHub refuses to remove it (422). */
export class GithubRunnerBusyError extends GithubRegistrationError {}

/** The named runner group does not exist in the organization. */
export class GithubRunnerGroupNotFoundError extends GithubRegistrationError {}

/** The resource's own inputs are malformed. */
export class RegistrationInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = new.target.name;
    }
}

/** What a failed Octokit request carries that we use: status, GitHub's message, rate-limit headers. */
export interface HttpFailure {
    status: number | undefined;
    githubMessage: string | undefined;
    rateLimitRemaining: string | undefined;
    rateLimitReset: string | undefined;
    networkCode: string | undefined;
    /** The call failed before any request went out (e.g. an unreadable App private key). */
    localFailure: string | undefined;
}

function stringField(value: unknown, key: string): string | undefined {
    if (typeof value === "object" && value !== null && key in value) {
        const field = (value as Record<string, unknown>)[key];
        return typeof field === "string" || typeof field === "number" ? String(field) : undefined;
    }
    return undefined;
}

/** The first system error code (ECONNREFUSED, ENOTFOUND...) along an error's cause chain. */
function networkCodeOf(cause: unknown): string | undefined {
    for (let current = cause, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
        const code = stringField(current, "code");
        if (code !== undefined) return code;
        current = (current as { cause?: unknown }).cause;
    }
    return undefined;
}

/** Extracts the useful, non-secret parts of whatever an Octokit call threw. */
export function httpFailureOf(error: unknown): HttpFailure {
    const statusText = stringField(error, "status");
    const status = statusText !== undefined && /^\d+$/.test(statusText) ? Number(statusText) : undefined;
    const response = typeof error === "object" && error !== null ? (error as { response?: unknown }).response : undefined;
    const data = typeof response === "object" && response !== null ? (response as { data?: unknown }).data : undefined;
    const headers = typeof response === "object" && response !== null ? (response as { headers?: unknown }).headers : undefined;
    const cause = typeof error === "object" && error !== null ? (error as { cause?: unknown }).cause : undefined;
    return {
        // Octokit reports a network failure (no response at all) as status 500.
        status: response === undefined && status === 500 ? undefined : status,
        githubMessage: stringField(data, "message"),
        rateLimitRemaining: stringField(headers, "x-ratelimit-remaining"),
        rateLimitReset: stringField(headers, "x-ratelimit-reset"),
        networkCode: networkCodeOf(cause) ?? (error instanceof Error ? error.message : undefined),
        // Octokit's RequestError carries the request; anything else failed on this side.
        localFailure: typeof error === "object" && error !== null && !("request" in error) ? describeLocalFailure(error) : undefined,
    };
}

export function isHttpStatus(error: unknown, status: number): boolean {
    return httpFailureOf(error).status === status;
}

function describeLocalFailure(error: object): string {
    const code = stringField(error, "code");
    const message = error instanceof Error ? error.message : String(error);
    return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}

/** What the user should do about a failure, by status. */
function fixFor(failure: HttpFailure, apiUrl: string): string {
    if (failure.localFailure !== undefined) {
        return "check the GitHub connection settings: a GitHub App needs its PEM private key (as downloaded from the App's settings), its app id and installation id";
    }
    switch (failure.status) {
        case 401:
            return "check the GitHub credentials: the token is invalid or expired (for a GitHub App: the app id, installation id and private key)";
        case 403:
            if (failure.rateLimitRemaining === "0") {
                const reset = failure.rateLimitReset !== undefined ? new Date(Number(failure.rateLimitReset) * 1000).toISOString() : "later";
                return `the API rate limit is exhausted; run again after ${reset}`;
            }
            return 'the credentials lack permission: a classic token needs the "admin:org" scope (org runners) or "repo" scope (repo runners); a fine-grained token or GitHub App needs "Self-hosted runners: write" (organization) or "Administration: write" (repository)';
        case 404:
            return "check that the organization or repository exists at this API URL and that the credentials can see it";
        case undefined:
            return `check that ${apiUrl} is reachable from here`;
        default:
            if (failure.status >= 500) {
                return "GitHub had a server error (retried already); run again later";
            }
            return "see GitHub's message above";
    }
}

function causeOf(failure: HttpFailure): string {
    if (failure.localFailure !== undefined) {
        return `the request could not be prepared (${failure.localFailure})`;
    }
    if (failure.status === undefined) {
        return `no HTTP response${failure.networkCode !== undefined ? ` (${failure.networkCode})` : ""}`;
    }
    return `HTTP ${failure.status}${failure.githubMessage !== undefined ? ` "${failure.githubMessage}"` : ""}`;
}

/**
 * Wraps a failed GitHub call: `<what> failed: HTTP 403 "Resource not accessible"; fix: ...`.
 * `what` names the operation and the runner/path, e.g. `creating JIT config for runner "x" in org "y"`.
 */
export function githubCallError(what: string, apiUrl: string, error: unknown): GithubRegistrationError {
    if (error instanceof GithubRegistrationError) {
        return error;
    }
    const failure = httpFailureOf(error);
    return new GithubRegistrationError(`${what} failed: ${causeOf(failure)}; fix: ${fixFor(failure, apiUrl)}`, failure.status);
}
