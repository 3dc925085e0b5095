/**
 * An authenticated session: one cached Keystone token (renewed before it
 * expires, and once more when a service answers 401, as gophercloud v1.8.0
 * `provider_client.go` re-authenticates on 401), the catalog's endpoints, and
 * service calls with bounded retries and errors that say what to fix.
 */
import type { OpenstackCredentials } from "./credentials/types";
import { type ApiFailure, OpenstackApiError, type OpenstackService } from "./errors";
import { type RetryPolicy, type Sleep, sendWithRetry } from "./http/retry";
import { serviceMessageOf } from "./http/service-message";
import type { HttpRequest, HttpResponse, HttpTransport } from "./http/transport";
import {
    catalogEndpoint,
    type IssuedToken,
    parseIssuedToken,
    tokenRequestBody,
    v3FromVersions,
    versionedIdentityUrl,
    withTrailingSlash,
} from "./keystone";

export interface SessionSettings {
    transport: HttpTransport;
    retry: RetryPolicy;
    timeoutMs: number;
    now: () => number;
    sleep: Sleep;
    userAgent: string;
}

export type ApiErrorClass = new (failure: ApiFailure) => OpenstackApiError;

export interface ServiceCall {
    method: HttpRequest["method"];
    /** Absolute URL. */
    url: string;
    /** What is being done, for messages: `listing servers`, `deleting image 1f0c…`. */
    operation: string;
    /** Statuses the caller handles; any other status is an error. */
    expect: readonly number[];
    headers?: Record<string, string>;
    /** Fixes that replace the generic one for a status. */
    fixes?: Partial<Record<number, string>>;
    /** A more specific error class for a status (e.g. 409 on an image delete). */
    errorClasses?: Partial<Record<number, ApiErrorClass>>;
}

/** Renew a token this long before Keystone's expiry (or at half its lifetime when that is shorter). */
const RENEW_MARGIN_MS = 60_000;

export class OpenstackSession {
    private identityRoot: Promise<string> | undefined;
    private cachedToken: IssuedToken | undefined;
    private issuing: Promise<IssuedToken> | undefined;
    /** How many tokens were issued; tests read it to see caching work. */
    tokensIssued = 0;

    constructor(
        private readonly credentials: OpenstackCredentials,
        private readonly settings: SessionSettings,
    ) {}

    /**
     * The base URL (with a trailing slash) for Nova or Glance API paths. Glance's
     * catalog entry is unversioned, so "v2/" is added as gophercloud v1.8.0
     * NewImageServiceV2 does; an openstack:endpointOverrides URL replaces the whole
     * base, as gophercloud/utils `DetermineEndpoint` does (so an image override must end in /v2).
     */
    async serviceRoot(service: "compute" | "image"): Promise<string> {
        const override = this.credentials.endpointOverrides[service];
        if (override !== undefined) return withTrailingSlash(override);
        const token = await this.currentToken();
        const url = catalogEndpoint(token.catalog, service, this.credentials);
        return service === "image" ? `${url}v2/` : url;
    }

    async call(service: OpenstackService, call: ServiceCall): Promise<HttpResponse> {
        let token = await this.currentToken();
        let outcome = await this.send(call, token);
        if (outcome.kind === "response" && outcome.response.status === 401 && !call.expect.includes(401)) {
            this.forgetToken(token);
            token = await this.currentToken();
            outcome = await this.send(call, token);
            if (outcome.kind === "response" && outcome.response.status === 401) {
                throw this.failure(service, call, outcome.response, outcome.attempts + 1, {
                    401: "the cloud refused a freshly issued token: check that the project is enabled and that the credentials are still valid",
                });
            }
        }
        if (outcome.kind === "network") throw this.networkFailure(service, call, outcome.error.message, outcome.attempts);
        if (!call.expect.includes(outcome.response.status)) throw this.failure(service, call, outcome.response, outcome.attempts);
        return outcome.response;
    }

    /** A JSON body, or an error naming the operation when the answer is not JSON. */
    json(service: OpenstackService, operation: string, response: HttpResponse): unknown {
        try {
            return JSON.parse(response.body);
        } catch {
            throw new OpenstackApiError({
                service,
                operation,
                status: response.status,
                serviceMessage: "the answer is not JSON",
                attempts: 1,
                ...requestIdOf(response),
                fix: "check that the endpoint is the OpenStack API and not a proxy's page (catalog or openstack:endpointOverrides)",
            });
        }
    }

    /** Fails with the same message shape as API errors, for answers that parse but do not fit the API reference. */
    unexpected(service: OpenstackService, operation: string, response: HttpResponse, problem: string): OpenstackApiError {
        return new OpenstackApiError({
            service,
            operation,
            status: response.status,
            serviceMessage: `unexpected answer: ${problem}`,
            attempts: 1,
            ...requestIdOf(response),
            fix: "the endpoint does not answer as the OpenStack API reference documents; check the endpoint, or report this with the request id",
        });
    }

    private async send(call: ServiceCall, token: IssuedToken) {
        const request: HttpRequest = {
            method: call.method,
            url: call.url,
            headers: { accept: "application/json", "user-agent": this.settings.userAgent, ...call.headers, "x-auth-token": token.value.reveal() },
            timeoutMs: this.settings.timeoutMs,
        };
        return sendWithRetry(this.settings.transport, request, this.settings.retry, this.settings.sleep);
    }

    private async currentToken(): Promise<IssuedToken> {
        const token = this.cachedToken;
        if (token !== undefined) {
            const margin = Math.min(RENEW_MARGIN_MS, (token.expiresAtMs - token.receivedAtMs) / 2);
            if (this.settings.now() < token.expiresAtMs - margin) return token;
            this.cachedToken = undefined;
        }
        // One request in flight however many calls need a token at once.
        this.issuing ??= this.issueToken()
            .then((issued) => (this.cachedToken = issued))
            .finally(() => (this.issuing = undefined));
        return this.issuing;
    }

    private forgetToken(token: IssuedToken): void {
        if (this.cachedToken === token) this.cachedToken = undefined;
    }

    private async issueToken(): Promise<IssuedToken> {
        const identity = await this.identity();
        const url = `${identity}auth/tokens`;
        const operation = `issuing a token at ${url}`;
        const outcome = await sendWithRetry(
            this.settings.transport,
            {
                method: "POST",
                url,
                headers: { accept: "application/json", "content-type": "application/json", "user-agent": this.settings.userAgent },
                body: tokenRequestBody(this.credentials.auth),
                timeoutMs: this.settings.timeoutMs,
            },
            this.settings.retry,
            this.settings.sleep,
        );
        const call: ServiceCall = { method: "POST", url, operation, expect: [200, 201] };
        if (outcome.kind === "network") throw this.networkFailure("identity", call, outcome.error.message, outcome.attempts);
        const { response } = outcome;
        if (response.status !== 201 && response.status !== 200) {
            throw this.failure("identity", call, response, outcome.attempts, {
                401: "check the OpenStack credentials: the user name or id, the password or application credential id/name and secret, the user's domain, and the project (name with its domain, or id) on which the user needs a role",
                404: `check the auth URL: ${url} is not Keystone v3's token API (the auth URL usually ends in /v3)`,
            });
        }
        const subject = response.headers["x-subject-token"];
        const parsed = parseIssuedToken(Array.isArray(subject) ? subject[0] : subject, this.json("identity", operation, response), this.settings.now());
        if (typeof parsed === "string") throw this.unexpected("identity", operation, response, parsed);
        this.tokensIssued++;
        return parsed;
    }

    /** The v3 root, from the URL itself or discovered once (gophercloud ChooseVersion). */
    private identity(): Promise<string> {
        this.identityRoot ??= this.discoverIdentity().catch((error: unknown) => {
            this.identityRoot = undefined;
            throw error;
        });
        return this.identityRoot;
    }

    private async discoverIdentity(): Promise<string> {
        const direct = versionedIdentityUrl(this.credentials.authUrl);
        if (direct !== undefined) return direct;
        const url = this.credentials.authUrl;
        const operation = `discovering the Keystone versions at ${url}`;
        const call: ServiceCall = { method: "GET", url, operation, expect: [200, 300] };
        const outcome = await sendWithRetry(
            this.settings.transport,
            { method: "GET", url, headers: { accept: "application/json", "user-agent": this.settings.userAgent }, timeoutMs: this.settings.timeoutMs },
            this.settings.retry,
            this.settings.sleep,
        );
        if (outcome.kind === "network") throw this.networkFailure("identity", call, outcome.error.message, outcome.attempts);
        if (outcome.response.status !== 200 && outcome.response.status !== 300) throw this.failure("identity", call, outcome.response, outcome.attempts);
        const v3 = v3FromVersions(this.json("identity", operation, outcome.response), url);
        if (v3 === undefined) {
            throw this.unexpected("identity", operation, outcome.response, "no stable Keystone v3 among the offered versions; give the v3 URL (…/v3) as the auth URL");
        }
        return v3;
    }

    private failure(service: OpenstackService, call: ServiceCall, response: HttpResponse, attempts: number, fixes: Partial<Record<number, string>> = {}): OpenstackApiError {
        const status = response.status;
        const ErrorClass = call.errorClasses?.[status] ?? OpenstackApiError;
        const serviceMessage = serviceMessageOf(response.body);
        return new ErrorClass({
            service,
            operation: call.operation,
            status,
            ...(serviceMessage !== undefined ? { serviceMessage: this.redact(serviceMessage) } : {}),
            ...requestIdOf(response),
            attempts,
            fix: call.fixes?.[status] ?? fixes[status] ?? genericFix(service, status),
        });
    }

    private networkFailure(service: OpenstackService, call: ServiceCall, cause: string, attempts: number): OpenstackApiError {
        const host = new URL(call.url).host;
        return new OpenstackApiError({
            service,
            operation: call.operation,
            status: undefined,
            networkCause: this.redact(cause),
            attempts,
            fix: `check that ${host} is reachable from here, and for https the CA settings (openstack:cacertFile / OS_CACERT / cacert, or openstack:insecure / OS_INSECURE)`,
        });
    }

    /** Defence in depth: no service message may echo a credential back into an error. */
    private redact(text: string): string {
        const auth = this.credentials.auth;
        const secrets = [auth.method === "password" ? auth.password.reveal() : auth.secret.reveal()];
        return secrets.reduce((out, secret) => (secret.length >= 4 ? out.split(secret).join("[secret]") : out), text);
    }
}

function requestIdOf(response: HttpResponse): { requestId?: string } {
    const id = response.headers["x-openstack-request-id"] ?? response.headers["x-compute-request-id"];
    const value = Array.isArray(id) ? id[0] : id;
    return value !== undefined && value !== "" ? { requestId: value } : {};
}

function genericFix(service: OpenstackService, status: number): string {
    if (status === 401) return "check the OpenStack credentials";
    if (status === 403) {
        return service === "identity"
            ? "Keystone forbids this to these credentials: the user may lack a role on the project"
            : "the cloud's policy forbids this to these credentials: ask the cloud administrator for a role that allows it, or use the credentials of the project that owns these resources";
    }
    if (status === 404) return "check the endpoint (the service catalog, or openstack:endpointOverrides)";
    if (status === 413 || status === 429) return "the cloud's rate limit was reached; run again later";
    if (status >= 500) return "the OpenStack service failed (retries included); run again later, or give the request id to the cloud operator";
    if (status === 400) return "the service refused the request as malformed; report this with the request id";
    return "see the service's message";
}
