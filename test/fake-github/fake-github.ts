/**
 * The fake GitHub server: node:http on a random port, serving the self-hosted
 * runner endpoints from a stateful model, checking every request and response
 * against GitHub's OpenAPI description (see index.ts for the API).
 */
import { AssertionError } from "node:assert";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeActions } from "./actions-controller";
import { authenticateToken } from "./auth";
import { ContractValidator } from "./contract-validator";
import { defaultRunnerDownloads } from "./default-downloads";
import { readBody, send } from "./http-io";
import { failureAnswer, FailureInjector, type InjectedFailure, type RequestPattern } from "./failures";
import { errorBody, type FakeResponse, JWT_OPERATIONS, OPERATION_HANDLERS } from "./github-handlers";
import { loadSpec, type MatchedOperation, type OpenApiSpec, type SpecName } from "./openapi-spec";
import { handleSideChannel, SIDE_CHANNEL_PREFIX, type StandinEvent } from "./side-channel";
import { type FakeApp, type FakeRunner, FakeState, type RunnerDownload, type RunnerStatus } from "./state";

export interface FakeGithubOptions {
    /** "" for github.com style URLs, "/api/v3" for GitHub Enterprise Server style. */
    basePath?: "" | "/api/v3";
    /** Which OpenAPI description to check against; default api.github.com, or ghes-3.17 when basePath is /api/v3. */
    spec?: SpecName;
    /** Listening address; default 127.0.0.1. */
    host?: string;
    /** Listening port; default 0 (a free one). */
    port?: number;
    /**
     * The origin clients outside this process use to reach the fake (for a VM under
     * qemu user networking: http://10.0.2.2:PORT). Written into JIT configs as
     * `side_channel_url`; `{port}` is replaced by the listening port. Default: the listening URL.
     */
    advertisedOrigin?: string;
}

export interface RecordedRequest {
    method: string;
    /** The API path without base path and query, e.g. /orgs/acme/actions/runners. */
    path: string;
    query: Record<string, string>;
    status: number;
    /** GitHub's operationId when the path and method matched one. */
    operationId?: string;
}

export interface ContractViolation {
    method: string;
    path: string;
    operationId?: string;
    /** "internal": the fake itself threw; a bug in the fake, but it must fail the test all the same. */
    stage: "routing" | "request" | "response" | "unimplemented" | "internal";
    problems: string[];
}

export type RunnerChange = { status?: RunnerStatus; busy?: boolean };

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export class FakeGithub {
    readonly requests: RecordedRequest[] = [];
    /** Reports stand-in runners sent to `/_fake/standin/events` (sha256 digests, never secrets). */
    readonly standinEvents: StandinEvent[] = [];
    private readonly violations: ContractViolation[] = [];
    private readonly state = new FakeState(defaultRunnerDownloads());
    private readonly failures = new FailureInjector();
    private readonly validator: ContractValidator;
    private readonly responseCorruptions: ((body: unknown) => unknown)[] = [];
    /** GitHub Actions: queued jobs, runs, and the workflow_job webhooks they cause (actions-controller.ts). */
    readonly actions: FakeActions;
    private clockOffsetMs = 0;
    private origin = "";
    private advertised = "";

    private constructor(
        private readonly server: Server,
        private readonly spec: OpenApiSpec,
        readonly basePath: string,
    ) {
        this.validator = new ContractValidator(spec);
        this.actions = new FakeActions({
            state: this.state,
            now: () => this.now(),
            apiUrl: () => this.apiUrl,
            specName: () => this.spec.name,
            reportViolation: (v) => this.violations.push({ method: "POST", path: v.path, operationId: v.operationId, stage: "response", problems: v.problems }),
        });
    }

    static async start(options: FakeGithubOptions = {}): Promise<FakeGithub> {
        const basePath = options.basePath ?? "";
        const spec = loadSpec(options.spec ?? (basePath === "/api/v3" ? "ghes-3.17" : "api.github.com"));
        const server = createServer();
        const fake = new FakeGithub(server, spec, basePath);
        server.on("request", (req, res) => void fake.handle(req, res));
        const host = options.host ?? "127.0.0.1";
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(options.port ?? 0, host, () => resolve());
        });
        const { port } = server.address() as AddressInfo;
        const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
        fake.origin = `http://${urlHost}:${port}`;
        fake.advertised = (options.advertisedOrigin ?? fake.origin).replace("{port}", String(port)).replace(/\/+$/, "");
        return fake;
    }

    /** REST API root for clients: http://HOST:PORT or http://HOST:PORT/api/v3. */
    get apiUrl(): string {
        return `${this.origin}${this.basePath}`;
    }

    get port(): number {
        return (this.server.address() as AddressInfo).port;
    }

    /** Side channel root as written into JIT configs (uses advertisedOrigin). */
    get sideChannelUrl(): string {
        return `${this.advertised}${SIDE_CHANNEL_PREFIX}`;
    }

    get specName(): SpecName {
        return this.spec.name;
    }

    async stop(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
    }

    // ---- world setup -------------------------------------------------------

    addToken(token: string): void {
        this.state.tokens.set(token, { kind: "pat" });
    }

    /** A revoked token is unknown from then on: GitHub answers 401 "Bad credentials". */
    revokeToken(token: string): void {
        this.state.tokens.delete(token);
    }

    addOrg(org: string): void {
        this.state.addScope(org);
    }

    addRepo(owner: string, repo: string): void {
        this.state.addScope(`${owner}/${repo}`);
    }

    /** Returns the group's id (the existing one when the name is taken). Every org has "Default", id 1. */
    addRunnerGroup(org: string, name: string): number {
        return this.state.addRunnerGroup(org, name);
    }

    addApp(app: FakeApp): void {
        this.state.apps.push({ ...app, appId: String(app.appId) });
    }

    setDownloads(downloads: RunnerDownload[]): void {
        this.state.downloads = downloads.map((d) => ({ ...d }));
    }

    /**
     * Moves the fake's clock forward: tokens expire, and offline runners past GitHub's
     * expiry (1 day ephemeral, 14 days others, since their last contact) are removed
     * before the next API request. Rate-limit reset times stay on the wall clock.
     */
    advanceTime(ms: number): void {
        this.clockOffsetMs += ms;
    }

    // ---- runner state ------------------------------------------------------

    /** Copies of a scope's runners (`org` or `owner/repo`), ordered by id. */
    runners(scope: string): FakeRunner[] {
        return this.state.runners(scope).map((r) => ({ ...r, labels: [...r.labels] }));
    }

    runner(scope: string, name: string): FakeRunner | undefined {
        const found = this.state.findRunnerByName(scope, name);
        return found ? { ...found, labels: [...found.labels] } : undefined;
    }

    setRunner(scope: string, name: string, change: RunnerChange): void {
        const runner = this.requireRunner(scope, name);
        if (change.status !== undefined) runner.status = change.status;
        runner.lastContactMs = this.now();
        if (change.busy !== undefined) runner.busy = change.busy;
    }

    /** Removes a runner as GitHub does when an ephemeral runner finished its job. */
    removeRunner(scope: string, name: string): void {
        const runner = this.requireRunner(scope, name);
        this.state.deleteRunner(scope, runner.id);
    }

    /** Adds n runners named `${prefix}-1` ... `${prefix}-n` (pagination tests). */
    addRunners(
        scope: string,
        n: number,
        prefix = "runner",
        options: { labels?: string[]; status?: RunnerStatus; busy?: boolean; ephemeral?: boolean; runnerGroupId?: number } = {},
    ): FakeRunner[] {
        const added: FakeRunner[] = [];
        for (let i = 1; i <= n; i++) {
            const runner = this.state.createRunner(scope, {
                name: `${prefix}-${i}`,
                labels: options.labels ?? ["self-hosted"],
                runnerGroupId: options.runnerGroupId ?? 1,
                ephemeral: options.ephemeral ?? true,
            }, this.now());
            if (!runner) throw new Error(`a runner named ${prefix}-${i} already exists in ${scope}`);
            runner.status = options.status ?? "offline";
            runner.busy = options.busy ?? false;
            added.push({ ...runner });
        }
        return added;
    }

    /**
     * Resolves when `predicate` holds for the named runner (undefined once it is
     * gone), polling the state; rejects after `timeoutMs`. For tests where another
     * process (a stand-in runner in a VM) changes the state through the side channel.
     */
    async waitForRunner(
        scope: string,
        name: string,
        predicate: (runner: FakeRunner | undefined) => boolean,
        timeoutMs = 10_000,
    ): Promise<FakeRunner | undefined> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const current = this.runner(scope, name);
            if (predicate(current)) return current;
            if (Date.now() >= deadline) {
                throw new Error(`runner "${name}" in ${scope} did not reach the awaited state within ${timeoutMs} ms (now ${JSON.stringify(current)})`);
            }
            await new Promise((resolve) => setTimeout(resolve, 25));
        }
    }

    // ---- failures, log, contract --------------------------------------------

    /**
     * The next `times` requests matching `pattern` get `failure` instead of their normal answer;
     * with `after`, only once that many matching requests were answered normally.
     */
    failNext(pattern: RequestPattern, failure: InjectedFailure, times = 1, after = 0): void {
        this.failures.add(pattern, failure, times, after);
    }

    /** Drops every injected failure not yet used. */
    clearFailures(): void {
        this.failures.clear();
    }

    /** Injected failures not yet used. */
    pendingFailures(): number {
        return this.failures.pending();
    }

    /** Requests that could change GitHub (POST, PUT, PATCH, DELETE). */
    writes(): RecordedRequest[] {
        return this.requests.filter((r) => WRITE_METHODS.has(r.method));
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
        throw new AssertionError({ message: `fake GitHub saw ${this.violations.length} contract violation(s):\n${lines.join("\n")}` });
    }

    /**
     * Test hook for the fake's own tests: the next response body passes through
     * `corrupt` before it is checked, to prove that a wrong response is caught.
     */
    corruptNextResponse(corrupt: (body: unknown) => unknown): void {
        this.responseCorruptions.push(corrupt);
    }

    // ---- request pipeline ----------------------------------------------------

    private now(): number {
        return Date.now() + this.clockOffsetMs;
    }

    private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", this.origin);
        const method = (req.method ?? "GET").toUpperCase();
        try {
            const bodyText = await readBody(req);
            this.state.expireStaleRunners(this.now());
            if (url.pathname === SIDE_CHANNEL_PREFIX || url.pathname.startsWith(`${SIDE_CHANNEL_PREFIX}/`)) {
                this.serveSideChannel(method, url, bodyText, res);
                return;
            }
            const answer = this.answerApi(method, url, bodyText, req.headers.authorization);
            send(res, answer);
        } catch (error) {
            const problem = `fake GitHub failed: ${error instanceof Error ? error.message : String(error)}`;
            this.violations.push({ method, path: url.pathname, stage: "internal", problems: [problem] });
            send(res, errorBody(500, problem));
        }
    }

    private answerApi(method: string, url: URL, bodyText: string, authorization: string | undefined): FakeResponse {
        const query = Object.fromEntries(url.searchParams);
        const record = (path: string, status: number, operationId?: string) =>
            this.requests.push({ method, path, query, status, operationId });
        if (!url.pathname.startsWith(`${this.basePath}/`)) {
            return this.violation({ method, path: url.pathname, stage: "routing", problems: [`path is outside the base path "${this.basePath}"`] }, record);
        }
        const path = url.pathname.slice(this.basePath.length);
        const match = this.spec.match(method, path);
        if ("error" in match) return this.violation({ method, path, stage: "routing", problems: [match.error] }, record);
        const operationId = match.operation.operationId;
        const requestProblems = this.validator.checkRequest({ match, query, bodyText });
        if (requestProblems.length > 0) return this.violation({ method, path, operationId, stage: "request", problems: requestProblems }, record);

        let answer = this.answerOperation(match, method, path, url, query, bodyText, authorization);
        const corrupt = this.responseCorruptions.shift();
        if (corrupt) answer = { ...answer, body: corrupt(answer.body) };
        const responseProblems = this.validator.checkResponse({ match, status: answer.status, body: answer.body });
        if (responseProblems.length > 0) {
            return this.violation(
                { method, path, operationId, stage: "response", problems: [`answering ${answer.status}: ${responseProblems.join("; ")}`] },
                record,
            );
        }
        record(path, answer.status, operationId);
        return answer;
    }

    private answerOperation(
        match: MatchedOperation,
        method: string,
        path: string,
        url: URL,
        query: Record<string, string>,
        bodyText: string,
        authorization: string | undefined,
    ): FakeResponse {
        const operationId = match.operation.operationId;
        if (!JWT_OPERATIONS.has(operationId)) {
            const auth = authenticateToken(this.state, authorization, this.now());
            if (!auth.ok) return errorBody(401, auth.message, "https://docs.github.com/rest");
        }
        const failure = this.failures.take(method, path);
        if (failure) return failureAnswer(failure);
        const handler = OPERATION_HANDLERS[operationId];
        if (!handler) {
            const problems = [`the fake does not implement ${operationId}`];
            this.violations.push({ method, path, operationId, stage: "unimplemented", problems });
            return errorBody(500, problems[0]);
        }
        return handler({
            state: this.state,
            match,
            query,
            body: bodyText.trim() === "" ? undefined : JSON.parse(bodyText),
            authorization,
            nowMs: this.now(),
            requestUrl: url,
            apiUrl: this.apiUrl,
            advertisedOrigin: this.advertised,
        });
    }

    /** Records a violation and answers 500 naming it, so the client under test fails loudly. */
    private violation(violation: ContractViolation, record: (path: string, status: number, operationId?: string) => void): FakeResponse {
        this.violations.push(violation);
        record(violation.path, 500, violation.operationId);
        return errorBody(500, `contract violation (${violation.stage}): ${violation.problems.join("; ")}`);
    }

    private serveSideChannel(method: string, url: URL, bodyText: string, res: ServerResponse): void {
        let body: Record<string, unknown> = {};
        if (bodyText.trim() !== "") {
            try {
                body = JSON.parse(bodyText) as Record<string, unknown>;
            } catch {
                send(res, { status: 400, body: { error: "body is not JSON" } });
                return;
            }
        }
        const request = { method, path: url.pathname, query: url.searchParams, body, nowMs: this.now() };
        send(res, handleSideChannel(this.state, request, this.standinEvents));
    }

    private requireRunner(scope: string, name: string) {
        const runner = this.state.findRunnerByName(scope, name);
        if (!runner) throw new Error(`fake GitHub has no runner "${name}" in ${scope}`);
        return runner;
    }
}
