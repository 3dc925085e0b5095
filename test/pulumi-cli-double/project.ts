/**
 * The project and stack settings files as the CLI reads them: Pulumi.yaml
 * found by searching upwards from the working directory
 * (sdk/go/common/workspace DetectProjectPathFrom), and Pulumi.<stack>.yaml
 * beside it, whose `config` becomes the map the engine hands the program:
 * every key namespaced (a key without ":" belongs to the project), scalar
 * values as strings, objects and lists as JSON, `secure:` values decrypted
 * with the stack's secrets manager and their keys marked secret.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import type { SymmetricCrypter } from "../harness/checkpoint/crypter";
import { CliError } from "./errors";
import { crypterFromState, newPassphraseState, PassphraseError, passphraseFromEnvironment } from "./passphrase";

export interface Project {
    name: string;
    /** The directory of Pulumi.yaml: the program's directory. */
    dir: string;
    main: string | undefined;
    typescript: boolean;
}

type Yaml = null | boolean | number | string | Yaml[] | { [key: string]: Yaml };

export function findProject(start: string): Project {
    let dir = path.resolve(start);
    for (;;) {
        for (const name of ["Pulumi.yaml", "Pulumi.yml"]) {
            const file = path.join(dir, name);
            if (existsSync(file)) return readProject(file);
        }
        const parent = path.dirname(dir);
        if (parent === dir) {
            // workspace.go newW
            throw new CliError(`no Pulumi.yaml project file found (searching upwards from ${path.resolve(start)}). If you have not created a project yet, use \`pulumi new\` to do so`);
        }
        dir = parent;
    }
}

function readProject(file: string): Project {
    const document = yaml.load(readFileSync(file, "utf8")) as { name?: unknown; main?: unknown; runtime?: unknown } | null;
    if (typeof document?.name !== "string" || document.name === "") throw new CliError(`${file}: project is missing a 'name' attribute`);
    const runtime = document.runtime;
    const options = typeof runtime === "object" && runtime !== null ? ((runtime as { options?: Record<string, unknown> }).options ?? {}) : {};
    return {
        name: document.name,
        dir: path.dirname(file),
        main: typeof document.main === "string" ? document.main : undefined,
        // pulumi-language-nodejs: the `typescript` runtime option defaults to true.
        typescript: options["typescript"] !== false,
    };
}

export interface StackSettingsFile {
    file: string;
    document: { config?: Record<string, Yaml>; encryptionsalt?: string; secretsprovider?: string; environment?: unknown; [key: string]: unknown };
}

export function stackSettingsPath(project: Project, stack: string): string {
    return path.join(project.dir, `Pulumi.${stack}.yaml`);
}

export function readStackSettings(project: Project, stack: string): StackSettingsFile {
    const file = stackSettingsPath(project, stack);
    const document = existsSync(file) ? ((yaml.load(readFileSync(file, "utf8")) ?? {}) as StackSettingsFile["document"]) : {};
    return { file, document };
}

export function writeStackSettings(settings: StackSettingsFile): void {
    writeFileSync(settings.file, yaml.dump(settings.document, { lineWidth: -1 }));
}

function isSecure(value: Yaml): value is { secure: string } {
    return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && typeof value["secure"] === "string";
}

function containsSecure(value: Yaml): boolean {
    if (isSecure(value)) return true;
    if (Array.isArray(value)) return value.some(containsSecure);
    if (typeof value === "object" && value !== null) return Object.values(value).some(containsSecure);
    return false;
}

function decryptTree(value: Yaml, decrypt: (ciphertext: string) => string): Yaml {
    if (isSecure(value)) return decrypt(value.secure);
    if (Array.isArray(value)) return value.map((item) => decryptTree(item, decrypt));
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, decryptTree(item, decrypt)]));
    return value;
}

function asConfigString(value: Yaml): string {
    if (typeof value === "string") return value;
    if (value === null) return "";
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
}

export interface StackConfigValues {
    /** "<namespace>:<key>" -> value (secrets decrypted). */
    config: Record<string, string>;
    secretKeys: string[];
}

/** The stack's secrets manager: only the passphrase one (the diy backend's default) is offered by the double. */
export function stackCrypter(settings: StackSettingsFile, env: NodeJS.ProcessEnv): SymmetricCrypter {
    const provider = settings.document.secretsprovider;
    if (provider !== undefined && provider !== "passphrase") {
        throw new CliError(`the pulumi test double supports only the passphrase secrets provider; ${settings.file} uses "${provider}"`);
    }
    const state = settings.document.encryptionsalt;
    if (state === undefined) throw new CliError(`${settings.file} has no encryptionsalt; create the stack with \`pulumi stack init\` first`);
    return crypterFromState(passphraseFromEnvironment(env), state);
}

/** Creates the passphrase state for a new stack file when it has none (`pulumi stack init`). */
export function ensureEncryptionSalt(settings: StackSettingsFile, env: NodeJS.ProcessEnv): void {
    if (settings.document.encryptionsalt !== undefined) return;
    settings.document.encryptionsalt = newPassphraseState(passphraseFromEnvironment(env)).state;
}

/** The stack's config; `decryptWith` replaces decryption (e.g. "[secret]" for a listing without --show-secrets). */
export function stackConfig(project: Project, settings: StackSettingsFile, env: NodeJS.ProcessEnv, decryptWith?: (ciphertext: string) => string): StackConfigValues {
    if (settings.document.environment !== undefined) {
        throw new CliError(`${settings.file} imports Pulumi ESC environments; the pulumi test double cannot open them`);
    }
    const entries = Object.entries(settings.document.config ?? {});
    let crypter: SymmetricCrypter | undefined;
    const decrypt =
        decryptWith ??
        ((ciphertext: string) => {
            crypter ??= stackCrypter(settings, env);
            return crypter.decrypt(ciphertext);
        });
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [rawKey, rawValue] of entries) {
        const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
        try {
            config[key] = asConfigString(decryptTree(rawValue, decrypt));
        } catch (error) {
            if (error instanceof CliError || error instanceof PassphraseError) throw error;
            // pkg/cmd/pulumi/cmd/cmd.go printDecryptError
            throw new CliError(`failed to decrypt encrypted configuration value '${key}': ${error instanceof Error ? error.message : String(error)}`);
        }
        if (containsSecure(rawValue)) secretKeys.push(key);
    }
    return { config, secretKeys };
}
