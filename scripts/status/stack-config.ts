/**
 * The stack's configuration as `pulumi up` reads it: the program's keys
 * through the program's own schema (components/config parseStackConfig: the
 * GitHub connection, pools, name prefix, bootstrap timeout), the `openstack:*`
 * keys for the OpenStack client's credential resolution, and the plaintext
 * of every secret value (so none is ever printed).
 */
import { type FleetConfig, parseStackConfig } from "../../components/config";
import type { StackConfig as OpenstackStackConfig } from "../../components/openstack";
import type { ConfigValues } from "./automation";

export interface StatusConfig {
    fleet: FleetConfig;
    /** `openstack:<key>` -> value, as resolveOpenstackCredentials reads the stack config. */
    openstack: OpenstackStackConfig;
    /** Plaintexts of the secret values (and of each string inside a secret object). */
    secretValues: string[];
}

export function statusConfigOf(project: string, stack: string, config: ConfigValues): StatusConfig {
    const prefix = `${project}:`;
    const values: Record<string, string> = {};
    const secretKeys = new Set<string>();
    const openstack: Record<string, string> = {};
    const secretValues: string[] = [];
    for (const [fullKey, { value, secret }] of Object.entries(config)) {
        if (secret === true) secretValues.push(value, ...stringLeaves(value));
        if (fullKey.startsWith("openstack:")) openstack[fullKey] = value;
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        values[key] = value;
        if (secret === true) secretKeys.add(key);
    }
    return { fleet: parseStackConfig({ project, stack, values, secretKeys }), openstack, secretValues };
}

/** The string leaves of a value that is JSON text of an object or list. */
function stringLeaves(text: string): string[] {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        return [];
    }
    const leaves: string[] = [];
    const walk = (node: unknown): void => {
        if (typeof node === "string") leaves.push(node);
        else if (Array.isArray(node)) node.forEach(walk);
        else if (typeof node === "object" && node !== null) Object.values(node).forEach(walk);
    };
    if (typeof parsed === "object") walk(parsed);
    return leaves;
}
