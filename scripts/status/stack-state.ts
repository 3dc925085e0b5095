/**
 * Reads what the status command needs from a `pulumi stack export --show-secrets`
 * deployment (apitype.UntypedDeployment {version: 3, deployment: DeploymentV3};
 * pulumi/pulumi sdk/go/common/apitype/core.go): the runner slots with their
 * registration, instance and drain guard, the old resources still waiting for
 * their delete, interrupted operations, and the stack outputs. Pure.
 *
 * Secrets are envelopes {<sig key>: <secret sig>, plaintext: <JSON text>} once
 * revealed (pkg/resource/stack/deployment.go SerializePropertyValue with
 * showSecrets); an envelope with only a ciphertext means the export was made
 * without --show-secrets.
 */
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import type { IdentityDigests } from "../../components/github/registration/identity";
import { readRegistrationOutputs } from "../../components/github/registration/state";

/** Resource types the program registers (components/runner.ts, pool.ts, fleet.ts, github/registration.ts, github/deregistration.ts). */
export const RESOURCE_TYPES = {
    stack: "pulumi:pulumi:Stack",
    fleet: "github-runners:index:RunnerFleet",
    pool: "github-runners:index:RunnerPool",
    slot: "github-runners:index:RunnerSlot",
    registration: "pulumi-nodejs:dynamic/github-runners:RunnerRegistration",
    instance: "openstack:compute/instance:Instance",
    drainGuard: "pulumi-nodejs:dynamic/github-runners:RunnerDeregistration",
} as const;

export class StackStateError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackStateError";
    }
}

export interface RegistrationState {
    runnerName: string;
    /** JIT runners; token-mode runners get theirs only when their VM registers. */
    runnerId?: number;
    mode: "jit" | "token";
    createdAt: string;
    path: string;
    /** The image the slot's VM was built from (the applied instance settings). */
    appliedImageId?: string;
    /** Identity digests as applied at create. */
    digests: Partial<IdentityDigests>;
    /** The registration's inputs as the last run declared them (the desired settings). */
    desired: Record<string, unknown>;
}

export interface SlotState {
    /** The slot component's name, e.g. "fleet-small-0". */
    name: string;
    pool: string;
    index: number;
    registration?: RegistrationState;
    /** The Nova server id. */
    serverId?: string;
    drainGuard?: { drain: boolean; drained: boolean };
    /** Why part of the slot could not be read (e.g. a registration written by an older version). */
    problems: string[];
}

/** An old registration or instance waiting for its delete (`delete: true`): an interrupted replacement. */
export interface PendingDelete {
    slot: string;
    type: string;
    runnerName?: string;
    serverId?: string;
}

/** An operation the engine started and never finished (apitype.OperationV2): the update was interrupted. */
export interface PendingOperation {
    type: string;
    resourceType: string;
    name: string;
}

export interface StackState {
    slots: SlotState[];
    pendingDeletes: PendingDelete[];
    pendingOperations: PendingOperation[];
    /** The root stack's outputs, secrets revealed. */
    outputs: Record<string, unknown>;
}

interface RawResource {
    urn: string;
    type: string;
    id?: string;
    parent?: string;
    delete?: boolean;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

function nameOf(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

/** A property value with its secrets revealed; an encrypted one is an error naming where it is. */
export function revealSecrets(value: unknown, where: string): unknown {
    if (Array.isArray(value)) return value.map((item, index) => revealSecrets(item, `${where}[${index}]`));
    if (value === null || typeof value !== "object") return value;
    const object = value as Record<string, unknown>;
    if (object[specialSigKey] === specialSecretSig) {
        if (typeof object["plaintext"] !== "string") {
            throw new StackStateError(`${where} is an encrypted secret: the deployment must be exported with --show-secrets (as the Automation API's exportStack does)`);
        }
        let parsed: unknown;
        try {
            parsed = JSON.parse(object["plaintext"]);
        } catch {
            throw new StackStateError(`${where} is a secret whose plaintext is not JSON text (value not shown)`);
        }
        return revealSecrets(parsed, where);
    }
    return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, revealSecrets(item, `${where}.${key}`)]));
}

function resourcesOf(exported: unknown): { resources: RawResource[]; pendingOperations: unknown[] } {
    const top = exported as { version?: unknown; deployment?: { resources?: unknown; pending_operations?: unknown } } | null;
    if (typeof top !== "object" || top === null || top.version !== 3) {
        throw new StackStateError(`the exported deployment has version ${JSON.stringify(top?.version)}; expected 3 (the format \`pulumi stack export\` writes)`);
    }
    const resources = top.deployment?.resources ?? [];
    if (!Array.isArray(resources)) throw new StackStateError("the exported deployment's resources are not a list");
    resources.forEach((resource: unknown, index) => {
        const r = resource as Partial<RawResource> | null;
        if (typeof r?.urn !== "string" || typeof r.type !== "string") {
            throw new StackStateError(`resource ${index} of the exported deployment has no urn or type`);
        }
    });
    const pending = top.deployment?.pending_operations ?? [];
    return { resources: resources as RawResource[], pendingOperations: Array.isArray(pending) ? pending : [] };
}

/** Pool and index of a slot component, from its pool component's name under the fleet's ("<fleet>-<pool>", "<fleet>-<pool>-<index>"). */
function slotPlace(slot: RawResource, byUrn: Map<string, RawResource>): { pool: string; index: number } | undefined {
    const pool = slot.parent !== undefined ? byUrn.get(slot.parent) : undefined;
    const fleet = pool?.parent !== undefined ? byUrn.get(pool.parent) : undefined;
    if (pool?.type !== RESOURCE_TYPES.pool || fleet === undefined) return undefined;
    const poolComponent = nameOf(pool.urn);
    const fleetName = nameOf(fleet.urn);
    const slotName = nameOf(slot.urn);
    if (!poolComponent.startsWith(`${fleetName}-`) || !slotName.startsWith(`${poolComponent}-`)) return undefined;
    const indexText = slotName.slice(poolComponent.length + 1);
    if (!/^\d+$/.test(indexText)) return undefined;
    return { pool: poolComponent.slice(fleetName.length + 1), index: Number(indexText) };
}

function readRegistration(resource: RawResource): RegistrationState {
    const outputs = revealSecrets(resource.outputs ?? {}, `${nameOf(resource.urn)} outputs`) as Record<string, unknown>;
    const applied = readRegistrationOutputs(outputs);
    const desired = revealSecrets(resource.inputs ?? {}, `${nameOf(resource.urn)} inputs`) as Record<string, unknown>;
    const imageId = (applied.instance as { imageId?: unknown }).imageId;
    return {
        runnerName: applied.runnerName,
        ...(applied.runnerId !== undefined ? { runnerId: applied.runnerId } : {}),
        mode: applied.mode,
        createdAt: applied.createdAt,
        path: applied.path,
        ...(typeof imageId === "string" ? { appliedImageId: imageId } : {}),
        digests: applied.digests,
        desired,
    };
}

export function readStackState(exported: unknown): StackState {
    const { resources, pendingOperations } = resourcesOf(exported);
    const live = resources.filter((resource) => resource.delete !== true);
    const byUrn = new Map(live.map((resource) => [resource.urn, resource]));
    const slots = new Map<string, SlotState>();
    for (const resource of live) {
        if (resource.type !== RESOURCE_TYPES.slot) continue;
        const place = slotPlace(resource, byUrn);
        if (place === undefined) throw new StackStateError(`slot ${resource.urn} is not under a pool of a fleet as the program declares slots`);
        slots.set(resource.urn, { name: nameOf(resource.urn), ...place, problems: [] });
    }
    for (const resource of live) {
        const slot = resource.parent !== undefined ? slots.get(resource.parent) : undefined;
        if (slot === undefined) continue;
        if (resource.type === RESOURCE_TYPES.registration) {
            try {
                slot.registration = readRegistration(resource);
            } catch (error) {
                if (error instanceof StackStateError) throw error;
                slot.problems.push(error instanceof Error ? error.message : String(error));
            }
        } else if (resource.type === RESOURCE_TYPES.instance && typeof resource.id === "string" && resource.id !== "") {
            slot.serverId = resource.id;
        } else if (resource.type === RESOURCE_TYPES.drainGuard) {
            const outputs = revealSecrets(resource.outputs ?? {}, `${nameOf(resource.urn)} outputs`) as Record<string, unknown>;
            slot.drainGuard = { drain: outputs["drain"] === true, drained: outputs["drained"] === true };
        }
    }
    const pendingDeletes: PendingDelete[] = [];
    for (const resource of resources) {
        if (resource.delete !== true) continue;
        if (resource.type !== RESOURCE_TYPES.registration && resource.type !== RESOURCE_TYPES.instance) continue;
        const outputs = revealSecrets(resource.outputs ?? {}, `${nameOf(resource.urn)} outputs`) as Record<string, unknown>;
        pendingDeletes.push({
            slot: nameOf(resource.urn),
            type: resource.type,
            ...(resource.type === RESOURCE_TYPES.registration && typeof outputs["runnerName"] === "string" ? { runnerName: outputs["runnerName"] } : {}),
            ...(resource.type === RESOURCE_TYPES.instance && typeof resource.id === "string" && resource.id !== "" ? { serverId: resource.id } : {}),
        });
    }
    const root = live.find((resource) => resource.type === RESOURCE_TYPES.stack);
    return {
        slots: [...slots.values()].sort((a, b) => a.pool.localeCompare(b.pool) || a.index - b.index),
        pendingDeletes,
        pendingOperations: pendingOperations.map((operation) => {
            const o = operation as { type?: unknown; resource?: { urn?: unknown; type?: unknown } };
            const urn = typeof o.resource?.urn === "string" ? o.resource.urn : "";
            return { type: String(o.type ?? "unknown"), resourceType: String(o.resource?.type ?? "unknown"), name: nameOf(urn) };
        }),
        outputs: revealSecrets(root?.outputs ?? {}, "the stack outputs") as Record<string, unknown>,
    };
}
