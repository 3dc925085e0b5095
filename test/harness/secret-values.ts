/**
 * How the engine carries secrets through property values: wire values normalised the way the
 * engine unmarshals them (output values become plain, secret or unknown values), plain values
 * split from the paths of their secrets (the form the harness state keeps), and the engine's rule
 * for providers that do not accept secrets (pulumi/pulumi v3.259
 * pkg/resource/plugin/provider_plugin.go annotateSecrets).
 */
import { formatPropertyPath, type PropertyPath } from "./property-path";
import {
    copyWire,
    OUTPUT_VALUE_SIG,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN_VALUE,
    type WireObject,
    type WireValue,
} from "./pulumi-values";

function isObject(value: WireValue | undefined): value is WireObject {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isSecret(value: WireValue | undefined): value is WireObject {
    return isObject(value) && value[SIG_KEY] === SECRET_SIG;
}

export function makeSecret(value: WireValue): WireObject {
    return isSecret(value) ? value : { [SIG_KEY]: SECRET_SIG, value };
}

/**
 * A wire value as the engine holds it: output values (sig 0.5) become their element, wrapped as a
 * secret when flagged and replaced by the unknown sentinel when they have no value.
 */
export function normalizeWire(value: WireValue): WireValue {
    if (Array.isArray(value)) return value.map(normalizeWire);
    if (!isObject(value)) return value;
    if (value[SIG_KEY] === OUTPUT_VALUE_SIG) {
        const element = "value" in value ? normalizeWire(value["value"]!) : UNKNOWN_VALUE;
        return value["secret"] === true ? makeSecret(element) : element;
    }
    if (value[SIG_KEY] === SECRET_SIG) return makeSecret(normalizeWire(value["value"] ?? null));
    if (value[SIG_KEY] !== undefined) return value;
    const result: WireObject = {};
    for (const [key, item] of Object.entries(value)) result[key] = normalizeWire(item);
    return result;
}

export function normalizeObject(value: WireObject): WireObject {
    return normalizeWire(value) as WireObject;
}

/** True when the value holds a secret anywhere (ContainsSecrets). */
export function containsSecret(value: WireValue | undefined): boolean {
    if (isSecret(value)) return true;
    if (Array.isArray(value)) return value.some(containsSecret);
    if (isObject(value) && value[SIG_KEY] === undefined) return Object.values(value).some(containsSecret);
    return false;
}

/** The value with every secret wrapper removed (what a provider that does not accept secrets receives). */
export function stripSecrets(value: WireValue): WireValue {
    if (isSecret(value)) return stripSecrets(value["value"] ?? null);
    if (Array.isArray(value)) return value.map(stripSecrets);
    if (!isObject(value) || value[SIG_KEY] !== undefined) return value;
    const result: WireObject = {};
    for (const [key, item] of Object.entries(value)) result[key] = stripSecrets(item);
    return result;
}

export function stripObject(value: WireObject): WireObject {
    return stripSecrets(value) as WireObject;
}

/** Plain value and the paths of its secrets: how the harness state keeps values (see StoredResource). */
export function splitSecrets(value: WireObject): { plain: WireObject; secrets: PropertyPath[] } {
    const secrets: PropertyPath[] = [];
    const walk = (item: WireValue, path: PropertyPath): WireValue => {
        if (isSecret(item)) {
            secrets.push(path);
            return stripSecrets(item);
        }
        if (Array.isArray(item)) return item.map((element, i) => walk(element, [...path, i]));
        if (!isObject(item) || item[SIG_KEY] !== undefined) return item;
        const result: WireObject = {};
        for (const [key, element] of Object.entries(item)) result[key] = walk(element, [...path, key]);
        return result;
    };
    return { plain: walk(value, []) as WireObject, secrets };
}

/** The inverse of splitSecrets: the value with a secret wrapper at each path that exists. */
export function joinSecrets(plain: WireObject, secrets: readonly PropertyPath[]): WireObject {
    const result = copyWire(plain);
    for (const path of secrets) {
        if (path.length === 0) continue;
        let parent: WireValue = result;
        for (const segment of path.slice(0, -1)) {
            parent = (isSecret(parent) ? parent["value"] : parent) as WireValue;
            if (typeof segment === "number") parent = Array.isArray(parent) ? parent[segment]! : (undefined as unknown as WireValue);
            else parent = isObject(parent) ? parent[segment]! : (undefined as unknown as WireValue);
            if (parent === undefined) break;
        }
        const last = path[path.length - 1]!;
        if (Array.isArray(parent) && typeof last === "number" && last < parent.length) parent[last] = makeSecret(parent[last]!);
        else if (isObject(parent) && typeof last === "string" && last in parent) parent[last] = makeSecret(parent[last]!);
    }
    return result;
}

export function describeSecretPaths(secrets: readonly PropertyPath[]): string[] {
    return secrets.map(formatPropertyPath);
}

/**
 * annotateSecrets: for a provider that did not accept secrets, an output (recursing into objects
 * present on both sides) becomes secret when the input of the same name contains a secret.
 */
export function annotateSecrets(outputs: WireObject, inputs: WireObject): WireObject {
    const result: WireObject = { ...outputs };
    for (const [key, input] of Object.entries(inputs)) {
        const output = result[key];
        if (output === undefined) continue;
        const plainInput = isSecret(input) ? undefined : input;
        if (isObject(output) && output[SIG_KEY] === undefined && isObject(plainInput) && plainInput[SIG_KEY] === undefined) {
            result[key] = annotateSecrets(output, plainInput);
        } else if (!isSecret(output) && containsSecret(input)) {
            result[key] = makeSecret(output);
        }
    }
    return result;
}

/** The engine marks each additionalSecretOutputs key of the new state secret (step_executor.go). */
export function applyAdditionalSecretOutputs(outputs: WireObject, keys: readonly string[]): WireObject {
    const result: WireObject = { ...outputs };
    for (const key of keys) {
        const value = result[key];
        if (key !== "id" && value !== undefined && !isSecret(value)) result[key] = makeSecret(value);
    }
    return result;
}
