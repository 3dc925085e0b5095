/**
 * The simulated engine's state between runs: what the checkpoint holds (pulumi/pulumi v3.259
 * sdk/go/common/apitype/core.go ResourceV3 fields the harness uses), with values kept plain and
 * the paths of their secrets beside them, the stack config of the last run, and JSON to save it.
 */
import type { PropertyPath } from "./property-path";
import type { WireObject } from "./pulumi-values";
import { joinSecrets, splitSecrets } from "./secret-values";

export type HookType = "BeforeCreate" | "AfterCreate" | "BeforeUpdate" | "AfterUpdate" | "BeforeDelete" | "AfterDelete" | "OnError";

export interface StoredResource {
    urn: string;
    type: string;
    name: string;
    /** "" for components and the stack. */
    id: string;
    custom: boolean;
    parent: string;
    /** Checked inputs, plain (secrets unwrapped), as the provider saw them. */
    inputs: WireObject;
    outputs: WireObject;
    secretInputs: PropertyPath[];
    secretOutputs: PropertyPath[];
    /** Provider reference "<provider urn>::<provider id>" ("" for components and providers). */
    provider: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    deletedWith: string;
    replaceWith: string[];
    additionalSecretOutputs: string[];
    ignoreChanges: string[];
    replaceOnChanges: string[];
    protect: boolean;
    retainOnDelete: boolean;
    /** Read (not managed) by this stack: a delete only drops it from the state. */
    external: boolean;
    /** Deleted by a delete-before-replace, waiting for its replacement (ResourceV3.pendingReplacement). */
    pendingReplacement: boolean;
    importId: string;
    hooks: Partial<Record<HookType, string[]>>;
    created: string;
    modified: string;
    sourcePosition: string;
    stackTrace: string[];
}

export interface StackConfig {
    /** "<namespace>:<key>" -> value, as `pulumi config` holds it. */
    config: Record<string, string>;
    secretKeys: string[];
}

export interface StateJson {
    version: 1;
    resources: StoredResource[];
    pendingDeletes: StoredResource[];
    lastConfig: StackConfig | undefined;
}

export class DeploymentState {
    readonly resources = new Map<string, StoredResource>();
    /** Old versions of resources replaced create-before-delete, waiting for the delete phase (delete: true). */
    readonly pendingDeletes: StoredResource[] = [];
    /** The stack config of the last run (the engine configures providers from it on destroy and refresh). */
    lastConfig: StackConfig | undefined;

    toJSON(): StateJson {
        return structuredClone({
            version: 1 as const,
            resources: [...this.resources.values()],
            pendingDeletes: this.pendingDeletes,
            lastConfig: this.lastConfig,
        });
    }

    static fromJSON(json: StateJson): DeploymentState {
        if (json.version !== 1) throw new Error(`deployment state version ${String(json.version)} is not 1`);
        const state = new DeploymentState();
        for (const resource of structuredClone(json.resources)) state.resources.set(resource.urn, resource);
        state.pendingDeletes.push(...structuredClone(json.pendingDeletes));
        state.lastConfig = structuredClone(json.lastConfig);
        return state;
    }

    /** A deep copy (the working state of a deployment). */
    clone(): DeploymentState {
        const copy = new DeploymentState();
        // Each part copied on its own, as fromJSON(toJSON()) did: no object is shared between them.
        for (const resource of structuredClone([...this.resources.values()])) copy.resources.set(resource.urn, resource);
        copy.pendingDeletes.push(...structuredClone(this.pendingDeletes));
        copy.lastConfig = structuredClone(this.lastConfig);
        return copy;
    }

    /** Replaces this state's content with another's (a finished deployment's working copy). */
    assign(other: DeploymentState): void {
        this.resources.clear();
        for (const [urn, resource] of other.resources) this.resources.set(urn, resource);
        this.pendingDeletes.splice(0, this.pendingDeletes.length, ...other.pendingDeletes);
        this.lastConfig = other.lastConfig;
    }
}

/** Inputs of a stored resource as the engine holds them (secrets wrapped). */
export function inputsOf(resource: StoredResource): WireObject {
    return joinSecrets(resource.inputs, resource.secretInputs);
}

export function outputsOf(resource: StoredResource): WireObject {
    return joinSecrets(resource.outputs, resource.secretOutputs);
}

export function withInputs(resource: StoredResource, inputs: WireObject): void {
    const split = splitSecrets(inputs);
    resource.inputs = split.plain;
    resource.secretInputs = split.secrets;
}

export function withOutputs(resource: StoredResource, outputs: WireObject): void {
    const split = splitSecrets(outputs);
    resource.outputs = split.plain;
    resource.secretOutputs = split.secrets;
}

/** Every URN the resource depends on, as the dependency graph counts them (parent included). */
export function dependenciesOf(resource: StoredResource): string[] {
    const providerUrn = resource.provider === "" ? [] : [providerUrnOf(resource.provider)];
    return [
        resource.parent,
        ...resource.dependencies,
        ...Object.values(resource.propertyDependencies).flat(),
        resource.deletedWith,
        ...resource.replaceWith,
        ...providerUrn,
    ].filter((urn) => urn !== "");
}

/** "<urn>::<id>" -> urn (pkg/resource/deploy/providers/reference.go ParseReference: the id follows the last "::"). */
export function providerUrnOf(reference: string): string {
    return reference.slice(0, reference.lastIndexOf("::"));
}
