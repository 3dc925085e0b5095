/**
 * Errors of the OpenStack client. Messages name what was being done, the
 * cause (HTTP status and the service's own message) and the fix; they are
 * built from statuses and service messages only, never from requests, so no
 * token, password or secret can reach them.
 */

export type OpenstackService = "identity" | "compute" | "image";

export class OpenstackError extends Error {
    constructor(message: string) {
        super(message);
        this.name = new.target.name;
    }
}

/** The credentials could not be resolved: a missing or contradictory setting. */
export class OpenstackCredentialsError extends OpenstackError {}

/** The token's catalog has no endpoint for a service with the wanted interface and region. */
export class OpenstackEndpointNotFoundError extends OpenstackError {}

export interface ApiFailure {
    service: OpenstackService;
    /** What was being done, e.g. `deleting server 1f0c…`. */
    operation: string;
    /** undefined when no HTTP answer arrived (network error, timeout). */
    status: number | undefined;
    /** The service's own message, tags and whitespace trimmed. */
    serviceMessage?: string;
    /** x-openstack-request-id, for the cloud operator's logs. */
    requestId?: string;
    /** Network error code or description when there was no answer. */
    networkCause?: string;
    /** How many attempts were made (retries included). */
    attempts: number;
    fix: string;
}

/** An API call failed; `status` is undefined when no HTTP answer arrived. */
export class OpenstackApiError extends OpenstackError {
    readonly service: OpenstackService;
    readonly status: number | undefined;
    readonly serviceMessage: string | undefined;
    readonly requestId: string | undefined;

    constructor(failure: ApiFailure) {
        super(describe(failure));
        this.service = failure.service;
        this.status = failure.status;
        this.serviceMessage = failure.serviceMessage;
        this.requestId = failure.requestId;
    }
}

/** Glance refused to delete an image because a store still uses it (HTTP 409, e.g. Ceph clones of running servers). */
export class OpenstackImageInUseError extends OpenstackApiError {}

/** Nova refused to delete a server in its current state (HTTP 409: locked, or a task in progress). */
export class OpenstackServerConflictError extends OpenstackApiError {}

/** Nova does not support the microversion this client needs (HTTP 406). */
export class OpenstackMicroversionError extends OpenstackApiError {}

function describe(failure: ApiFailure): string {
    const cause =
        failure.status === undefined
            ? `no HTTP response${failure.networkCause ? ` (${failure.networkCause})` : ""}`
            : `HTTP ${failure.status}${failure.serviceMessage ? ` "${failure.serviceMessage}"` : ""}`;
    const tries = failure.attempts > 1 ? ` after ${failure.attempts} attempts` : "";
    const request = failure.requestId ? ` [request ${failure.requestId}]` : "";
    return `OpenStack ${failure.service}: ${failure.operation} failed${tries}: ${cause}${request}; fix: ${failure.fix}`;
}
