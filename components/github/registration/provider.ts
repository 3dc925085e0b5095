/**
 * The runner registration's dynamic provider: create registers a new runner
 * (JIT config or registration token) and renders the userdata its VM boots
 * with; diff decides keep or replace from GitHub's view (read-only: diff also
 * runs on preview); read reports GitHub's view (refresh, import); delete
 * deregisters the runner. The GitHub connection and the bootstrap timeout come
 * from the stack configuration (configure), never from the inputs.
 *
 * This module runs in Pulumi's dynamic-provider process, loaded through
 * components/providers/entry.js; it keeps no state beyond per-process caches.
 */
import { randomBytes } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { decodeBootSettings, renderRunnerUserdata } from "../../boot-settings";
import { runnerHostname, runnerName, RUNNER_SUFFIX_LENGTH } from "../../naming";
import { configureProviders, providerSettings } from "../../providers/settings";
import type { GithubConnection } from "../client";
import { GithubRegistrationError } from "../errors";
import { githubWebUrl, parseGithubPath, type GithubPath } from "../paths";
import { generateJitConfig, RunnerNameTakenError, sharedRegistrationToken } from "../runner-credentials";
import { describePath, findRunnerByName, getRunner, removeRunner, runnerGroupId, sharedRunnerListing, type ObservedRunner } from "../runners";
import { sharedGithubClient } from "../shared-client";
import { decideRegistration, type Decision, type RunnerObservation } from "./decision";
import { changedIdentityKeys, identityDigests } from "./identity";
import { requireRegistrationInputs, type RegistrationInputs } from "./inputs";
import { readRegistrationOutputs, REGISTRATION_STATE_VERSION, toPlainOutputs, type GithubRunnerStatus, type RegistrationOutputs } from "./state";

const RESOURCE_KIND = "RunnerRegistration";

export function randomRunnerSuffix(): string {
    return randomBytes(RUNNER_SUFFIX_LENGTH / 2).toString("hex");
}

export function pathOf(text: string): GithubPath {
    const path = parseGithubPath(text);
    if (path === undefined) throw new GithubRegistrationError(`invalid GitHub path "${text}": expected "org", "owner/repo" or "enterprise:slug"`);
    return path;
}

export interface CreateOptions {
    /** Source of the 12-hex name suffixes (tests force a name clash). */
    suffix?: () => string;
    now?: () => Date;
}

interface Registered {
    runnerName: string;
    runnerId?: number;
    mode: "jit" | "token";
    credential: string;
}

async function register(connection: GithubConnection, path: GithubPath, inputs: RegistrationInputs, suffix: () => string): Promise<Registered> {
    const client = sharedGithubClient(connection);
    if (inputs.mode === "token") {
        const name = runnerName(inputs.namePrefix, suffix());
        const token = await sharedRegistrationToken(client, connection.apiUrl, path, name);
        return { runnerName: name, mode: "token", credential: token.token };
    }
    const groupId = await runnerGroupId(client, connection.apiUrl, path, inputs.runnerGroup);
    for (let attempt = 1; ; attempt++) {
        const name = runnerName(inputs.namePrefix, suffix());
        try {
            const jit = await generateJitConfig(client, connection.apiUrl, path, { name, runnerGroupId: groupId, labels: inputs.labels });
            return { runnerName: jit.runnerName, runnerId: jit.runnerId, mode: "jit", credential: jit.encodedJitConfig };
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

/**
 * Registers a new runner and renders its userdata. If the userdata cannot be
 * rendered, the just-made JIT registration is removed again, so a failed
 * create leaves no runner behind on GitHub.
 */
export async function createRegistration(inputs: RegistrationInputs, options: CreateOptions = {}): Promise<RegistrationOutputs> {
    const { connection } = providerSettings();
    const now = options.now ?? (() => new Date());
    const path = pathOf(inputs.path);
    const boot = decodeBootSettings(inputs.boot);
    const runner = await register(connection, path, inputs, options.suffix ?? randomRunnerSuffix);
    let userData: string;
    try {
        userData = renderRunnerUserdata(
            {
                runnerName: runner.runnerName,
                hostname: runnerHostname(runner.runnerName),
                registrationUrl: githubWebUrl(connection.apiUrl, path),
                mode: runner.mode,
                credential: runner.credential,
            },
            boot,
        );
    } catch (error) {
        if (runner.runnerId !== undefined) {
            await removeRunner(sharedGithubClient(connection), connection.apiUrl, path, { id: runner.runnerId, name: runner.runnerName }).catch(() => undefined);
        }
        throw error;
    }
    const outputs: RegistrationOutputs = {
        stateVersion: REGISTRATION_STATE_VERSION,
        path: inputs.path,
        mode: inputs.mode,
        runnerName: runner.runnerName,
        createdAt: now().toISOString(),
        instance: inputs.instance,
        digests: identityDigests({ ...inputs, runnerGroup: inputs.runnerGroup }),
        userData,
    };
    if (runner.runnerId !== undefined) outputs.runnerId = runner.runnerId;
    return outputs;
}

function matches(outputs: Pick<RegistrationOutputs, "runnerId" | "runnerName">): (runner: ObservedRunner) => boolean {
    return (runner) => (outputs.runnerId !== undefined ? runner.id === outputs.runnerId : runner.name === outputs.runnerName);
}

/** The runner as GitHub lists it now (one listing per process, shared by every slot), or absent. */
export async function observeRunner(connection: GithubConnection, outputs: Pick<RegistrationOutputs, "path" | "runnerId" | "runnerName">): Promise<RunnerObservation> {
    const runners = await sharedRunnerListing(sharedGithubClient(connection), connection.apiUrl, pathOf(outputs.path));
    const runner = runners.find(matches(outputs));
    return runner === undefined ? { kind: "absent" } : { kind: "present", status: runner.status, busy: runner.busy };
}

export function githubStatusOf(observed: RunnerObservation): GithubRunnerStatus {
    if (observed.kind === "absent") return "absent";
    if (observed.busy) return "busy";
    return observed.status === "online" ? "online" : "offline";
}

/** The decision for a slot: its stored outputs, the desired inputs (possibly unknown in preview), GitHub's view and the time. */
export async function decideFromGithub(oldsRaw: Record<string, unknown>, news: Record<string, unknown>, now: Date): Promise<Decision> {
    const outputs = readRegistrationOutputs(oldsRaw);
    const settings = providerSettings();
    // A failed listing throws here and stops the run: it never counts as "absent".
    const observed = await observeRunner(settings.connection, outputs);
    return decideRegistration({
        changed: changedIdentityKeys(outputs.digests, news),
        registeredAtCreate: outputs.mode === "jit",
        createdAt: outputs.createdAt,
        bootstrapTimeoutSeconds: settings.bootstrapTimeoutSeconds,
        observed,
        now,
        retiring: news.retiring === true,
        hold: news.hold === true,
        poweredOff: news.poweredOff === true,
    });
}

export function diffResultOf(decision: Decision): pulumi.dynamic.DiffResult {
    switch (decision.action) {
        case "keep":
            return { changes: false };
        case "replace":
            // The old VM must be gone before its replacement boots: no slot holds double quota.
            return { changes: true, replaces: decision.replaceKeys, deleteBeforeReplace: true };
        default: {
            const unreachable: never = decision;
            throw new Error(`unknown decision ${JSON.stringify(unreachable)}`);
        }
    }
}

/**
 * Deregisters the runner: by id (JIT), or found by name (token mode). Gone
 * already counts as done. A read comes first because Octokit spaces writes a
 * second apart, and the runner is usually gone already (an ephemeral runner
 * after its job, or drained by the guard before its VM went).
 */
export async function deregister(connection: GithubConnection, pathText: string, name: string, runnerId: number | undefined): Promise<"removed" | "already-gone"> {
    const path = pathOf(pathText);
    const client = sharedGithubClient(connection);
    const present =
        runnerId !== undefined
            ? await getRunner(client, connection.apiUrl, path, { id: runnerId, name })
            : await findRunnerByName(client, connection.apiUrl, path, name);
    if (present === undefined) return "already-gone";
    return removeRunner(client, connection.apiUrl, path, { id: present.id, name });
}

/** Refresh: the stored outputs with GitHub's current view of the runner. */
export async function readRegistration(oldsRaw: Record<string, unknown>): Promise<RegistrationOutputs> {
    const outputs = readRegistrationOutputs(oldsRaw);
    const observed = await observeRunner(providerSettings().connection, outputs);
    return { ...outputs, githubStatus: githubStatusOf(observed) };
}

export const registrationProvider: pulumi.dynamic.ResourceProvider = {
    async configure(request: pulumi.dynamic.ConfigureRequest) {
        configureProviders(request);
    },
    async create(news: Record<string, unknown>) {
        const outputs = await createRegistration(requireRegistrationInputs(news, RESOURCE_KIND));
        return { id: outputs.runnerName, outs: toPlainOutputs(outputs) };
    },
    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
        return diffResultOf(await decideFromGithub(olds, news, new Date()));
    },
    // diff never answers an in-place update; should the engine ask anyway, the slot keeps what it applied.
    async update(_id: string, olds: Record<string, unknown>) {
        return { outs: toPlainOutputs(readRegistrationOutputs(olds)) };
    },
    async read(id: string, props: Record<string, unknown>) {
        return { id, props: toPlainOutputs(await readRegistration(props)) };
    },
    async delete(_id: string, olds: Record<string, unknown>) {
        const outputs = readRegistrationOutputs(olds);
        await deregister(providerSettings().connection, outputs.path, outputs.runnerName, outputs.runnerId);
    },
};
