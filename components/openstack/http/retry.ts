/**
 * Bounded retries for answers a retry can fix: no answer at all (network
 * error, timeout), 5xx, and 429 (Nova's rate limiting answers 429 overLimit
 * with Retry-After: nova/api/openstack/wsgi.py Fault at nova 33.0.2).
 * Exponential backoff with jitter; a Retry-After the server gives is honoured
 * when it is not longer than `maxRetryAfterMs` (a longer wait fails now).
 */
import { type HttpRequest, type HttpResponse, type HttpTransport, NetworkError } from "./transport";

export interface RetryPolicy {
    /** Total tries, the first included. */
    attempts: number;
    baseDelayMs: number;
    maxDelayMs: number;
    maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 };

const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

export type Outcome =
    | { kind: "response"; response: HttpResponse; attempts: number }
    | { kind: "network"; error: NetworkError; attempts: number };

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function sendWithRetry(transport: HttpTransport, request: HttpRequest, policy: RetryPolicy, sleep: Sleep = realSleep): Promise<Outcome> {
    const attempts = Math.max(1, Math.floor(policy.attempts));
    for (let attempt = 1; ; attempt++) {
        let outcome: Outcome;
        try {
            outcome = { kind: "response", response: await transport.send(request), attempts: attempt };
        } catch (error) {
            if (!(error instanceof NetworkError)) throw error;
            outcome = { kind: "network", error, attempts: attempt };
        }
        if (attempt >= attempts) return outcome;
        const wait = retryDelay(outcome, attempt, policy);
        if (wait === undefined) return outcome;
        await sleep(wait);
    }
}

/** Milliseconds to wait before the next try, or undefined when this outcome must not be retried. */
function retryDelay(outcome: Outcome, attempt: number, policy: RetryPolicy): number | undefined {
    if (outcome.kind === "response") {
        if (!RETRYABLE_STATUSES.has(outcome.response.status)) return undefined;
        const retryAfter = retryAfterMs(outcome.response.headers["retry-after"]);
        if (retryAfter !== undefined) return retryAfter <= policy.maxRetryAfterMs ? retryAfter : undefined;
    }
    const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    return exponential / 2 + Math.random() * (exponential / 2);
}

/** Retry-After as seconds or an HTTP date (RFC 9110 section 10.2.3). */
export function retryAfterMs(header: string | string[] | undefined, nowMs = Date.now()): number | undefined {
    const value = Array.isArray(header) ? header[0] : header;
    if (value === undefined || value.trim() === "") return undefined;
    if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
    const date = Date.parse(value);
    return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
