/**
 * The reconcile decision of one runner slot, as a pure function: given what
 * the slot applied when it was created, what the program wants now, what
 * GitHub says about the runner and the time, should the slot stay, be updated
 * in place, or be replaced (a new runner and, downstream, a new VM)?
 *
 * Desired values are compared with the APPLIED values kept in the resource's
 * outputs, never with the previous inputs: when a busy runner defers a change,
 * the engine still records the new inputs, and only the outputs remember what
 * the runner really runs, so the deferred change is found again next time.
 */

/** Everything that decides which runner a slot is; a change needs a new runner. */
export interface RegistrationIdentity {
    path: unknown;
    runnerGroup: unknown;
    mode: unknown;
    namePrefix: unknown;
    labels: unknown;
    ephemeral: unknown;
    spec: unknown;
}

export const IDENTITY_KEYS = ["path", "runnerGroup", "mode", "namePrefix", "labels", "ephemeral", "spec"] as const satisfies readonly (keyof RegistrationIdentity)[];

export type RunnerObservation =
    | { kind: "absent" }
    | { kind: "present"; status: string; busy: boolean };

export interface DecisionInput {
    applied: RegistrationIdentity;
    /** May hold Pulumi's unknown placeholder during preview: it never equals an applied value, so it counts as a change. */
    desired: RegistrationIdentity;
    /** True when GitHub knows the runner's id from the start (JIT); token-mode runners appear only once their VM registers. */
    registeredAtCreate: boolean;
    createdAt: string;
    bootstrapTimeoutSeconds: number;
    /** In-place settings (connection, timeout) differ from the stored ones. */
    settingsChanged: boolean;
    observed: RunnerObservation;
    now: Date;
}

export type Decision =
    | { action: "keep"; deferred: string[] }
    | { action: "update"; deferred: string[] }
    | { action: "replace"; replaceKeys: string[]; reason: string };

/** The replace key reported when the runner itself (not an input) forces a new slot. */
export const RUNNER_STATE_KEY = "runnerName";

// Key-order-insensitive comparison of JSON-like values.
function canonical(value: unknown): string {
    if (Array.isArray(value)) {
        return `[${value.map(canonical).join(",")}]`;
    }
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value)
            .filter(([, field]) => field !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonical(field)}`).join(",")}}`;
    }
    return value === undefined ? "undefined" : JSON.stringify(value);
}

export function sameValue(a: unknown, b: unknown): boolean {
    return canonical(a) === canonical(b);
}

export function changedIdentityKeys(applied: RegistrationIdentity, desired: RegistrationIdentity): string[] {
    return IDENTITY_KEYS.filter((key) => !sameValue(applied[key], desired[key]));
}

function ageSeconds(createdAt: string, now: Date): number {
    const created = Date.parse(createdAt);
    // An unreadable timestamp counts as old: the slot is then judged by GitHub's view alone.
    return Number.isNaN(created) ? Number.POSITIVE_INFINITY : (now.getTime() - created) / 1000;
}

function keepOrUpdate(settingsChanged: boolean, deferred: string[]): Decision {
    return settingsChanged ? { action: "update", deferred } : { action: "keep", deferred };
}

export function decideRegistration(input: DecisionInput): Decision {
    const changed = changedIdentityKeys(input.applied, input.desired);
    const pastBootstrap = ageSeconds(input.createdAt, input.now) > input.bootstrapTimeoutSeconds;
    const observed = input.observed;

    if (observed.kind === "absent") {
        if (input.registeredAtCreate) {
            return { action: "replace", replaceKeys: [RUNNER_STATE_KEY, ...changed], reason: "the runner is gone from GitHub (its job is done, or it was removed)" };
        }
        if (pastBootstrap) {
            return { action: "replace", replaceKeys: [RUNNER_STATE_KEY, ...changed], reason: "the runner never registered within the bootstrap timeout" };
        }
        // Still booting, so not busy: a pending change can take effect now.
        return changed.length > 0 ? { action: "replace", replaceKeys: changed, reason: "the desired runner settings changed" } : keepOrUpdate(input.settingsChanged, []);
    }
    if (observed.busy) {
        // Never kill a runner in the middle of a job: defer every change.
        return keepOrUpdate(input.settingsChanged, changed);
    }
    if (observed.status !== "online" && pastBootstrap) {
        return { action: "replace", replaceKeys: [RUNNER_STATE_KEY, ...changed], reason: "the runner is offline and older than the bootstrap timeout" };
    }
    if (changed.length > 0) {
        return { action: "replace", replaceKeys: changed, reason: "the desired runner settings changed and the runner is idle" };
    }
    return keepOrUpdate(input.settingsChanged, []);
}
