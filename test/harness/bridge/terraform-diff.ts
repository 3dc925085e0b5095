/**
 * The Terraform plan of a bridged resource, reduced to what decides update vs replace: the
 * terraform-plugin-sdk v2 schemaMap diff (helper/schema/schema.go diff, diffString, diffList,
 * diffSet, diffMap; the SDK pulumi-openstack v3.15.2 builds with, see its provider/go.mod) over
 * the attributes of openstack-schema.json:
 *
 * - a configured value is compared with the state after the attribute's StateFunc (user_data is
 *   stored as its SHA-1, so the same text is no change);
 * - an unset attribute is its type's zero value ("", 0, false, empty), except an Optional+Computed
 *   one, which keeps its state ("removed && schema.Computed" is no diff);
 * - an unknown value (preview) is a change, and a replacement when the attribute forces new;
 * - lists compare item by item (a changed count replaces only when the list itself is ForceNew;
 *   items of a primitive list inherit the list's ForceNew); sets compare regardless of order;
 * - a change replaces the resource when its attribute is ForceNew.
 */
import { createHash } from "node:crypto";
import type { AttributeSpec } from "../openstack-schema";
import { formatPropertyPath, type PropertyPath } from "../property-path";
import { UNKNOWN_VALUE, type WireObject, type WireValue } from "../pulumi-values";
import type { PropertyDiff } from "../resource-provider";
import { isSecret } from "../secret-values";

export function applyStateFunc(spec: AttributeSpec, value: WireValue): WireValue {
    if (typeof value !== "string" || value === UNKNOWN_VALUE) return value;
    switch (spec.stateFunc) {
        case "sha1-hex":
            return createHash("sha1").update(value).digest("hex");
        case "lowercase":
            return value.toLowerCase();
        default:
            return value;
    }
}

function plain(value: WireValue | undefined): WireValue | undefined {
    return isSecret(value) ? plain(value["value"]) : value;
}

function isUnset(value: WireValue | undefined): boolean {
    return value === undefined || value === null;
}

function isZero(spec: AttributeSpec, value: WireValue | undefined): boolean {
    if (isUnset(value)) return true;
    switch (spec.type) {
        case "string":
            return value === "";
        case "int":
        case "float":
            return value === 0;
        case "bool":
            return value === false;
        case "list":
        case "set":
            return Array.isArray(value) && value.length === 0;
        case "map":
            return typeof value === "object" && !Array.isArray(value) && Object.keys(value as WireObject).length === 0;
    }
}

function containsUnknownValue(value: WireValue | undefined): boolean {
    if (value === UNKNOWN_VALUE) return true;
    if (Array.isArray(value)) return value.some(containsUnknownValue);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknownValue);
    return false;
}

/** Terraform's flatmap compares primitives as strings (mapstructure.WeakDecode). */
function primitiveText(value: WireValue | undefined): string {
    const unwrapped = plain(value);
    return isUnset(unwrapped) ? "" : typeof unwrapped === "object" ? JSON.stringify(unwrapped) : String(unwrapped);
}

function canonical(value: WireValue | undefined): string {
    const unwrapped = plain(value);
    if (Array.isArray(unwrapped)) return `[${unwrapped.map(canonical).join(",")}]`;
    if (unwrapped !== null && typeof unwrapped === "object") {
        return `{${Object.keys(unwrapped).sort().map((key) => `${key}:${canonical(unwrapped[key])}`).join(",")}}`;
    }
    return primitiveText(unwrapped);
}

function anyForceNew(attributes: Record<string, AttributeSpec>): boolean {
    return Object.values(attributes).some((spec) => spec.forceNew === true || (spec.attributes !== undefined && anyForceNew(spec.attributes)));
}

class Differ {
    readonly diffs: PropertyDiff[] = [];

    private add(path: PropertyPath, replace: boolean): void {
        this.diffs.push({ path: formatPropertyPath(path), replace });
    }

    attributes(attributes: Record<string, AttributeSpec>, olds: WireObject, news: WireObject, prefix: PropertyPath, inheritedForceNew: boolean): void {
        for (const [key, spec] of Object.entries(attributes)) {
            if (spec.optional !== true && spec.required !== true) continue;
            this.attribute(spec, plain(olds[key]), plain(news[key]), [...prefix, key], inheritedForceNew);
        }
    }

    private attribute(spec: AttributeSpec, old: WireValue | undefined, next: WireValue | undefined, path: PropertyPath, inheritedForceNew: boolean): void {
        const forceNew = spec.forceNew === true || inheritedForceNew;
        if (next === UNKNOWN_VALUE) {
            this.add(path, forceNew);
            return;
        }
        if (isUnset(next)) {
            if (spec.computed === true) return;
            if (!isZero(spec, old)) this.add(path, forceNew);
            return;
        }
        const value = applyStateFunc(spec, next as WireValue);
        switch (spec.type) {
            case "list":
            case "set":
                this.collection(spec, old, value, path, forceNew);
                return;
            case "map":
                if (containsUnknownValue(value) || canonical(old ?? {}) !== canonical(value)) this.add(path, forceNew);
                return;
            default:
                if (primitiveText(old) !== primitiveText(value)) this.add(path, forceNew);
        }
    }

    private collection(spec: AttributeSpec, old: WireValue | undefined, next: WireValue, path: PropertyPath, forceNew: boolean): void {
        if (spec.maxItemsOne === true) {
            const oldItem = (plain(old) ?? {}) as WireObject;
            const newItem = (plain(next) ?? {}) as WireObject;
            if (isUnset(plain(old)) !== isUnset(plain(next))) this.add(path, forceNew);
            if (spec.attributes !== undefined) this.attributes(spec.attributes, oldItem, newItem, path, false);
            return;
        }
        const oldItems = Array.isArray(plain(old)) ? (plain(old) as WireValue[]) : [];
        const newItems = Array.isArray(next) ? next : [];
        if (spec.type === "set") {
            const oldKeys = oldItems.map(canonical).sort();
            const newKeys = newItems.map(canonical).sort();
            if (containsUnknownValue(newItems) || oldKeys.join("\u0000") !== newKeys.join("\u0000")) {
                const replace = forceNew || (spec.attributes !== undefined && anyForceNew(spec.attributes));
                this.add(path, replace);
            }
            return;
        }
        // The item count ("<list>.#" in Terraform's flatmap) changes: a replacement only for a ForceNew list.
        if (oldItems.length !== newItems.length) this.add(path, forceNew);
        for (let i = 0; i < Math.max(oldItems.length, newItems.length); i++) {
            if (spec.attributes !== undefined) {
                this.attributes(spec.attributes, (plain(oldItems[i]) ?? {}) as WireObject, (plain(newItems[i]) ?? {}) as WireObject, [...path, i], false);
            } else if (primitiveText(oldItems[i]) !== primitiveText(newItems[i]) || newItems[i] === UNKNOWN_VALUE) {
                // Items of a primitive list carry the list's ForceNew (diffList copies it to the element schema).
                this.add([...path, i], forceNew);
            }
        }
    }
}

/** The attribute paths that change from the state `olds` to the configuration `news`. */
export function terraformDiff(attributes: Record<string, AttributeSpec>, olds: WireObject, news: WireObject): PropertyDiff[] {
    const differ = new Differ();
    differ.attributes(attributes, olds, news, [], false);
    return differ.diffs;
}
