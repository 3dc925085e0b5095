/**
 * Nova (compute API v2.1): list servers with details, show one, delete one
 * (api-ref/source/servers.inc, nova 33.0.2).
 *
 * Microversion 2.47 (Pike): the lowest that embeds the flavor in a server
 * (`original_name`, vcpus, ram, disk) instead of a flavor id, so a status view
 * shows the flavor without one GET /flavors call per server, and works when
 * the pool's private flavor was deleted since. Both headers are sent: a Nova
 * older than 2.27 reads only the legacy one and then answers 406 instead of
 * silently serving 2.1 shapes (nova/api/openstack/wsgi.py, microversion_parse).
 *
 * Ownership filtering is done here, client side: `metadata` is not among the
 * filters Nova lets non-admin users apply, and filters outside that list are
 * silently ignored (api-ref servers.inc "List Servers";
 * nova/api/openstack/compute/servers.py `_get_server_search_options`).
 */
import { OpenstackMicroversionError, OpenstackServerConflictError } from "./errors";
import type { HttpResponse } from "./http/transport";
import type { OpenstackSession } from "./session";

export const NOVA_MICROVERSION = "2.47";

const MICROVERSION_HEADERS = {
    "openstack-api-version": `compute ${NOVA_MICROVERSION}`,
    "x-openstack-nova-api-version": NOVA_MICROVERSION,
};

/** Server statuses Nova reports (nova/api/openstack/compute/schemas/servers.py `_server_status`). */
export type NovaServerStatus =
    | "ACTIVE"
    | "BUILD"
    | "DELETED"
    | "ERROR"
    | "HARD_REBOOT"
    | "MIGRATING"
    | "PASSWORD"
    | "PAUSED"
    | "REBOOT"
    | "REBUILD"
    | "RESCUE"
    | "RESIZE"
    | "REVERT_RESIZE"
    | "SHELVED"
    | "SHELVED_OFFLOADED"
    | "SHUTOFF"
    | "SOFT_DELETED"
    | "SUSPENDED"
    | "UNKNOWN"
    | "VERIFY_RESIZE";

export interface NovaAddress {
    address: string;
    version: 4 | 6;
    type?: "fixed" | "floating";
    mac?: string;
}

export interface NovaServer {
    id: string;
    name: string;
    status: NovaServerStatus;
    /** ISO 8601, as Nova gives it. */
    created: string;
    /** undefined for a server booted from a volume (Nova reports its image as ""). */
    imageId: string | undefined;
    flavor: { name: string; vcpus: number; ramMb: number; diskGb: number };
    metadata: Record<string, string>;
    /** Network name to addresses (empty while the server builds). */
    addresses: Record<string, NovaAddress[]>;
    /** OS-EXT-STS:task_state, e.g. "deleting"; null when idle. */
    taskState: string | null;
    /** Why a server is in ERROR, when Nova says. */
    fault?: { code: number; message: string };
}

export interface ListServersOptions {
    /** Keep only servers whose metadata has every one of these key/value pairs. */
    metadata?: Readonly<Record<string, string>>;
    /** Servers per request (Nova caps it at its `[api] max_limit`, 1000 by default). */
    pageSize?: number;
}

export async function listServers(session: OpenstackSession, options: ListServersOptions = {}): Promise<NovaServer[]> {
    const pageSize = options.pageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
    const root = await session.serviceRoot("compute");
    const servers: NovaServer[] = [];
    const seenMarkers = new Set<string>();
    let query = new URLSearchParams({ limit: String(pageSize) });
    for (let page = 1; ; page++) {
        const operation = `listing servers (page ${page})`;
        const response = await session.call("compute", {
            method: "GET",
            url: `${root}servers/detail?${query.toString()}`,
            operation,
            expect: [200],
            headers: MICROVERSION_HEADERS,
            ...MICROVERSION_FAILURES,
        });
        checkMicroversion(session, operation, response);
        const body = session.json("compute", operation, response) as { servers?: unknown; servers_links?: unknown } | null;
        if (!Array.isArray(body?.servers)) throw session.unexpected("compute", operation, response, 'no "servers" list');
        for (const [index, raw] of body.servers.entries()) {
            const server = parseServer(raw);
            if (typeof server === "string") throw session.unexpected("compute", operation, response, `servers[${index}]: ${server}`);
            if (matchesMetadata(server, options.metadata)) servers.push(server);
        }
        const next = nextPageQuery(body.servers_links);
        if (next === undefined) return servers;
        if (typeof next === "string") throw session.unexpected("compute", operation, response, next);
        const marker = next.get("marker") as string;
        if (seenMarkers.has(marker)) throw session.unexpected("compute", operation, response, `the next link repeats the marker ${marker}`);
        seenMarkers.add(marker);
        query = next;
    }
}

export async function getServer(session: OpenstackSession, id: string): Promise<NovaServer | undefined> {
    const root = await session.serviceRoot("compute");
    const operation = `showing server ${id}`;
    const response = await session.call("compute", {
        method: "GET",
        url: `${root}servers/${pathSegment(id)}`,
        operation,
        expect: [200, 404],
        headers: MICROVERSION_HEADERS,
        ...MICROVERSION_FAILURES,
    });
    if (response.status === 404) return undefined;
    checkMicroversion(session, operation, response);
    const server = parseServer((session.json("compute", operation, response) as { server?: unknown } | null)?.server);
    if (typeof server === "string") throw session.unexpected("compute", operation, response, `server: ${server}`);
    return server;
}

/** Deletes a server; "already-gone" when Nova does not know it (404). Deletion itself finishes asynchronously. */
export async function deleteServer(session: OpenstackSession, id: string): Promise<"deleted" | "already-gone"> {
    const root = await session.serviceRoot("compute");
    const response = await session.call("compute", {
        method: "DELETE",
        url: `${root}servers/${pathSegment(id)}`,
        operation: `deleting server ${id}`,
        expect: [204, 404],
        headers: MICROVERSION_HEADERS,
        fixes: {
            ...MICROVERSION_FAILURES.fixes,
            409: "the server is locked or in a state that cannot be deleted now (a task in progress): unlock it (openstack server unlock) or wait and run again",
        },
        errorClasses: { ...MICROVERSION_FAILURES.errorClasses, 409: OpenstackServerConflictError },
    });
    return response.status === 204 ? "deleted" : "already-gone";
}

const MICROVERSION_FAILURES = {
    fixes: {
        406: `this tool needs Nova microversion ${NOVA_MICROVERSION} (OpenStack Pike or newer); the message above names the versions this cloud supports`,
    },
    errorClasses: { 406: OpenstackMicroversionError },
};

/** Nova echoes the version it served; a different one means the request header was not honoured. */
function checkMicroversion(session: OpenstackSession, operation: string, response: HttpResponse): void {
    const served = response.headers["openstack-api-version"] ?? response.headers["x-openstack-nova-api-version"];
    const text = (Array.isArray(served) ? served.join(",") : (served ?? "")).replace(/^compute\s+/i, "").trim();
    if (text !== NOVA_MICROVERSION) {
        throw session.unexpected("compute", operation, response, `Nova served microversion "${text || "none"}" instead of ${NOVA_MICROVERSION}`);
    }
}

/** The query of the `next` link (Nova: limit and marker, api-ref "servers_links"); undefined on the last page. */
function nextPageQuery(links: unknown): URLSearchParams | string | undefined {
    if (links === undefined) return undefined;
    if (!Array.isArray(links)) return '"servers_links" is not a list';
    const next = (links as { rel?: unknown; href?: unknown }[]).find((link) => link?.rel === "next");
    if (next === undefined) return undefined;
    if (typeof next.href !== "string") return "the next link has no href";
    let url: URL;
    try {
        url = new URL(next.href);
    } catch {
        return `the next link "${next.href}" is not a URL`;
    }
    // The link's host is Nova's idea of itself ([api] compute_link_prefix), not always reachable
    // from here; its query (limit, marker) is what pages, so it is applied to our endpoint.
    if (!url.searchParams.get("marker")) return "the next link has no marker";
    return url.searchParams;
}

function matchesMetadata(server: NovaServer, wanted: Readonly<Record<string, string>> | undefined): boolean {
    if (wanted === undefined) return true;
    return Object.entries(wanted).every(([key, value]) => server.metadata[key] === value);
}

function pathSegment(id: string): string {
    if (id.trim() === "") throw new RangeError("a server id must not be empty");
    return encodeURIComponent(id);
}

/** Reads one server of a 2.47 answer; a string says what does not fit the API reference. */
export function parseServer(raw: unknown): NovaServer | string {
    if (typeof raw !== "object" || raw === null) return "not an object";
    const s = raw as Record<string, unknown>;
    if (typeof s.id !== "string") return "no id";
    if (typeof s.status !== "string") return "no status";
    if (typeof s.created !== "string") return "no created time";
    const flavor = s.flavor as Record<string, unknown> | undefined;
    if (typeof flavor?.original_name !== "string" || typeof flavor.vcpus !== "number" || typeof flavor.ram !== "number" || typeof flavor.disk !== "number") {
        return "no embedded flavor (original_name, vcpus, ram, disk)";
    }
    let imageId: string | undefined;
    if (s.image === "") imageId = undefined;
    else if (typeof (s.image as { id?: unknown } | null)?.id === "string") imageId = (s.image as { id: string }).id;
    else return 'image is neither "" nor {id}';
    const metadata = stringRecord(s.metadata);
    if (metadata === undefined) return "metadata is not an object of strings";
    const addresses = parseAddresses(s.addresses);
    if (addresses === undefined) return "addresses are not an object of address lists";
    const taskState = s["OS-EXT-STS:task_state"];
    const fault = s.fault as { code?: unknown; message?: unknown } | undefined;
    return {
        id: s.id,
        name: typeof s.name === "string" ? s.name : "",
        status: s.status as NovaServerStatus,
        created: s.created,
        imageId,
        flavor: { name: flavor.original_name, vcpus: flavor.vcpus, ramMb: flavor.ram, diskGb: flavor.disk },
        metadata,
        addresses,
        taskState: typeof taskState === "string" ? taskState : null,
        ...(typeof fault?.message === "string" ? { fault: { code: typeof fault.code === "number" ? fault.code : 0, message: fault.message } } : {}),
    };
}

function stringRecord(value: unknown): Record<string, string> | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    const entries = Object.entries(value);
    return entries.every(([, v]) => typeof v === "string") ? (Object.fromEntries(entries) as Record<string, string>) : undefined;
}

function parseAddresses(value: unknown): Record<string, NovaAddress[]> | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    const out: Record<string, NovaAddress[]> = {};
    for (const [network, list] of Object.entries(value)) {
        if (!Array.isArray(list)) return undefined;
        const parsed: NovaAddress[] = [];
        for (const item of list as Record<string, unknown>[]) {
            if (typeof item?.addr !== "string" || (item.version !== 4 && item.version !== 6)) return undefined;
            const type = item["OS-EXT-IPS:type"];
            const mac = item["OS-EXT-IPS-MAC:mac_addr"];
            parsed.push({
                address: item.addr,
                version: item.version,
                ...(type === "fixed" || type === "floating" ? { type } : {}),
                ...(typeof mac === "string" ? { mac } : {}),
            });
        }
        out[network] = parsed;
    }
    return out;
}
