/**
 * Failure injection: the next N requests matching a method and path pattern
 * get an error answer instead of the fake's normal one, shaped as GitHub
 * shapes it (rate-limit headers, `retry-after`, basic-error body).
 */
export interface RequestPattern {
    /** HTTP method; any when omitted. */
    method?: string;
    /** Matched against the API path without base path or query: a RegExp, or a string for equality. */
    path?: RegExp | string;
}

export interface InjectedFailure {
    status: 401 | 403 | 404 | 409 | 422 | 429 | 500 | 502 | 503 | 504;
    /**
     * For 403/429: "primary" sends `x-ratelimit-remaining: 0` and a reset time
     * `retryAfterSeconds` ahead; "secondary" sends GitHub's secondary rate limit
     * message and `retry-after`.
     */
    rateLimit?: "primary" | "secondary";
    /** Seconds until the limit lifts (default 1). */
    retryAfterSeconds?: number;
    /** Overrides the default message of the error body. */
    message?: string;
}

export interface FailureAnswer {
    status: number;
    headers: Record<string, string>;
    body: { message: string; documentation_url: string; status: string };
}

const DEFAULT_MESSAGES: Record<InjectedFailure["status"], string> = {
    401: "Bad credentials",
    403: "Resource not accessible by integration",
    404: "Not Found",
    409: "Conflict",
    422: "Validation Failed",
    429: "Too Many Requests",
    500: "Server Error",
    502: "Server Error",
    503: "Service Unavailable",
    504: "Gateway Timeout",
};

const PRIMARY_LIMIT_MESSAGE = "API rate limit exceeded for installation. (But here's the good news: Authenticated requests get a higher rate limit.)";
const SECONDARY_LIMIT_MESSAGE =
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";

interface Rule {
    pattern: RequestPattern;
    failure: InjectedFailure;
    remaining: number;
    /** Matching requests still to be answered normally before this rule starts failing them. */
    skip: number;
}

export class FailureInjector {
    private readonly rules: Rule[] = [];

    add(pattern: RequestPattern, failure: InjectedFailure, times: number, after = 0): void {
        if (!Number.isInteger(times) || times < 1) throw new Error(`times must be a positive integer, got ${times}`);
        if (!Number.isInteger(after) || after < 0) throw new Error(`after must be a whole number, got ${after}`);
        this.rules.push({ pattern, failure, remaining: times, skip: after });
    }

    /** The failure for this request, if a rule matches; consumes one use of that rule (or one of its skips). */
    take(method: string, path: string): InjectedFailure | undefined {
        const rule = this.rules.find((r) => r.remaining > 0 && matches(r.pattern, method, path));
        if (!rule) return undefined;
        if (rule.skip > 0) {
            rule.skip--;
            return undefined;
        }
        rule.remaining--;
        return rule.failure;
    }

    /** How many injected answers are still waiting to be given. */
    pending(): number {
        return this.rules.reduce((sum, r) => sum + r.remaining, 0);
    }

    clear(): void {
        this.rules.length = 0;
    }
}

function matches(pattern: RequestPattern, method: string, path: string): boolean {
    if (pattern.method && pattern.method.toUpperCase() !== method.toUpperCase()) return false;
    if (pattern.path === undefined) return true;
    return typeof pattern.path === "string" ? pattern.path === path : pattern.path.test(path);
}

/** The answer GitHub would give; rate-limit times use the wall clock, as clients compare them with it. */
export function failureAnswer(failure: InjectedFailure, wallClockMs = Date.now()): FailureAnswer {
    const headers: Record<string, string> = {};
    const waitSeconds = failure.retryAfterSeconds ?? 1;
    let message = DEFAULT_MESSAGES[failure.status];
    if (failure.rateLimit === "primary") {
        message = PRIMARY_LIMIT_MESSAGE;
        headers["x-ratelimit-limit"] = "5000";
        headers["x-ratelimit-remaining"] = "0";
        headers["x-ratelimit-used"] = "5000";
        headers["x-ratelimit-reset"] = String(Math.floor(wallClockMs / 1000) + waitSeconds);
        headers["x-ratelimit-resource"] = "core";
    } else if (failure.rateLimit === "secondary") {
        message = SECONDARY_LIMIT_MESSAGE;
        headers["retry-after"] = String(waitSeconds);
    }
    return {
        status: failure.status,
        headers,
        body: {
            message: failure.message ?? message,
            documentation_url: "https://docs.github.com/rest",
            status: String(failure.status),
        },
    };
}
