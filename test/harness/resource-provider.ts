/**
 * The provider calls the simulated engine makes (the gRPC ResourceProvider methods, as
 * pulumi/pulumi v3.259 pkg/resource/plugin/provider.go Provider declares them). Values are the
 * engine's property values: secrets wrapped with the secret signature, unknowns as the unknown
 * sentinel (preview only). Each implementation applies its own provider's rules (which values it
 * receives, what it answers in preview).
 */
import type { WireObject } from "./pulumi-values";

export interface ResourceRef {
    urn: string;
    name: string;
    type: string;
}

export interface PropertyDiff {
    /** Pulumi property path, e.g. `networks[0].uuid`. */
    path: string;
    replace: boolean;
}

export interface DiffResult {
    changes: "none" | "some" | "unknown";
    /** Top-level keys whose change replaces the resource. */
    replaceKeys: string[];
    /** Top-level keys that changed (empty when the provider does not say). */
    changedKeys: string[];
    /** Per-path changes, when the provider reports a detailed diff. */
    detailedDiff: PropertyDiff[] | undefined;
    deleteBeforeReplace: boolean;
}

export interface CheckResult {
    inputs: WireObject;
    failures: { property: string; reason: string }[];
}

export interface ReadResult {
    id: string;
    outputs: WireObject;
    /** Inputs the provider recovered (import) or refreshed; absent: keep the old ones. */
    inputs?: WireObject;
}

export interface ResourceProvider {
    check(resource: ResourceRef, olds: WireObject | undefined, news: WireObject, preview: boolean): Promise<CheckResult>;
    diff(resource: ResourceRef, id: string, oldInputs: WireObject, oldOutputs: WireObject, newInputs: WireObject, ignoreChanges: string[]): Promise<DiffResult>;
    create(resource: ResourceRef, inputs: WireObject, preview: boolean): Promise<{ id: string; outputs: WireObject }>;
    update(resource: ResourceRef, id: string, oldInputs: WireObject, oldOutputs: WireObject, newInputs: WireObject, preview: boolean): Promise<WireObject>;
    delete(resource: ResourceRef, id: string, inputs: WireObject, outputs: WireObject): Promise<void>;
    /** undefined: the resource does not exist. */
    read(resource: ResourceRef, id: string, inputs: WireObject, state: WireObject): Promise<ReadResult | undefined>;
}

/** A provider that reports no detailed diff: the engine compares inputs itself (diffResource). */
export function diffNone(): DiffResult {
    return { changes: "none", replaceKeys: [], changedKeys: [], detailedDiff: undefined, deleteBeforeReplace: false };
}
