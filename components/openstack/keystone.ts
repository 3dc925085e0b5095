/**
 * Keystone v3: finding the v3 endpoint, issuing a project-scoped token
 * (POST /v3/auth/tokens, answered 201 with the token in X-Subject-Token and
 * the catalog in the body: api-ref/source/v3/authenticate-v3.inc, keystone
 * 29.0.2), and picking service endpoints out of the catalog.
 */
import type { EndpointInterface, KeystoneAuthMethod, OpenstackCredentials, UserRef } from "./credentials/types";
import { OpenstackEndpointNotFoundError } from "./errors";
import { Secret } from "./secret";

export interface CatalogEndpoint {
    url: string;
    interface: string;
    region?: string;
    region_id?: string;
}

export interface CatalogService {
    type: string;
    name?: string;
    endpoints: CatalogEndpoint[];
}

export interface IssuedToken {
    value: Secret;
    /** On this machine's clock: local receipt time plus the lifetime Keystone gave (expires_at - issued_at). */
    expiresAtMs: number;
    receivedAtMs: number;
    catalog: CatalogService[];
    projectId: string;
}

/**
 * The v3 root for an auth URL, as gophercloud v1.8.0 `openstack/utils/choose_version.go`
 * decides it: a URL ending in /v3 is used as is; otherwise the versions document
 * at the URL (200 or 300) names the endpoints and the best good v3 is taken.
 * Returns the URL to GET for discovery, or the v3 root directly.
 */
export function versionedIdentityUrl(authUrl: string): string | undefined {
    const normalized = withTrailingSlash(authUrl);
    return /\/v3\/$/.test(normalized) ? normalized : undefined;
}

const GOOD_VERSION_STATUSES = new Set(["current", "supported", "stable"]);

/** Picks the v3 endpoint from a Keystone versions document; undefined when it offers none. */
export function v3FromVersions(document: unknown, authUrl: string): string | undefined {
    const values = (document as { versions?: { values?: unknown } } | null)?.versions?.values;
    if (!Array.isArray(values)) return undefined;
    const requested = withTrailingSlash(authUrl);
    let best: string | undefined;
    for (const value of values as { id?: unknown; status?: unknown; links?: unknown }[]) {
        if (typeof value?.id !== "string" || !value.id.includes("v3")) continue;
        const self = Array.isArray(value.links)
            ? (value.links as { rel?: unknown; href?: unknown }[]).find((link) => link?.rel === "self" && typeof link.href === "string")
            : undefined;
        if (!self) continue;
        const href = withTrailingSlash(String(self.href));
        if (href === requested) return href;
        if (typeof value.status === "string" && GOOD_VERSION_STATUSES.has(value.status.toLowerCase())) best ??= href;
    }
    return best;
}

/** The body of POST /v3/auth/tokens (gophercloud v1.8.0 auth_options.go ToTokenV3CreateMap / ToTokenV3ScopeMap). */
export function tokenRequestBody(auth: KeystoneAuthMethod): string {
    switch (auth.method) {
        case "password":
            return JSON.stringify({
                auth: {
                    identity: { methods: ["password"], password: { user: { ...userJson(auth.user), password: auth.password.reveal() } } },
                    scope: { project: auth.project },
                },
            });
        case "application_credential": {
            const credential =
                "id" in auth
                    ? { id: auth.id, secret: auth.secret.reveal() }
                    : { name: auth.name, user: userJson(auth.user), secret: auth.secret.reveal() };
            // Application credentials carry their own scope; Keystone refuses one in the request (keystone/auth/core.py).
            return JSON.stringify({ auth: { identity: { methods: ["application_credential"], application_credential: credential } } });
        }
        default: {
            const unreachable: never = auth;
            throw new Error(`unknown auth method ${JSON.stringify(unreachable)}`);
        }
    }
}

function userJson(user: UserRef): Record<string, unknown> {
    return "id" in user ? { id: user.id } : { name: user.name, domain: user.domain };
}

/**
 * Reads a token answer; returns a description of what is missing when it is not one.
 * The expiry is measured from `nowMs` (when the answer arrived) by the token's own
 * lifetime, so a clock difference between this machine and Keystone does not matter.
 */
export function parseIssuedToken(subjectToken: string | undefined, body: unknown, nowMs: number): IssuedToken | string {
    if (!subjectToken) return "the answer has no X-Subject-Token header";
    const token = (body as { token?: Record<string, unknown> } | null)?.token;
    if (typeof token !== "object" || token === null) return 'the answer has no "token" object';
    const expiresAtMs = typeof token.expires_at === "string" ? Date.parse(token.expires_at) : Number.NaN;
    if (Number.isNaN(expiresAtMs)) return "the token has no valid expires_at";
    const issuedAtMs = typeof token.issued_at === "string" ? Date.parse(token.issued_at) : Number.NaN;
    if (Number.isNaN(issuedAtMs) || issuedAtMs > expiresAtMs) return "the token has no valid issued_at";
    const project = token.project as { id?: unknown } | undefined;
    if (typeof project?.id !== "string") return "the token is not scoped to a project";
    if (!Array.isArray(token.catalog)) return "the token has no service catalog";
    const catalog: CatalogService[] = [];
    for (const entry of token.catalog as Record<string, unknown>[]) {
        if (typeof entry?.type !== "string" || !Array.isArray(entry.endpoints)) continue;
        const endpoints = (entry.endpoints as Record<string, unknown>[])
            .filter((e) => typeof e?.url === "string" && typeof e.interface === "string")
            .map((e) => ({
                url: e.url as string,
                interface: e.interface as string,
                ...(typeof e.region === "string" ? { region: e.region } : {}),
                ...(typeof e.region_id === "string" ? { region_id: e.region_id } : {}),
            }));
        catalog.push({ type: entry.type, ...(typeof entry.name === "string" ? { name: entry.name } : {}), endpoints });
    }
    return {
        value: new Secret(subjectToken),
        expiresAtMs: nowMs + (expiresAtMs - issuedAtMs),
        receivedAtMs: nowMs,
        catalog,
        projectId: project.id,
    };
}

/**
 * The first catalog endpoint of `type` with the interface and (when set) the
 * region, matched on `region` or `region_id`, as gophercloud v1.8.0
 * `openstack/endpoint_location.go` V3EndpointURL does. The URL gets a
 * trailing slash (gophercloud.NormalizeURL).
 */
export function catalogEndpoint(catalog: CatalogService[], type: string, credentials: Pick<OpenstackCredentials, "interface" | "region">): string {
    const wanted: EndpointInterface = credentials.interface;
    for (const service of catalog) {
        if (service.type !== type) continue;
        for (const endpoint of service.endpoints) {
            if (endpoint.interface !== wanted) continue;
            if (credentials.region !== undefined && endpoint.region !== credentials.region && endpoint.region_id !== credentials.region) continue;
            return withTrailingSlash(endpoint.url);
        }
    }
    const offered = catalog
        .filter((s) => s.type === type)
        .flatMap((s) => s.endpoints.map((e) => `${e.interface} in ${e.region ?? e.region_id ?? "no region"}`));
    const where = `interface "${wanted}"${credentials.region !== undefined ? ` in region "${credentials.region}"` : ""}`;
    throw new OpenstackEndpointNotFoundError(
        offered.length === 0
            ? `OpenStack: the service catalog has no "${type}" service; fix: check that this cloud runs it and that the project may use it, or set openstack:endpointOverrides`
            : `OpenStack: the service catalog has no "${type}" endpoint with ${where} (it offers: ${[...new Set(offered)].join(", ")}); ` +
                  `fix: set openstack:region / OS_REGION_NAME and openstack:endpointType / OS_ENDPOINT_TYPE to one of those`,
    );
}

export function withTrailingSlash(url: string): string {
    return url.endsWith("/") ? url : `${url}/`;
}
