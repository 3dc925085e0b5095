/**
 * Answers as each service shapes them. Every answer carries
 * x-openstack-request-id (oslo.middleware request_id, in every API pipeline);
 * error bodies follow the service's own code:
 * - Nova: `{"<faultName>": {"code", "message"}}` (nova/api/openstack/wsgi.py Fault, nova 33.0.2);
 * - Keystone: `{"error": {"code", "title", "message"}}` (keystone/server/flask/application.py, keystone 29.0.2);
 * - Glance: webob's JSON error page, `{"message": "<text><br /><br />\n\n\n", "code": "404 Not Found", "title"}`
 *   (glance raises webob.exc.HTTP* with an explanation; webob 1.8.9 src/webob/exc.py renders it);
 * - a 401 in front of Nova or Glance comes from keystonemiddleware (13.0.0 auth_token/__init__.py):
 *   Keystone's error shape plus `WWW-Authenticate: Keystone uri="..."`;
 * - 502/504 (and 503 outside Nova) come from the load balancer in front: an HTML page.
 */
import { STATUS_CODES } from "node:http";
import { requestId } from "./ids";
import { faultName } from "./schemas/nova";

export type ServiceName = "identity" | "compute" | "image";

export interface FakeAnswer {
    status: number;
    headers: Record<string, string>;
    /** JSON value, text (HTML page), or undefined for an empty body. */
    body?: unknown;
    text?: string;
    /** Nova microversion this answer was served at (adds the version headers); undefined for none. */
    microversion?: string;
}

export const UNAUTHORIZED_MESSAGE = "The request you have made requires authentication.";

export function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeAnswer {
    return { status, headers: { "x-openstack-request-id": requestId(), ...headers }, body };
}

export function empty(status: number, headers: Record<string, string> = {}): FakeAnswer {
    return { status, headers: { "x-openstack-request-id": requestId(), ...headers } };
}

export function novaFault(status: number, message: string, retryAfterSeconds?: number): FakeAnswer {
    const inner: Record<string, unknown> = { code: status, message };
    const headers: Record<string, string> = {};
    if ((status === 413 || status === 429) && retryAfterSeconds !== undefined) {
        inner.retryAfter = String(retryAfterSeconds);
        headers["retry-after"] = String(retryAfterSeconds);
    }
    return json(status, { [faultName(status)]: inner }, headers);
}

export function keystoneError(status: number, message: string, identityUri: string): FakeAnswer {
    const headers: Record<string, string> = status === 401 ? { "www-authenticate": `Keystone uri="${identityUri}"` } : {};
    return json(status, { error: { code: status, title: STATUS_CODES[status] ?? "Error", message } }, headers);
}

/** keystonemiddleware's rejection of a missing, invalid or expired token. */
export function middlewareUnauthorized(identityUri: string): FakeAnswer {
    return keystoneError(401, UNAUTHORIZED_MESSAGE, identityUri);
}

export function glanceError(status: number, explanation: string): FakeAnswer {
    const title = STATUS_CODES[status] ?? "Error";
    return json(status, { message: `${explanation}<br /><br />\n\n\n`, code: `${status} ${title}`, title });
}

/** An HTML error page from the proxy in front of the API (no request id: the request never reached the service). */
export function proxyPage(status: number, retryAfterSeconds?: number): FakeAnswer {
    const line = `${status} ${STATUS_CODES[status] ?? "Error"}`;
    return {
        status,
        headers: retryAfterSeconds !== undefined ? { "retry-after": String(retryAfterSeconds) } : {},
        text: `<html><body><h1>${line}</h1>\nThe server is temporarily unable to service your request.\n</body></html>\n`,
    };
}

/** The error answer a service gives for `status`, with its usual message unless one is given. */
export function serviceError(service: ServiceName, status: number, identityUri: string, message?: string, retryAfterSeconds?: number): FakeAnswer {
    if (status === 502 || status === 504 || (status === 503 && service !== "compute")) return proxyPage(status, retryAfterSeconds);
    if (status === 401 && service !== "identity") return middlewareUnauthorized(identityUri);
    const text = message ?? DEFAULT_MESSAGES[service][status] ?? STATUS_CODES[status] ?? "Error";
    switch (service) {
        case "identity":
            return keystoneError(status, text, identityUri);
        case "compute":
            return novaFault(status, text, retryAfterSeconds);
        case "image":
            return glanceError(status, text);
    }
}

const DEFAULT_MESSAGES: Record<ServiceName, Record<number, string>> = {
    // keystone/exception.py message formats.
    identity: {
        400: "Expecting to find identity in auth. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.",
        401: UNAUTHORIZED_MESSAGE,
        403: "You are not authorized to perform the requested action.",
        404: "Could not find project.",
        500: "An unexpected error prevented the server from fulfilling your request.",
    },
    // nova/exception.py and nova/api/openstack/__init__.py FaultWrapper.
    compute: {
        400: "Invalid input received.",
        403: "Policy doesn't allow os_compute_api:servers:detail to be performed.",
        404: "The resource could not be found.",
        409: "There was a conflict when trying to complete your request.",
        429: "This request was rate-limited.",
        500: "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.\n<class 'Exception'>",
        503: "The server is currently unavailable. Please try again at a later time.",
    },
    // glance/api/v2/images.py and glance/common/exception.py messages.
    image: {
        400: "Bad request.",
        403: "You are not authorized to complete delete_image action.",
        404: "The resource could not be found.",
        409: "There was a conflict when trying to complete your request.",
        500: "The server has either erred or is incapable of performing the requested operation.",
    },
};
