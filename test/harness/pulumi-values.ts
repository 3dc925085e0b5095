/**
 * Pulumi's wire encoding of property values (as sent over gRPC in a protobuf Struct).
 * The signatures are the constants of sdk/nodejs/runtime/rpc.ts ("specialSigKey" and friends).
 */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type WireValue = null | boolean | number | string | WireValue[] | { [key: string]: WireValue };
export type WireObject = { [key: string]: WireValue };

function isObject(value: WireValue | undefined): value is WireObject {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True when the value is a secret wrapper, or an output value marked secret. */
export function isSecretValue(value: WireValue | undefined): boolean {
    if (!isObject(value)) return false;
    if (value[SIG_KEY] === SECRET_SIG) return true;
    return value[SIG_KEY] === OUTPUT_VALUE_SIG && value["secret"] === true;
}

/** Dotted paths (array items as [i]) of every secret inside the value; "" is the value itself. */
export function secretPaths(value: WireValue | undefined, path = ""): string[] {
    if (isSecretValue(value)) return [path];
    if (Array.isArray(value)) return value.flatMap((item, i) => secretPaths(item, `${path}[${i}]`));
    if (isObject(value)) {
        return Object.entries(value).flatMap(([key, item]) => secretPaths(item, path === "" ? key : `${path}.${key}`));
    }
    return [];
}

/** The plain value with every secret and output-value wrapper removed (unknown outputs become UNKNOWN_VALUE). */
export function unwrap(value: WireValue | undefined): WireValue | undefined {
    if (Array.isArray(value)) return value.map((item) => unwrap(item) ?? null);
    if (!isObject(value)) return value;
    const sig = value[SIG_KEY];
    if (sig === SECRET_SIG) return unwrap(value["value"]);
    if (sig === OUTPUT_VALUE_SIG) return "value" in value ? unwrap(value["value"]) : UNKNOWN_VALUE;
    if (sig === RESOURCE_REFERENCE_SIG) return value;
    const plain: WireObject = {};
    for (const [key, item] of Object.entries(value)) {
        const unwrapped = unwrap(item);
        if (unwrapped !== undefined) plain[key] = unwrapped;
    }
    return plain;
}

/** True when a (wire) value contains the unknown sentinel anywhere. */
export function containsUnknown(value: WireValue | undefined): boolean {
    if (value === UNKNOWN_VALUE) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (isObject(value)) {
        if (value[SIG_KEY] === OUTPUT_VALUE_SIG && !("value" in value)) return true;
        return Object.values(value).some(containsUnknown);
    }
    return false;
}

/** Every string in the value that is not inside a secret: what a state file or log would show in clear. */
export function plaintextStrings(value: WireValue | undefined): string[] {
    if (typeof value === "string") return [value];
    if (isSecretValue(value)) return [];
    if (Array.isArray(value)) return value.flatMap(plaintextStrings);
    if (isObject(value)) return Object.values(value).flatMap(plaintextStrings);
    return [];
}
