/**
 * Generates test/harness/openstack-schema.json from the sources the pinned provider is built from:
 *
 * - terraform-provider-openstack v1.54.1, openstack/resource_openstack_*.go (the schema of each
 *   resource: ForceNew, Computed, Sensitive, Default, StateFunc, MaxItems, nested blocks, Timeouts);
 * - pulumi-openstack v3.15.2, provider/resources.go (tokens, field renames, SetAutonaming(255, "-"))
 *   and provider/cmd/pulumi-resource-openstack/schema.json (the Pulumi property names, and
 *   `willReplaceOnChanges`, which the bridge derives from ForceNew: every path is cross-checked);
 * - computed-examples.ts (what a create returns for the computed attributes).
 *
 * Usage (paths default to the checkouts on this machine):
 *   node --import tsx test/harness/openstack-schema/generate.ts [<tf openstack dir> <pulumi schema.json>]
 * The schema.json of the tag is read with
 *   git -C <pulumi-openstack clone> show v3.15.2:provider/cmd/pulumi-resource-openstack/schema.json
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { OPENSTACK_SCHEMA_FILE, type AttributeSpec, type OpenStackSchema, type ResourceSpec } from "../openstack-schema";
import type { WireObject, WireValue } from "../pulumi-values";
import { COMPUTED_EXAMPLES } from "./computed-examples";
import { parseTerraformResource, type TerraformAttribute } from "./go-schema-parser";
import { MODELLED_RESOURCES } from "./resources";

const TF_TAG = "v1.54.1";
const PULUMI_OPENSTACK_TAG = "v3.15.2";

/** Field overrides of pulumi-openstack v3.15.2 provider/resources.go for the modelled resources. */
const FIELD_RENAMES: Record<string, Record<string, string>> = {
    openstack_networking_subnet_v2: { allocation_pool: "allocationPools", allocation_pools: "allocationPoolsCollection" },
};

interface PulumiProperty {
    type?: string;
    $ref?: string;
    items?: { $ref?: string; type?: string };
    willReplaceOnChanges?: boolean;
}
interface PulumiSchema {
    resources: Record<string, { properties: Record<string, PulumiProperty>; inputProperties?: Record<string, PulumiProperty> }>;
    types: Record<string, { properties?: Record<string, PulumiProperty> }>;
}

function camelCase(name: string): string {
    return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The bridge's Pulumi name of a Terraform attribute: camelCase, pluralized for lists of more than one item. */
function pulumiName(tfName: string, known: Record<string, PulumiProperty>, renames: Record<string, string>, where: string): string {
    const renamed = renames[tfName];
    if (renamed !== undefined) return renamed;
    const base = camelCase(tfName);
    const candidates = [base, `${base}s`, `${base}es`, base.replace(/y$/, "ies")];
    const found = candidates.find((candidate) => known[candidate] !== undefined);
    if (found === undefined) throw new Error(`${where}: no Pulumi property for ${tfName} (tried ${candidates.join(", ")})`);
    return found;
}

function nestedProperties(schema: PulumiSchema, property: PulumiProperty, where: string): Record<string, PulumiProperty> {
    const ref = property.$ref ?? property.items?.$ref;
    if (ref === undefined) throw new Error(`${where}: block without a type reference`);
    const type = schema.types[ref.replace("#/types/", "")];
    if (type?.properties === undefined) throw new Error(`${where}: unknown type ${ref}`);
    return type.properties;
}

function classifyStateFunc(body: string, where: string): AttributeSpec["stateFunc"] {
    if (body.includes("sha1.Sum")) return "sha1-hex";
    if (body.includes("strings.ToLower")) return "lowercase";
    throw new Error(`${where}: unrecognised StateFunc ${body.slice(0, 120)}`);
}

function convertAttributes(
    attributes: Record<string, TerraformAttribute>,
    known: Record<string, PulumiProperty>,
    schema: PulumiSchema,
    renames: Record<string, string>,
    where: string,
    mismatches: string[],
): Record<string, AttributeSpec> {
    const result: Record<string, AttributeSpec> = {};
    for (const [tfName, attribute] of Object.entries(attributes)) {
        const name = pulumiName(tfName, known, renames, where);
        const property = known[name]!;
        const spec: AttributeSpec = { terraformName: tfName, type: attribute.type };
        if (attribute.required) spec.required = true;
        if (attribute.optional) spec.optional = true;
        if (attribute.computed) spec.computed = true;
        if (attribute.forceNew) spec.forceNew = true;
        if (attribute.sensitive) spec.sensitive = true;
        if (attribute.default !== undefined) spec.default = attribute.default;
        if (attribute.stateFunc !== undefined) spec.stateFunc = classifyStateFunc(attribute.stateFunc, `${where}.${tfName}`);
        if (attribute.forceNew !== (property.willReplaceOnChanges === true) && !attribute.computed) {
            mismatches.push(`${where}.${name}: ForceNew=${attribute.forceNew} but willReplaceOnChanges=${property.willReplaceOnChanges === true}`);
        }
        const isCollection = attribute.type === "list" || attribute.type === "set";
        if (isCollection && property.type !== "array") spec.maxItemsOne = true;
        if (attribute.elem !== undefined) {
            if ("primitive" in attribute.elem) {
                spec.elementType = attribute.elem.primitive;
            } else {
                spec.attributes = convertAttributes(
                    attribute.elem.block,
                    nestedProperties(schema, property, `${where}.${name}`),
                    schema,
                    {},
                    `${where}.${name}`,
                    mismatches,
                );
            }
        }
        result[name] = spec;
    }
    return result;
}

export function forceNewPaths(attributes: Record<string, AttributeSpec>, prefix = ""): string[] {
    return Object.entries(attributes).flatMap(([name, spec]) => {
        const own = `${prefix}${name}`;
        const self = spec.forceNew ? [own] : [];
        if (spec.attributes === undefined) return self;
        const itemPrefix = spec.maxItemsOne ? `${own}.` : `${own}[].`;
        return [...self, ...forceNewPaths(spec.attributes, itemPrefix)];
    });
}

/** Every key of the example must be a computed (or defaulted) attribute; inside a computed block any attribute. */
function checkExample(example: WireValue, attributes: Record<string, AttributeSpec>, where: string, insideComputed = false): void {
    if (typeof example !== "object" || example === null || Array.isArray(example)) throw new Error(`${where}: example is not an object`);
    for (const [key, value] of Object.entries(example)) {
        const spec = attributes[key];
        if (spec === undefined) throw new Error(`${where}: example key ${key} is not an attribute`);
        if (!insideComputed && !spec.computed && spec.default === undefined) {
            throw new Error(`${where}: example key ${key} is neither computed nor defaulted`);
        }
        if (spec.attributes === undefined) continue;
        for (const item of Array.isArray(value) ? value : [value]) checkExample(item, spec.attributes, `${where}.${key}`, insideComputed || spec.computed === true);
    }
}

export function generate(tfOpenstackDir: string, pulumiSchema: PulumiSchema): { schema: OpenStackSchema; mismatches: string[] } {
    const resources: Record<string, ResourceSpec> = {};
    const mismatches: string[] = [];
    for (const modelled of MODELLED_RESOURCES) {
        const file = `openstack/resource_${modelled.terraformName}.go`;
        const source = readFileSync(path.join(tfOpenstackDir, path.basename(file)), "utf8");
        const parsed = parseTerraformResource(source, modelled.constructor, file);
        const pulumiResource = pulumiSchema.resources[modelled.token];
        if (pulumiResource === undefined) throw new Error(`${modelled.token} is not in the Pulumi schema`);
        const known = { ...pulumiResource.properties, ...pulumiResource.inputProperties };
        const attributes = convertAttributes(parsed.attributes, known, pulumiSchema, FIELD_RENAMES[modelled.terraformName] ?? {}, modelled.token, mismatches);
        const example: WireObject = COMPUTED_EXAMPLES[modelled.token] ?? {};
        checkExample(example, attributes, modelled.token);
        const name = attributes["name"];
        resources[modelled.token] = {
            token: modelled.token,
            terraform: { resource: modelled.terraformName, file },
            forceNew: forceNewPaths(attributes),
            // SetAutonaming: only a `name` input (Optional or Required) of type string is auto-named.
            autonamed: name !== undefined && name.type === "string" && (name.optional === true || name.required === true),
            timeoutsMs: parsed.timeoutsMs,
            schemaVersion: parsed.schemaVersion,
            attributes,
            computedExample: example,
        };
    }
    return {
        schema: {
            sources: {
                "terraform-provider-openstack": `${TF_TAG} (openstack/resource_openstack_*.go)`,
                "pulumi-openstack": `${PULUMI_OPENSTACK_TAG} (provider/resources.go, provider/cmd/pulumi-resource-openstack/schema.json)`,
                "pulumi-terraform-bridge": "v3.79.0 (the version pulumi-openstack v3.15.2 builds with: provider/go.mod)",
                generator: "test/harness/openstack-schema/generate.ts",
            },
            resources,
        },
        mismatches,
    };
}

function main(): void {
    const tfDir = process.argv[2] ?? "/work/src/tfos/openstack";
    const schemaText =
        process.argv[3] !== undefined
            ? readFileSync(process.argv[3], "utf8")
            : execFileSync("git", ["-C", "/work/.mirror/pulumi+pulumi-openstack/repo", "show", `${PULUMI_OPENSTACK_TAG}:provider/cmd/pulumi-resource-openstack/schema.json`], {
                  encoding: "utf8",
                  maxBuffer: 64 * 1024 * 1024,
              });
    const { schema, mismatches } = generate(tfDir, JSON.parse(schemaText) as PulumiSchema);
    if (mismatches.length > 0) {
        throw new Error(`the Terraform schema and the Pulumi schema disagree on replacement:\n${mismatches.join("\n")}`);
    }
    writeFileSync(OPENSTACK_SCHEMA_FILE, `${JSON.stringify(schema, null, 2)}\n`);
    console.log(`wrote ${OPENSTACK_SCHEMA_FILE}: ${Object.keys(schema.resources).length} resources`);
}

if (require.main === module) main();
