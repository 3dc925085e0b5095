/**
 * Runs the fleet program under `pulumi.runtime.setMocks` and records every
 * resource: type, name, parent, inputs (secrets still wrapped in Pulumi's
 * secret signature, so tests can see what is secret) and invokes.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "../../components/config";
import { RunnerFleet } from "../../components/fleet";
import { PROJECT, readStackFile } from "./stack-file";

export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const REGISTRATION_TYPE = "pulumi-nodejs:dynamic/github-runners:RunnerRegistration";
export const DEREGISTRATION_TYPE = "pulumi-nodejs:dynamic/github-runners:RunnerDeregistration";

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

export interface ProgramRun {
    resources: RecordedResource[];
    invokes: RecordedInvoke[];
    outputs: { imageId: string; networkId: string; runners: Record<string, string[]> };
}

export function isSecret(value: unknown): value is { value: unknown } {
    return value !== null && typeof value === "object" && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

export function unwrapSecret(value: unknown): unknown {
    return isSecret(value) ? value.value : value;
}

/** The inputs with every secret replaced by a marker: what an observer of plain values could see. */
export function withoutSecrets(value: unknown): unknown {
    if (isSecret(value)) return "[secret]";
    if (Array.isArray(value)) return value.map(withoutSecrets);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withoutSecrets(inner)]));
    }
    return value;
}

/** A fixed 12-hex suffix per registration, so two runs are comparable. */
function mockSuffix(name: string): string {
    let hash = 0;
    for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    return hash.toString(16).padStart(12, "0").slice(-12);
}

/** What a registration's create would answer (see components/github/registration). */
function mockRegistrationState(name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const runnerName = `${String(inputs.namePrefix)}-${mockSuffix(name)}`;
    const jit = unwrapSecret(inputs.mode) === "jit";
    return {
        ...inputs,
        runnerName,
        hostname: runnerName,
        runnerId: jit ? 1000 + (mockSuffix(name).charCodeAt(0) % 100) : undefined,
        jitConfig: jit ? `MOCK-JIT-CONFIG-FOR-${runnerName}` : undefined,
        registrationToken: jit ? undefined : "MOCK-REGISTRATION-TOKEN",
        registrationUrl: "https://github.com/acme",
        appliedSpec: inputs.spec,
        createdAt: "2026-01-01T00:00:00.000Z",
    };
}

const INVOKE_RESULTS: Record<string, (args: Record<string, unknown>) => Record<string, unknown>> = {
    "openstack:images/getImage:getImage": (args) => ({ id: "6f1c7a3e-0000-4000-8000-000000000001", name: args.name ?? "by-id", ...args }),
    "openstack:networking/getNetwork:getNetwork": (args) => ({ id: `net-${String(args.name)}`, name: args.name }),
    "openstack:networking/getSecGroup:getSecGroup": (args) => ({ id: `sg-${String(args.name)}`, name: args.name }),
    "openstack:compute/getFlavor:getFlavor": (args) => ({ id: `flavor-${String(args.name)}`, name: args.name }),
    "openstack:identity/getAuthScope:getAuthScope": () => ({ projectId: "project-0001", tokenId: "should-never-be-used" }),
};

export interface RunOptions {
    stackFile: string;
    stack: string;
    secrets: Readonly<Record<string, string>>;
    preview: boolean;
    /** Replaces values of this project's keys (raw Pulumi strings; structure as JSON). */
    override?: Record<string, string>;
}

export async function runProgram(options: RunOptions): Promise<ProgramRun> {
    const { all, secretKeys } = readStackFile(options.stackFile, options.secrets);
    for (const [key, value] of Object.entries(options.override ?? {})) {
        all[`${PROJECT}:${key}`] = value;
    }
    const resources: RecordedResource[] = [];
    const invokes: RecordedInvoke[] = [];
    const parents = new Map<string, { name: string; type: string }>();
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const inputs = args.inputs as Record<string, unknown>;
                resources.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs, ...parentOf(args.type, args.name) });
                const state = args.type === REGISTRATION_TYPE ? mockRegistrationState(args.name, inputs) : inputs;
                return { id: `${args.name}-id`, state };
            },
            call: (args) => {
                invokes.push({ token: args.token, args: args.inputs as Record<string, unknown> });
                const result = INVOKE_RESULTS[args.token];
                if (result === undefined) throw new Error(`the program made an unexpected invoke ${args.token}`);
                return result(args.inputs as Record<string, unknown>);
            },
        },
        PROJECT,
        options.stack,
        options.preview,
    );
    pulumi.runtime.setAllConfig(all, secretKeys);
    // Keyed by type and name: a slot and its children share a name.
    function parentOf(type: string, name: string): { parentName?: string; parentType?: string } {
        const parent = parents.get(`${type}::${name}`);
        return parent === undefined ? {} : { parentName: parent.name, parentType: parent.type };
    }
    const recordParent: pulumi.ResourceTransformation = (args) => {
        const parent = args.opts.parent as (pulumi.Resource & { __name?: string; __pulumiType?: string }) | undefined;
        if (parent !== undefined) {
            parents.set(`${args.type}::${args.name}`, { name: String(parent.__name), type: String(parent.__pulumiType) });
        }
        return undefined;
    };
    const config = loadStackConfig();
    const fleet = new RunnerFleet("fleet", { config }, { transformations: [recordParent] });
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
    // Let every registration settle before the recording is read.
    await new Promise((done) => setTimeout(done, 50));
    return { resources, invokes, outputs };
}

export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((done) => output.apply((value) => done(value)));
}
