/**
 * What the dynamic providers take from the stack's configuration instead of
 * from each resource's inputs: the GitHub credentials and the bootstrap
 * timeout. The engine hands a `pulumi-nodejs` (dynamic) provider the stack's
 * whole configuration when it configures it (pulumi/pulumi
 * pkg/resource/deploy/target.go GetPackageConfig: namespaced keys, secrets
 * decrypted), and the SDK's host passes it to `provider.configure({ config })`.
 * So a token rotation or a new timeout changes no slot's inputs or state:
 * the provider simply reads the new values.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import type { GithubAuth, GithubConnection } from "../github/client";
import { GITHUB_COM_API_URL } from "../github/paths";

export interface ProviderSettings {
    connection: GithubConnection;
    bootstrapTimeoutSeconds: number;
}

/** Reads one stack config value by its full `namespace:key`. */
export type ConfigReader = (fullKey: string) => string | undefined;

const DEFAULT_BOOTSTRAP_TIMEOUT_MINUTES = 20;

/** The config namespace: the project's name in Pulumi.yaml (the host runs in the project directory). */
export function projectNamespace(projectDir: string = process.cwd()): string {
    const document = yaml.load(readFileSync(join(projectDir, "Pulumi.yaml"), "utf8")) as { name?: unknown } | undefined;
    if (typeof document?.name !== "string" || document.name.length === 0) {
        throw new Error(`${join(projectDir, "Pulumi.yaml")} has no project name`);
    }
    return document.name;
}

class ProviderConfigError extends Error {
    constructor(message: string) {
        super(`the runner providers cannot read the stack configuration: ${message}`);
        this.name = "ProviderConfigError";
    }
}

function parseJsonObject(key: string, text: string | undefined): Record<string, unknown> | undefined {
    if (text === undefined) return undefined;
    try {
        const value: unknown = JSON.parse(text);
        if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
        // reported below
    }
    throw new ProviderConfigError(`${key} is not an object`);
}

/**
 * GitHub connection and timeout from the stack config. The program validated
 * the same config (components/config) before any resource existed; this reads
 * only what the providers need and fails clearly if that is missing.
 */
export function providerSettingsFromConfig(namespace: string, read: ConfigReader): ProviderSettings {
    const githubKey = `${namespace}:github`;
    const github = parseJsonObject(githubKey, read(githubKey)) ?? {};
    const apiUrl = typeof github.apiUrl === "string" && github.apiUrl.length > 0 ? github.apiUrl : GITHUB_COM_API_URL;
    const app = github.app as { appId?: unknown; installationId?: unknown } | undefined;
    let auth: GithubAuth;
    if (app !== undefined) {
        const privateKey = read(`${namespace}:githubAppPrivateKey`);
        const installationId = Number(app.installationId);
        if (privateKey === undefined || privateKey === "" || !Number.isInteger(installationId) || app.appId === undefined) {
            throw new ProviderConfigError(`${githubKey}.app needs appId and installationId, and ${namespace}:githubAppPrivateKey must be set`);
        }
        auth = { kind: "app", appId: String(app.appId), installationId, privateKey };
    } else {
        const token = read(`${namespace}:githubToken`);
        if (token === undefined || token === "") {
            throw new ProviderConfigError(`set ${namespace}:githubToken (or ${githubKey}.app with ${namespace}:githubAppPrivateKey)`);
        }
        auth = { kind: "token", token };
    }
    const minutesText = read(`${namespace}:bootstrapTimeoutMinutes`);
    const minutes = minutesText === undefined ? DEFAULT_BOOTSTRAP_TIMEOUT_MINUTES : Number(minutesText);
    if (!Number.isInteger(minutes) || minutes < 1) {
        throw new ProviderConfigError(`${namespace}:bootstrapTimeoutMinutes must be a whole number of minutes, got ${JSON.stringify(minutesText)}`);
    }
    return { connection: { apiUrl, auth }, bootstrapTimeoutSeconds: minutes * 60 };
}

let configured: ProviderSettings | undefined;

/** The providers' configure(): every dynamic provider of this project shares one module instance, so one call serves both. */
export function configureProviders(request: { config: { get(key: string): string | undefined } }): void {
    configured = providerSettingsFromConfig(projectNamespace(), (key) => request.config.get(key));
}

/** Tests set the settings directly, as configure would. */
export function setProviderSettings(settings: ProviderSettings | undefined): void {
    configured = settings;
}

export function providerSettings(): ProviderSettings {
    if (configured === undefined) {
        throw new ProviderConfigError("the provider was used before Pulumi configured it (no configure call)");
    }
    return configured;
}
