/**
 * A stack file (Pulumi.<stack>.yaml) turned into what the Pulumi CLI hands a
 * program: every key namespaced (`project:key`), every value a string (objects
 * and lists as JSON), `secure:` values decrypted, and the keys that held a
 * secret listed. Ciphertext cannot be decrypted without the stack's key, so the
 * caller supplies the plaintext of each secure value, by key ("ns:key") or by
 * path inside it ("ns:key.a.b"): as a table (every entry must be used) or as a
 * function (placeholders for an offline plan).
 */
import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import type { RawStackConfig } from "../../components/config";

export const PROJECT = "openstack-github-runners";

export interface StackFileConfig {
    /** `namespace:key` to the value as Pulumi passes it (PULUMI_CONFIG). */
    config: Record<string, string>;
    /** Full keys that held a secure value (PULUMI_CONFIG_SECRET_KEYS). */
    secretKeys: string[];
}

export type Plaintexts = Readonly<Record<string, string>> | ((path: string) => string);

type YamlValue = null | boolean | number | string | YamlValue[] | { [key: string]: YamlValue };

function isSecure(value: YamlValue): value is { secure: string } {
    return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && typeof value["secure"] === "string";
}

/** Replaces every `secure:` value with its plaintext; reports whether any was found. */
function decrypt(value: YamlValue, path: string, plaintextOf: (path: string) => string): [YamlValue, boolean] {
    if (isSecure(value)) {
        return [plaintextOf(path), true];
    }
    if (Array.isArray(value)) {
        const items = value.map((item, index) => decrypt(item, `${path}[${index}]`, plaintextOf));
        return [items.map(([plain]) => plain), items.some(([, secret]) => secret)];
    }
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value).map(([key, item]): [string, [YamlValue, boolean]] => [key, decrypt(item, `${path}.${key}`, plaintextOf)]);
        return [Object.fromEntries(entries.map(([key, [plain]]) => [key, plain])), entries.some(([, [, secret]]) => secret)];
    }
    return [value, false];
}

export function stackConfigFromYaml(text: string, project: string, plaintexts: Plaintexts = {}): StackFileConfig {
    const document = yaml.load(text) as { config?: Record<string, YamlValue> } | undefined;
    const used = new Set<string>();
    const plaintextOf =
        typeof plaintexts === "function"
            ? plaintexts
            : (path: string) => {
                  const plaintext = plaintexts[path];
                  if (plaintext === undefined) throw new Error(`stack config '${path}' is a secure value; give the plaintext for it`);
                  used.add(path);
                  return plaintext;
              };
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [rawKey, rawValue] of Object.entries(document?.config ?? {})) {
        const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
        const [value, secret] = decrypt(rawValue, key, plaintextOf);
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
        if (secret) secretKeys.push(key);
    }
    if (typeof plaintexts !== "function") {
        const unused = Object.keys(plaintexts).filter((path) => !used.has(path));
        if (unused.length > 0) throw new Error(`plaintexts given for config that is not secure in the stack file: ${unused.join(", ")}`);
    }
    return { config, secretKeys };
}

export function readStackConfig(file: string, project: string, plaintexts: Plaintexts = {}): StackFileConfig {
    return stackConfigFromYaml(readFileSync(file, "utf8"), project, plaintexts);
}

/** This project's part of a stack file, as parseStackConfig takes it. */
export function rawStackConfig(file: string, stack: string, plaintexts: Plaintexts): RawStackConfig {
    const { config, secretKeys } = readStackConfig(file, PROJECT, plaintexts);
    const prefix = `${PROJECT}:`;
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        if (key.startsWith(prefix)) values[key.slice(prefix.length)] = value;
    }
    const secrets = new Set(secretKeys.filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length)));
    return { project: PROJECT, stack, values, secretKeys: secrets };
}
