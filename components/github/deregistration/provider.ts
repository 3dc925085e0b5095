/**
 * The drain guard's provider. The guard depends on the runner's VM, so Pulumi
 * deletes it before the VM: its delete deregisters the runner, and fails while
 * the runner is busy, which stops Pulumi from deleting a VM in mid-job.
 * create and update touch nothing on GitHub.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { GithubConnection } from "../client";
import { RegistrationInputError } from "../errors";
import { parseGithubPath } from "../paths";
import { sameValue } from "../registration/decision";
import { isUnknown, validConnection } from "../registration/inputs";
import { deregister } from "../registration/provider";

export interface DrainGuardInputs {
    github: GithubConnection;
    path: string;
    runnerName: string;
    runnerId?: number;
    instanceId: string;
}

/** A change to any of these means a different runner or VM: a new guard (and the old one's delete drains the old runner). */
const IDENTITY_KEYS = ["path", "runnerName", "runnerId", "instanceId"] as const;

function failuresOf(raw: Record<string, unknown>): pulumi.dynamic.CheckFailure[] {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!isUnknown(raw.github) && validConnection(raw.github) === undefined) {
        failures.push({ property: "github", reason: "expected a GitHub connection { apiUrl: http(s) URL, auth: token or app }" });
    }
    if (!isUnknown(raw.path) && (typeof raw.path !== "string" || parseGithubPath(raw.path) === undefined)) {
        failures.push({ property: "path", reason: `got ${JSON.stringify(raw.path)}, expected "org" or "owner/repo"` });
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
    return failures;
}

function requireInputs(raw: Record<string, unknown>): DrainGuardInputs {
    const failures = failuresOf(raw);
    if (failures.length > 0) {
        throw new RegistrationInputError(`invalid RunnerDeregistration inputs: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
    }
    const inputs: DrainGuardInputs = {
        github: validConnection(raw.github) as GithubConnection,
        path: raw.path as string,
        runnerName: raw.runnerName as string,
        instanceId: raw.instanceId as string,
    };
    if (typeof raw.runnerId === "number") inputs.runnerId = raw.runnerId;
    return inputs;
}

export function drainGuardDiff(olds: Record<string, unknown>, news: Record<string, unknown>): pulumi.dynamic.DiffResult {
    const replaces = IDENTITY_KEYS.filter((key) => !sameValue(olds[key], news[key]));
    if (replaces.length > 0) return { changes: true, replaces };
    return { changes: !sameValue(olds.github, news.github) };
}

export const drainGuardProvider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
        return { inputs: news, failures: failuresOf(news) };
    },
    async create(news: Record<string, unknown>) {
        const inputs = requireInputs(news);
        return { id: `${inputs.path}/${inputs.runnerName}`, outs: { ...inputs } };
    },
    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
        return drainGuardDiff(olds, news);
    },
    async update(_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) {
        return { outs: { ...requireInputs(news) } };
    },
    async delete(_id: string, olds: Record<string, unknown>) {
        const inputs = requireInputs(olds);
        await deregister(inputs.github, inputs.path, inputs.runnerName, inputs.runnerId);
    },
};
