/**
 * Delay before retrying a failed `up`: exponential in the number of failures
 * in a row, capped, with "equal jitter" (half the delay fixed, half random), so
 * several reconcilers that failed together do not retry in step, and no retry
 * comes sooner than half the exponential delay. The scheme is the one named
 * "Equal Jitter" in Marc Brooker, "Exponential Backoff And Jitter", AWS
 * Architecture Blog (2015).
 */

export interface BackoffPolicy {
    /** Delay ceiling after the first failure, in ms. */
    baseMs: number;
    /** Largest delay ceiling, in ms. */
    maxMs: number;
}

/** Ceiling of the delay after `failures` failures in a row (1 = the first): base·2^(failures-1), at most max. */
export function backoffCeilingMs(policy: BackoffPolicy, failures: number): number {
    if (!Number.isInteger(failures) || failures < 1) throw new Error(`backoff: failures must be a whole number ≥ 1, got ${failures}`);
    // 2^exponent overflows to Infinity for long streaks; min() keeps the cap either way.
    return Math.min(policy.maxMs, policy.baseMs * 2 ** (failures - 1));
}

/** The delay to wait: between half the ceiling and the ceiling. `random` returns [0, 1). */
export function backoffDelayMs(policy: BackoffPolicy, failures: number, random: () => number = Math.random): number {
    const ceiling = backoffCeilingMs(policy, failures);
    return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The wait before trying again while another update holds the stack lock: the interval ± 20 %. */
export function lockWaitMs(intervalMs: number, random: () => number = Math.random): number {
    return Math.round(intervalMs * (0.8 + 0.4 * random()));
}

export function validateBackoffPolicy(policy: BackoffPolicy): BackoffPolicy {
    if (!(policy.baseMs > 0)) throw new Error(`backoff base must be more than 0 ms, got ${policy.baseMs}`);
    if (!(policy.maxMs >= policy.baseMs)) throw new Error(`backoff maximum (${policy.maxMs} ms) must be at least its base (${policy.baseMs} ms)`);
    return policy;
}
