/**
 * The REST budget of a demand source: at most `callsPerMinute` calls in any
 * 60-second window, fewer when GitHub's rate-limit headers say the hour's
 * quota would not last until it resets, none while GitHub says to wait.
 *
 * Rules from docs.github.com rest/using-the-rest-api/rate-limits-for-the-rest-api
 * and best-practices-for-using-the-rest-api: `x-ratelimit-remaining` calls are left
 * until `x-ratelimit-reset` (UTC epoch seconds); after a rate-limit error, wait for
 * `retry-after` seconds when present, else until `x-ratelimit-reset` when
 * `x-ratelimit-remaining` is 0, else at least one minute, longer on repeats.
 */
import type { Clock } from "./clock";

const MINUTE_MS = 60_000;

/**
 * 20 calls a minute = 1,200 an hour, under a quarter of the smallest primary
 * limit a token or App installation has (5,000 an hour, docs.github.com
 * rest/using-the-rest-api/rate-limits-for-the-rest-api), leaving the rest to the
 * program's `up` (runner listing, registrations) and to whoever else uses the
 * token. A repository with up to 8 active runs is listed every 30 s within it.
 */
export const DEFAULT_API_BUDGET_PER_MINUTE = 20;

export interface RateLimitStatus {
    limit: number | undefined;
    remaining: number;
    resetEpochSeconds: number;
}

/**
 * Calls per minute the hour's remaining quota allows, keeping `reserveFraction`
 * of the limit for everything else that shares the token (the program's `up`,
 * people, CI); Infinity when GitHub reported nothing usable.
 */
export function quotaCallsPerMinute(status: RateLimitStatus | undefined, nowMs: number, reserveFraction: number): number {
    if (status === undefined) return Infinity;
    const reserve = status.limit !== undefined ? Math.ceil(status.limit * reserveFraction) : 0;
    const usable = Math.max(0, status.remaining - reserve);
    const minutesLeft = Math.max(1, (status.resetEpochSeconds * 1000 - nowMs) / MINUTE_MS);
    return Math.floor(usable / minutesLeft);
}

/** Reads GitHub's rate-limit headers; undefined when they are absent or not numbers. */
export function rateLimitFromHeaders(headers: Record<string, unknown> | undefined): RateLimitStatus | undefined {
    const number = (name: string): number | undefined => {
        const value = headers?.[name];
        const text = typeof value === "number" ? String(value) : typeof value === "string" ? value : undefined;
        return text !== undefined && /^\d+$/.test(text.trim()) ? Number(text) : undefined;
    };
    const remaining = number("x-ratelimit-remaining");
    const reset = number("x-ratelimit-reset");
    if (remaining === undefined || reset === undefined) return undefined;
    return { limit: number("x-ratelimit-limit"), remaining, resetEpochSeconds: reset };
}

export interface ApiBudgetOptions {
    callsPerMinute: number;
    clock: Clock;
    /** Share of the hourly limit left for others; default 0.2. */
    reserveFraction?: number;
}

export class ApiBudget {
    readonly callsPerMinute: number;
    private readonly reserveFraction: number;
    /** Grant times (clock ms) within the last minute, oldest first. */
    private readonly recent: number[] = [];
    private granted = 0;
    private rateLimit: RateLimitStatus | undefined;
    private blockedUntilMs = 0;
    private waitedMs = 0;

    constructor(private readonly options: ApiBudgetOptions) {
        if (!Number.isFinite(options.callsPerMinute) || !Number.isInteger(options.callsPerMinute) || options.callsPerMinute < 1) {
            throw new Error(`the API budget must be a whole number of calls per minute, at least 1; got ${options.callsPerMinute}`);
        }
        this.callsPerMinute = options.callsPerMinute;
        this.reserveFraction = options.reserveFraction ?? 0.2;
        if (!(this.reserveFraction >= 0 && this.reserveFraction < 1)) {
            throw new Error(`the rate-limit reserve must be a fraction in [0, 1), got ${options.reserveFraction}`);
        }
    }

    /** The calls per minute allowed now: the budget, lowered by the quota GitHub reports. */
    effectiveCallsPerMinute(): number {
        return Math.min(this.callsPerMinute, quotaCallsPerMinute(this.rateLimit, this.options.clock.now(), this.reserveFraction));
    }

    /**
     * Waits until one more call fits, then counts it. Resolves false (without
     * counting) when `signal` aborts first.
     */
    async acquire(signal?: AbortSignal): Promise<boolean> {
        const clock = this.options.clock;
        for (;;) {
            if (signal?.aborted) return false;
            const now = clock.now();
            this.forgetOlderThan(now - MINUTE_MS);
            let waitUntil = this.blockedUntilMs;
            const allowed = this.effectiveCallsPerMinute();
            if (allowed < 1 && this.rateLimit !== undefined) {
                // Nothing left to spend before the quota resets.
                waitUntil = Math.max(waitUntil, this.rateLimit.resetEpochSeconds * 1000 + 1000);
            } else if (this.recent.length >= allowed) {
                waitUntil = Math.max(waitUntil, this.recent[this.recent.length - allowed] + MINUTE_MS);
            }
            if (waitUntil <= now) {
                this.recent.push(now);
                this.granted++;
                return true;
            }
            this.waitedMs += waitUntil - now;
            await clock.sleep(waitUntil - now, signal);
            if (this.rateLimit && clock.now() >= this.rateLimit.resetEpochSeconds * 1000) {
                // The window GitHub reported is over; the next response says how much is left.
                this.rateLimit = undefined;
            }
        }
    }

    /** Takes GitHub's view of the quota from a response's headers. */
    observe(headers: Record<string, unknown> | undefined): void {
        const status = rateLimitFromHeaders(headers);
        if (status) this.rateLimit = status;
    }

    /** No call before `untilMs` (a rate-limit answer said to wait). */
    blockUntil(untilMs: number): void {
        this.blockedUntilMs = Math.max(this.blockedUntilMs, untilMs);
    }

    /** Calls counted in the last minute. */
    callsInLastMinute(): number {
        this.forgetOlderThan(this.options.clock.now() - MINUTE_MS);
        return this.recent.length;
    }

    stats(): Record<string, number> {
        return {
            apiCalls: this.granted,
            apiCallsLastMinute: this.callsInLastMinute(),
            apiBudgetPerMinute: this.callsPerMinute,
            apiBudgetEffectivePerMinute: this.effectiveCallsPerMinute(),
            apiBudgetWaitedMs: this.waitedMs,
            rateLimitRemaining: this.rateLimit?.remaining ?? -1,
            rateLimitResetEpochSeconds: this.rateLimit?.resetEpochSeconds ?? -1,
            rateLimitBlockedForMs: Math.max(0, this.blockedUntilMs - this.options.clock.now()),
        };
    }

    private forgetOlderThan(cutoffMs: number): void {
        while (this.recent.length > 0 && this.recent[0] <= cutoffMs) this.recent.shift();
    }
}
