/**
 * stack-config.schema.json: a JSON Schema for whole Pulumi stack files
 * (`Pulumi.<stack>.yaml`), for editors. The project's keys are
 * `openstack-github-runners:<key>`; any of them may hold a Pulumi secret
 * (`{secure: <ciphertext>}`, also on a nested value set with `--secret --path`)
 * except the keys that cannot be secret, and the credentials must be one.
 * Keys of other namespaces (`openstack:authUrl`, ...) are free-form. Every key
 * carries a namespace: Pulumi refuses others (pulumi/pulumi,
 * sdk/go/common/resource/config/key.go, ParseKey: "configuration keys should be
 * of the form `<namespace>:<name>`").
 */
import { NEVER_SECRET_KEYS, REQUIRED_SECRET_KEYS } from "../../components/config/secrets";
import { PROJECT } from "../plan/stack-file";
import { configValuesJsonSchema, type JsonSchema } from "./config-json-schema";

const SECURE_REF: JsonSchema = { $ref: "#/definitions/secureValue" };

const SECURE_VALUE: JsonSchema = {
    description: "A Pulumi secret: ciphertext written by `pulumi config set --secret`.",
    type: "object",
    properties: { secure: { type: "string", minLength: 1 } },
    required: ["secure"],
    additionalProperties: false,
};

const isObjectSchema = (value: unknown): value is JsonSchema => typeof value === "object" && value !== null && !Array.isArray(value);

/** Moves hover text (description, default) onto an `anyOf` of the value and a secret. */
function valueOrSecret(schema: JsonSchema): JsonSchema {
    const { description, default: defaultValue, ...value } = schema;
    return {
        ...(description !== undefined ? { description } : {}),
        ...(defaultValue !== undefined ? { default: defaultValue } : {}),
        // A value that is already a union (a coerced number) gets the secret as one more branch.
        anyOf: Object.keys(value).length === 1 && Array.isArray(value.anyOf) ? [...value.anyOf, SECURE_REF] : [value, SECURE_REF],
    };
}

const isContainer = (schema: JsonSchema) => isObjectSchema(schema.properties) || isObjectSchema(schema.items) || isObjectSchema(schema.additionalProperties);

/**
 * The same schema where every scalar inside may also be a secret (`--secret --path a.b` encrypts one
 * value in place); lists and maps stay lists and maps, their items and values may be secrets.
 */
function leavesMayBeSecret(schema: JsonSchema): JsonSchema {
    if (!isContainer(schema)) {
        return valueOrSecret(schema);
    }
    const result: JsonSchema = { ...schema };
    const { properties } = schema;
    if (properties !== undefined) {
        result.properties = Object.fromEntries(
            Object.entries(properties).map(([name, property]) => [name, isObjectSchema(property) ? leavesMayBeSecret(property) : property]),
        );
    }
    if (isObjectSchema(schema.items)) result.items = leavesMayBeSecret(schema.items);
    if (isObjectSchema(schema.additionalProperties)) result.additionalProperties = leavesMayBeSecret(schema.additionalProperties);
    return result;
}

/** One project key's schema in a stack file. */
function keySchema(key: string, schema: JsonSchema): JsonSchema {
    if ((REQUIRED_SECRET_KEYS as readonly string[]).includes(key)) {
        return { description: `${schema.description ?? ""} Must be a secret: \`pulumi config set --secret ${key} ...\``.trim(), allOf: [SECURE_REF] };
    }
    if (key in NEVER_SECRET_KEYS) {
        return schema;
    }
    // A whole structured key may be one secret too: Pulumi then hands the program its JSON text.
    return isContainer(schema) ? valueOrSecret(leavesMayBeSecret(schema)) : leavesMayBeSecret(schema);
}

export function stackFileSchema(): JsonSchema {
    const values = configValuesJsonSchema();
    const namespaced = (key: string) => `${PROJECT}:${key}`;
    const properties = Object.fromEntries(Object.entries(values.properties).map(([key, schema]) => [namespaced(key), keySchema(key, schema)]));
    return {
        $schema: "http://json-schema.org/draft-07/schema#",
        title: `Pulumi stack file of ${PROJECT}`,
        description: `Pulumi.<stack>.yaml of ${PROJECT}. Generated from components/config/schema.ts by scripts/config-reference/main.ts; do not edit.`,
        type: "object",
        properties: {
            // The stack file's other fields, as the Automation API names them (@pulumi/pulumi 3.276.0,
            // automation/stackSettings.js); `environment` imports Pulumi ESC environments.
            secretsprovider: { type: "string", description: "Secrets provider of the stack (default: the backend's)." },
            encryptedkey: { type: "string", description: "The stack's data key, encrypted by its secrets provider." },
            encryptionsalt: { type: "string", description: "Salt of the passphrase secrets provider." },
            environment: { description: "Pulumi ESC environments the stack imports; they may supply config." },
            config: {
                type: "object",
                properties,
                patternProperties: { [`^(?!${PROJECT}:)[^:]+:.+$`]: {} },
                additionalProperties: false,
            },
        },
        // Without an ESC `environment:` (which may supply them), the stack file must hold the required keys.
        if: { type: "object", required: ["environment"] },
        else: { type: "object", required: ["config"], properties: { config: { type: "object", required: values.required.map(namespaced) } } },
        definitions: { secureValue: SECURE_VALUE },
    };
}

/** The file's text, as written to stack-config.schema.json. */
export function stackFileSchemaText(): string {
    return `${JSON.stringify(stackFileSchema(), null, 2)}\n`;
}
