/**
 * Just enough of the Pulumi engine's deployment logic to run the program twice and compare:
 * a state of resources kept between runs, dynamic resources driven through the SDK's own
 * dynamic-provider host (Check, then Create or Diff, Update, replacement), and deletion of
 * resources a run no longer registers, dependents first, as the engine orders deletes.
 *
 * Resources of real providers (OpenStack) have no plugin here: they are "created" with a fake id
 * and their outputs echo their inputs; a later run compares inputs, and a change to a property
 * the provider documents as forcing a new resource is a replacement.
 * Replaced resources are deleted at the end, with the unregistered ones, dependents first
 * (create-before-delete, the engine's default).
 */
import { isDeepStrictEqual } from "node:util";
import { DynamicProviderHost, type ResourceRef } from "./dynamic-provider-host";
import { SECRET_SIG, SIG_KEY, unwrap, type WireObject, type WireValue, isSecretValue } from "./pulumi-values";
import type { RecordedRegistration, ResourceResponder, ResourceState } from "./recording-monitor";

export interface StoredResource {
    urn: string;
    type: string;
    name: string;
    id: string;
    /** Checked inputs, plain (secrets unwrapped), as the provider saw them. */
    inputs: WireObject;
    outputs: WireObject;
    /** Output keys to hand back as secrets (secret inputs and additionalSecretOutputs). */
    secretKeys: string[];
    /** URNs this resource depends on (dependencies, property dependencies and parent). */
    dependsOn: string[];
}

export type StepKind = "create" | "same" | "update" | "replace" | "delete";

export interface Step {
    urn: string;
    type: string;
    kind: StepKind;
}

export class DeploymentState {
    readonly resources = new Map<string, StoredResource>();
    /** Old versions of replaced resources, waiting for the delete phase. */
    readonly pendingDeletes: StoredResource[] = [];
}

/**
 * Input properties whose change replaces the resource, from @pulumi/openstack's documentation
 * ("Changing this creates a new server", compute/instance.d.ts).
 */
const REPLACING_PROPERTIES: Record<string, readonly string[]> = {
    "openstack:compute/instance:Instance": [
        "availabilityZone", "availabilityZoneHints", "blockDevices", "configDrive", "keyPair", "networks", "region", "userData",
    ],
};

export function isDynamicType(type: string): boolean {
    return type.startsWith("pulumi-nodejs:dynamic");
}

function plainObject(value: WireObject): WireObject {
    return (unwrap(value) ?? {}) as WireObject;
}

function secretTopLevelKeys(inputs: WireObject): string[] {
    return Object.entries(inputs).filter(([, value]) => isSecretValue(value)).map(([key]) => key);
}

function withSecrets(outputs: WireObject, secretKeys: string[]): WireObject {
    const wrapped: WireObject = { ...outputs };
    for (const key of secretKeys) {
        const value: WireValue | undefined = wrapped[key];
        if (value !== undefined && !isSecretValue(value)) wrapped[key] = { [SIG_KEY]: SECRET_SIG, value };
    }
    return wrapped;
}

export interface SimulatedEngineOptions {
    state: DeploymentState;
    dryRun: boolean;
    programDir: string;
    /** Environment for the provider host (e.g. NODE_EXTRA_CA_CERTS for the GitHub stand-in). */
    providerEnv: Record<string, string>;
}

export class SimulatedEngine {
    readonly steps: Step[] = [];
    private host: DynamicProviderHost | undefined;
    private fakeIds = 0;

    constructor(private readonly options: SimulatedEngineOptions) {}

    /** Starts the dynamic-provider plugin for this run, as the engine does once per deployment. */
    async attach(engineAddress: string): Promise<void> {
        this.host = await DynamicProviderHost.start(this.options.programDir, engineAddress, this.options.providerEnv);
    }

    /** What the provider host printed on stderr (its error reports), for assertion messages. */
    get providerStderr(): string {
        return this.host?.stderr ?? "";
    }

    readonly respond: ResourceResponder = async (registration) => {
        const resource: ResourceRef = { urn: registration.urn, name: registration.name, type: registration.type };
        const old = this.options.state.resources.get(registration.urn);
        const secretKeys = [...new Set([...secretTopLevelKeys(registration.inputs), ...registration.additionalSecretOutputs])];
        const dependsOn = [
            registration.parent,
            ...registration.dependencies,
            ...Object.values(registration.propertyDependencies).flat(),
        ].filter((urn) => urn !== "");
        const news = plainObject(registration.inputs);
        const [kind, state] = isDynamicType(registration.type)
            ? await this.dynamicStep(resource, old, news)
            : this.plainStep(registration, old, news);
        this.steps.push({ urn: registration.urn, type: registration.type, kind });
        if (!this.options.dryRun) {
            if (kind === "replace" && old !== undefined) this.options.state.pendingDeletes.push(old);
            this.options.state.resources.set(registration.urn, { ...resource, id: state.id, inputs: news, outputs: state.outputs, secretKeys, dependsOn });
        }
        return { id: state.id, outputs: withSecrets(state.outputs, secretKeys) };
    };

    private async dynamicStep(resource: ResourceRef, old: StoredResource | undefined, news: WireObject): Promise<[StepKind, ResourceState]> {
        const host = this.requireHost();
        const checked = await host.check(resource, old?.inputs ?? {}, news);
        if (checked.failures.length > 0) throw new Error(`${resource.urn}: check failed: ${checked.failures.join("; ")}`);
        const inputs = checked.inputs;
        const { dryRun } = this.options;
        if (old === undefined) {
            // In preview the engine cannot know a new resource's id or computed outputs.
            return ["create", dryRun ? { id: "", outputs: inputs } : await host.create(resource, inputs)];
        }
        const diff = await host.diff(resource, old.id, old.inputs, old.outputs, inputs);
        const changed = diff.changes === "some" || (diff.changes === "unknown" && !isDeepStrictEqual(old.inputs, inputs));
        if (!changed) return ["same", { id: old.id, outputs: old.outputs }];
        if (diff.replaces.length > 0) {
            if (diff.deleteBeforeReplace) throw new Error(`${resource.urn}: delete-before-replace is not simulated`);
            return ["replace", dryRun ? { id: "", outputs: inputs } : await host.create(resource, inputs)];
        }
        if (dryRun) return ["update", { id: old.id, outputs: { ...old.outputs, ...inputs } }];
        return ["update", { id: old.id, outputs: await host.update(resource, old.id, old.inputs, old.outputs, inputs) }];
    }

    private plainStep(registration: RecordedRegistration, old: StoredResource | undefined, news: WireObject): [StepKind, ResourceState] {
        if (old === undefined) {
            return ["create", { id: this.options.dryRun ? "" : `${registration.name}-${++this.fakeIds}`, outputs: news }];
        }
        if (isDeepStrictEqual(old.inputs, news)) return ["same", { id: old.id, outputs: old.outputs }];
        const replacing = REPLACING_PROPERTIES[registration.type] ?? [];
        if (replacing.some((key) => !isDeepStrictEqual(old.inputs[key], news[key]))) {
            return ["replace", { id: this.options.dryRun ? "" : `${registration.name}-${++this.fakeIds}`, outputs: news }];
        }
        return ["update", { id: old.id, outputs: news }];
    }

    /**
     * Deletes what this run did not register and the old versions of what it replaced, each
     * only after everything that depends on it (Pulumi's delete order). In preview only the
     * steps are recorded. A failed delete stops the deployment, leaving the rest in the state.
     */
    async deleteUnregistered(registeredUrns: Iterable<string>): Promise<void> {
        const { state, dryRun } = this.options;
        const registered = new Set(registeredUrns);
        const doomed = [...[...state.resources.values()].filter((resource) => !registered.has(resource.urn)), ...state.pendingDeletes];
        while (doomed.length > 0) {
            const index = doomed.findIndex((candidate) => !doomed.some((other) => other !== candidate && other.dependsOn.includes(candidate.urn)));
            if (index < 0) throw new Error(`dependency cycle among ${doomed.map((resource) => resource.urn).join(", ")}`);
            const [next] = doomed.splice(index, 1) as [StoredResource];
            if (!dryRun) {
                if (isDynamicType(next.type)) await this.requireHost().delete(next, next.id, next.inputs, next.outputs);
                const pending = state.pendingDeletes.indexOf(next);
                if (pending >= 0) state.pendingDeletes.splice(pending, 1);
                else state.resources.delete(next.urn);
            }
            this.steps.push({ urn: next.urn, type: next.type, kind: "delete" });
        }
    }

    async close(): Promise<void> {
        await this.host?.stop();
        this.host = undefined;
    }

    private requireHost(): DynamicProviderHost {
        if (this.host === undefined) throw new Error("SimulatedEngine.attach() was not called before the program ran");
        return this.host;
    }
}
