/**
 * Evaluates the fleet program without a cloud, GitHub or the Pulumi CLI: the
 * SDK's own mock engine (`pulumi.runtime.setMocks`) stands in for the engine,
 * answers OpenStack look-ups with named placeholders and registrations with
 * what their create would produce (a runner name, a JIT config placeholder).
 * Every resource is recorded with its parent and its inputs, secrets still
 * wrapped in Pulumi's secret signature so callers can tell and mask them.
 */
import * as pulumi from "@pulumi/pulumi";
import { decodeBootSettings, renderRunnerUserdata } from "../../components/boot-settings";
import { loadStackConfig } from "../../components/config";
import { RunnerFleet } from "../../components/fleet";
import type { FleetOutputs } from "../../components/fleet-outputs";
import { identityDigests } from "../../components/github/registration/identity";
import type { RegistrationInputs } from "../../components/github/registration/inputs";
import { REGISTRATION_STATE_VERSION } from "../../components/github/registration/state";
import { githubWebUrl, parseGithubPath } from "../../components/github/paths";
import type { RunnerLookup } from "../../components/image/build-args";
import { runnerHostname } from "../../components/naming";
import { type FleetObservation, observeFleet } from "../../components/observe";
import { maskSecretsForDisplay } from "./mask";
import { acceptResourceHooksUnderMocks } from "./mock-hooks";

import { specialSecretSig as SECRET_SIG, specialSigKey as SECRET_SIG_KEY } from "@pulumi/pulumi/runtime/rpc";

export const REGISTRATION_TYPE = "pulumi-nodejs:dynamic/github-runners:RunnerRegistration";
export const DEREGISTRATION_TYPE = "pulumi-nodejs:dynamic/github-runners:RunnerDeregistration";
/** Stands where GitHub's JIT config will be; the plan prints it instead of a secret. */
export const JIT_CONFIG_PLACEHOLDER = "<JIT config: minted by GitHub when the slot is created>";
export const REGISTRATION_TOKEN_PLACEHOLDER = "<registration token: minted by GitHub when the slot is created>";

export interface RecordedResource {
    type: string;
    name: string;
    custom: boolean;
    /** As the engine would receive them: secret values wrapped as `{ [SECRET_SIG_KEY]: SECRET_SIG, value }`. */
    inputs: Record<string, unknown>;
    parentName?: string;
    parentType?: string;
}

export interface RecordedInvoke {
    token: string;
    args: Record<string, unknown>;
}

export interface OfflineRun {
    resources: RecordedResource[];
    invokes: RecordedInvoke[];
    outputs: FleetOutputs;
}

export interface OfflineProgramInput {
    project: string;
    stack: string;
    /** Full `namespace:key` config as Pulumi hands it to a program. */
    config: Record<string, string>;
    secretKeys: string[];
    preview: boolean;
    /** Mask secret config values before rendering (default, for the printed plan); tests of the program's behaviour turn it off. */
    maskForDisplay?: boolean;
    /** What the program would have read (previous outputs, GitHub's runners); default: a new stack, no runners. */
    observed?: Partial<Pick<FleetObservation, "previous" | "runners" | "now" | "queuedByPool">>;
}

export function isSecret(value: unknown): value is { value: unknown } {
    return value !== null && typeof value === "object" && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

export function unwrapSecret(value: unknown): unknown {
    return isSecret(value) ? value.value : value;
}

/** The value with every secret replaced by a marker: what an observer of plain values could see. */
export function withoutSecrets(value: unknown): unknown {
    if (isSecret(value)) return "[secret]";
    if (Array.isArray(value)) return value.map(withoutSecrets);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withoutSecrets(inner)]));
    }
    return value;
}

/** A stable 12-hex stand-in for the random suffix a registration picks at create. */
function placeholderSuffix(name: string): string {
    let hash = 0;
    for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    return hash.toString(16).padStart(12, "0").slice(-12);
}

/**
 * What a registration's create would answer (components/github/registration/provider.ts
 * createRegistration), with a placeholder name suffix and credential.
 */
function registrationState(name: string, raw: Record<string, unknown>, apiUrl: string): Record<string, unknown> {
    const inputs = Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, unwrapSecret(value)])) as unknown as RegistrationInputs;
    const runnerName = `${inputs.namePrefix}-${placeholderSuffix(name)}`;
    const path = parseGithubPath(inputs.path);
    if (path === undefined) throw new Error(`registration ${name} has an invalid path ${inputs.path}`);
    const jit = inputs.mode === "jit";
    const userData = renderRunnerUserdata(
        {
            runnerName,
            hostname: runnerHostname(runnerName),
            registrationUrl: githubWebUrl(apiUrl, path),
            mode: inputs.mode,
            credential: jit ? JIT_CONFIG_PLACEHOLDER : REGISTRATION_TOKEN_PLACEHOLDER,
        },
        decodeBootSettings(inputs.boot),
    );
    return {
        ...raw,
        stateVersion: REGISTRATION_STATE_VERSION,
        runnerName,
        ...(jit ? { runnerId: 1 } : {}),
        createdAt: "<creation time>",
        instance: raw.instance,
        digests: identityDigests({ ...inputs, runnerGroup: inputs.runnerGroup }),
        userData,
    };
}

const LOOKUPS: Record<string, (args: Record<string, unknown>) => Record<string, unknown>> = {
    "openstack:images/getImage:getImage": (args) => ({ ...args, id: `<id of image ${String(args.name ?? args.id)}>`, name: args.name ?? "<by id>" }),
    "openstack:networking/getNetwork:getNetwork": (args) => ({ id: `<id of network ${String(args.name)}>`, name: args.name }),
    "openstack:networking/getSecGroup:getSecGroup": (args) => ({ id: `<id of security group ${String(args.name)}>`, name: args.name }),
    "openstack:compute/getFlavor:getFlavor": (args) => ({ id: `<id of flavor ${String(args.name)}>`, name: args.name }),
    "openstack:identity/getAuthScope:getAuthScope": () => ({ projectId: "<id of the deploying project>" }),
};

/** The runner tarball a built image would get: GitHub is asked only at `pulumi preview`/`up`. */
const placeholderRunner: RunnerLookup = async (_connection, _path, request) => {
    const version = request.version === "latest" ? "<latest>" : request.version;
    return {
        url: `<runner ${version} for linux-${request.arch}, from GitHub's runner downloads>`,
        filename: `actions-runner-linux-${request.arch}-${version}.tar.gz`,
        sha256: request.sha256 ?? "<sha256 from GitHub's runner downloads>",
        version,
    };
};

export async function evaluateOffline(input: OfflineProgramInput): Promise<OfflineRun> {
    let apiUrl = "";
    const resources: RecordedResource[] = [];
    const invokes: RecordedInvoke[] = [];
    // Keyed by type and name: a slot and its children share a name.
    const parents = new Map<string, { name: string; type: string }>();
    const parentOf = (type: string, name: string) => {
        const parent = parents.get(`${type}::${name}`);
        return parent === undefined ? {} : { parentName: parent.name, parentType: parent.type };
    };
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const inputs = args.inputs as Record<string, unknown>;
                resources.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs, ...parentOf(args.type, args.name) });
                const state = args.type === REGISTRATION_TYPE ? registrationState(args.name, inputs, apiUrl) : inputs;
                return { id: `<id of ${args.name}>`, state };
            },
            call: (args) => {
                const lookupArgs = args.inputs as Record<string, unknown>;
                invokes.push({ token: args.token, args: lookupArgs });
                const answer = LOOKUPS[args.token];
                if (answer === undefined) throw new Error(`the program made a look-up the offline plan cannot answer: ${args.token}`);
                return answer(lookupArgs);
            },
        },
        input.project,
        input.stack,
        input.preview,
    );
    acceptResourceHooksUnderMocks();
    pulumi.runtime.setAllConfig(input.config, input.secretKeys);
    const recordParent: pulumi.ResourceTransformation = (args) => {
        // The SDK keeps a resource's name and type in these fields; transformations see only the parent object.
        const parent = args.opts.parent as (pulumi.Resource & { __name?: string; __pulumiType?: string }) | undefined;
        if (parent !== undefined) {
            parents.set(`${args.type}::${args.name}`, { name: String(parent.__name), type: String(parent.__pulumiType) });
        }
        return undefined;
    };
    const loaded = loadStackConfig();
    const config = input.maskForDisplay === false ? loaded : maskSecretsForDisplay(loaded);
    apiUrl = config.github.apiUrl;
    const observed = { ...(await observeFleet(config, { offline: true, runnerLookup: placeholderRunner })), ...input.observed };
    const fleet = new RunnerFleet("fleet", { config, observed }, { transformations: [recordParent] });
    const outputs = await resolve(fleet.stackOutputs);
    // Registrations of resources whose outputs nothing awaited settle a tick later.
    await new Promise((done) => setTimeout(done, 50));
    return { resources, invokes, outputs };
}

export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((done) => output.apply((value) => done(value)));
}
