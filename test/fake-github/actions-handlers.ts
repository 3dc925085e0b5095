/**
 * The Actions read endpoints the demand sources call, keyed by GitHub's
 * `operationId` like the runner endpoints (github-handlers.ts): workflow runs
 * of a repository filtered by status, the jobs of a run, one job, and the
 * repositories of an organization. Requests and responses pass the same
 * OpenAPI contract checks as every other operation of the fake.
 */
import { jobJson, repositoryJson, workflowRunJson, type JsonContext } from "./actions-json";
import type { FakeRun } from "./actions-state";
import type { FakeResponse, OperationContext } from "./github-handlers";
import { paginate, withPage } from "./pagination";
import { scopeKind } from "./state";

type Handler = (ctx: OperationContext) => FakeResponse;

const DOCS = "https://docs.github.com/rest/actions/workflow-runs";

function notFound(): FakeResponse {
    return { status: 404, body: { message: "Not Found", documentation_url: DOCS, status: "404" } };
}

function jsonContext(ctx: OperationContext): JsonContext {
    return { apiUrl: ctx.apiUrl, actions: ctx.state.actions };
}

function ownerType(ctx: OperationContext, owner: string): "User" | "Organization" {
    return ctx.state.hasScope(owner) && scopeKind(owner) === "org" ? "Organization" : "User";
}

function repositoryScope(handler: (ctx: OperationContext, scope: string) => FakeResponse): Handler {
    return (ctx) => {
        const scope = `${ctx.match.pathParams.owner}/${ctx.match.pathParams.repo}`;
        return ctx.state.hasScope(scope) ? handler(ctx, scope) : notFound();
    };
}

/** Run statuses the `status` filter takes; the other values it takes are conclusions. */
const RUN_STATUSES = new Set(["queued", "in_progress", "completed", "waiting", "requested", "pending"]);

function runMatches(ctx: OperationContext, run: FakeRun, filter: string | undefined): boolean {
    if (filter === undefined) return true;
    const actions = ctx.state.actions;
    return RUN_STATUSES.has(filter) ? actions.runStatus(run) === filter : actions.runConclusion(run) === filter;
}

const listWorkflowRunsForRepo: Handler = repositoryScope((ctx, scope) => {
    const runs = ctx.state.actions.runsOf(scope).filter((run) => runMatches(ctx, run, ctx.query.status));
    const page = paginate(runs, ctx.query, (n) => withPage(ctx.requestUrl, n));
    const type = ownerType(ctx, scope.split("/")[0]);
    return {
        status: 200,
        body: { total_count: runs.length, workflow_runs: page.items.map((run) => workflowRunJson(jsonContext(ctx), run, type)) },
        headers: page.link ? { link: page.link } : undefined,
    };
});

const listJobsForWorkflowRun: Handler = repositoryScope((ctx, scope) => {
    const run = ctx.state.actions.run(Number(ctx.match.pathParams.run_id));
    if (!run || run.scope !== scope) return notFound();
    // Every fake run has one attempt, so `filter=latest` and `filter=all` list the same jobs.
    const jobs = ctx.state.actions.jobsOfRun(run.id);
    const page = paginate(jobs, ctx.query, (n) => withPage(ctx.requestUrl, n));
    return {
        status: 200,
        body: { total_count: jobs.length, jobs: page.items.map((job) => jobJson(jsonContext(ctx), job)) },
        headers: page.link ? { link: page.link } : undefined,
    };
});

const getJobForWorkflowRun: Handler = repositoryScope((ctx, scope) => {
    const job = ctx.state.actions.job(Number(ctx.match.pathParams.job_id));
    if (!job || job.scope !== scope) return notFound();
    return { status: 200, body: jobJson(jsonContext(ctx), job) };
});

const listOrgRepositories: Handler = (ctx) => {
    const org = ctx.match.pathParams.org;
    if (!ctx.state.hasScope(org) || scopeKind(org) !== "org") return notFound();
    // Every fake repository is private and no fork or source filter applies to it.
    const type = ctx.query.type ?? "all";
    const scopes = type === "public" || type === "forks" ? [] : ctx.state.scopeNames().filter((scope) => scope.startsWith(`${org}/`));
    const byFullName = ctx.query.sort === "full_name";
    // GitHub's default order: `created`, newest first; `full_name` sorts A to Z.
    const ascending = ctx.query.direction !== undefined ? ctx.query.direction === "asc" : byFullName;
    const actions = ctx.state.actions;
    const sorted = [...scopes].sort((a, b) => (byFullName ? a.localeCompare(b) : actions.repositoryId(a) - actions.repositoryId(b)) * (ascending ? 1 : -1));
    const page = paginate(sorted, ctx.query, (n) => withPage(ctx.requestUrl, n));
    return {
        status: 200,
        body: page.items.map((scope) => repositoryJson(jsonContext(ctx), scope, "Organization", ctx.nowMs)),
        headers: page.link ? { link: page.link } : undefined,
    };
};

export const ACTIONS_OPERATION_HANDLERS: Record<string, Handler> = {
    "actions/list-workflow-runs-for-repo": listWorkflowRunsForRepo,
    "actions/list-jobs-for-workflow-run": listJobsForWorkflowRun,
    "actions/get-job-for-workflow-run": getJobForWorkflowRun,
    "repos/list-for-org": listOrgRepositories,
};
