/**
 * The runner registration's dynamic provider: create registers a new runner
 * (JIT config or registration token), diff decides keep / update / replace
 * from GitHub's view (read-only: diff also runs on preview), update stores a
 * rotated connection, delete deregisters the runner.
 *
 * This module runs in Pulumi's dynamic-provider process, loaded by path via
 * provider-shim.ts; it keeps no state beyond per-process caches.
 */
import { randomBytes } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { runnerHostname, runnerName, RUNNER_SUFFIX_LENGTH } from "../../naming";
import type { GithubConnection } from "../client";
import { GithubRegistrationError } from "../errors";
import { githubWebUrl, parseGithubPath, type GithubPath } from "../paths";
import { createRegistrationToken, generateJitConfig, RunnerNameTakenError } from "../runner-credentials";
import { describePath, findRunnerByName, getRunner, removeRunner, runnerGroupId, sharedRunnerListing, type ObservedRunner } from "../runners";
import { sharedGithubClient } from "../shared-client";
import { decideRegistration, sameValue, type Decision, type RunnerObservation } from "./decision";
import { checkRegistrationInputs, requireRegistrationInputs, validConnection, type RegistrationInputs } from "./inputs";
import { appliedIdentity, appliedSettingsOf, desiredIdentity, readRegistrationOutputs, toPlainOutputs, type RegistrationOutputs } from "./state";

const RESOURCE_KIND = "RunnerRegistration";

export function randomRunnerSuffix(): string {
    return randomBytes(RUNNER_SUFFIX_LENGTH / 2).toString("hex");
}

function pathOf(text: string): GithubPath {
    const path = parseGithubPath(text);
    if (path === undefined) throw new GithubRegistrationError(`invalid GitHub path "${text}": expected "org" or "owner/repo"`);
    return path;
}

export interface CreateOptions {
    /** Source of the 12-hex name suffixes (tests force a name clash). */
    suffix?: () => string;
    now?: () => Date;
}

/** Registers a new runner; a name clash (409) retries once with a fresh suffix. */
export async function createRegistration(inputs: RegistrationInputs, options: CreateOptions = {}): Promise<RegistrationOutputs> {
    const suffix = options.suffix ?? randomRunnerSuffix;
    const now = options.now ?? (() => new Date());
    const { github } = inputs;
    const path = pathOf(inputs.path);
    const client = sharedGithubClient(github);
    const groupId = await runnerGroupId(client, github.apiUrl, path, inputs.runnerGroup);
    const base = {
        github,
        bootstrapTimeoutSeconds: inputs.bootstrapTimeoutSeconds,
        appliedSettings: appliedSettingsOf(inputs),
        appliedSpec: { ...inputs.spec },
        runnerGroupId: groupId,
        registrationUrl: githubWebUrl(github.apiUrl, path),
        createdAt: now().toISOString(),
    };
    if (inputs.mode === "token") {
        const name = runnerName(inputs.namePrefix, suffix());
        const token = await createRegistrationToken(client, github.apiUrl, path, name);
        return { ...base, runnerName: name, hostname: runnerHostname(name), registrationToken: token.token, registrationTokenExpiresAt: token.expiresAt };
    }
    for (let attempt = 1; ; attempt++) {
        const name = runnerName(inputs.namePrefix, suffix());
        try {
            const jit = await generateJitConfig(client, github.apiUrl, path, { name, runnerGroupId: groupId, labels: inputs.labels });
            return { ...base, runnerName: jit.runnerName, hostname: runnerHostname(jit.runnerName), runnerId: jit.runnerId, jitConfig: jit.encodedJitConfig };
        } catch (error) {
            if (error instanceof RunnerNameTakenError && attempt < 2) continue;
            if (error instanceof RunnerNameTakenError) {
                throw new GithubRegistrationError(
                    `creating a JIT runner config in ${describePath(path)} failed: runner names "${error.runnerName}" and one before it already exist (HTTP 409); ` +
                        "fix: remove stale runners with this name prefix in GitHub's runner settings, or change the name prefix",
                    409,
                );
            }
            throw error;
        }
    }
}

/** The runner as GitHub lists it now (shared listing), or absent. */
export async function observeRunner(connection: GithubConnection, outputs: RegistrationOutputs): Promise<RunnerObservation> {
    const path = pathOf(outputs.appliedSettings.path);
    const runners = await sharedRunnerListing(sharedGithubClient(connection), connection.apiUrl, path);
    const match = (runner: ObservedRunner) => (outputs.runnerId !== undefined ? runner.id === outputs.runnerId : runner.name === outputs.runnerName);
    const runner = runners.find(match);
    return runner === undefined ? { kind: "absent" } : { kind: "present", status: runner.status, busy: runner.busy };
}

/**
 * The connection to read the old runner with: the new credentials when they
 * are known and point at the same GitHub (a rotated token), else the stored ones.
 */
function readingConnection(outputs: RegistrationOutputs, news: Record<string, unknown>): GithubConnection {
    const fresh = validConnection(news.github);
    return fresh !== undefined && fresh.apiUrl === outputs.github.apiUrl ? fresh : outputs.github;
}

export async function decideFromGithub(oldsRaw: Record<string, unknown>, news: Record<string, unknown>, now: Date): Promise<Decision> {
    const outputs = readRegistrationOutputs(oldsRaw);
    const observed = await observeRunner(readingConnection(outputs, news), outputs);
    const timeout = typeof news.bootstrapTimeoutSeconds === "number" ? news.bootstrapTimeoutSeconds : outputs.bootstrapTimeoutSeconds;
    return decideRegistration({
        applied: appliedIdentity(outputs),
        desired: desiredIdentity(news),
        registeredAtCreate: outputs.appliedSettings.mode === "jit",
        createdAt: outputs.createdAt,
        bootstrapTimeoutSeconds: timeout,
        settingsChanged: !sameValue(outputs.github, news.github) || !sameValue(outputs.bootstrapTimeoutSeconds, news.bootstrapTimeoutSeconds),
        observed,
        now,
    });
}

export function diffResultOf(decision: Decision): pulumi.dynamic.DiffResult {
    switch (decision.action) {
        case "keep":
            return { changes: false };
        case "update":
            return { changes: true };
        case "replace":
            return { changes: true, replaces: decision.replaceKeys };
        default: {
            const unreachable: never = decision;
            throw new Error(`unknown decision ${JSON.stringify(unreachable)}`);
        }
    }
}

/** Keeps the runner and what it applied; stores the new connection and timeout. */
export function updatedOutputs(oldsRaw: Record<string, unknown>, inputs: RegistrationInputs): RegistrationOutputs {
    const outputs = readRegistrationOutputs(oldsRaw);
    return { ...outputs, github: inputs.github, bootstrapTimeoutSeconds: inputs.bootstrapTimeoutSeconds };
}

/**
 * Deregisters the runner: by id (JIT), or found by name (token mode). Gone
 * already counts as done. A read comes first because Octokit spaces writes a
 * second apart, and the runner is usually gone already (an ephemeral runner
 * after its job, or drained by the guard before its VM went).
 */
export async function deregister(connection: GithubConnection, pathText: string, name: string, runnerId: number | undefined): Promise<void> {
    const path = pathOf(pathText);
    const client = sharedGithubClient(connection);
    const present =
        runnerId !== undefined
            ? await getRunner(client, connection.apiUrl, path, { id: runnerId, name })
            : await findRunnerByName(client, connection.apiUrl, path, name);
    if (present === undefined) return;
    await removeRunner(client, connection.apiUrl, path, { id: present.id, name });
}

export const registrationProvider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
        const { failures } = checkRegistrationInputs(news);
        return { inputs: news, failures };
    },
    async create(news: Record<string, unknown>) {
        const outputs = await createRegistration(requireRegistrationInputs(news, RESOURCE_KIND));
        return { id: outputs.runnerName, outs: toPlainOutputs(outputs) };
    },
    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
        return diffResultOf(await decideFromGithub(olds, news, new Date()));
    },
    async update(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
        return { outs: toPlainOutputs(updatedOutputs(olds, requireRegistrationInputs(news, RESOURCE_KIND))) };
    },
    async delete(_id: string, olds: Record<string, unknown>) {
        const outputs = readRegistrationOutputs(olds);
        await deregister(outputs.github, outputs.appliedSettings.path, outputs.runnerName, outputs.runnerId);
    },
};
