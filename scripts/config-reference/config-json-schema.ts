/**
 * The JSON Schema of the project's configuration values, generated from the
 * zod schema (components/config/schema.ts) as Pulumi stack files spell them:
 * decoded YAML, defaults optional, and values zod coerces from text accepted
 * in both their YAML forms (`bootstrapTimeoutMinutes: 30` and `"30"`).
 */
import { z } from "zod";
import { stackConfigSchema } from "../../components/config/schema";

export type JsonSchema = z.core.JSONSchema.BaseSchema;

/** The pattern of an integer written as text; the reference table shows such a branch as the integer it is. */
export const INTEGER_TEXT_PATTERN = "^[0-9]+$";

/**
 * zod's `z.coerce` accepts text where the output is a number, and numbers where
 * the output is text; zod emits only the output type, so both forms are listed.
 */
function acceptBothFormsOfCoercedValues(ctx: { zodSchema: z.core.$ZodTypes; jsonSchema: JsonSchema }): void {
    const def = ctx.zodSchema._zod.def;
    if (!("coerce" in def) || def.coerce !== true) {
        return;
    }
    const json = ctx.jsonSchema;
    const { description, default: defaultValue, ...constraints } = json;
    const annotations: JsonSchema = {};
    if (description !== undefined) annotations.description = description;
    if (defaultValue !== undefined) annotations.default = defaultValue;
    let anyOf: JsonSchema[];
    if (def.type === "number") {
        anyOf = [constraints, { type: "string", pattern: INTEGER_TEXT_PATTERN }];
    } else if (def.type === "string") {
        anyOf = [constraints, { type: "integer", minimum: 1 }];
    } else {
        throw new Error(`stack-config JSON Schema: no rule for a coerced ${def.type}`);
    }
    for (const key of Object.keys(json)) delete json[key];
    Object.assign(json, annotations, { anyOf });
}

/** The schema of the project's keys (without namespace) as one object schema. */
export function configValuesJsonSchema(): JsonSchema & { properties: Record<string, JsonSchema>; required: string[] } {
    const schema = z.toJSONSchema(stackConfigSchema, { io: "input", target: "draft-07", override: acceptBothFormsOfCoercedValues });
    const { properties, required } = schema;
    if (properties === undefined || !Array.isArray(required)) {
        throw new Error("stack-config JSON Schema: the root is not an object schema with properties");
    }
    return { ...schema, properties: properties as Record<string, JsonSchema>, required };
}
