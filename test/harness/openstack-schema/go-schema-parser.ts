/**
 * Reads a terraform-plugin-sdk v2 resource schema out of a gofmt-formatted Go source file:
 * the `Schema: map[string]*schema.Schema{...}` literal of a resource constructor, with nested
 * `Elem: &schema.Resource{...}` blocks, plus the resource's `Timeouts` and `SchemaVersion`.
 * Only the literal forms used by terraform-provider-openstack are understood; anything else is an
 * error naming the file and field, so the generated table can never silently miss a rule.
 */

export type TerraformType = "string" | "int" | "float" | "bool" | "list" | "set" | "map";

export interface TerraformAttribute {
    type: TerraformType;
    required: boolean;
    optional: boolean;
    computed: boolean;
    forceNew: boolean;
    sensitive: boolean;
    maxItems?: number;
    default?: string | number | boolean;
    /** A Default that is a Go expression evaluated at run time (e.g. from $HOME), as written. */
    defaultExpression?: string;
    /** The body of a StateFunc, as written (classified by the generator). */
    stateFunc?: string;
    /** Element schema: nested attributes of a block, or the primitive type of a list/set/map. */
    elem?: { block: Record<string, TerraformAttribute> } | { primitive: TerraformType };
}

export interface TerraformResource {
    attributes: Record<string, TerraformAttribute>;
    timeoutsMs: Partial<Record<"create" | "update" | "delete", number>>;
    schemaVersion: number;
}

const TYPE_NAMES: Record<string, TerraformType> = {
    "schema.TypeString": "string",
    "schema.TypeInt": "int",
    "schema.TypeFloat": "float",
    "schema.TypeBool": "bool",
    "schema.TypeList": "list",
    "schema.TypeSet": "set",
    "schema.TypeMap": "map",
};

/** Index just past the bracket that closes the one opening at `open`, skipping strings and comments. */
function closingIndex(text: string, open: number): number {
    const pairs: Record<string, string> = { "{": "}", "(": ")", "[": "]" };
    const stack: string[] = [];
    for (let i = open; i < text.length; i++) {
        const c = text[i]!;
        if (c === '"') {
            i++;
            while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
        } else if (c === "`") {
            i = text.indexOf("`", i + 1);
        } else if (c === "/" && text[i + 1] === "/") {
            i = text.indexOf("\n", i);
        } else if (c === "/" && text[i + 1] === "*") {
            i = text.indexOf("*/", i) + 1;
        } else if (pairs[c] !== undefined) {
            stack.push(pairs[c]!);
        } else if (c === "}" || c === ")" || c === "]") {
            if (stack.pop() !== c) throw new Error(`unbalanced '${c}' at offset ${i}`);
            if (stack.length === 0) return i + 1;
        }
    }
    throw new Error(`no closing bracket for offset ${open}`);
}

/** Splits a literal body into its top-level `Key: value` fields (commas at nesting depth 0). */
function topLevelFields(body: string): Map<string, string> {
    const fields = new Map<string, string>();
    let start = 0;
    const push = (end: number): void => {
        const piece = body.slice(start, end).replace(/^\s*(\/\/[^\n]*\n\s*)*/, "").trim();
        start = end + 1;
        if (piece === "") return;
        const colon = piece.indexOf(":");
        if (colon < 0) throw new Error(`not a "Field: value" pair: ${piece.slice(0, 80)}`);
        fields.set(piece.slice(0, colon).trim(), piece.slice(colon + 1).trim());
    };
    for (let i = 0; i < body.length; i++) {
        const c = body[i]!;
        if (c === "{" || c === "(" || c === "[") {
            i = closingIndex(body, i) - 1;
        } else if (c === '"') {
            i++;
            while (i < body.length && body[i] !== '"') i += body[i] === "\\" ? 2 : 1;
        } else if (c === "/" && body[i + 1] === "/") {
            i = body.indexOf("\n", i);
            if (i < 0) break;
        } else if (c === ",") {
            push(i);
        }
    }
    push(body.length);
    return fields;
}

function literalOrUndefined(value: string): string | number | boolean | undefined {
    if (value === "true" || value === "false") return value === "true";
    if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
    if (/^"([^"\\]|\\.)*"$/.test(value)) return JSON.parse(value) as string;
    return undefined;
}

function literal(value: string, where: string): string | number | boolean {
    const parsed = literalOrUndefined(value);
    if (parsed === undefined) throw new Error(`${where}: ${value} is not a literal`);
    return parsed;
}

function parseAttribute(body: string, where: string): TerraformAttribute {
    const fields = topLevelFields(body);
    const typeName = fields.get("Type");
    const type = typeName === undefined ? undefined : TYPE_NAMES[typeName];
    if (type === undefined) throw new Error(`${where}: unknown Type ${typeName}`);
    const flag = (name: string): boolean => {
        const value = fields.get(name);
        if (value === undefined || value === "false") return false;
        if (value === "true") return true;
        throw new Error(`${where}: ${name} is not a literal bool (${value})`);
    };
    const attribute: TerraformAttribute = {
        type,
        required: flag("Required"),
        optional: flag("Optional"),
        computed: flag("Computed"),
        forceNew: flag("ForceNew"),
        sensitive: flag("Sensitive"),
    };
    const maxItems = fields.get("MaxItems");
    if (maxItems !== undefined) attribute.maxItems = Number(maxItems);
    const defaultValue = fields.get("Default");
    if (defaultValue !== undefined) {
        const parsed = literalOrUndefined(defaultValue);
        if (parsed === undefined) attribute.defaultExpression = defaultValue;
        else attribute.default = parsed;
    }
    const stateFunc = fields.get("StateFunc");
    if (stateFunc !== undefined) attribute.stateFunc = stateFunc;
    const elem = fields.get("Elem");
    if (elem !== undefined) {
        if (elem.startsWith("&schema.Resource{")) {
            const inner = topLevelFields(elem.slice("&schema.Resource{".length, -1));
            const schema = inner.get("Schema");
            if (schema === undefined) throw new Error(`${where}: Elem resource without Schema`);
            attribute.elem = { block: parseSchemaMap(schema, where) };
        } else if (elem.startsWith("&schema.Schema{")) {
            const inner = parseAttribute(elem.slice("&schema.Schema{".length, -1), `${where}.elem`);
            attribute.elem = { primitive: inner.type };
        } else {
            throw new Error(`${where}: unsupported Elem ${elem.slice(0, 60)}`);
        }
    }
    return attribute;
}

/** `map[string]*schema.Schema{ "name": {...}, ... }` to attributes by Terraform name. */
function parseSchemaMap(text: string, where: string): Record<string, TerraformAttribute> {
    const prefix = "map[string]*schema.Schema{";
    if (!text.startsWith(prefix)) throw new Error(`${where}: expected ${prefix}, got ${text.slice(0, 60)}`);
    const body = text.slice(prefix.length, closingIndex(text, prefix.length - 1) - 1);
    const attributes: Record<string, TerraformAttribute> = {};
    for (const [key, value] of topLevelFields(body)) {
        const name = literal(key, where);
        if (typeof name !== "string") throw new Error(`${where}: schema key ${key} is not a string`);
        if (!value.startsWith("{")) throw new Error(`${where}.${name}: expected a schema literal`);
        attributes[name] = parseAttribute(value.slice(1, -1), `${where}.${name}`);
    }
    return attributes;
}

function parseTimeouts(value: string | undefined, where: string): TerraformResource["timeoutsMs"] {
    if (value === undefined) return {};
    const timeouts: TerraformResource["timeoutsMs"] = {};
    for (const [key, expression] of topLevelFields(value.slice("&schema.ResourceTimeout{".length, -1))) {
        const match = /^schema\.DefaultTimeout\((\d+) \* time\.(Minute|Second)\)$/.exec(expression);
        if (match === null) throw new Error(`${where}: unsupported timeout ${expression}`);
        const unitMs = match[2] === "Minute" ? 60_000 : 1000;
        const name = key.toLowerCase();
        if (name !== "create" && name !== "update" && name !== "delete") throw new Error(`${where}: unknown timeout ${key}`);
        timeouts[name] = Number(match[1]) * unitMs;
    }
    return timeouts;
}

/** The schema returned by `func <constructor>() *schema.Resource` in the given Go source. */
export function parseTerraformResource(source: string, constructor: string, where: string): TerraformResource {
    const header = `func ${constructor}() *schema.Resource {`;
    const start = source.indexOf(header);
    if (start < 0) throw new Error(`${where}: no ${header}`);
    const returnAt = source.indexOf("return &schema.Resource{", start);
    const open = source.indexOf("{", returnAt);
    const body = source.slice(open + 1, closingIndex(source, open) - 1);
    const fields = topLevelFields(body);
    const schema = fields.get("Schema");
    if (schema === undefined) throw new Error(`${where}: ${constructor} has no Schema`);
    return {
        attributes: parseSchemaMap(schema, `${where}:${constructor}`),
        timeoutsMs: parseTimeouts(fields.get("Timeouts"), where),
        schemaVersion: Number(fields.get("SchemaVersion") ?? "0"),
    };
}
