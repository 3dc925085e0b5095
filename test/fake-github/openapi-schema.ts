/**
 * Turns an OpenAPI 3.0 schema from GitHub's description into a self-contained
 * JSON Schema that Ajv compiles: `#/components/schemas/X` references become
 * `#/$defs/X` (only those reachable are copied), `nullable` becomes a `null`
 * type, and OpenAPI-only annotations are dropped.
 */
import { isRef, type JsonObject, type OpenApiSpec } from "./openapi-spec";

const SCHEMA_REF_PREFIX = "#/components/schemas/";
const ANNOTATIONS = new Set(["example", "examples", "xml", "externalDocs", "discriminator", "description", "title"]);
const SCHEMA_VALUED = new Set(["items", "not", "additionalProperties"]);
const SCHEMA_LIST_VALUED = new Set(["allOf", "anyOf", "oneOf"]);
const SCHEMA_MAP_VALUED = new Set(["properties", "patternProperties"]);

export function toJsonSchema(spec: OpenApiSpec, schema: unknown): JsonObject {
    const defs: Record<string, JsonObject> = {};
    const root = convert(spec, schema, defs);
    return Object.keys(defs).length > 0 ? { ...root, $defs: defs } : root;
}

function convert(spec: OpenApiSpec, node: unknown, defs: Record<string, JsonObject>): JsonObject {
    if (typeof node === "boolean") return node ? {} : { not: {} };
    if (typeof node !== "object" || node === null) throw new Error(`not a schema: ${JSON.stringify(node)}`);
    if (isRef(node)) {
        if (!node.$ref.startsWith(SCHEMA_REF_PREFIX)) return convert(spec, spec.pointer(node.$ref), defs);
        const name = node.$ref.slice(SCHEMA_REF_PREFIX.length);
        if (!(name in defs)) {
            defs[name] = {}; // placeholder first: schemas may refer to themselves
            defs[name] = convert(spec, spec.pointer(node.$ref), defs);
        }
        return { $ref: `#/$defs/${name.replace(/~/g, "~0").replace(/\//g, "~1")}` };
    }
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node as JsonObject)) {
        if (ANNOTATIONS.has(key) || key.startsWith("x-") || key === "nullable") continue;
        if (SCHEMA_VALUED.has(key) && typeof value === "object" && value !== null) {
            out[key] = convert(spec, value, defs);
        } else if (SCHEMA_LIST_VALUED.has(key) && Array.isArray(value)) {
            out[key] = value.map((item) => convert(spec, item, defs));
        } else if (SCHEMA_MAP_VALUED.has(key) && typeof value === "object" && value !== null) {
            out[key] = Object.fromEntries(Object.entries(value as JsonObject).map(([k, v]) => [k, convert(spec, v, defs)]));
        } else {
            out[key] = value;
        }
    }
    fixExclusiveBounds(out);
    return (node as JsonObject).nullable === true ? allowNull(out) : out;
}

/** OpenAPI 3.0's `nullable: true`: JSON Schema spells it as a `null` type. */
function allowNull(schema: JsonObject): JsonObject {
    if (typeof schema.type === "string") {
        const out: JsonObject = { ...schema, type: [schema.type, "null"] };
        if (Array.isArray(schema.enum) && !schema.enum.includes(null)) out.enum = [...schema.enum, null];
        return out;
    }
    return { anyOf: [schema, { type: "null" }] };
}

/** OpenAPI 3.0 writes `exclusiveMinimum: true` beside `minimum`; JSON Schema wants the bound itself. */
function fixExclusiveBounds(schema: JsonObject): void {
    for (const [flag, bound] of [["exclusiveMinimum", "minimum"], ["exclusiveMaximum", "maximum"]] as const) {
        if (schema[flag] === true) {
            schema[flag] = schema[bound];
            delete schema[bound];
        } else if (schema[flag] === false) {
            delete schema[flag];
        }
    }
}
