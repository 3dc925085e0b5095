/**
 * Evaluates the fleet program without a cloud, GitHub or the Pulumi CLI: the
 * SDK's own mock engine (`pulumi.runtime.setMocks`) stands in for the engine,
 * answers OpenStack look-ups with named placeholders and registrations with
 * what their create would produce (a runner name, a JIT config placeholder).
 * Every resource is recorded with its parent and its inputs, secrets still
 * wrapped in Pulumi's secret signature so callers can tell and mask them.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "../../components/config";
import { RunnerFleet } from "../../components/fleet";
import type { RunnerLookup } from "../../components/image/build-args";
import { runnerHostname } from "../../components/naming";

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
    outputs: { imageId: string; networkId: string; runners: Record<string, string[]> };
}

export interface OfflineProgramInput {
    project: string;
    stack: string;
    /** Full `namespace:key` config as Pulumi hands it to a program. */
    config: Record<string, string>;
    secretKeys: string[];
    preview: boolean;
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

/** What a registration's create would answer (see components/github/registration). */
function registrationState(name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const runnerName = `${String(inputs.namePrefix)}-${placeholderSuffix(name)}`;
    const jit = inputs.mode === "jit";
    return {
        ...inputs,
        runnerName,
        hostname: runnerHostname(runnerName),
        runnerId: jit ? 1 : undefined,
        jitConfig: jit ? JIT_CONFIG_PLACEHOLDER : undefined,
        registrationToken: jit ? undefined : REGISTRATION_TOKEN_PLACEHOLDER,
        registrationUrl: `<the GitHub web URL of ${String(inputs.path)}>`,
        appliedSpec: inputs.spec,
        createdAt: "<creation time>",
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
                const state = args.type === REGISTRATION_TYPE ? registrationState(args.name, inputs) : inputs;
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
    pulumi.runtime.setAllConfig(input.config, input.secretKeys);
    const recordParent: pulumi.ResourceTransformation = (args) => {
        // The SDK keeps a resource's name and type in these fields; transformations see only the parent object.
        const parent = args.opts.parent as (pulumi.Resource & { __name?: string; __pulumiType?: string }) | undefined;
        if (parent !== undefined) {
            parents.set(`${args.type}::${args.name}`, { name: String(parent.__name), type: String(parent.__pulumiType) });
        }
        return undefined;
    };
    const fleet = new RunnerFleet("fleet", { config: loadStackConfig(), runnerLookup: placeholderRunner }, { transformations: [recordParent] });
    const poolNames = Object.keys(fleet.pools);
    const outputs = await resolve(
        pulumi
            .all([fleet.imageId, fleet.networkId, pulumi.all(poolNames.map((name) => fleet.pools[name].runnerNames))])
            .apply(([imageId, networkId, names]) => ({
                imageId,
                networkId,
                runners: Object.fromEntries(poolNames.map((name, index) => [name, names[index]])),
            })),
    );
    // Registrations of resources whose outputs nothing awaited settle a tick later.
    await new Promise((done) => setTimeout(done, 50));
    return { resources, invokes, outputs };
}

export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((done) => output.apply((value) => done(value)));
}
