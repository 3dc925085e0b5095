/**
 * The GitHub operations the fake serves, keyed by the `operationId` of GitHub's
 * OpenAPI description, so each handler is tied to the contract it answers for.
 */
import { createHash, randomBytes } from "node:crypto";
import { ACTIONS_OPERATION_HANDLERS } from "./actions-handlers";
import { authenticateAppJwt } from "./auth";
import { encodeJitConfig } from "./jit-config";
import type { MatchedOperation } from "./openapi-spec";
import { SIDE_CHANNEL_PREFIX } from "./side-channel";
import { paginate, withPage } from "./pagination";
import { type FakeRunner, type FakeRunnerGroup, type FakeState, scopeKind } from "./state";

export interface OperationContext {
    state: FakeState;
    match: MatchedOperation;
    query: Record<string, string>;
    body: unknown;
    authorization: string | undefined;
    /** The fake's clock (tests may move it forward). */
    nowMs: number;
    /** Absolute URL of this request, for `Link` headers. */
    requestUrl: URL;
    apiUrl: string;
    /** The origin stand-in runners reach the fake by (JIT configs carry it). */
    advertisedOrigin: string;
}

export interface FakeResponse {
    status: number;
    body?: unknown;
    headers?: Record<string, string>;
}

type OperationHandler = (ctx: OperationContext) => FakeResponse;

const HOUR_MS = 60 * 60 * 1000;
/** GitHub's runner name limit (SPEC §2). */
const MAX_RUNNER_NAME_LENGTH = 64;
const DOCS = "https://docs.github.com/rest/actions/self-hosted-runners";

export function errorBody(status: number, message: string, documentationUrl = DOCS): FakeResponse {
    return { status, body: { message, documentation_url: documentationUrl, status: String(status) } };
}

const notFound = (): FakeResponse => errorBody(404, "Not Found");

function scopeOf(match: MatchedOperation): string {
    const { org, owner, repo } = match.pathParams;
    return org ?? `${owner}/${repo}`;
}

function runnerJson(state: FakeState, runner: FakeRunner): Record<string, unknown> {
    return {
        id: runner.id,
        name: runner.name,
        os: runner.os,
        status: runner.status,
        busy: runner.busy,
        ephemeral: runner.ephemeral,
        runner_group_id: runner.runnerGroupId,
        version: runner.version,
        labels: runner.labels.map((name) => ({ id: state.labelId(name), name, type: "custom" })),
    };
}

function runnerGroupJson(ctx: OperationContext, group: FakeRunnerGroup): Record<string, unknown> {
    const base = `${ctx.apiUrl}/orgs/${group.org}/actions/runner-groups/${group.id}`;
    return {
        id: group.id,
        name: group.name,
        visibility: "all",
        default: group.isDefault,
        runners_url: `${base}/runners`,
        inherited: false,
        allows_public_repositories: false,
        restricted_to_workflows: false,
        selected_workflows: [],
        workflow_restrictions_read_only: false,
    };
}

/** A registration or remove token: GitHub's are 29 upper-case base32 characters. */
function runnerToken(): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    return `A${[...randomBytes(28)].map((b) => alphabet[b % 32]).join("")}`;
}

function installationToken(): string {
    return `ghs_${randomBytes(27).toString("base64url").replace(/[-_]/g, "0").slice(0, 36)}`;
}

function withScope(handler: (ctx: OperationContext, scope: string) => FakeResponse): OperationHandler {
    return (ctx) => {
        const scope = scopeOf(ctx.match);
        return ctx.state.hasScope(scope) ? handler(ctx, scope) : notFound();
    };
}

function createRunnerToken(kind: "registration" | "remove"): OperationHandler {
    return withScope((ctx, scope) => {
        const token = runnerToken();
        const expiresAt = ctx.nowMs + HOUR_MS;
        ctx.state.tokens.set(token, { kind, scope, expiresAt });
        return { status: 201, body: { token, expires_at: new Date(expiresAt).toISOString() } };
    });
}

interface JitRequest {
    name: string;
    runner_group_id: number;
    labels: string[];
    work_folder?: string;
}

const generateJitConfig: OperationHandler = withScope((ctx, scope) => {
    const request = ctx.body as JitRequest;
    if (request.name.length > MAX_RUNNER_NAME_LENGTH) {
        return {
            status: 422,
            body: { message: "Validation Failed", documentation_url: DOCS, errors: [`name is longer than ${MAX_RUNNER_NAME_LENGTH} characters`] },
        };
    }
    if (!ctx.state.groupExists(scope, request.runner_group_id)) return notFound();
    const runner = ctx.state.createRunner(scope, {
        name: request.name,
        labels: request.labels,
        runnerGroupId: request.runner_group_id,
        ephemeral: true, // a just-in-time runner takes one job
        workFolder: request.work_folder,
    }, ctx.nowMs);
    if (!runner) return errorBody(409, "Already exists - A runner with the name already exists.");
    const encoded = encodeJitConfig({
        runnerId: runner.id,
        runnerName: runner.name,
        runnerGroupId: runner.runnerGroupId,
        runnerGroupName: ctx.state.runnerGroupName(scope, runner.runnerGroupId) ?? "Default",
        githubUrl: `${ctx.advertisedOrigin}/${scope}`,
        serverUrl: `${ctx.advertisedOrigin}${SIDE_CHANNEL_PREFIX}`,
        workFolder: runner.workFolder,
    });
    runner.jitConfigSha256 = createHash("sha256").update(encoded).digest("hex");
    return { status: 201, body: { runner: runnerJson(ctx.state, runner), encoded_jit_config: encoded } };
});

const listRunners: OperationHandler = withScope((ctx, scope) => {
    const name = ctx.query.name;
    const all = ctx.state.runners(scope).filter((r) => name === undefined || r.name === name);
    const page = paginate(all, ctx.query, (n) => withPage(ctx.requestUrl, n));
    return {
        status: 200,
        body: { total_count: all.length, runners: page.items.map((r) => runnerJson(ctx.state, r)) },
        headers: page.link ? { link: page.link } : undefined,
    };
});

function runnerById(handler: (ctx: OperationContext, runner: FakeRunner) => FakeResponse): OperationHandler {
    return withScope((ctx, scope) => {
        const runner = ctx.state.findRunner(scope, Number(ctx.match.pathParams.runner_id));
        return runner ? handler(ctx, runner) : notFound();
    });
}

const getRunner = runnerById((ctx, runner) => ({ status: 200, body: runnerJson(ctx.state, runner) }));

const deleteRunner = runnerById((ctx, runner) => {
    if (runner.busy) {
        return {
            status: 422,
            body: { message: `Bad request - Runner "${runner.name}" is still running a job`, documentation_url: DOCS },
        };
    }
    ctx.state.deleteRunner(runner.scope, runner.id);
    return { status: 204 };
});

const listRunnerGroups: OperationHandler = withScope((ctx, org) => {
    if (scopeKind(org) !== "org") return notFound();
    const all = ctx.state.runnerGroups(org);
    const page = paginate(all, ctx.query, (n) => withPage(ctx.requestUrl, n));
    return {
        status: 200,
        body: { total_count: all.length, runner_groups: page.items.map((g) => runnerGroupJson(ctx, g)) },
        headers: page.link ? { link: page.link } : undefined,
    };
});

const listDownloads: OperationHandler = withScope((ctx) => ({ status: 200, body: ctx.state.downloads }));

const createInstallationToken: OperationHandler = (ctx) => {
    const auth = authenticateAppJwt(ctx.state, ctx.authorization, ctx.nowMs);
    if (!auth.ok) return errorBody(401, auth.message, "https://docs.github.com/rest");
    const installationId = Number(ctx.match.pathParams.installation_id);
    if (auth.app.installationId !== installationId) return notFound();
    const token = installationToken();
    const expiresAt = ctx.nowMs + HOUR_MS;
    ctx.state.tokens.set(token, { kind: "installation", expiresAt });
    return {
        status: 201,
        body: {
            token,
            expires_at: new Date(expiresAt).toISOString(),
            permissions: { organization_self_hosted_runners: "write", administration: "write" },
            repository_selection: "all",
        },
    };
};

export const OPERATION_HANDLERS: Record<string, OperationHandler> = {
    "actions/create-registration-token-for-org": createRunnerToken("registration"),
    "actions/create-registration-token-for-repo": createRunnerToken("registration"),
    "actions/create-remove-token-for-org": createRunnerToken("remove"),
    "actions/create-remove-token-for-repo": createRunnerToken("remove"),
    "actions/generate-runner-jitconfig-for-org": generateJitConfig,
    "actions/generate-runner-jitconfig-for-repo": generateJitConfig,
    "actions/list-self-hosted-runners-for-org": listRunners,
    "actions/list-self-hosted-runners-for-repo": listRunners,
    "actions/get-self-hosted-runner-for-org": getRunner,
    "actions/get-self-hosted-runner-for-repo": getRunner,
    "actions/delete-self-hosted-runner-from-org": deleteRunner,
    "actions/delete-self-hosted-runner-from-repo": deleteRunner,
    "actions/list-self-hosted-runner-groups-for-org": listRunnerGroups,
    "actions/list-runner-applications-for-org": listDownloads,
    "actions/list-runner-applications-for-repo": listDownloads,
    "apps/create-installation-access-token": createInstallationToken,
    ...ACTIONS_OPERATION_HANDLERS,
};

/** Operations whose credentials are an App JWT rather than an API token. */
export const JWT_OPERATIONS = new Set(["apps/create-installation-access-token"]);
