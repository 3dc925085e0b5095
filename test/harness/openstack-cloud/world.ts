/**
 * The objects of the in-memory OpenStack cloud, kept as plain JSON so a cloud can be saved to a
 * file and loaded back by another process.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { resourceSpec } from "../openstack-schema";
import type { WireObject, WireValue } from "../pulumi-values";

export type ObjectKind =
    | "server"
    | "flavor"
    | "flavorAccess"
    | "serverGroup"
    | "keypair"
    | "network"
    | "subnet"
    | "router"
    | "routerInterface"
    | "secGroup"
    | "secGroupRule"
    | "image"
    | "volume";

export const KIND_OF_TYPE: Readonly<Record<string, ObjectKind>> = {
    "openstack:compute/instance:Instance": "server",
    "openstack:compute/flavor:Flavor": "flavor",
    "openstack:compute/flavorAccess:FlavorAccess": "flavorAccess",
    "openstack:compute/serverGroup:ServerGroup": "serverGroup",
    "openstack:compute/keypair:Keypair": "keypair",
    "openstack:networking/network:Network": "network",
    "openstack:networking/subnet:Subnet": "subnet",
    "openstack:networking/router:Router": "router",
    "openstack:networking/routerInterface:RouterInterface": "routerInterface",
    "openstack:networking/secGroup:SecGroup": "secGroup",
    "openstack:networking/secGroupRule:SecGroupRule": "secGroupRule",
    "openstack:images/image:Image": "image",
    "openstack:blockstorage/volume:Volume": "volume",
};

export interface CloudObject {
    id: string;
    kind: ObjectKind;
    name: string;
    /** The attributes the provider's read reports, by Pulumi property name. */
    attributes: WireObject;
    /** Made by the test or a lookup fixture, not through the provider. */
    preexisting: boolean;
    /** Servers: Nova status (ACTIVE/SHUTOFF/ERROR); images: Glance status. */
    status?: string;
    /** Links the provider does not report, e.g. the networks a server has ports on. */
    links?: { networkIds?: string[] };
}

export interface WorldJson {
    version: 1;
    projectId: string;
    region: string;
    imageStore: "rbd" | "file";
    objects: CloudObject[];
    nextAddress: number;
}

export function newWorld(projectId: string, region: string, imageStore: "rbd" | "file"): WorldJson {
    return { version: 1, projectId, region, imageStore, objects: [], nextAddress: 10 };
}

/** Neutron's default base MAC is fa:16:3e:00:00:00 (neutron/conf/common.py base_mac). */
function neutronMac(): string {
    return ["fa", "16", "3e", ...[...randomBytes(3)].map((byte) => byte.toString(16).padStart(2, "0"))].join(":");
}

export interface TemplateContext {
    id: string;
    projectId: string;
    region: string;
    address: () => string;
}

/** Resolves the {{...}} templates of a computed example (computed-examples.ts). */
function resolveTemplates(value: WireValue, context: TemplateContext): WireValue {
    if (typeof value === "string") {
        return value.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
            switch (name) {
                case "uuid":
                    return randomUUID();
                case "hex32":
                    return randomBytes(16).toString("hex");
                case "now":
                    return new Date().toISOString().replace(/\.\d+Z$/, "Z");
                case "ipv4":
                    return context.address();
                case "mac":
                    return neutronMac();
                case "project":
                    return context.projectId;
                case "region":
                    return context.region;
                case "id":
                    return context.id;
                default:
                    return whole;
            }
        });
    }
    if (Array.isArray(value)) return value.map((item) => resolveTemplates(item, context));
    if (value !== null && typeof value === "object") {
        const result: WireObject = {};
        for (const [key, item] of Object.entries(value)) result[key] = resolveTemplates(item, context);
        return result;
    }
    return value;
}

/** The computed attributes a create of `type` returns, with realistic values; inputs win where given. */
export function computedAttributes(type: string, inputs: WireObject, context: TemplateContext): WireObject {
    const example = resourceSpec(type)?.computedExample ?? {};
    const result: WireObject = {};
    for (const [key, value] of Object.entries(example)) {
        if (inputs[key] === undefined || inputs[key] === null) result[key] = resolveTemplates(value, context);
    }
    return result;
}
