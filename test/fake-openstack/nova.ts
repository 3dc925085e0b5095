/**
 * The fake Nova: list servers with details, show and delete a server, for a
 * project-scoped non-admin token.
 *
 * Rules, nova 33.0.2 unless noted:
 * - Only the token's project's servers are listed or found; others are 404
 *   "Instance <id> could not be found." (nova/exception.py InstanceNotFound,
 *   raised by common.get_instance).
 * - Paging: `limit` (default and cap: [api] max_limit, 1000) and `marker`
 *   (the last id seen); a marker that is no listed server is 400
 *   "marker [<id>] not found"; order is created_at then id, both descending
 *   (nova/compute/api.py get_all default sort); a `next` link is given when
 *   the page is as long as the effective limit
 *   (nova/api/openstack/common.py `_get_collection_links`, `_get_next_link`:
 *   the request's parameters sorted, marker replaced).
 * - Query parameters: `limit` and `marker` must be non-negative integers and
 *   strings (schemas/servers.py index_query, pagination_parameters); filters
 *   outside the non-admin whitelist are silently ignored (api-ref servers.inc;
 *   servers.py `_get_server_search_options`); whitelisted filters the fake
 *   does not model are reported as unimplemented.
 * - Delete: 204, or 409 "Instance <id> is locked" for a locked server
 *   (nova/exception.py InstanceIsLocked); the server disappears from lists
 *   (no reclaim_instance_interval, the default).
 */
import { empty, type FakeAnswer, json, novaFault } from "./answers";
import type { HandlerContext } from "./handler-context";
import { atLeast, formatMicroversion } from "./microversion";
import { serverView } from "./nova-view";
import type { FakeServer } from "./state";

export interface NovaSettings {
    maxLimit: number;
    /** Replaces scheme, host and port of the links Nova writes ([api] compute_link_prefix). */
    linkOrigin?: string;
}

/** Non-admin filters by microversion (api-ref servers.inc "List Servers"). */
const WHITELISTED_FILTERS: [string, string][] = [
    ["reservation_id", "2.1"], ["name", "2.1"], ["status", "2.1"], ["image", "2.1"], ["flavor", "2.1"], ["ip", "2.1"],
    ["changes-since", "2.1"], ["all_tenants", "2.1"], ["ip6", "2.5"], ["tags", "2.26"], ["tags-any", "2.26"],
    ["not-tags", "2.26"], ["not-tags-any", "2.26"], ["changes-before", "2.66"], ["locked", "2.73"],
    ["sort_key", "2.1"], ["sort_dir", "2.1"],
];

export function listServersDetail(ctx: HandlerContext, settings: NovaSettings): FakeAnswer {
    const version = ctx.microversion as NonNullable<HandlerContext["microversion"]>;
    const served = formatMicroversion(version);
    for (const key of new Set(ctx.query.keys())) {
        if (key === "limit" || key === "marker") continue;
        const filter = WHITELISTED_FILTERS.find(([name, since]) => name === key && atLeast(version, since));
        if (filter) return ctx.unimplemented(`the servers filter "${key}"`);
        ctx.ignoredQuery.push(key);
    }
    const limitText = ctx.query.get("limit");
    if (limitText !== null && !/^[0-9]+$/.test(limitText)) {
        return withVersion(novaFault(400, `Invalid input for query parameters limit. Value: ${limitText}. '${limitText}' does not match '^[0-9]*$'`), served);
    }
    const limit = Math.min(settings.maxLimit, limitText === null ? settings.maxLimit : Number(limitText));
    const servers = projectServers(ctx).sort(byNewest);
    let start = 0;
    const marker = ctx.query.get("marker");
    if (marker !== null) {
        const index = servers.findIndex((s) => s.id === marker);
        if (index < 0) return withVersion(novaFault(400, `marker [${marker}] not found`), served);
        start = index + 1;
    }
    const page = servers.slice(start, start + limit);
    const base = (ctx.endpoint as NonNullable<HandlerContext["endpoint"]>).base;
    const body: Record<string, unknown> = { servers: page.map((s) => serverView(s, version, linkBase(base, settings))) };
    if (limit > 0 && page.length === limit) {
        const params = [...new URLSearchParams(ctx.query)].filter(([key]) => key !== "marker").sort(([a], [b]) => a.localeCompare(b));
        params.push(["marker", page[page.length - 1].id]);
        body.servers_links = [{ rel: "next", href: `${linkBase(base, settings)}/servers/detail?${new URLSearchParams(params).toString()}` }];
    }
    return withVersion(json(200, body), served);
}

export function showServer(ctx: HandlerContext, settings: NovaSettings): FakeAnswer {
    const version = ctx.microversion as NonNullable<HandlerContext["microversion"]>;
    const served = formatMicroversion(version);
    const server = projectServers(ctx).find((s) => s.id === ctx.params.id);
    if (!server) return withVersion(novaFault(404, `Instance ${ctx.params.id} could not be found.`), served);
    const base = (ctx.endpoint as NonNullable<HandlerContext["endpoint"]>).base;
    return withVersion(json(200, { server: serverView(server, version, linkBase(base, settings)) }), served);
}

export function deleteServer(ctx: HandlerContext): FakeAnswer {
    const served = formatMicroversion(ctx.microversion as NonNullable<HandlerContext["microversion"]>);
    const server = projectServers(ctx).find((s) => s.id === ctx.params.id);
    if (!server) return withVersion(novaFault(404, `Instance ${ctx.params.id} could not be found.`), served);
    if (server.locked) return withVersion(novaFault(409, `Instance ${server.id} is locked`), served);
    ctx.world.servers.splice(ctx.world.servers.indexOf(server), 1);
    return withVersion(empty(204), served);
}

/** Marks an answer as served at a microversion; the server adds the version headers (wsgi.py). */
export function withVersion(answer: FakeAnswer, microversion: string): FakeAnswer {
    return { ...answer, microversion };
}

function projectServers(ctx: HandlerContext): FakeServer[] {
    const projectId = ctx.token?.projectId;
    return ctx.world.servers.filter((s) => s.projectId === projectId);
}

function byNewest(a: FakeServer, b: FakeServer): number {
    return b.createdMs - a.createdMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function linkBase(base: string, settings: NovaSettings): string {
    if (settings.linkOrigin === undefined) return base;
    const url = new URL(base);
    return `${settings.linkOrigin.replace(/\/+$/, "")}${url.pathname}`;
}
