/**
 * The operations the fake serves, each with the statuses its API reference
 * page lists ("Normal response codes" / "Error response codes"):
 * - identity, keystone 29.0.2 api-ref/source/v3/authenticate-v3.inc
 *   (POST /v3/auth/tokens: 201; 400, 401, 403, 404) and keystone/api/discovery.py (GET /: 300);
 * - compute, nova 33.0.2 api-ref/source/servers.inc (GET /servers/detail: 200;
 *   400, 401, 403. GET /servers/{id}: 200; 401, 403, 404. DELETE /servers/{id}: 204; 401, 403, 404, 409);
 * - image, glance 32.0.0 api-ref/source/v2/images-images-v2.inc (GET /v2/images:
 *   200; 400, 401, 403. GET /v2/images/{id}: 200; 400, 401, 403, 404.
 *   DELETE /v2/images/{id}: 204; 400, 401, 403, 404, 409).
 * Statuses any operation can meet whatever its page says: 500 (an unexpected
 * error in the service), 502/503/504 (the proxy in front); for Nova also 400
 * and 406 (a bad or unsupported microversion, checked before any handler,
 * nova/api/openstack/wsgi.py Resource.__call__) and 429 (overLimit,
 * wsgi.py Fault).
 */
import type { ServiceName } from "./answers";

export interface Operation {
    id: string;
    service: ServiceName;
    method: string;
    statuses: readonly number[];
}

export interface MatchedOperation {
    operation: Operation;
    params: Record<string, string>;
}

const op = (id: string, service: ServiceName, method: string, statuses: number[]): Operation => ({ id, service, method, statuses });

export const OPERATIONS = {
    discoverVersions: op("identity:discoverVersions", "identity", "GET", [300]),
    issueToken: op("identity:issueToken", "identity", "POST", [201, 400, 401, 403, 404]),
    listServersDetail: op("compute:listServersDetail", "compute", "GET", [200, 400, 401, 403]),
    showServer: op("compute:showServer", "compute", "GET", [200, 401, 403, 404]),
    deleteServer: op("compute:deleteServer", "compute", "DELETE", [204, 401, 403, 404, 409]),
    listImages: op("image:listImages", "image", "GET", [200, 400, 401, 403]),
    showImage: op("image:showImage", "image", "GET", [200, 400, 401, 403, 404]),
    deleteImage: op("image:deleteImage", "image", "DELETE", [204, 400, 401, 403, 404, 409]),
} as const;

const ALWAYS_POSSIBLE: Record<ServiceName, readonly number[]> = {
    identity: [500, 502, 503, 504],
    compute: [400, 406, 429, 500, 502, 503, 504],
    image: [500, 502, 503, 504],
};

export function statusAllowed(operation: Operation, status: number): boolean {
    return operation.statuses.includes(status) || ALWAYS_POSSIBLE[operation.service].includes(status);
}

/** Matches a service-relative path (`/v3/auth/tokens`, `/servers/detail`, `/images/ID`). */
export function matchOperation(service: ServiceName, method: string, path: string): MatchedOperation | undefined {
    const trimmed = path.replace(/\/+$/, "") || "/";
    const found = ROUTES.find((r) => r.service === service && r.operation.method === method && r.pattern.test(trimmed));
    if (!found) return undefined;
    const match = found.pattern.exec(trimmed) as RegExpExecArray;
    return { operation: found.operation, params: { ...match.groups } };
}

const ROUTES: { service: ServiceName; pattern: RegExp; operation: Operation }[] = [
    { service: "identity", pattern: /^\/$/, operation: OPERATIONS.discoverVersions },
    { service: "identity", pattern: /^\/v3\/auth\/tokens$/, operation: OPERATIONS.issueToken },
    { service: "compute", pattern: /^\/servers\/detail$/, operation: OPERATIONS.listServersDetail },
    { service: "compute", pattern: /^\/servers\/(?<id>[^/]+)$/, operation: OPERATIONS.showServer },
    { service: "compute", pattern: /^\/servers\/(?<id>[^/]+)$/, operation: OPERATIONS.deleteServer },
    { service: "image", pattern: /^\/images$/, operation: OPERATIONS.listImages },
    { service: "image", pattern: /^\/images\/(?<id>[^/]+)$/, operation: OPERATIONS.showImage },
    { service: "image", pattern: /^\/images\/(?<id>[^/]+)$/, operation: OPERATIONS.deleteImage },
];
