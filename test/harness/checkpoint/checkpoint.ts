/**
 * The simulated state as Pulumi serialises it (pulumi/pulumi v3.259
 * pkg/resource/stack/deployment.go SerializeDeployment, SerializeResource, SerializePropertyValue;
 * sdk/go/common/apitype/core.go DeploymentV3, ResourceV3, SecretV1): resources with their fields in
 * ResourceV3's order, property maps with sorted keys (Go marshals maps sorted), every secret replaced
 * by the envelope {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
 * "ciphertext": "v1:..."} whose plaintext is the JSON of the value (json.Marshal: HTML-escaped).
 *
 * Sizes are of the compact form the diy backend stores (pkg/backend/diy/state.go
 * compactJSONMarshaler: no indentation, no HTML escaping); `pulumi stack export` prints the same
 * with a four-space indent (pkg/cmd/pulumi/stack/stack_export.go).
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { DeploymentState, type HookType, type StoredResource } from "../deployment-state";
import type { PropertyPath } from "../property-path";
import { SECRET_SIG, SIG_KEY, UNKNOWN_VALUE, type WireObject, type WireValue } from "../pulumi-values";
import { joinSecrets, splitSecrets } from "../secret-values";
import { SymmetricCrypter } from "./crypter";

/** pkg/resource/stack/deployment.go computedValuePlaceholder: what an unknown is stored as. */
const COMPUTED_PLACEHOLDER = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const ENGINE_VERSION = "v3.259.0";

export interface ResourceV3 {
    urn: string;
    custom: boolean;
    delete?: boolean;
    id?: string;
    type: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    parent?: string;
    protect?: boolean;
    external?: boolean;
    dependencies?: string[];
    provider?: string;
    propertyDependencies?: Record<string, string[]>;
    pendingReplacement?: boolean;
    additionalSecretOutputs?: string[];
    importID?: string;
    retainOnDelete?: boolean;
    deletedWith?: string;
    replaceWith?: string[];
    created?: string;
    modified?: string;
    sourcePosition?: string;
    stackTrace?: { sourcePosition?: string }[];
    ignoreChanges?: string[];
    replaceOnChanges?: string[];
    resourceHooks?: Partial<Record<HookType, string[]>>;
}

export interface DeploymentV3 {
    manifest: { time: string; magic: string; version: string };
    secrets_providers: { type: string; state: Record<string, string> };
    resources: ResourceV3[];
}

export interface UntypedDeployment {
    version: 3;
    deployment: DeploymentV3;
}

/** Go's json.Marshal escapes these for HTML safety (encoding/json encodeState.string). */
function goMarshal(value: unknown): string {
    return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function isObject(value: WireValue | undefined): value is WireObject {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function serializeValue(value: WireValue, crypter: SymmetricCrypter | undefined): unknown {
    if (value === UNKNOWN_VALUE) return COMPUTED_PLACEHOLDER;
    if (Array.isArray(value)) return value.map((item) => serializeValue(item, crypter));
    if (!isObject(value)) return value;
    if (value[SIG_KEY] === SECRET_SIG) {
        const inner = serializeValue(value["value"] ?? null, undefined);
        if (crypter === undefined) return inner;
        return { [SIG_KEY]: SECRET_SIG, ciphertext: crypter.encrypt(goMarshal(inner)) };
    }
    if (value[SIG_KEY] !== undefined) return value;
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) result[key] = serializeValue(value[key]!, crypter);
    return result;
}

function serializeMap(plain: WireObject, secrets: readonly PropertyPath[], crypter: SymmetricCrypter): Record<string, unknown> | undefined {
    if (Object.keys(plain).length === 0) return undefined;
    return serializeValue(joinSecrets(plain, secrets), crypter) as Record<string, unknown>;
}

function nonEmpty<T>(items: T[] | undefined): T[] | undefined {
    return items === undefined || items.length === 0 ? undefined : items;
}

export function serializeResource(resource: StoredResource, crypter: SymmetricCrypter, pendingDelete = false): ResourceV3 {
    const propertyDependencies = Object.fromEntries(Object.entries(resource.propertyDependencies).sort(([a], [b]) => a.localeCompare(b)));
    const hooks = Object.keys(resource.hooks).length > 0 ? resource.hooks : undefined;
    const v3: ResourceV3 = {
        urn: resource.urn,
        custom: resource.custom,
        delete: pendingDelete || undefined,
        id: resource.id || undefined,
        type: resource.type,
        inputs: serializeMap(resource.inputs, resource.secretInputs, crypter),
        outputs: serializeMap(resource.outputs, resource.secretOutputs, crypter),
        parent: resource.parent || undefined,
        protect: resource.protect || undefined,
        external: resource.external || undefined,
        dependencies: nonEmpty(resource.dependencies),
        provider: resource.provider || undefined,
        propertyDependencies: Object.keys(propertyDependencies).length > 0 ? propertyDependencies : undefined,
        pendingReplacement: resource.pendingReplacement || undefined,
        additionalSecretOutputs: nonEmpty(resource.additionalSecretOutputs),
        importID: resource.importId || undefined,
        retainOnDelete: resource.retainOnDelete || undefined,
        deletedWith: resource.deletedWith || undefined,
        replaceWith: nonEmpty(resource.replaceWith),
        created: resource.created || undefined,
        modified: resource.modified || undefined,
        sourcePosition: resource.sourcePosition || undefined,
        stackTrace: nonEmpty(resource.stackTrace.map((frame) => (frame === "" ? {} : { sourcePosition: frame }))),
        ignoreChanges: nonEmpty(resource.ignoreChanges),
        replaceOnChanges: nonEmpty(resource.replaceOnChanges),
        resourceHooks: hooks,
    };
    return JSON.parse(JSON.stringify(v3)) as ResourceV3;
}

export function serializeDeployment(state: DeploymentState, crypter: SymmetricCrypter, time = new Date()): UntypedDeployment {
    const magic = createMagic(ENGINE_VERSION);
    return {
        version: 3,
        deployment: {
            manifest: { time: time.toISOString(), magic, version: ENGINE_VERSION },
            secrets_providers: { type: "harness", state: {} },
            resources: [
                ...[...state.resources.values()].map((resource) => serializeResource(resource, crypter)),
                ...state.pendingDeletes.map((resource) => serializeResource(resource, crypter, true)),
            ],
        },
    };
}

/** ManifestV1.NewMagic: the sha256 of the version, hex. */
function createMagic(version: string): string {
    return createHash("sha256").update(version).digest("hex");
}

function deserializeValue(value: unknown, crypter: SymmetricCrypter): WireValue {
    if (Array.isArray(value)) return value.map((item) => deserializeValue(item, crypter));
    if (value === null || typeof value !== "object") return value as WireValue;
    const object = value as Record<string, unknown>;
    if (object[SIG_KEY] === SECRET_SIG) {
        const plaintext = typeof object["ciphertext"] === "string" ? crypter.decrypt(object["ciphertext"]) : String(object["plaintext"]);
        return { [SIG_KEY]: SECRET_SIG, value: deserializeValue(JSON.parse(plaintext), crypter) };
    }
    const result: WireObject = {};
    for (const [key, item] of Object.entries(object)) result[key] = deserializeValue(item, crypter);
    return result;
}

export function deserializeResource(v3: ResourceV3, crypter: SymmetricCrypter): StoredResource {
    const inputs = splitSecrets(deserializeValue(v3.inputs ?? {}, crypter) as WireObject);
    const outputs = splitSecrets(deserializeValue(v3.outputs ?? {}, crypter) as WireObject);
    return {
        urn: v3.urn,
        type: v3.type,
        name: v3.urn.slice(v3.urn.lastIndexOf("::") + 2),
        id: v3.id ?? "",
        custom: v3.custom,
        parent: v3.parent ?? "",
        inputs: inputs.plain,
        outputs: outputs.plain,
        secretInputs: inputs.secrets,
        secretOutputs: outputs.secrets,
        provider: v3.provider ?? "",
        dependencies: v3.dependencies ?? [],
        propertyDependencies: v3.propertyDependencies ?? {},
        deletedWith: v3.deletedWith ?? "",
        replaceWith: v3.replaceWith ?? [],
        additionalSecretOutputs: v3.additionalSecretOutputs ?? [],
        ignoreChanges: v3.ignoreChanges ?? [],
        replaceOnChanges: v3.replaceOnChanges ?? [],
        protect: v3.protect ?? false,
        retainOnDelete: v3.retainOnDelete ?? false,
        external: v3.external ?? false,
        pendingReplacement: v3.pendingReplacement ?? false,
        importId: v3.importID ?? "",
        hooks: v3.resourceHooks ?? {},
        created: v3.created ?? "",
        modified: v3.modified ?? "",
        sourcePosition: v3.sourcePosition ?? "",
        stackTrace: (v3.stackTrace ?? []).map((frame) => frame.sourcePosition ?? ""),
    };
}

/** The resources of a serialized deployment back into a state (pending deletes are `delete: true`). */
export function deserializeDeployment(deployment: UntypedDeployment, crypter: SymmetricCrypter): DeploymentState {
    if (deployment.version !== 3) throw new Error(`checkpoint version ${String(deployment.version)} is not 3`);
    const state = new DeploymentState();
    for (const v3 of deployment.deployment.resources) {
        const resource = deserializeResource(v3, crypter);
        if (v3.delete === true) state.pendingDeletes.push(resource);
        else state.resources.set(resource.urn, resource);
    }
    return state;
}

/** True when the resource is `ancestor` or a descendant of it by parent links. */
function isUnder(state: DeploymentState, resource: StoredResource, ancestor: string): boolean {
    if (resource.urn === ancestor) return true;
    const seen = new Set<string>();
    let parent = resource.parent;
    while (parent !== "" && !seen.has(parent)) {
        if (parent === ancestor) return true;
        seen.add(parent);
        parent = state.resources.get(parent)?.parent ?? "";
    }
    return false;
}

/**
 * The bytes, in the stored checkpoint, of the resources under a parent (the parent itself and its
 * descendants, old versions waiting for deletion included): e.g. one runner slot's share of the state.
 */
export function checkpointBytesUnder(state: DeploymentState, parentUrn: string, crypter: SymmetricCrypter): number {
    const resources = [
        ...[...state.resources.values()].filter((resource) => isUnder(state, resource, parentUrn)).map((resource) => serializeResource(resource, crypter)),
        ...state.pendingDeletes.filter((resource) => isUnder(state, resource, parentUrn)).map((resource) => serializeResource(resource, crypter, true)),
    ];
    return Buffer.byteLength(JSON.stringify(resources), "utf8");
}

/** Writes the whole checkpoint as `pulumi stack export` prints it. */
export function writeCheckpoint(state: DeploymentState, file: string, crypter: SymmetricCrypter): void {
    writeFileSync(file, `${JSON.stringify(serializeDeployment(state, crypter), null, 4)}\n`);
}
