/**
 * Pulumi's wire encoding of property values (as sent over gRPC in a protobuf Struct).
 * The signatures are the SDK's own constants (runtime/rpc: specialSigKey and friends).
 */
import {
    specialOutputValueSig as OUTPUT_VALUE_SIG,
    specialResourceSig as RESOURCE_REFERENCE_SIG,
    specialSecretSig as SECRET_SIG,
    specialSigKey as SIG_KEY,
    unknownValue as UNKNOWN_VALUE,
} from "@pulumi/pulumi/runtime/rpc";

export { OUTPUT_VALUE_SIG, RESOURCE_REFERENCE_SIG, SECRET_SIG, SIG_KEY, UNKNOWN_VALUE };

export type WireValue = null | boolean | number | string | WireValue[] | { [key: string]: WireValue };
export type WireObject = { [key: string]: WireValue };

function isObject(value: WireValue | undefined): value is WireObject {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A deep copy of a JSON-shaped value: what structuredClone gives for these values (keys whose
 * value is undefined kept), without its serialization round trip, which the engine's per-resource
 * paths (inputsOf, outputsOf, ignoreChanges) would otherwise pay several times per registration.
 */
export function copyWire<T extends WireValue | undefined>(value: T): T {
    if (typeof value !== "object" || value === null) return value;
    if (Array.isArray(value)) return value.map((item) => copyWire(item)) as T;
    const copy: WireObject = {};
    for (const key of Object.keys(value)) copy[key] = copyWire((value as WireObject)[key]!);
    return copy as T;
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
