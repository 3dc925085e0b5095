/**
 * Pulumi property paths as the engine reads them for ignoreChanges and replaceOnChanges
 * (pulumi/pulumi v3.259 sdk/go/common/resource/properties_path.go: parsePropertyPath, Contains,
 * Reset): `a.b`, `a[0]`, `a["key.with.dots"]`, and the wildcard `*` (`a[*]`, `a.*`).
 */
import { SECRET_SIG, SIG_KEY, type WireObject, type WireValue } from "./pulumi-values";

export type PathSegment = string | number;
export type PropertyPath = PathSegment[];

export function parsePropertyPath(text: string): PropertyPath {
    const path: PropertyPath = [];
    let rest = text;
    if (rest.startsWith(".")) throw new Error(`property path "${text}": expected a name or index first`);
    while (rest.length > 0) {
        if (rest[0] === ".") {
            rest = rest.slice(1);
            if (rest.length === 0) throw new Error(`property path "${text}": expected a name or index after "."`);
        } else if (rest[0] === "[") {
            if (rest[1] === '"') {
                let key = "";
                let i = 2;
                for (; i < rest.length && rest[i] !== '"'; i++) {
                    if (rest[i] === "\\" && rest[i + 1] === '"') i++;
                    key += rest[i];
                }
                if (rest[i + 1] !== "]") throw new Error(`property path "${text}": missing closing bracket`);
                path.push(key);
                rest = rest.slice(i + 2);
            } else {
                const close = rest.indexOf("]");
                if (close < 0) throw new Error(`property path "${text}": missing closing bracket`);
                const index = rest.slice(1, close);
                if (index === "*") path.push("*");
                else if (/^\d+$/.test(index)) path.push(Number(index));
                else throw new Error(`property path "${text}": "${index}" is not an index`);
                rest = rest.slice(close + 1);
            }
        } else {
            const end = rest.search(/[.[]/);
            const name = end < 0 ? rest : rest.slice(0, end);
            path.push(name);
            rest = end < 0 ? "" : rest.slice(end);
        }
    }
    return path;
}

/** The path as text, quoting keys that are not plain names. */
export function formatPropertyPath(path: PropertyPath): string {
    return path
        .map((segment, index) => {
            if (typeof segment === "number") return `[${segment}]`;
            if (/^[A-Za-z_$*][A-Za-z0-9_$]*$/.test(segment)) return index === 0 ? segment : `.${segment}`;
            return `[${JSON.stringify(segment)}]`;
        })
        .join("");
}

/** PropertyPath.Contains: `other` is `pattern` or below it, `*` matching any one segment. */
export function pathContains(pattern: PropertyPath, other: PropertyPath): boolean {
    if (other.length < pattern.length) return false;
    return pattern.every((segment, i) => segment === "*" || segment === other[i]);
}

function isObject(value: WireValue | undefined): value is WireObject {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSecretWrapper(value: WireValue | undefined): value is WireObject {
    return isObject(value) && value[SIG_KEY] === SECRET_SIG;
}

/** The container to descend into: a secret's value (it is traversed, as Reset's unwrapSecrets does). */
function inside(value: WireValue | undefined): WireValue | undefined {
    return isSecretWrapper(value) ? inside(value["value"]) : value;
}

/**
 * PropertyPath.Reset for one path: sets `news` at `path` to the value `olds` has there (deleting it
 * when olds has none). Returns false, like the engine, when the path runs through an element that
 * exists on one side only (the engine then reports it cannot ignore added or removed elements).
 */
export function resetPath(olds: WireValue | undefined, news: WireValue | undefined, path: PropertyPath): boolean {
    const old = inside(olds);
    const current = inside(news);
    const [key, ...rest] = path;
    if (key === undefined) return false;
    if (key === "*") {
        if (isObject(current) && isObject(old)) {
            const keys = new Set([...Object.keys(old), ...Object.keys(current)]);
            return [...keys].every((k) => resetPath(old, current, [k, ...rest]));
        }
        if (Array.isArray(current) && Array.isArray(old)) {
            if (rest.length === 0 && old.length !== current.length) return false;
            return current.every((_, i) => i >= old.length || resetPath(old, current, [i, ...rest]));
        }
        return !isObject(current) && !Array.isArray(current);
    }
    if (typeof key === "number") {
        if (!Array.isArray(old) || !Array.isArray(current)) return !Array.isArray(old) && !Array.isArray(current);
        if (key >= old.length && key >= current.length) return true;
        if (key >= old.length || key >= current.length) return false;
        if (rest.length === 0) {
            current[key] = old[key]!;
            return true;
        }
        return resetPath(old[key], current[key], rest);
    }
    if (!isObject(current)) return !isObject(old);
    if (rest.length === 0) {
        if (isObject(old) && key in old) current[key] = old[key]!;
        else delete current[key];
        return true;
    }
    if (!isObject(old) || !(key in old) || !(key in current)) return !(isObject(old) && key in old) && !(key in current);
    return resetPath(old[key], current[key], rest);
}

export function valueAt(value: WireValue | undefined, path: PropertyPath): WireValue | undefined {
    let cursor = value;
    for (const segment of path) {
        cursor = inside(cursor);
        if (typeof segment === "number") cursor = Array.isArray(cursor) ? cursor[segment] : undefined;
        else cursor = isObject(cursor) ? cursor[segment] : undefined;
        if (cursor === undefined) return undefined;
    }
    return cursor;
}
