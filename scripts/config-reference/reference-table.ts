/**
 * The README's configuration reference: one table row per key path, its type,
 * default and meaning, all read from the JSON Schema zod generates, so the
 * table cannot say anything the schema does not.
 */
import { REQUIRED_SECRET_KEYS } from "../../components/config/secrets";
import { INTEGER_TEXT_PATTERN, type JsonSchema, configValuesJsonSchema } from "./config-json-schema";

export interface ReferenceRow {
    key: string;
    type: string;
    default: string;
    meaning: string;
}

const isSchema = (value: unknown): value is JsonSchema => typeof value === "object" && value !== null && !Array.isArray(value);
const code = (text: string) => `\`${text}\``;

function rangeText(schema: JsonSchema): string {
    const { minimum, maximum } = schema;
    const hasMax = maximum !== undefined && maximum < Number.MAX_SAFE_INTEGER;
    if (minimum !== undefined && hasMax) return ` ${minimum}–${maximum}`;
    if (minimum !== undefined) return ` ≥ ${minimum}`;
    if (hasMax) return ` ≤ ${maximum}`;
    return "";
}

function itemsNoun(schema: JsonSchema): string {
    const text = typeText(schema);
    if (text === "object") return "objects";
    if (text.startsWith("string")) return `strings${text.slice("string".length)}`;
    if (text.startsWith("integer")) return `integers${text.slice("integer".length)}`;
    return text;
}

export function typeText(schema: JsonSchema): string {
    if (Array.isArray(schema.anyOf)) {
        // A coerced number also accepts its digits as text; the table names the number.
        const branches = schema.anyOf.filter((branch) => !(branch.type === "string" && branch.pattern === INTEGER_TEXT_PATTERN));
        return branches.map(typeText).join(" or ");
    }
    if (Array.isArray(schema.enum)) {
        return schema.enum.map((value) => code(String(value))).join(" \\| ");
    }
    switch (schema.type) {
        case "string":
            if (schema.format === "uuid") return "UUID";
            return schema.maxLength !== undefined ? `string ≤ ${schema.maxLength} chars` : "string";
        case "integer":
        case "number":
            return `${schema.type}${rangeText(schema)}`;
        case "boolean":
            return "boolean";
        case "array": {
            const items = isSchema(schema.items) ? itemsNoun(schema.items) : "values";
            const bounds = [
                ...(schema.minItems !== undefined && schema.minItems > 0 ? [`≥ ${schema.minItems}`] : []),
                ...(schema.maxItems !== undefined ? [`≤ ${schema.maxItems}`] : []),
            ];
            return `list of ${items}${bounds.length > 0 ? ` (${bounds.join(", ")})` : ""}`;
        }
        case "object":
            return isSchema(schema.additionalProperties) ? `map of string to ${typeText(schema.additionalProperties)}` : "object";
        default:
            throw new Error(`configuration reference: no type text for ${JSON.stringify(schema)}`);
    }
}

function defaultText(schema: JsonSchema, required: boolean): string {
    if (schema.default !== undefined) {
        return code(typeof schema.default === "string" ? schema.default : JSON.stringify(schema.default));
    }
    return required ? "required" : "unset";
}

/** The credentials are always secrets (components/config/secrets.ts). */
const secrecy = (key: string) => ((REQUIRED_SECRET_KEYS as readonly string[]).includes(key) ? "secret " : "");

function rowsOf(schema: JsonSchema, prefix: string): ReferenceRow[] {
    if (!isSchema(schema.properties)) return [];
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    return Object.entries(schema.properties).flatMap(([name, property]) => {
        if (!isSchema(property)) throw new Error(`configuration reference: ${prefix}${name} has no schema`);
        const key = `${prefix}${name}`;
        if (property.description === undefined) throw new Error(`configuration reference: ${key} has no description in components/config`);
        const row: ReferenceRow = {
            key,
            type: `${secrecy(key)}${typeText(property)}`,
            default: defaultText(property, required.has(name)),
            meaning: property.description,
        };
        const children = isSchema(property.items) ? rowsOf(property.items, `${key}[].`) : rowsOf(property, `${key}.`);
        return [row, ...children];
    });
}

/** The rows of a config schema (by default the project's), one per key path, depth first. */
export function referenceRows(schema: JsonSchema = configValuesJsonSchema()): ReferenceRow[] {
    return rowsOf(schema, "");
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function referenceTable(): string {
    const lines = ["| key | type | default | meaning |", "|---|---|---|---|"];
    for (const row of referenceRows()) {
        // Type texts already escape their own `|`.
        lines.push(`| ${code(row.key)} | ${row.type} | ${row.default} | ${cell(row.meaning)} |`);
    }
    return lines.join("\n");
}
