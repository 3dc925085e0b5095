/**
 * The fake Glance: list, show and delete images for a project-scoped token.
 *
 * Rules, glance 32.0.0 unless noted:
 * - A project sees public images and its own (glance/db/sqlalchemy/api.py
 *   visibility rules); others are 404 "No image found with ID <id>"
 *   (glance/db/__init__.py), or on delete "Failed to find image <id> to delete"
 *   (glance/api/v2/images.py `delete`).
 * - List (glance/api/v2/images.py RequestDeserializer.index, ImagesController.index,
 *   ResponseSerializer.index): `limit` must be a non-negative integer (400
 *   "limit param must be an integer" / "must be positive"), default
 *   limit_param_default 25, capped at api_limit_max 1000; `marker` is the last
 *   id seen, unknown is 400 "No image found with ID <id>"; order created_at
 *   then id, descending; `visibility` must be community/public/private/shared/all;
 *   `os_hidden` hides hidden images unless "true"; a query key that is no image
 *   column is a custom property equality filter
 *   (glance/db/sqlalchemy/api.py `_make_conditions_from_filters`); `first`
 *   repeats the query without marker, `next` is given when the database page
 *   was full.
 * - Delete: 204; 403 "Image <id> is protected and cannot be deleted."
 *   (glance/common/exception.py ProtectedImageDelete); 403 for someone else's
 *   image (policy); 409 "Image <id> could not be deleted because it is in use:
 *   <store message>" (InUseByStore, e.g. rbd clones).
 */
import { empty, type FakeAnswer, glanceError, json } from "./answers";
import type { HandlerContext } from "./handler-context";
import type { FakeImage } from "./state";

export interface GlanceSettings {
    defaultLimit: number;
    maxLimit: number;
}

/** Query keys with meanings the fake does not model (images-images-v2.inc "List images"). */
const UNMODELLED_QUERY = new Set([
    "sort", "sort_key", "sort_dir", "tag", "owner", "status", "member_status", "protected", "size_min", "size_max",
    "created_at", "updated_at", "id", "checksum", "container_format", "disk_format", "os_hash_value", "changes-since",
]);
/** Image columns: filtering on them is not a property filter (glance/db/sqlalchemy/models.py Image). */
const IMAGE_COLUMNS = new Set(["name", "visibility", "os_hidden", "min_disk", "min_ram", "virtual_size", "size", "os_hash_algo"]);

export function listImages(ctx: HandlerContext, settings: GlanceSettings): FakeAnswer {
    const query = ctx.query;
    for (const key of new Set(query.keys())) {
        if (UNMODELLED_QUERY.has(key) || (IMAGE_COLUMNS.has(key) && !["name", "visibility", "os_hidden"].includes(key))) {
            return ctx.unimplemented(`the image list parameter "${key}"`);
        }
    }
    const limitText = query.get("limit");
    let limit = settings.defaultLimit;
    if (limitText !== null) {
        if (!/^-?\d+$/.test(limitText)) return glanceError(400, "limit param must be an integer");
        if (Number(limitText) < 0) return glanceError(400, "limit param must be positive");
        limit = Number(limitText);
    }
    limit = Math.min(settings.maxLimit, limit);
    const visibility = query.get("visibility");
    if (visibility !== null && !["community", "public", "private", "shared", "all"].includes(visibility)) {
        return glanceError(400, `Invalid visibility value: ${visibility}`);
    }
    const hidden = (query.get("os_hidden") ?? "false").toLowerCase();
    if (hidden !== "true" && hidden !== "false") {
        return glanceError(400, `Invalid value '${hidden}' for 'os_hidden' filter. Valid values are 'true' or 'false'.`);
    }
    const name = query.get("name");
    if (name?.startsWith("in:")) return ctx.unimplemented('the "in:" operator of the name filter');
    const properties = [...query].filter(([key]) => !["limit", "marker", "name", "visibility", "os_hidden"].includes(key));

    const visible = visibleImages(ctx).sort(byNewest);
    let start = 0;
    const marker = query.get("marker");
    if (marker !== null) {
        const index = visible.findIndex((i) => i.id === marker);
        if (index < 0) return glanceError(400, `No image found with ID ${marker}`);
        start = index + 1;
    }
    const matching = visible
        .slice(start)
        .filter((i) => i.hidden === (hidden === "true"))
        .filter((i) => visibility === null || visibility === "all" || i.visibility === visibility)
        .filter((i) => name === null || i.name === name)
        .filter((i) => properties.every(([key, value]) => i.properties[key] === value));
    const page = matching.slice(0, limit);
    const withoutMarker = [...query].filter(([key]) => key !== "marker");
    const body: Record<string, unknown> = {
        images: page.map((i) => imageView(i)),
        first: withoutMarker.length > 0 ? `/v2/images?${new URLSearchParams(withoutMarker).toString()}` : "/v2/images",
        schema: "/v2/schemas/images",
    };
    if (page.length > 0 && page.length === limit) {
        body.next = `/v2/images?${new URLSearchParams([...withoutMarker, ["marker", page[page.length - 1].id]]).toString()}`;
    }
    return json(200, body);
}

export function showImage(ctx: HandlerContext): FakeAnswer {
    const image = visibleImages(ctx).find((i) => i.id === ctx.params.id);
    if (!image) return glanceError(404, `No image found with ID ${ctx.params.id}`);
    return json(200, imageView(image));
}

export function deleteImage(ctx: HandlerContext): FakeAnswer {
    const image = visibleImages(ctx).find((i) => i.id === ctx.params.id);
    if (!image) return glanceError(404, `Failed to find image ${ctx.params.id} to delete`);
    if (image.ownerProjectId !== ctx.token?.projectId) return glanceError(403, "You are not authorized to complete delete_image action.");
    if (image.protected) return glanceError(403, `Image ${image.id} is protected and cannot be deleted.`);
    if (image.inUseBy !== undefined) return glanceError(409, `Image ${image.id} could not be deleted because it is in use: ${image.inUseBy}`);
    ctx.world.images.splice(ctx.world.images.indexOf(image), 1);
    return empty(204);
}

function visibleImages(ctx: HandlerContext): FakeImage[] {
    const projectId = ctx.token?.projectId;
    return ctx.world.images.filter((i) => (i.visibility === "public" || i.ownerProjectId === projectId) && i.status !== "killed" && i.status !== "deleted");
}

function byNewest(a: FakeImage, b: FakeImage): number {
    return b.createdMs - a.createdMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** glance/api/v2/images.py ResponseSerializer `_format_image`; times via timeutils.isotime (seconds, Z). */
export function imageView(image: FakeImage): Record<string, unknown> {
    const time = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
    return {
        ...image.properties,
        name: image.name,
        disk_format: image.diskFormat,
        container_format: image.containerFormat,
        visibility: image.visibility,
        size: image.size,
        virtual_size: null,
        status: image.status,
        checksum: image.checksum,
        protected: image.protected,
        min_ram: 0,
        min_disk: 0,
        owner: image.ownerProjectId,
        os_hidden: image.hidden,
        os_hash_algo: null,
        os_hash_value: null,
        id: image.id,
        created_at: time(image.createdMs),
        updated_at: time(image.updatedMs),
        tags: [...image.tags],
        self: `/v2/images/${image.id}`,
        file: `/v2/images/${image.id}/file`,
        schema: "/v2/schemas/image",
    };
}
