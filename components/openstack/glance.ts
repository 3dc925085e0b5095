/**
 * Glance (image API v2): list images, show one, delete one
 * (api-ref/source/v2/images-images-v2.inc, glance 32.0.0).
 *
 * Filters: a custom property is filtered by Glance itself (`?key=value`: any
 * query key that is not an image column becomes a property equality test,
 * glance/db/sqlalchemy/api.py `_make_conditions_from_filters`). Glance has
 * no name-prefix filter (`name` is exact or `in:`), so a prefix is matched
 * here. Deleting answers 204; 404 means already gone; 409 means a store still
 * uses the image (e.g. Ceph clones of servers: glance/api/v2/images.py
 * `delete`, InUseByStore), reported as OpenstackImageInUseError.
 */
import { OpenstackImageInUseError } from "./errors";
import type { OpenstackSession } from "./session";

export interface GlanceImage {
    id: string;
    name: string | null;
    /** queued, saving, active, killed, deleted, uploading, importing, pending_delete, deactivated. */
    status: string;
    visibility: string;
    protected: boolean;
    owner: string | null;
    createdAt: string;
    updatedAt: string;
    sizeBytes: number | null;
    tags: string[];
    /** Properties beyond Glance's own attributes (always strings in Glance's schema). */
    properties: Record<string, string>;
}

export interface ListImagesOptions {
    /** Keep only images whose name starts with this (matched here: Glance has no prefix filter). */
    namePrefix?: string;
    /** Custom property equality filters, applied by Glance. */
    properties?: Readonly<Record<string, string>>;
    /** Images per request (Glance caps it at `api_limit_max`, 1000 by default). */
    pageSize?: number;
}

/** Glance's own image attributes (glance/api/v2/images.py `get_base_properties` plus links). */
const BASE_ATTRIBUTES = new Set([
    "id", "name", "status", "visibility", "protected", "os_hidden", "checksum", "os_hash_algo", "os_hash_value",
    "owner", "size", "virtual_size", "container_format", "disk_format", "created_at", "updated_at", "tags",
    "direct_url", "min_ram", "min_disk", "self", "file", "stores", "schema", "locations",
]);

/** Query parameters with a meaning of their own in GET /v2/images (images-images-v2.inc "List images"). */
const RESERVED_QUERY = new Set(["limit", "marker", "sort", "sort_key", "sort_dir", "member_status", "tag", "size_min", "size_max", "changes-since"]);

export async function listImages(session: OpenstackSession, options: ListImagesOptions = {}): Promise<GlanceImage[]> {
    const pageSize = options.pageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
    const filters = Object.entries(options.properties ?? {});
    for (const [key] of filters) {
        if (BASE_ATTRIBUTES.has(key) || RESERVED_QUERY.has(key)) {
            throw new RangeError(`"${key}" is a Glance attribute or query parameter, not a custom property; it cannot be a property filter`);
        }
    }
    const root = await session.serviceRoot("image");
    const images: GlanceImage[] = [];
    const seenMarkers = new Set<string>();
    let query = new URLSearchParams([["limit", String(pageSize)], ...filters]);
    for (let page = 1; ; page++) {
        const operation = `listing images (page ${page})`;
        const response = await session.call("image", { method: "GET", url: `${root}images?${query.toString()}`, operation, expect: [200] });
        const body = session.json("image", operation, response) as { images?: unknown; next?: unknown } | null;
        if (!Array.isArray(body?.images)) throw session.unexpected("image", operation, response, 'no "images" list');
        for (const [index, raw] of body.images.entries()) {
            const image = parseImage(raw);
            if (typeof image === "string") throw session.unexpected("image", operation, response, `images[${index}]: ${image}`);
            if (options.namePrefix === undefined || (image.name ?? "").startsWith(options.namePrefix)) images.push(image);
        }
        if (body.next === undefined) return images;
        // `next` is a path (/v2/images?...) relative to Glance's root, not to our endpoint (glance/api/v2/images.py
        // ResponseSerializer.index); its query carries the filters, limit and marker.
        const next = typeof body.next === "string" ? new URL(body.next, "http://glance.invalid") : undefined;
        const marker = next?.searchParams.get("marker");
        if (!next || !next.pathname.endsWith("/v2/images") || !marker) throw session.unexpected("image", operation, response, `the next link ${JSON.stringify(body.next)} is not /v2/images with a marker`);
        if (seenMarkers.has(marker)) throw session.unexpected("image", operation, response, `the next link repeats the marker ${marker}`);
        seenMarkers.add(marker);
        query = next.searchParams;
    }
}

export async function getImage(session: OpenstackSession, id: string): Promise<GlanceImage | undefined> {
    const root = await session.serviceRoot("image");
    const operation = `showing image ${id}`;
    const response = await session.call("image", { method: "GET", url: `${root}images/${pathSegment(id)}`, operation, expect: [200, 404] });
    if (response.status === 404) return undefined;
    const image = parseImage(session.json("image", operation, response));
    if (typeof image === "string") throw session.unexpected("image", operation, response, image);
    return image;
}

export async function deleteImage(session: OpenstackSession, id: string): Promise<"deleted" | "already-gone"> {
    const root = await session.serviceRoot("image");
    const response = await session.call("image", {
        method: "DELETE",
        url: `${root}images/${pathSegment(id)}`,
        operation: `deleting image ${id}`,
        expect: [204, 404],
        fixes: {
            403: "the image is protected (openstack image set --unprotected), or the project does not own it, or policy forbids deleting images",
            409: "servers still use this image in the image store (e.g. Ceph clones): delete or rebuild those servers first, then run again",
        },
        errorClasses: { 409: OpenstackImageInUseError },
    });
    return response.status === 204 ? "deleted" : "already-gone";
}

function pathSegment(id: string): string {
    if (id.trim() === "") throw new RangeError("an image id must not be empty");
    return encodeURIComponent(id);
}

/** Reads one image; a string says what does not fit the API reference. */
export function parseImage(raw: unknown): GlanceImage | string {
    if (typeof raw !== "object" || raw === null) return "not an object";
    const i = raw as Record<string, unknown>;
    if (typeof i.id !== "string") return "no id";
    if (typeof i.status !== "string") return "no status";
    if (typeof i.created_at !== "string" || typeof i.updated_at !== "string") return "no created_at/updated_at";
    if (i.name !== null && typeof i.name !== "string") return "name is neither a string nor null";
    const properties: Record<string, string> = {};
    for (const [key, value] of Object.entries(i)) {
        if (BASE_ATTRIBUTES.has(key)) continue;
        if (typeof value !== "string") return `custom property ${key} is not a string`;
        properties[key] = value;
    }
    return {
        id: i.id,
        name: i.name,
        status: i.status,
        visibility: typeof i.visibility === "string" ? i.visibility : "private",
        protected: i.protected === true,
        owner: typeof i.owner === "string" ? i.owner : null,
        createdAt: i.created_at,
        updatedAt: i.updated_at,
        sizeBytes: typeof i.size === "number" ? i.size : null,
        tags: Array.isArray(i.tags) ? i.tags.filter((t): t is string => typeof t === "string") : [],
        properties,
    };
}
