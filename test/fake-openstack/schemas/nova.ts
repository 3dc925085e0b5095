/**
 * Response shapes of the Nova operations the fake serves, per microversion,
 * for a non-admin caller. Written down from the compute API reference
 * (docs.openstack.org/api-ref/compute: api-ref/source/servers.inc "List
 * Servers Detailed", "Show Server Details", "Delete Server") and nova's own
 * response schemas, nova 33.0.2 nova/api/openstack/compute/schemas/servers.py
 * (`_server_response` and its 2.3, 2.9, 2.19, 2.26, 2.47 variants,
 * `detail_response`, `show_response`, `delete_response`) with
 * nova/api/validation/response_types.py (`links`, `collection_links`).
 * Only the fields the fake serves are listed; `additionalProperties: false`
 * makes any other field a violation. Policy-gated fields (OS-EXT-SRV-ATTR:*,
 * host_status) are admin-only by default and never served.
 */
import type { Microversion } from "../microversion";
import { atLeast } from "../microversion";

type Schema = Record<string, unknown>;

const LINKS: Schema = {
    type: "array",
    items: {
        type: "object",
        properties: { rel: { type: "string", enum: ["self", "bookmark"] }, href: { type: "string", format: "uri" } },
        required: ["rel", "href"],
        additionalProperties: false,
    },
};

const COLLECTION_LINKS: Schema = {
    type: "array",
    items: {
        type: "object",
        properties: { rel: { const: "next" }, href: { type: "string", format: "uri" } },
        required: ["rel", "href"],
        additionalProperties: false,
    },
    minItems: 1,
    maxItems: 1,
};

const SERVER_STATUS: Schema = {
    type: "string",
    enum: [
        "ACTIVE", "BUILD", "DELETED", "ERROR", "HARD_REBOOT", "MIGRATING", "PASSWORD", "PAUSED", "REBOOT", "REBUILD",
        "RESCUE", "RESIZE", "REVERT_RESIZE", "SHELVED", "SHELVED_OFFLOADED", "SHUTOFF", "SOFT_DELETED", "SUSPENDED",
        "UNKNOWN", "VERIFY_RESIZE",
    ],
};

const ADDRESSES: Schema = {
    type: "object",
    patternProperties: {
        "^.*$": {
            type: "array",
            items: {
                type: "object",
                properties: {
                    addr: { type: "string", oneOf: [{ format: "ipv4" }, { format: "ipv6" }] },
                    version: { type: "number", enum: [4, 6] },
                    "OS-EXT-IPS:type": { type: "string", enum: ["fixed", "floating"] },
                    "OS-EXT-IPS-MAC:mac_addr": { type: "string", format: "mac-address" },
                },
                required: ["addr", "version", "OS-EXT-IPS:type", "OS-EXT-IPS-MAC:mac_addr"],
                additionalProperties: false,
            },
        },
    },
    additionalProperties: false,
};

const FLAVOR_BEFORE_2_47: Schema = {
    type: "object",
    properties: { id: { type: "string" }, links: LINKS },
    additionalProperties: false,
};

/** 2.47: "display the flavor as a dict" (api_version_request.py history). */
const FLAVOR_FROM_2_47: Schema = {
    type: "object",
    properties: {
        disk: { type: "integer" },
        ephemeral: { type: "integer" },
        extra_specs: { type: "object", patternProperties: { "^.+$": { type: "string" } }, additionalProperties: false },
        original_name: { type: "string" },
        ram: { type: "integer" },
        swap: { type: "integer" },
        vcpus: { type: "integer" },
    },
    required: ["disk", "ephemeral", "original_name", "ram", "swap", "vcpus"],
    additionalProperties: false,
};

const DATE_TIME = { type: "string", format: "date-time" };
const NULLABLE_DATE_TIME = { type: ["string", "null"], format: "date-time" };

/** One server as GET /servers/detail and GET /servers/{id} show it at `version`. */
export function serverSchema(version: Microversion): Schema {
    const properties: Record<string, Schema> = {
        accessIPv4: { type: "string", oneOf: [{ format: "ipv4" }, { const: "" }] },
        accessIPv6: { type: "string", oneOf: [{ format: "ipv6" }, { const: "" }] },
        addresses: ADDRESSES,
        config_drive: { type: ["string", "null"], enum: ["", "True", "False", null] },
        created: DATE_TIME,
        fault: {
            type: "object",
            properties: { code: { type: "integer" }, created: DATE_TIME, details: { type: "string" }, message: { type: "string" } },
            required: ["code", "created", "message"],
            additionalProperties: false,
        },
        flavor: atLeast(version, "2.47") ? FLAVOR_FROM_2_47 : FLAVOR_BEFORE_2_47,
        hostId: { type: "string" },
        id: { type: "string", format: "uuid" },
        image: {
            oneOf: [
                { type: "string", const: "" },
                { type: "object", properties: { id: { type: "string", format: "uuid" }, links: LINKS }, additionalProperties: false },
            ],
        },
        key_name: { type: ["null", "string"] },
        links: LINKS,
        metadata: { type: "object", patternProperties: { "^.+$": { type: "string" } }, additionalProperties: false },
        name: { type: ["string", "null"] },
        "os-extended-volumes:volumes_attached": {
            type: "array",
            items: atLeast(version, "2.3")
                ? {
                      type: "object",
                      properties: { id: { type: "string" }, delete_on_termination: { type: "boolean" } },
                      required: ["id", "delete_on_termination"],
                      additionalProperties: false,
                  }
                : { type: "object", properties: { id: { type: "string" } }, required: ["id"], additionalProperties: false },
        },
        progress: { type: ["null", "number"] },
        security_groups: {
            type: "array",
            items: { type: "object", properties: { name: { type: "string" } }, required: ["name"], additionalProperties: false },
        },
        status: SERVER_STATUS,
        tenant_id: { type: "string", minLength: 1, maxLength: 255 },
        updated: DATE_TIME,
        user_id: { type: "string", minLength: 1, maxLength: 255 },
        "OS-DCF:diskConfig": { type: "string" },
        "OS-EXT-AZ:availability_zone": { type: "string" },
        "OS-EXT-STS:power_state": { type: ["integer", "null"], enum: [0, 1, 3, 4, 6, 7, null] },
        "OS-EXT-STS:task_state": { type: ["string", "null"] },
        "OS-EXT-STS:vm_state": { type: ["string", "null"] },
        "OS-SRV-USG:launched_at": NULLABLE_DATE_TIME,
        "OS-SRV-USG:terminated_at": NULLABLE_DATE_TIME,
    };
    const required = [
        "accessIPv4", "accessIPv6", "addresses", "config_drive", "created", "flavor", "hostId", "id", "image", "key_name",
        "links", "metadata", "name", "os-extended-volumes:volumes_attached", "status", "tenant_id", "updated", "user_id",
        "OS-DCF:diskConfig", "OS-EXT-AZ:availability_zone", "OS-EXT-STS:power_state", "OS-EXT-STS:task_state",
        "OS-EXT-STS:vm_state", "OS-SRV-USG:launched_at", "OS-SRV-USG:terminated_at",
    ];
    if (atLeast(version, "2.9")) {
        properties.locked = { type: "boolean" };
        required.push("locked");
    }
    if (atLeast(version, "2.19")) {
        properties.description = { type: ["string", "null"] };
        required.push("description");
    }
    if (atLeast(version, "2.26")) {
        properties.tags = { type: "array", items: { type: "string" }, maxItems: 50 };
        required.push("tags");
    }
    return { type: "object", properties, required, additionalProperties: false };
}

/** GET /servers/detail, 200. */
export function listServersDetailSchema(version: Microversion): Schema {
    return {
        type: "object",
        properties: { servers: { type: "array", items: serverSchema(version) }, servers_links: COLLECTION_LINKS },
        required: ["servers"],
        additionalProperties: false,
    };
}

/** GET /servers/{server_id}, 200. */
export function showServerSchema(version: Microversion): Schema {
    return { type: "object", properties: { server: serverSchema(version) }, required: ["server"], additionalProperties: false };
}

/**
 * A Nova fault body: one key named for the status (nova/api/openstack/wsgi.py
 * `Fault._fault_names`, "computeFault" for the rest) holding code and message;
 * 413/429 may add `retryAfter`.
 */
export const FAULT_NAMES: Record<number, string> = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    429: "overLimit",
    501: "notImplemented",
    503: "serviceUnavailable",
};

export function faultName(status: number): string {
    return FAULT_NAMES[status] ?? "computeFault";
}

export function novaFaultSchema(status: number): Schema {
    const inner: Record<string, Schema> = { code: { const: status }, message: { type: "string" } };
    if (status === 413 || status === 429) inner.retryAfter = { type: "string" };
    return {
        type: "object",
        properties: { [faultName(status)]: { type: "object", properties: inner, required: ["code", "message"], additionalProperties: false } },
        required: [faultName(status)],
        additionalProperties: false,
    };
}
