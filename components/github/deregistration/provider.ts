/**
 * The drain guard's provider. The guard depends on the runner's VM, so Pulumi
 * deletes it before the VM: its delete deregisters the runner and fails while
 * the runner is busy, which stops Pulumi from deleting a VM in mid-job.
 * A guard whose slot is retiring (scale-in) has `drain` set: its update
 * deregisters the runner if it is idle (after which the runner can take no job
 * and the next run removes the slot), and keeps waiting if it is busy, without
 * failing the run. Its create changes nothing on GitHub.
 */
import type * as pulumi from "@pulumi/pulumi";
import { configureProviders, providerSettings } from "../../providers/settings";
import { GithubRunnerBusyError, RegistrationInputError } from "../errors";
import { parseGithubPath } from "../paths";
import { canonicalJson } from "../registration/identity";
import { containsUnknown, isUnknown } from "../registration/inputs";
import { deregister, githubStatusOf, observeRunner } from "../registration/provider";
import type { GithubRunnerStatus } from "../registration/state";

export interface DrainGuardInputs {
    path: string;
    runnerName: string;
    runnerId?: number;
    instanceId: string;
    /** The slot is retiring: deregister its runner as soon as it is idle. */
    drain: boolean;
}

export interface DrainGuardOutputs extends DrainGuardInputs {
    /** The runner was deregistered by a drain (it takes no new job; the next run removes the slot). */
    drained?: boolean;
    githubStatus?: GithubRunnerStatus;
}

/** A change to any of these means a different runner or VM: a new guard (and the old one's delete drains the old runner). */
const IDENTITY_KEYS = ["path", "runnerName", "runnerId", "instanceId"] as const;

function failuresOf(raw: Record<string, unknown>): pulumi.dynamic.CheckFailure[] {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!isUnknown(raw.path) && (typeof raw.path !== "string" || parseGithubPath(raw.path) === undefined)) {
        failures.push({ property: "path", reason: `got ${JSON.stringify(raw.path)}, expected "org", "owner/repo" or "enterprise:slug"` });
    }
    if (!isUnknown(raw.runnerName) && (typeof raw.runnerName !== "string" || raw.runnerName.length === 0)) {
        failures.push({ property: "runnerName", reason: `got ${JSON.stringify(raw.runnerName)}, expected a runner name` });
    }
    const id = raw.runnerId;
    if (!isUnknown(id) && id !== undefined && id !== null && !(typeof id === "number" && Number.isInteger(id) && id > 0)) {
        failures.push({ property: "runnerId", reason: `got ${JSON.stringify(id)}, expected a positive integer runner id or nothing` });
    }
    if (!isUnknown(raw.instanceId) && (typeof raw.instanceId !== "string" || raw.instanceId.length === 0)) {
        failures.push({ property: "instanceId", reason: `got ${JSON.stringify(raw.instanceId)}, expected the instance id` });
    }
    if (!isUnknown(raw.drain) && raw.drain !== undefined && typeof raw.drain !== "boolean") {
        failures.push({ property: "drain", reason: `got ${JSON.stringify(raw.drain)}, expected true or false` });
    }
    return failures;
}

function requireInputs(raw: Record<string, unknown>): DrainGuardInputs {
    const failures = failuresOf(raw);
    const unknown = ["path", "runnerName", "instanceId"].filter((key) => containsUnknown(raw[key]));
    if (failures.length > 0 || unknown.length > 0) {
        const details = [...failures.map((f) => `${f.property}: ${f.reason}`), ...unknown.map((key) => `${key}: still unknown`)];
        throw new RegistrationInputError(`invalid RunnerDeregistration inputs: ${details.join("; ")}`);
    }
    const inputs: DrainGuardInputs = {
        path: raw.path as string,
        runnerName: raw.runnerName as string,
        instanceId: raw.instanceId as string,
        drain: raw.drain === true,
    };
    if (typeof raw.runnerId === "number") inputs.runnerId = raw.runnerId;
    return inputs;
}

function sameValue(a: unknown, b: unknown): boolean {
    return canonicalJson(a) === canonicalJson(b);
}

/** Replace on a new runner or VM; update when a retiring slot's runner can (still) be drained; else nothing. */
export async function drainGuardDiff(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
    const replaces = IDENTITY_KEYS.filter((key) => containsUnknown(news[key]) || !sameValue(olds[key], news[key]));
    if (replaces.length > 0) return { changes: true, replaces };
    if (news.drain !== true) return { changes: olds.drain === true };
    if (olds.drain !== true || olds.drained !== true) return { changes: true };
    // Drained already; a token-mode runner that registered after the drain shows up again and is drained again.
    const observed = await observeRunner(providerSettings().connection, { path: olds.path as string, runnerName: olds.runnerName as string });
    return { changes: observed.kind === "present" && !observed.busy };
}

async function drainIfIdle(inputs: DrainGuardInputs): Promise<DrainGuardOutputs> {
    if (!inputs.drain) return { ...inputs };
    try {
        await deregister(providerSettings().connection, inputs.path, inputs.runnerName, inputs.runnerId);
        return { ...inputs, drained: true };
    } catch (error) {
        // Busy after all: the job goes on, the slot stays, a later run drains it.
        if (error instanceof GithubRunnerBusyError) return { ...inputs, drained: false };
        throw error;
    }
}

function withoutUndefined(outputs: DrainGuardOutputs): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
}

export const drainGuardProvider: pulumi.dynamic.ResourceProvider = {
    async configure(request: pulumi.dynamic.ConfigureRequest) {
        configureProviders(request);
    },
    async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
        return { inputs: news, failures: failuresOf(news) };
    },
    async create(news: Record<string, unknown>) {
        const inputs = requireInputs(news);
        return { id: `${inputs.path}/${inputs.runnerName}`, outs: withoutUndefined(await drainIfIdle(inputs)) };
    },
    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
        return drainGuardDiff(olds, news);
    },
    async update(_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) {
        return { outs: withoutUndefined(await drainIfIdle(requireInputs(news))) };
    },
    async read(id: string, props: Record<string, unknown>) {
        const inputs = requireInputs(props);
        const observed = await observeRunner(providerSettings().connection, inputs);
        return { id, props: withoutUndefined({ ...(props as unknown as DrainGuardOutputs), githubStatus: githubStatusOf(observed) }) };
    },
    async delete(_id: string, olds: Record<string, unknown>) {
        const inputs = requireInputs(olds);
        await deregister(providerSettings().connection, inputs.path, inputs.runnerName, inputs.runnerId);
    },
};
