/**
 * The OpenStack provider's resource schemas as the harness knows them: read from the one data file
 * `openstack-schema.json`, generated from terraform-provider-openstack v1.54.1's Go sources by
 * `openstack-schema/generate.ts` (see there for every source file and tag).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { WireObject } from "./pulumi-values";

export type AttributeType = "string" | "int" | "float" | "bool" | "list" | "set" | "map";

export interface AttributeSpec {
    terraformName: string;
    type: AttributeType;
    required?: true;
    optional?: true;
    computed?: true;
    /** Terraform ForceNew: a change (or an unknown value) replaces the resource. */
    forceNew?: true;
    /** Terraform Sensitive: the bridge makes the output a secret. */
    sensitive?: true;
    default?: string | number | boolean;
    /** How the provider stores the value in its state instead of the value itself. */
    stateFunc?: "sha1-hex" | "lowercase";
    /** A block of at most one item, which Pulumi flattens to one object. */
    maxItemsOne?: true;
    /** Primitive type of the items of a list, set or map. */
    elementType?: AttributeType;
    /** Attributes of each item of a nested block. */
    attributes?: Record<string, AttributeSpec>;
}

export interface ResourceSpec {
    token: string;
    terraform: { resource: string; file: string };
    /** Pulumi property paths whose change forces a new resource (`items[].field` inside lists and sets). */
    forceNew: string[];
    /** The bridge auto-names a `name` input the program leaves out (pulumi-openstack SetAutonaming(255, "-")). */
    autonamed: boolean;
    /** Terraform resource timeouts in ms, stored by the bridge in `__meta`. */
    timeoutsMs: Partial<Record<"create" | "update" | "delete", number>>;
    schemaVersion: number;
    attributes: Record<string, AttributeSpec>;
    /** Realistic values of the computed attributes a create returns (see computed-examples.ts). */
    computedExample: WireObject;
}

export interface OpenStackSchema {
    sources: Record<string, string>;
    resources: Record<string, ResourceSpec>;
}

export const OPENSTACK_SCHEMA_FILE = path.join(__dirname, "openstack-schema.json");

let cached: OpenStackSchema | undefined;

export function openstackSchema(): OpenStackSchema {
    cached ??= JSON.parse(readFileSync(OPENSTACK_SCHEMA_FILE, "utf8")) as OpenStackSchema;
    return cached;
}

export function resourceSpec(type: string): ResourceSpec | undefined {
    return openstackSchema().resources[type];
}
