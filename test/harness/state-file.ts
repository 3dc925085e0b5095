/**
 * A harness stack saved to one JSON file, so separate processes (e.g. a `pulumi` CLI test double)
 * can run preview, up, destroy and refresh one after another on the same stack:
 *
 *   { version: 1, project, stack, organization,
 *     secretsKey,            // base64 AES-256 key of the checkpoint's secrets (test-only: kept beside them)
 *     checkpoint,            // the deployment exactly as `pulumi stack export` gives it, secrets encrypted
 *     lastConfig,            // the config of the last run; secret values encrypted with the same key
 *     cloud }                // the in-memory OpenStack cloud's world, or null for another CloudBackend
 *
 * Secrets never sit in the file in clear: grepping it or printing it shows ciphertext only.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { deserializeDeployment, serializeDeployment, type UntypedDeployment } from "./checkpoint/checkpoint";
import { SymmetricCrypter } from "./checkpoint/crypter";
import type { DeploymentState, StackConfig } from "./deployment-state";
import type { WorldJson } from "./openstack-cloud/world";

export interface StackIdentity {
    project: string;
    stack: string;
    organization: string;
}

export interface StateFileJson extends StackIdentity {
    version: 1;
    secretsKey: string;
    checkpoint: UntypedDeployment;
    lastConfig: { config: Record<string, string | { secure: string }>; secretKeys: string[] } | null;
    cloud: WorldJson | null;
}

export interface LoadedStack {
    state: DeploymentState;
    crypter: SymmetricCrypter;
    cloud: WorldJson | undefined;
}

function encryptConfig(config: StackConfig, crypter: SymmetricCrypter): StateFileJson["lastConfig"] {
    const secret = new Set(config.secretKeys);
    const values = Object.fromEntries(
        Object.entries(config.config).map(([key, value]) => [key, secret.has(key) ? { secure: crypter.encrypt(value) } : value]),
    );
    return { config: values, secretKeys: [...config.secretKeys] };
}

function decryptConfig(json: NonNullable<StateFileJson["lastConfig"]>, crypter: SymmetricCrypter): StackConfig {
    const config = Object.fromEntries(
        Object.entries(json.config).map(([key, value]) => [key, typeof value === "string" ? value : crypter.decrypt(value.secure)]),
    );
    return { config, secretKeys: [...json.secretKeys] };
}

export function loadStateFile(file: string, identity: StackIdentity): LoadedStack {
    const json = JSON.parse(readFileSync(file, "utf8")) as StateFileJson;
    if (json.version !== 1) throw new Error(`${file}: harness state version ${String(json.version)} is not 1`);
    for (const key of ["project", "stack", "organization"] as const) {
        if (json[key] !== identity[key]) throw new Error(`${file} holds ${key} "${json[key]}", not "${identity[key]}"`);
    }
    const crypter = new SymmetricCrypter(Buffer.from(json.secretsKey, "base64"));
    const state = deserializeDeployment(json.checkpoint, crypter);
    state.lastConfig = json.lastConfig === null ? undefined : decryptConfig(json.lastConfig, crypter);
    return { state, crypter, cloud: json.cloud ?? undefined };
}

/** Writes the file whole (temporary file, then rename), so a reader never sees half a state. */
export function saveStateFile(file: string, identity: StackIdentity, stack: LoadedStack): void {
    const json: StateFileJson = {
        version: 1,
        ...identity,
        secretsKey: stack.crypter.keyBase64,
        checkpoint: serializeDeployment(stack.state, stack.crypter),
        lastConfig: stack.state.lastConfig === undefined ? null : encryptConfig(stack.state.lastConfig, stack.crypter),
        cloud: stack.cloud ?? null,
    };
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, file);
}
