/**
 * The fake OpenStack server: one node:http(s) server on a random port serving
 * Keystone at /identity, and per region and interface Nova at
 * /r/<region>/<interface>/compute/v2.1 and Glance at /r/<region>/<interface>/image
 * (the catalog lists them; devstack's layout, with the region and interface
 * in the path so tests see which endpoint a client chose). See index.ts.
 */
import { AssertionError } from "node:assert";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { type FakeAnswer, middlewareUnauthorized, novaFault, type ServiceName, serviceError } from "./answers";
import { ContractChecker } from "./contract";
import { FailureInjector, type InjectedFailure, type RequestPattern } from "./failures";
import { deleteImage, listImages, showImage } from "./glance";
import type { EndpointInterface, FakeUrls, HandlerContext } from "./handler-context";
import { finalHeaders, readBody, send } from "./http-io";
import { discoverVersions, issueToken } from "./keystone";
import { DEFAULT_MAX_MICROVERSION, HIGHEST_MODELLED_MICROVERSION, type Microversion, parseMicroversion, requestedMicroversion, compare } from "./microversion";
import { deleteServer, listServersDetail, showServer, withVersion } from "./nova";
import { vmStateFor, powerStateFor, type VmState } from "./nova-states";
import { type MatchedOperation, matchOperation, OPERATIONS } from "./operations";
import { type FakeImage, type FakeProject, type FakeServer, type FakeUser, FakeWorld, type ImageSpec, type ServerSpec } from "./state";
import { hexId } from "./ids";

export interface FakeOpenstackOptions {
    /** Serve https with this key and certificate (PEM). */
    https?: { key: string; cert: string };
    /** Regions in the catalog; default ["RegionOne"]. */
    regions?: string[];
    /** Nova's maximum microversion; default 2.60 (Nova 17.0.0), at most 2.62 (the shapes the fake models). */
    maxMicroversion?: string;
    /** Nova's [api] max_limit; default 1000. */
    novaMaxLimit?: number;
    /** Glance's limit_param_default and api_limit_max; default 25 and 1000. */
    glanceDefaultLimit?: number;
    glanceMaxLimit?: number;
    /** Keystone's [token] expiration; default 3600. */
    tokenLifetimeSeconds?: number;
    /** Origin Nova writes into its links ([api] compute_link_prefix), e.g. an internal host name. */
    novaLinkOrigin?: string;
}

export interface RecordedRequest {
    service: ServiceName | "unknown";
    method: string;
    /** Service-relative path (`/servers/detail`, `/v3/auth/tokens`, `/images/ID`). */
    path: string;
    query: [string, string][];
    status: number;
    operationId?: string;
    region?: string;
    interface?: EndpointInterface;
    /** The Nova microversion served. */
    microversion?: string;
    /** Query parameters the service silently ignored. */
    ignoredQuery: string[];
    /** Whether the request carried X-Auth-Token. */
    authenticated: boolean;
}

export interface ContractViolation {
    method: string;
    path: string;
    operationId?: string;
    stage: "routing" | "request" | "response" | "unimplemented" | "internal";
    problems: string[];
}

export type ServerChange = Partial<Pick<FakeServer, "name" | "metadata" | "locked" | "taskState">> & { status?: string; vmState?: VmState };
export type ImageChange = Partial<Pick<FakeImage, "name" | "protected" | "inUseBy" | "properties" | "status" | "visibility" | "hidden">>;

const PREFIX = /^\/r\/(?<region>[^/]+)\/(?<iface>public|internal|admin)\/(?<service>compute\/v2\.1|image)(?<rest>\/.*)?$/;

export class FakeOpenstack {
    readonly requests: RecordedRequest[] = [];
    private readonly violations: ContractViolation[] = [];
    private readonly world = new FakeWorld();
    private readonly failures = new FailureInjector();
    private readonly contract = new ContractChecker();
    private readonly corruptions: ((body: unknown) => unknown)[] = [];
    private clockOffsetMs = 0;
    private originUrl = "";
    private readonly regions: string[];
    private readonly maxMicroversion: string;
    private readonly settings: Required<Omit<FakeOpenstackOptions, "https" | "regions" | "maxMicroversion" | "novaLinkOrigin">> & { novaLinkOrigin?: string };

    private constructor(
        private readonly httpServer: Server,
        options: FakeOpenstackOptions,
    ) {
        this.regions = options.regions ?? ["RegionOne"];
        this.maxMicroversion = options.maxMicroversion ?? DEFAULT_MAX_MICROVERSION;
        const max = parseMicroversion(this.maxMicroversion);
        if (!max || compare(max, parseMicroversion(HIGHEST_MODELLED_MICROVERSION) as Microversion) > 0 || compare(max, { major: 2, minor: 1 }) < 0) {
            throw new Error(`fake OpenStack models Nova microversions 2.1 to ${HIGHEST_MODELLED_MICROVERSION}; maxMicroversion ${this.maxMicroversion} is outside`);
        }
        this.settings = {
            novaMaxLimit: options.novaMaxLimit ?? 1000,
            glanceDefaultLimit: options.glanceDefaultLimit ?? 25,
            glanceMaxLimit: options.glanceMaxLimit ?? 1000,
            tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
            ...(options.novaLinkOrigin !== undefined ? { novaLinkOrigin: options.novaLinkOrigin } : {}),
        };
    }

    static async start(options: FakeOpenstackOptions = {}): Promise<FakeOpenstack> {
        const server = options.https ? createHttpsServer({ key: options.https.key, cert: options.https.cert }) : createHttpServer();
        const fake = new FakeOpenstack(server, options);
        server.on("request", (req: IncomingMessage, res: ServerResponse) => void fake.handle(req, res));
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(0, "127.0.0.1", () => resolve());
        });
        fake.originUrl = `${options.https ? "https" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}`;
        return fake;
    }

    async stop(): Promise<void> {
        this.httpServer.closeAllConnections();
        await new Promise<void>((resolve, reject) => this.httpServer.close((error) => (error ? reject(error) : resolve())));
    }

    get origin(): string {
        return this.originUrl;
    }

    /** The Keystone v3 URL to give as the auth URL. */
    get authUrl(): string {
        return `${this.originUrl}/identity/v3`;
    }

    /** Keystone's unversioned root (clients discover v3 from it). */
    get unversionedAuthUrl(): string {
        return `${this.originUrl}/identity`;
    }

    endpointUrl(service: "compute" | "image", region = this.regions[0], iface: EndpointInterface = "public"): string {
        return `${this.originUrl}/r/${region}/${iface}/${service === "compute" ? "compute/v2.1" : "image"}`;
    }

    // ---- world setup -----------------------------------------------------------

    addProject(name: string, domain = "Default"): FakeProject {
        return { ...this.world.addProject(name, domain) };
    }

    addUser(spec: { name: string; password: string; domain?: string; projects?: string[]; enabled?: boolean }): Pick<FakeUser, "id" | "name" | "domainId"> {
        const user = this.world.addUser(spec);
        return { id: user.id, name: user.name, domainId: user.domainId };
    }

    /** An application credential of `user` (name or id) on `project` (name or id); returns its id. */
    addApplicationCredential(spec: { user: string; name: string; secret: string; project: string }): { id: string } {
        const user = this.world.users.find((u) => u.id === spec.user || u.name === spec.user);
        if (!user) throw new Error(`fake OpenStack: no user ${spec.user}`);
        const project = this.world.requireProject(spec.project);
        const credential = { id: hexId(), name: spec.name, userId: user.id, projectId: project.id, secret: spec.secret };
        this.world.applicationCredentials.push(credential);
        return { id: credential.id };
    }

    addDomain(name: string, enabled = true): string {
        const domain = this.world.addDomain(name);
        domain.enabled = enabled;
        return domain.id;
    }

    addServer(spec: ServerSpec): FakeServer {
        return structuredClone(this.world.addServer(spec, this.serverDefaults(spec.project)));
    }

    /** `count` servers, `spec(i)` for i = 1..count, created one second apart (the last is the newest). */
    addServers(count: number, spec: (index: number) => ServerSpec): FakeServer[] {
        const start = this.now() - count * 1000;
        return Array.from({ length: count }, (_, i) => this.addServer({ createdMs: start + i * 1000, ...spec(i + 1) }));
    }

    server(id: string): FakeServer | undefined {
        const found = this.world.servers.find((s) => s.id === id);
        return found ? structuredClone(found) : undefined;
    }

    servers(project?: string): FakeServer[] {
        const projectId = project !== undefined ? this.world.requireProject(project).id : undefined;
        return this.world.servers.filter((s) => projectId === undefined || s.projectId === projectId).map((s) => structuredClone(s));
    }

    setServer(id: string, change: ServerChange): void {
        const server = this.world.servers.find((s) => s.id === id);
        if (!server) throw new Error(`fake OpenStack: no server ${id}`);
        const { status, vmState, ...rest } = change;
        Object.assign(server, rest);
        if (status !== undefined || vmState !== undefined) {
            server.vmState = vmState ?? vmStateFor(status as string);
            server.powerState = powerStateFor(server.vmState);
        }
        server.updatedMs = this.now();
    }

    addImage(spec: ImageSpec): FakeImage {
        const project = spec.project !== undefined ? this.world.requireProject(spec.project) : this.defaultProject();
        return structuredClone(this.world.addImage(spec, { projectId: project.id, nowMs: this.now() }));
    }

    image(id: string): FakeImage | undefined {
        const found = this.world.images.find((i) => i.id === id);
        return found ? structuredClone(found) : undefined;
    }

    images(): FakeImage[] {
        return this.world.images.map((i) => structuredClone(i));
    }

    setImage(id: string, change: ImageChange): void {
        const image = this.world.images.find((i) => i.id === id);
        if (!image) throw new Error(`fake OpenStack: no image ${id}`);
        Object.assign(image, change);
        image.updatedMs = this.now();
    }

    /** Moves the fake's clock (tokens expire by it). */
    advanceTime(ms: number): void {
        this.clockOffsetMs += ms;
    }

    /** Revokes every token (as a password change or `openstack token revoke` would). */
    revokeTokens(): void {
        this.world.tokens.clear();
    }

    /** Every token value ever issued (revoked ones too): tests check none leaks into messages. */
    issuedTokens(): string[] {
        return [...this.world.issuedTokenValues];
    }

    // ---- failures, log, contract ---------------------------------------------------

    failNext(pattern: RequestPattern, failure: InjectedFailure, times = 1): void {
        this.failures.add(pattern, failure, times);
    }

    pendingFailures(): number {
        return this.failures.pending();
    }

    clearFailures(): void {
        this.failures.clear();
    }

    get contractViolations(): readonly ContractViolation[] {
        return this.violations;
    }

    clearContractViolations(): void {
        this.violations.length = 0;
    }

    assertNoContractViolations(): void {
        if (this.violations.length === 0) return;
        const lines = this.violations.map((v) => `${v.method} ${v.path} (${v.stage}${v.operationId ? ` ${v.operationId}` : ""}): ${v.problems.join("; ")}`);
        throw new AssertionError({ message: `fake OpenStack saw ${this.violations.length} contract violation(s):\n${lines.join("\n")}` });
    }

    /** For the fake's own tests: the next JSON answer passes through `corrupt` before it is checked. */
    corruptNextResponse(corrupt: (body: unknown) => unknown): void {
        this.corruptions.push(corrupt);
    }

    // ---- request pipeline --------------------------------------------------------------

    private now(): number {
        return Date.now() + this.clockOffsetMs;
    }

    private defaultProject(): FakeProject {
        const project = this.world.projects[0];
        if (!project) throw new Error("fake OpenStack: add a project first");
        return project;
    }

    private serverDefaults(project: string | undefined) {
        const target = project !== undefined ? this.world.requireProject(project) : this.defaultProject();
        const owner = this.world.users.find((u) => u.projectIds.has(target.id));
        return { projectId: target.id, userId: owner?.id ?? hexId(), nowMs: this.now() };
    }

    private urls(): FakeUrls {
        return {
            identityRoot: `${this.originUrl}/identity`,
            endpoint: (service, region, iface) => this.endpointUrl(service, region, iface),
            regions: this.regions,
        };
    }

    private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", this.originUrl);
        const method = (req.method ?? "GET").toUpperCase();
        try {
            const bodyText = await readBody(req);
            const answer = await this.answer(req, res, method, url, bodyText);
            if (answer !== undefined) send(res, answer);
        } catch (error) {
            const problem = `fake OpenStack failed: ${error instanceof Error ? error.message : String(error)}`;
            this.violations.push({ method, path: url.pathname, stage: "internal", problems: [problem] });
            send(res, { status: 500, headers: {}, text: problem });
        }
    }

    /** The answer to send, or undefined when the connection was dropped. */
    private async answer(req: IncomingMessage, res: ServerResponse, method: string, url: URL, bodyText: string): Promise<FakeAnswer | undefined> {
        const route = this.route(url.pathname);
        const record: RecordedRequest = {
            service: route?.service ?? "unknown",
            method,
            path: route?.path ?? url.pathname,
            query: [...url.searchParams],
            status: 0,
            ignoredQuery: [],
            authenticated: req.headers["x-auth-token"] !== undefined,
            ...(route?.region !== undefined ? { region: route.region, interface: route.iface } : {}),
        };
        this.requests.push(record);
        const matched = route ? matchOperation(route.service, method, route.path) : undefined;
        if (!route || !matched) {
            const problem = `no modelled operation for ${method} ${url.pathname}`;
            this.violations.push({ method, path: url.pathname, stage: "routing", problems: [problem] });
            record.status = 404;
            return { status: 404, headers: {}, text: problem };
        }
        const operation = matched.operation;
        record.operationId = operation.id;
        const identityUri = `${this.originUrl}/identity/v3`;
        const microversion = route.service === "compute" ? requestedMicroversion(req.headers, this.maxMicroversion) : undefined;

        let answer: FakeAnswer | undefined;
        const failure = this.failures.take(route.service, method, route.path);
        if (failure?.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, failure.delayMs));
        if (failure?.drop) {
            record.status = -1;
            res.socket?.destroy();
            return undefined;
        }
        if (failure?.status !== undefined) {
            answer = serviceError(route.service, failure.status, identityUri, failure.message, failure.retryAfterSeconds);
            if (microversion?.ok && answer.body !== undefined && failure.status !== 401) answer = withVersion(answer, versionText(microversion.version));
        } else {
            answer = this.serve(req, matched, route, url, bodyText, record, microversion, identityUri);
        }

        const corrupt = answer.body !== undefined ? this.corruptions.shift() : undefined;
        if (corrupt) answer = { ...answer, body: corrupt(structuredClone(answer.body)) };
        const outgoing: FakeAnswer = { ...answer, headers: finalHeaders(answer) };
        const problems = this.contract.checkAnswer(operation, outgoing);
        record.status = outgoing.status;
        if (outgoing.microversion !== undefined) record.microversion = outgoing.microversion;
        if (problems.length > 0) {
            this.violations.push({ method, path: route.path, operationId: operation.id, stage: "response", problems: [`answering ${outgoing.status}: ${problems.join("; ")}`] });
            record.status = 500;
            return { status: 500, headers: {}, text: `contract violation: ${problems.join("; ")}` };
        }
        return outgoing;
    }

    private serve(
        req: IncomingMessage,
        matched: MatchedOperation,
        route: { service: ServiceName; path: string; region?: string; iface?: EndpointInterface; base?: string },
        url: URL,
        bodyText: string,
        record: RecordedRequest,
        microversion: ReturnType<typeof requestedMicroversion> | undefined,
        identityUri: string,
    ): FakeAnswer {
        const ctx: HandlerContext = {
            world: this.world,
            nowMs: this.now(),
            params: matched.params,
            query: url.searchParams,
            headers: req.headers,
            bodyText,
            urls: this.urls(),
            ignoredQuery: record.ignoredQuery,
            unimplemented: (problem) => {
                this.violations.push({ method: record.method, path: route.path, operationId: matched.operation.id, stage: "unimplemented", problems: [problem] });
                const answer = serviceError(route.service, 500, identityUri, `fake OpenStack does not implement ${problem}`);
                return microversion?.ok ? withVersion(answer, versionText(microversion.version)) : answer;
            },
            badRequest: (problem) => {
                this.violations.push({ method: record.method, path: route.path, operationId: matched.operation.id, stage: "request", problems: [problem] });
            },
        };
        if (route.service !== "identity") {
            // keystonemiddleware runs before the service: a missing, unknown or expired token is 401.
            const value = req.headers["x-auth-token"];
            const token = typeof value === "string" ? this.world.tokens.get(value) : undefined;
            if (!token || token.expiresAtMs <= ctx.nowMs || token.projectId === undefined) return middlewareUnauthorized(identityUri);
            ctx.token = token;
            ctx.endpoint = { service: route.service, region: route.region as string, iface: route.iface as EndpointInterface, base: route.base as string };
        }
        if (microversion !== undefined) {
            if (!microversion.ok) return novaFault(microversion.status, microversion.message);
            ctx.microversion = microversion.version;
        }
        const nova = { maxLimit: this.settings.novaMaxLimit, ...(this.settings.novaLinkOrigin !== undefined ? { linkOrigin: this.settings.novaLinkOrigin } : {}) };
        switch (matched.operation.id) {
            case OPERATIONS.discoverVersions.id:
                return discoverVersions(ctx);
            case OPERATIONS.issueToken.id:
                return issueToken(ctx, { tokenLifetimeMs: this.settings.tokenLifetimeSeconds * 1000, checkTokenRequest: (body) => this.contract.checkTokenRequest(body) });
            case OPERATIONS.listServersDetail.id:
                return listServersDetail(ctx, nova);
            case OPERATIONS.showServer.id:
                return showServer(ctx, nova);
            case OPERATIONS.deleteServer.id:
                return deleteServer(ctx);
            case OPERATIONS.listImages.id:
                return listImages(ctx, { defaultLimit: this.settings.glanceDefaultLimit, maxLimit: this.settings.glanceMaxLimit });
            case OPERATIONS.showImage.id:
                return showImage(ctx);
            case OPERATIONS.deleteImage.id:
                return deleteImage(ctx);
            default:
                return ctx.unimplemented(matched.operation.id);
        }
    }

    private route(pathname: string): { service: ServiceName; path: string; region?: string; iface?: EndpointInterface; base?: string } | undefined {
        if (pathname === "/identity" || pathname.startsWith("/identity/")) {
            return { service: "identity", path: pathname.slice("/identity".length) || "/" };
        }
        const match = PREFIX.exec(pathname);
        if (!match?.groups) return undefined;
        const { region, iface, service, rest } = match.groups;
        if (!this.regions.includes(region)) return undefined;
        const base = `${this.originUrl}/r/${region}/${iface}/${service}`;
        if (service === "image") {
            // Glance's API lives under /v2 of its unversioned catalog URL.
            if (!rest?.startsWith("/v2/")) return undefined;
            return { service: "image", path: rest.slice("/v2".length), region, iface: iface as EndpointInterface, base };
        }
        return { service: "compute", path: rest ?? "/", region, iface: iface as EndpointInterface, base };
    }
}

function versionText(version: Microversion): string {
    return `${version.major}.${version.minor}`;
}
