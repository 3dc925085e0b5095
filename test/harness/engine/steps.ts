/**
 * The steps a deployment takes, named after the engine's step ops (pulumi/pulumi v3.259
 * pkg/resource/deploy/step.go StepOp): `kind` is the short form the fleet tests compare
 * (create, same, update, replace, delete, read, refresh, import), `op` the precise one.
 */
export type StepKind = "create" | "same" | "update" | "replace" | "delete" | "read" | "refresh" | "import";

export type StepOp =
    | "create"
    | "same"
    | "update"
    | "replace"
    | "create-replacement"
    | "delete"
    | "delete-replaced"
    | "discard"
    | "remove-pending-replace"
    | "read"
    | "refresh"
    | "import"
    | "skipped-create";

export interface Step {
    urn: string;
    type: string;
    kind: StepKind;
    op: StepOp;
    /** A custom resource (not a component, the stack or a provider). */
    custom: boolean;
    /** For replaces: the keys that forced it, and whether the old one went first. */
    replaceKeys?: string[];
    deleteBeforeReplace?: boolean;
    /** For updates and replaces: the changed top-level keys. */
    changedKeys?: string[];
    /** For refreshes: whether the cloud differed from the state (or the resource was gone). */
    refreshed?: "same" | "changed" | "gone";
}
