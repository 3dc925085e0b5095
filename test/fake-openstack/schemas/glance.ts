/**
 * Shapes of the Glance v2 answers the fake serves, written down from the image
 * API reference (docs.openstack.org/api-ref/image/v2, glance 32.0.0
 * api-ref/source/v2/images-images-v2.inc "Show image", "List images",
 * "Delete image"; samples images-list-response.json, image-show-response.json)
 * and Glance's image schema (glance/api/v2/images.py `get_base_properties`,
 * served as a PermissiveSchema: extra properties are strings), plus webob's
 * JSON error page for errors (webob 1.8.9 src/webob/exc.py `json_formatter`:
 * `{"message", "code": "<status> <title>", "title"}`).
 */
type Schema = Record<string, unknown>;

const NULLABLE_STRING = { type: ["null", "string"] };

export const IMAGE: Schema = {
    type: "object",
    properties: {
        id: { type: "string", pattern: "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$" },
        name: { type: ["null", "string"], maxLength: 255 },
        status: { type: "string", enum: ["queued", "saving", "active", "killed", "deleted", "uploading", "importing", "pending_delete", "deactivated"] },
        visibility: { type: "string", enum: ["community", "public", "private", "shared"] },
        protected: { type: "boolean" },
        os_hidden: { type: "boolean" },
        checksum: { type: ["null", "string"], maxLength: 32 },
        os_hash_algo: { type: ["null", "string"], maxLength: 64 },
        os_hash_value: { type: ["null", "string"], maxLength: 128 },
        owner: { type: ["null", "string"], maxLength: 255 },
        size: { type: ["null", "integer"] },
        virtual_size: { type: ["null", "integer"] },
        container_format: NULLABLE_STRING,
        disk_format: NULLABLE_STRING,
        created_at: { type: "string" },
        updated_at: { type: "string" },
        tags: { type: "array", items: { type: "string", maxLength: 255 } },
        min_ram: { type: "integer" },
        min_disk: { type: "integer" },
        self: { type: "string" },
        file: { type: "string" },
        schema: { type: "string" },
    },
    // The list and show answers always carry these (images.py ResponseSerializer `_format_image`).
    required: [
        "id", "name", "status", "visibility", "protected", "os_hidden", "checksum", "os_hash_algo", "os_hash_value", "owner",
        "size", "virtual_size", "container_format", "disk_format", "created_at", "updated_at", "tags", "min_ram", "min_disk",
        "self", "file", "schema",
    ],
    additionalProperties: { type: "string" },
};

/** GET /v2/images, 200. */
export const LIST_IMAGES: Schema = {
    type: "object",
    properties: {
        images: { type: "array", items: IMAGE },
        first: { type: "string", pattern: "^/v2/images(\\?.*)?$" },
        next: { type: "string", pattern: "^/v2/images\\?.*marker=" },
        schema: { const: "/v2/schemas/images" },
    },
    required: ["images", "first", "schema"],
    additionalProperties: false,
};

export function glanceErrorSchema(status: number): Schema {
    return {
        type: "object",
        properties: { code: { type: "string", pattern: `^${status} ` }, title: { type: "string" }, message: { type: "string" } },
        required: ["code", "title", "message"],
        additionalProperties: false,
    };
}
