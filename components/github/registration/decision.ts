/**
 * The reconcile decision of one runner slot, as a pure function: given which
 * identity keys changed since the slot was created, what GitHub says about its
 * runner and the time, should the slot stay or be replaced (a new runner and,
 * downstream, a new VM)? A busy runner defers every change.
 */
import type { IdentityKey } from "./identity";

export type RunnerObservation =
    | { kind: "absent" }
    | { kind: "present"; status: string; busy: boolean };

export interface DecisionInput {
    /** Identity keys whose desired value differs from the applied one (see identity.ts). */
    changed: IdentityKey[];
    /** True when GitHub knows the runner from the start (JIT); token-mode runners appear only once their VM registers. */
    registeredAtCreate: boolean;
    createdAt: string;
    bootstrapTimeoutSeconds: number;
    observed: RunnerObservation;
    now: Date;
    /** The slot is retiring: it is never recycled; the program drops it once its runner is gone. */
    retiring: boolean;
    /** GitHub's registration budget for the hour is spent: no new runner for this slot in this run. */
    hold?: boolean;
    /** Nova reports the slot's server SHUTOFF: an ephemeral runner's VM powers off once its job is done. */
    poweredOff?: boolean;
}

export type Decision =
    | { action: "keep"; deferred: IdentityKey[]; reason: string }
    | { action: "replace"; replaceKeys: string[]; reason: string };

/** The replace key reported when the runner itself (not an input) forces a new slot. */
export const RUNNER_STATE_KEY = "runnerName";

function ageSeconds(createdAt: string, now: Date): number {
    const created = Date.parse(createdAt);
    // An unreadable timestamp counts as old: the slot is then judged by GitHub's view alone.
    return Number.isNaN(created) ? Number.POSITIVE_INFINITY : (now.getTime() - created) / 1000;
}

export function decideRegistration(input: DecisionInput): Decision {
    const { changed, observed } = input;
    const pastBootstrap = ageSeconds(input.createdAt, input.now) > input.bootstrapTimeoutSeconds;
    if (input.retiring) {
        return { action: "keep", deferred: [], reason: "the slot is retiring: it goes once its runner is deregistered or its job is done" };
    }
    const recycle = (reason: string): Decision => ({ action: "replace", replaceKeys: [RUNNER_STATE_KEY, ...changed], reason });
    const decision = decideUnheld(input, changed, observed, pastBootstrap, recycle);
    if (input.hold === true && decision.action === "replace") {
        return { action: "keep", deferred: changed, reason: `${decision.reason}, but GitHub's registration budget for this hour is spent: a later up recycles it` };
    }
    return decision;
}

function decideUnheld(
    input: DecisionInput,
    changed: IdentityKey[],
    observed: RunnerObservation,
    pastBootstrap: boolean,
    recycle: (reason: string) => Decision,
): Decision {

    if (observed.kind === "absent") {
        if (input.registeredAtCreate) return recycle("the runner is gone from GitHub (its job is done, or it was removed)");
        // A token-mode runner is also absent while its VM boots: only the powered-off VM tells "done" from "booting".
        if (input.poweredOff === true) return recycle("the runner is gone from GitHub and its VM powered off (its job is done)");
        if (pastBootstrap) return recycle("the runner never registered within the bootstrap timeout");
        // Still booting, so not busy: a pending change can take effect now.
        return changed.length > 0
            ? { action: "replace", replaceKeys: [...changed], reason: `the desired ${changed.join(", ")} changed and the runner is still booting` }
            : { action: "keep", deferred: [], reason: "the runner is booting (not registered yet)" };
    }
    if (observed.busy) {
        // Never kill a runner in the middle of a job.
        return changed.length > 0
            ? { action: "keep", deferred: changed, reason: `the runner is busy: the change of ${changed.join(", ")} waits until its job is done` }
            : { action: "keep", deferred: [], reason: "the runner is busy" };
    }
    if (observed.status !== "online" && pastBootstrap) return recycle("the runner is offline and older than the bootstrap timeout");
    if (changed.length > 0) {
        return { action: "replace", replaceKeys: [...changed], reason: `the desired ${changed.join(", ")} changed and the runner is idle` };
    }
    return { action: "keep", deferred: [], reason: observed.status === "online" ? "the runner is online and idle" : "the runner is offline, within the bootstrap timeout" };
}
