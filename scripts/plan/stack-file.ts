/**
 * Reads a `Pulumi.<stack>.yaml` the way the Pulumi CLI hands config to a
 * program: keys `namespace:key`, scalars as strings, structure as JSON text,
 * `secure:` values as secrets. Ciphertext cannot be decrypted here, so tests
 * supply the plaintext of each secure key.
 */
import { readFileSync } from "node:fs";
import { load } from "js-yaml";
import type { RawStackConfig } from "../../components/config";

export const PROJECT = "openstack-github-runners";

export interface StackFileConfig {
    /** Every key, `namespace:key` to the value as Pulumi passes it (PULUMI_CONFIG). */
    all: Record<string, string>;
    /** Full keys of secure values (PULUMI_CONFIG_SECRET_KEYS). */
    secretKeys: string[];
}

function isSecure(value: unknown): value is { secure: string } {
    return value !== null && typeof value === "object" && Object.keys(value).length === 1 && "secure" in value;
}

export function readStackFile(file: string, secretValues: Readonly<Record<string, string>>): StackFileConfig {
    const doc = load(readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
    const all: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        if (isSecure(value)) {
            const plain = secretValues[key];
            if (plain === undefined) {
                throw new Error(`${file}: ${key} is secure; the test must supply its plaintext`);
            }
            all[key] = plain;
            secretKeys.push(key);
        } else {
            all[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { all, secretKeys };
}

/** This project's part of a stack file, as parseStackConfig takes it. */
export function rawStackConfig(file: string, stack: string, secretValues: Readonly<Record<string, string>>): RawStackConfig {
    const { all, secretKeys } = readStackFile(file, secretValues);
    const prefix = `${PROJECT}:`;
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(all)) {
        if (key.startsWith(prefix)) {
            values[key.slice(prefix.length)] = value;
        }
    }
    const secrets = new Set(secretKeys.filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length)));
    return { project: PROJECT, stack, values, secretKeys: secrets };
}

/** Plaintext for the example stacks' secure keys (test values, not real credentials). */
export const TEST_SECRETS: Readonly<Record<string, string>> = {
    "openstack:password": "test-openstack-password",
    [`${PROJECT}:githubToken`]: "ghp_testtoken0000000000000000000000000000",
    [`${PROJECT}:githubAppPrivateKey`]: "-----BEGIN RSA PRIVATE KEY-----\nMIItest\n-----END RSA PRIVATE KEY-----\n",
};
