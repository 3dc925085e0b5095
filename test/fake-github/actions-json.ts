/**
 * GitHub-shaped JSON for the fake's Actions endpoints and webhook payloads:
 * users, organizations, repositories, workflow runs and jobs. Shapes follow the
 * schemas they are checked against: `@octokit/openapi` (components.schemas
 * simple-user, minimal-repository, workflow-run, job) and
 * `@octokit/openapi-webhooks` (simple-user, organization-simple-webhooks,
 * repository-webhooks, webhook-workflow-job-*); URL templates as GitHub writes them.
 */
import { createHash } from "node:crypto";
import type { FakeActionsState, FakeJob, FakeRun } from "./actions-state";

export interface JsonContext {
    /** REST root, e.g. http://127.0.0.1:PORT or .../api/v3. */
    apiUrl: string;
    actions: FakeActionsState;
}

type Json = Record<string, unknown>;

/** GitHub writes timestamps without milliseconds: 2025-01-31T12:00:00Z. */
export function githubTime(ms: number): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function webOrigin(apiUrl: string): string {
    return new URL(apiUrl).origin;
}

function nodeId(prefix: string, id: number): string {
    return `${prefix}_${Buffer.from(`fake:${prefix}:${id}`).toString("base64url")}`;
}

/** A stable id for an account name (users and organizations share GitHub's id space). */
export function accountId(login: string): number {
    return 1_000 + (createHash("sha256").update(login).digest().readUInt32BE(0) % 9_000_000);
}

export function simpleUserJson(apiUrl: string, login: string, type: "User" | "Organization" | "Bot"): Json {
    const api = `${apiUrl}/users/${login}`;
    const id = accountId(login);
    return {
        login,
        id,
        node_id: nodeId(type === "Organization" ? "O" : "U", id),
        avatar_url: `${webOrigin(apiUrl)}/avatars/u/${id}?v=4`,
        gravatar_id: "",
        url: api,
        html_url: `${webOrigin(apiUrl)}/${login}`,
        followers_url: `${api}/followers`,
        following_url: `${api}/following{/other_user}`,
        gists_url: `${api}/gists{/gist_id}`,
        starred_url: `${api}/starred{/owner}{/repo}`,
        subscriptions_url: `${api}/subscriptions`,
        organizations_url: `${api}/orgs`,
        repos_url: `${api}/repos`,
        events_url: `${api}/events{/privacy}`,
        received_events_url: `${api}/received_events`,
        type,
        user_view_type: "public",
        site_admin: false,
    };
}

export function organizationWebhookJson(apiUrl: string, org: string): Json {
    const api = `${apiUrl}/orgs/${org}`;
    const id = accountId(org);
    return {
        login: org,
        id,
        node_id: nodeId("O", id),
        url: api,
        repos_url: `${api}/repos`,
        events_url: `${api}/events`,
        hooks_url: `${api}/hooks`,
        issues_url: `${api}/issues`,
        members_url: `${api}/members{/member}`,
        public_members_url: `${api}/public_members{/member}`,
        avatar_url: `${webOrigin(apiUrl)}/avatars/u/${id}?v=4`,
        description: null,
    };
}

/** A repository as REST (minimal-repository) and webhooks (repository-webhooks) both describe it. */
export function repositoryJson(ctx: JsonContext, scope: string, ownerType: "User" | "Organization", createdAtMs: number): Json {
    const [owner, name] = scope.split("/");
    const api = `${ctx.apiUrl}/repos/${scope}`;
    const web = `${webOrigin(ctx.apiUrl)}/${scope}`;
    const id = ctx.actions.repositoryId(scope);
    const time = githubTime(createdAtMs);
    return {
        id,
        node_id: nodeId("R", id),
        name,
        full_name: scope,
        private: true,
        owner: simpleUserJson(ctx.apiUrl, owner, ownerType),
        html_url: web,
        description: null,
        fork: false,
        url: api,
        forks_url: `${api}/forks`,
        keys_url: `${api}/keys{/key_id}`,
        collaborators_url: `${api}/collaborators{/collaborator}`,
        teams_url: `${api}/teams`,
        hooks_url: `${api}/hooks`,
        issue_events_url: `${api}/issues/events{/number}`,
        events_url: `${api}/events`,
        assignees_url: `${api}/assignees{/user}`,
        branches_url: `${api}/branches{/branch}`,
        tags_url: `${api}/tags`,
        blobs_url: `${api}/git/blobs{/sha}`,
        git_tags_url: `${api}/git/tags{/sha}`,
        git_refs_url: `${api}/git/refs{/sha}`,
        trees_url: `${api}/git/trees{/sha}`,
        statuses_url: `${api}/statuses/{sha}`,
        languages_url: `${api}/languages`,
        stargazers_url: `${api}/stargazers`,
        contributors_url: `${api}/contributors`,
        subscribers_url: `${api}/subscribers`,
        subscription_url: `${api}/subscription`,
        commits_url: `${api}/commits{/sha}`,
        git_commits_url: `${api}/git/commits{/sha}`,
        comments_url: `${api}/comments{/number}`,
        issue_comment_url: `${api}/issues/comments{/number}`,
        contents_url: `${api}/contents/{+path}`,
        compare_url: `${api}/compare/{base}...{head}`,
        merges_url: `${api}/merges`,
        archive_url: `${api}/{archive_format}{/ref}`,
        downloads_url: `${api}/downloads`,
        issues_url: `${api}/issues{/number}`,
        pulls_url: `${api}/pulls{/number}`,
        milestones_url: `${api}/milestones{/number}`,
        notifications_url: `${api}/notifications{?since,all,participating}`,
        labels_url: `${api}/labels{/name}`,
        releases_url: `${api}/releases{/id}`,
        deployments_url: `${api}/deployments`,
        git_url: `git://${new URL(web).host}/${scope}.git`,
        ssh_url: `git@${new URL(web).hostname}:${scope}.git`,
        clone_url: `${web}.git`,
        svn_url: web,
        mirror_url: null,
        homepage: null,
        language: null,
        forks: 0,
        forks_count: 0,
        stargazers_count: 0,
        watchers: 0,
        watchers_count: 0,
        size: 1,
        default_branch: "main",
        open_issues: 0,
        open_issues_count: 0,
        is_template: false,
        topics: [],
        has_issues: true,
        has_projects: false,
        has_wiki: false,
        has_pages: false,
        has_downloads: true,
        has_discussions: false,
        archived: false,
        disabled: false,
        visibility: "private",
        license: null,
        pushed_at: time,
        created_at: time,
        updated_at: time,
    };
}

/** REST `job` (actions/get-job-for-workflow-run, list-jobs-for-workflow-run). */
export function jobJson(ctx: JsonContext, job: FakeJob): Json {
    const run = ctx.actions.run(job.runId);
    const api = `${ctx.apiUrl}/repos/${job.scope}`;
    return {
        id: job.id,
        run_id: job.runId,
        run_url: `${api}/actions/runs/${job.runId}`,
        run_attempt: 1,
        node_id: nodeId("CR", job.id),
        head_sha: run?.headSha ?? "0".repeat(40),
        url: `${api}/actions/jobs/${job.id}`,
        html_url: `${webOrigin(ctx.apiUrl)}/${job.scope}/actions/runs/${job.runId}/job/${job.id}`,
        status: job.status,
        conclusion: job.conclusion,
        created_at: githubTime(job.createdAtMs),
        started_at: githubTime(job.startedAtMs),
        completed_at: job.completedAtMs === null ? null : githubTime(job.completedAtMs),
        name: job.name,
        steps: [],
        check_run_url: `${api}/check-runs/${job.id}`,
        labels: [...job.labels],
        runner_id: job.runnerId,
        runner_name: job.runnerName,
        runner_group_id: job.runnerGroupId,
        runner_group_name: job.runnerGroupName,
        workflow_name: run?.workflowName ?? null,
        head_branch: run?.headBranch ?? null,
    };
}

/** REST `workflow-run` (actions/list-workflow-runs-for-repo). */
export function workflowRunJson(ctx: JsonContext, run: FakeRun, ownerType: "User" | "Organization"): Json {
    const api = `${ctx.apiUrl}/repos/${run.scope}`;
    const [owner] = run.scope.split("/");
    const repository = repositoryJson(ctx, run.scope, ownerType, run.createdAtMs);
    const actor = simpleUserJson(ctx.apiUrl, `${owner}-dev`, "User");
    const checkSuiteId = run.id + 1;
    return {
        id: run.id,
        name: run.workflowName,
        node_id: nodeId("WFR", run.id),
        check_suite_id: checkSuiteId,
        check_suite_node_id: nodeId("CS", checkSuiteId),
        head_branch: run.headBranch,
        head_sha: run.headSha,
        path: ".github/workflows/ci.yml",
        display_title: run.workflowName,
        run_number: run.runNumber,
        event: run.event,
        status: ctx.actions.runStatus(run),
        conclusion: ctx.actions.runConclusion(run),
        workflow_id: run.workflowId,
        url: `${api}/actions/runs/${run.id}`,
        html_url: `${webOrigin(ctx.apiUrl)}/${run.scope}/actions/runs/${run.id}`,
        pull_requests: [],
        created_at: githubTime(run.createdAtMs),
        updated_at: githubTime(run.updatedAtMs),
        actor,
        triggering_actor: actor,
        run_attempt: 1,
        referenced_workflows: [],
        run_started_at: githubTime(run.createdAtMs),
        jobs_url: `${api}/actions/runs/${run.id}/jobs`,
        logs_url: `${api}/actions/runs/${run.id}/logs`,
        check_suite_url: `${api}/check-suites/${checkSuiteId}`,
        artifacts_url: `${api}/actions/runs/${run.id}/artifacts`,
        cancel_url: `${api}/actions/runs/${run.id}/cancel`,
        rerun_url: `${api}/actions/runs/${run.id}/rerun`,
        previous_attempt_url: null,
        workflow_url: `${api}/actions/workflows/${run.workflowId}`,
        head_commit: {
            id: run.headSha,
            tree_id: createHash("sha1").update(`tree:${run.headSha}`).digest("hex"),
            message: "A change",
            timestamp: githubTime(run.createdAtMs),
            author: { name: `${owner} dev`, email: `${owner}-dev@example.com` },
            committer: { name: `${owner} dev`, email: `${owner}-dev@example.com` },
        },
        repository,
        head_repository: repository,
    };
}
