/**
 * /healthz: is the reconciler doing its job? Healthy when its loop is alive and
 * the last successful `up` is recent, or when runs are failing but being
 * retried (not for ever: a failure or a lock that outlasts maxFailingMs needs a
 * person). Pure, so every rule is tested without a server or a clock.
 */
import type { SchedulerStatus } from "./scheduler";

export interface HealthLimits {
    /** The last successful `up` may be at most this old. */
    maxUpAgeMs: number;
    /** Runs may fail (and be retried) for at most this long. */
    maxFailingMs: number;
    /** One `up` may run at most this long. */
    maxRunMs: number;
    /** The loop may oversleep its wake-up time by at most this much (a blocked event loop). */
    wakeSlackMs: number;
}

export interface HealthReport {
    healthy: boolean;
    /** 200 or 503. */
    httpStatus: number;
    body: {
        status: "ok" | "unhealthy";
        /** Why it is unhealthy (empty when healthy). */
        problems: string[];
        state: SchedulerStatus["state"];
        lastSuccessfulUp: string | null;
        runningSince: string | null;
        consecutiveFailures: number;
        lastFailure: string | null;
        nextAttempt: string | null;
        pendingReasons: string[];
    };
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

export function evaluateHealth(status: SchedulerStatus, now: number, limits: HealthLimits): HealthReport {
    const problems: string[] = [];
    if (!status.alive) {
        problems.push(status.loopError !== undefined ? `the reconcile loop stopped: ${status.loopError}` : "the reconcile loop is not running");
    } else {
        if (status.nextWakeAt !== undefined && now - status.nextWakeAt > limits.wakeSlackMs) {
            problems.push(`the reconcile loop should have woken ${seconds(now - status.nextWakeAt)} ago (event loop blocked?)`);
        }
        if (status.runningSince !== undefined && now - status.runningSince > limits.maxRunMs) {
            problems.push(`an up has been running for ${seconds(now - status.runningSince)}, more than ${seconds(limits.maxRunMs)}`);
        }
        const recent = status.lastSuccessAt !== undefined && now - status.lastSuccessAt <= limits.maxUpAgeMs;
        const starting = status.lastSuccessAt === undefined && now - status.startedAt <= limits.maxUpAgeMs;
        if (!recent && !starting) {
            const retrying = status.failingSince !== undefined && (status.pendingReasons.length > 0 || status.runningSince !== undefined);
            const failingFor = status.failingSince === undefined ? 0 : now - status.failingSince;
            const since = status.lastSuccessAt === undefined ? "no up has succeeded since the start" : `the last successful up was ${seconds(now - status.lastSuccessAt)} ago`;
            if (!retrying) {
                if (status.runningSince === undefined) problems.push(`${since} (limit ${seconds(limits.maxUpAgeMs)}) and none is due`);
            } else if (failingFor > limits.maxFailingMs) {
                const what = status.state === "waiting-for-lock" ? "another update has held the stack lock" : "ups have been failing";
                problems.push(`${since}; ${what} for ${seconds(failingFor)} (limit ${seconds(limits.maxFailingMs)}): ${status.lastFailure?.reason ?? "unknown reason"}`);
            }
        }
    }
    const healthy = problems.length === 0;
    return {
        healthy,
        httpStatus: healthy ? 200 : 503,
        body: {
            status: healthy ? "ok" : "unhealthy",
            problems,
            state: status.state,
            lastSuccessfulUp: iso(status.lastSuccessAt),
            runningSince: iso(status.runningSince),
            consecutiveFailures: status.consecutiveFailures,
            lastFailure: status.lastFailure?.reason ?? null,
            nextAttempt: status.pendingReasons.length > 0 ? iso(Math.max(status.notBefore, now)) : null,
            pendingReasons: status.pendingReasons,
        },
    };
}
