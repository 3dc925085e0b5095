/**
 * A stack file (Pulumi.<stack>.yaml) turned into what the CLI hands the language host: every key
 * namespaced, every value a string (objects and lists as JSON), `secure:` values decrypted, and
 * the keys that held a secret listed. Ciphertext cannot be decrypted here, so the caller supplies
 * the plaintext for each secure value, by key ("ns:key") or by path inside it ("ns:key.a.b").
 */
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

export interface StackConfig {
    config: Record<string, string>;
    secretKeys: string[];
}

type YamlValue = null | boolean | number | string | YamlValue[] | { [key: string]: YamlValue };

function isSecure(value: YamlValue): value is { secure: string } {
    return typeof value === "object" && value !== null && !Array.isArray(value)
        && Object.keys(value).length === 1 && typeof value["secure"] === "string";
}

/** Replaces every `secure:` value with its plaintext; reports whether any was found. */
function decrypt(value: YamlValue, path: string, plaintexts: Record<string, string>, used: Set<string>): [YamlValue, boolean] {
    if (isSecure(value)) {
        const plaintext = plaintexts[path];
        if (plaintext === undefined) throw new Error(`stack config '${path}' is a secure value; give the test a plaintext for it`);
        used.add(path);
        return [plaintext, true];
    }
    if (Array.isArray(value)) {
        let secret = false;
        const items = value.map((item, index) => {
            const [plain, itemSecret] = decrypt(item, `${path}[${index}]`, plaintexts, used);
            secret ||= itemSecret;
            return plain;
        });
        return [items, secret];
    }
    if (typeof value === "object" && value !== null) {
        let secret = false;
        const entries = Object.entries(value).map(([key, item]): [string, YamlValue] => {
            const [plain, itemSecret] = decrypt(item, `${path}.${key}`, plaintexts, used);
            secret ||= itemSecret;
            return [key, plain];
        });
        return [Object.fromEntries(entries), secret];
    }
    return [value, false];
}

function asConfigString(value: YamlValue): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

export function stackConfigFromYaml(text: string, project: string, plaintexts: Record<string, string> = {}): StackConfig {
    const document = yaml.load(text) as { config?: Record<string, YamlValue> } | undefined;
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const used = new Set<string>();
    for (const [rawKey, rawValue] of Object.entries(document?.config ?? {})) {
        const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
        const [value, secret] = decrypt(rawValue, key, plaintexts, used);
        config[key] = asConfigString(value);
        if (secret) secretKeys.push(key);
    }
    const unused = Object.keys(plaintexts).filter((path) => !used.has(path));
    if (unused.length > 0) throw new Error(`plaintexts given for config that is not secure in the stack file: ${unused.join(", ")}`);
    return { config, secretKeys };
}

export function readStackConfig(file: string, project: string, plaintexts: Record<string, string> = {}): StackConfig {
    return stackConfigFromYaml(readFileSync(file, "utf8"), project, plaintexts);
}
