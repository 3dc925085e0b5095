/**
 * Reading GitHub's job queue through REST: GitHub has no endpoint listing the
 * jobs of a repository or an organization, so this lists the repository's
 * workflow runs that are `queued` or `in_progress` and the jobs of each (a run
 * in progress may still hold queued jobs: matrix jobs waiting for runners, jobs
 * whose `needs` just finished). The same walk as actions-runner-controller's
 * pull-based metric (actions/actions-runner-controller github/github.go
 * ListRepositoryWorkflowRuns, controllers/actions.summerwind.net/autoscaling.go).
 * For an organization it walks the organization's repositories (or a given list).
 *
 * Every call goes through the ApiBudget first and reports the rate-limit headers
 * back to it. Cost of one listing, per repository: ceil(queued runs / 100) +
 * ceil(in-progress runs / 100) + for each such run ceil(its jobs / 100); plus
 * ceil(repositories / 100) for an organization when its repository list is refreshed.
 */
import type { GithubClient } from "../../../components/github/client";
import { httpFailureOf } from "../../../components/github/errors";
import { formatGithubPath, type GithubPath } from "../../../components/github/paths";
import type { ApiBudget } from "./api-budget";
import type { Clock } from "./clock";
import type { JobObservation, JobStatus } from "./job-table";

const PAGE_SIZE = 100;
const MINUTE_MS = 60_000;
/** Run statuses whose jobs can be queued or running (the `status` filter of actions/list-workflow-runs-for-repo). */
const ACTIVE_RUN_STATUSES = ["queued", "in_progress"] as const;
/** Job statuses we track; `requested` and `pending` jobs are not yet waiting for a runner. */
const TRACKED_JOB_STATUSES = new Set<string>(["waiting", "queued", "in_progress", "completed"]);

export interface QueueListing {
    /** When the listing began (clock ms): anything that changed after it is newer than the listing. */
    startedAtMs: number;
    /** Every job of every queued or in-progress run, in a status the job table tracks. */
    jobs: JobObservation[];
    repositories: number;
    runs: number;
    calls: number;
}

export interface RestQueueListerOptions {
    client: GithubClient;
    apiUrl: string;
    path: GithubPath;
    budget: ApiBudget;
    clock: Clock;
    /**
     * Read these repositories instead of every repository of the organization:
     * names (`app`) or full names (`acme/app`). Required for an enterprise, whose
     * repositories REST does not list; not allowed for a repository path.
     */
    repositories?: readonly string[];
    /** Organization only: how long a fetched repository list is reused; default 10 minutes. */
    repositoryListTtlMs?: number;
}

/** A REST call of the walk failed; the message names the call, GitHub's answer and the fix, never a credential. */
export class DemandApiError extends Error {
    constructor(
        message: string,
        readonly status: number | undefined,
        /** Set when GitHub said to wait (rate limit): no call before this clock time. */
        readonly retryAtMs: number | undefined,
    ) {
        super(message);
        this.name = "DemandApiError";
    }
}

class Aborted extends Error {}

interface PageResponse {
    data: unknown;
    headers: Record<string, unknown>;
}

export class RestQueueLister {
    private repositoryCache: { names: string[]; fetchedAtMs: number } | undefined;

    private readonly listedRepositories: { owner: string; repo: string }[] | undefined;

    constructor(private readonly options: RestQueueListerOptions) {
        this.listedRepositories = options.repositories === undefined ? undefined : options.repositories.map((entry) => repositoryOf(entry, options.path));
        if (options.path.kind === "enterprise" && this.listedRepositories === undefined) {
            throw new Error(
                `GitHub's REST API lists neither the jobs nor the repositories of an enterprise; to read the queue of ${formatGithubPath(options.path)}, pass repositories: ["org/repo", ...]`,
            );
        }
    }

    /** Lists the queue once; throws DemandApiError when a call fails, returns undefined when aborted. */
    async list(signal?: AbortSignal): Promise<QueueListing | undefined> {
        const startedAtMs = this.options.clock.now();
        const counter = { calls: 0, runs: 0 };
        try {
            const repositories = await this.repositories(counter, signal);
            const jobs: JobObservation[] = [];
            for (const repository of repositories) {
                jobs.push(...(await this.repositoryJobs(repository, counter, signal)));
            }
            return { startedAtMs, jobs, repositories: repositories.length, runs: counter.runs, calls: counter.calls };
        } catch (error) {
            if (error instanceof Aborted) return undefined;
            throw error;
        }
    }

    private async repositories(counter: { calls: number }, signal: AbortSignal | undefined): Promise<{ owner: string; repo: string }[]> {
        const path = this.options.path;
        if (path.kind === "repo") return [{ owner: path.owner, repo: path.repo }];
        if (this.listedRepositories !== undefined) return this.listedRepositories;
        if (path.kind !== "org") return [];
        const ttl = this.options.repositoryListTtlMs ?? 10 * MINUTE_MS;
        const cached = this.repositoryCache;
        if (cached && this.options.clock.now() - cached.fetchedAtMs < ttl) return cached.names.map((repo) => ({ owner: path.org, repo }));
        const client = this.options.client;
        const pages = client.paginate.iterator(client.rest.repos.listForOrg, { org: path.org, type: "all", per_page: PAGE_SIZE });
        const names: string[] = [];
        await this.eachPage(pages, `listing the repositories of organization "${path.org}"`, counter, signal, (data) => {
            for (const repo of data as { name: string; archived?: boolean; disabled?: boolean }[]) {
                // An archived or disabled repository runs no workflows.
                if (!repo.archived && !repo.disabled) names.push(repo.name);
            }
        });
        this.repositoryCache = { names, fetchedAtMs: this.options.clock.now() };
        return names.map((repo) => ({ owner: path.org, repo }));
    }

    private async repositoryJobs(
        repository: { owner: string; repo: string },
        counter: { calls: number; runs: number },
        signal: AbortSignal | undefined,
    ): Promise<JobObservation[]> {
        const client = this.options.client;
        const { owner, repo } = repository;
        const runIds = new Set<number>();
        for (const status of ACTIVE_RUN_STATUSES) {
            const pages = client.paginate.iterator(client.rest.actions.listWorkflowRunsForRepo, { owner, repo, status, per_page: PAGE_SIZE });
            await this.eachPage(pages, `listing the ${status} workflow runs of ${owner}/${repo}`, counter, signal, (data) => {
                for (const run of data as { id: number }[]) runIds.add(run.id);
            });
        }
        counter.runs += runIds.size;
        const jobs: JobObservation[] = [];
        for (const runId of runIds) {
            const pages = client.paginate.iterator(client.rest.actions.listJobsForWorkflowRun, { owner, repo, run_id: runId, filter: "latest", per_page: PAGE_SIZE });
            await this.eachPage(pages, `listing the jobs of workflow run ${runId} in ${owner}/${repo}`, counter, signal, (data) => {
                for (const job of data as RestJob[]) {
                    const observation = observationOf(job, this.options.clock.now());
                    if (observation) jobs.push(observation);
                }
            });
        }
        return jobs;
    }

    /** Walks a paginated listing, one budgeted call per page; stops at the last page without an extra call. */
    private async eachPage(
        pages: AsyncIterable<PageResponse>,
        what: string,
        counter: { calls: number },
        signal: AbortSignal | undefined,
        onPage: (data: unknown) => void,
    ): Promise<void> {
        const iterator = pages[Symbol.asyncIterator]();
        for (;;) {
            if (!(await this.options.budget.acquire(signal))) throw new Aborted();
            counter.calls++;
            let page: IteratorResult<PageResponse>;
            try {
                page = await iterator.next();
            } catch (error) {
                throw this.failure(what, error);
            }
            if (page.done) return;
            this.options.budget.observe(page.value.headers);
            onPage(page.value.data);
            if (!/rel="next"/.test(String(page.value.headers.link ?? ""))) return;
        }
    }

    private failure(what: string, error: unknown): DemandApiError {
        const failure = httpFailureOf(error);
        const headers = responseHeaders(error);
        this.options.budget.observe(headers);
        const retryAtMs = rateLimitRetryAt(failure.status, headers, failure.githubMessage, this.options.clock.now());
        if (retryAtMs !== undefined) this.options.budget.blockUntil(retryAtMs);
        const cause =
            failure.status === undefined
                ? `no HTTP response${failure.networkCode !== undefined ? ` (${failure.networkCode})` : ""}`
                : `HTTP ${failure.status}${failure.githubMessage !== undefined ? ` "${failure.githubMessage}"` : ""}`;
        return new DemandApiError(`${what} failed: ${cause}; ${fixFor(failure.status, retryAtMs, this.options.apiUrl)}`, failure.status, retryAtMs);
    }
}

const REPOSITORY_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const OWNER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

/** `app` (in the organization) or `owner/app`; a clear error for anything else. */
function repositoryOf(entry: string, path: GithubPath): { owner: string; repo: string } {
    if (path.kind === "repo") {
        throw new Error(`repositories can only be listed for an organization or enterprise; ${formatGithubPath(path)} is a repository`);
    }
    const parts = entry.split("/");
    if (parts.length === 2 && OWNER_NAME.test(parts[0]) && REPOSITORY_NAME.test(parts[1])) return { owner: parts[0], repo: parts[1] };
    if (parts.length === 1 && REPOSITORY_NAME.test(entry) && path.kind === "org") return { owner: path.org, repo: entry };
    const expected = path.kind === "org" ? `a repository name ("app") or full name ("${path.org}/app")` : 'a full repository name ("org/app")';
    throw new Error(`repositories: got ${JSON.stringify(entry)}; expected ${expected}`);
}

interface RestJob {
    id: number;
    status: string;
    labels: string[];
    created_at: string;
    started_at: string;
    completed_at: string | null;
    runner_name: string | null;
}

/** The job as the table tracks it; undefined for statuses not yet waiting for a runner (requested, pending). */
export function observationOf(job: RestJob, nowMs: number): JobObservation | undefined {
    if (!TRACKED_JOB_STATUSES.has(job.status)) return undefined;
    const status = job.status as JobStatus;
    const time = status === "in_progress" ? job.started_at : status === "completed" ? job.completed_at : job.created_at;
    const at = time ? new Date(time) : new Date(nowMs);
    const observation: JobObservation = { jobId: job.id, status, labels: job.labels, at: Number.isNaN(at.getTime()) ? new Date(nowMs) : at };
    if (job.runner_name) observation.runnerName = job.runner_name;
    return observation;
}

function responseHeaders(error: unknown): Record<string, unknown> | undefined {
    const response = typeof error === "object" && error !== null ? (error as { response?: { headers?: unknown } }).response : undefined;
    const headers = response?.headers;
    return typeof headers === "object" && headers !== null ? (headers as Record<string, unknown>) : undefined;
}

/**
 * When a rate-limit answer allows the next call (docs.github.com rest/using-the-rest-api/
 * rate-limits-for-the-rest-api, "Exceeding the rate limit"); undefined when the answer
 * is not a rate limit.
 */
export function rateLimitRetryAt(
    status: number | undefined,
    headers: Record<string, unknown> | undefined,
    message: string | undefined,
    nowMs: number,
): number | undefined {
    if (status !== 403 && status !== 429) return undefined;
    const retryAfter = Number(headers?.["retry-after"]);
    if (headers?.["retry-after"] !== undefined && Number.isFinite(retryAfter)) return nowMs + retryAfter * 1000;
    if (String(headers?.["x-ratelimit-remaining"]) === "0") {
        const reset = Number(headers?.["x-ratelimit-reset"]);
        return Number.isFinite(reset) ? Math.max(nowMs, reset * 1000) : nowMs + MINUTE_MS;
    }
    if (status === 429 || /rate limit/i.test(message ?? "")) return nowMs + MINUTE_MS;
    return undefined;
}

function fixFor(status: number | undefined, retryAtMs: number | undefined, apiUrl: string): string {
    if (retryAtMs !== undefined) return `fix: GitHub's rate limit; the next call waits until ${new Date(retryAtMs).toISOString()}`;
    switch (status) {
        case undefined:
            return `fix: check that ${apiUrl} is reachable from here`;
        case 401:
            return "fix: check the GitHub credentials (token, or App id, installation id and key)";
        case 403:
            return 'fix: the credentials may not read workflow runs: a classic token needs the "repo" scope; a fine-grained token or GitHub App needs "Actions: read" (and "Metadata: read" to list an organization\'s repositories)';
        case 404:
            return "fix: check that the organization or repository exists at this API URL and that the credentials can see it";
        default:
            return status >= 500 ? "fix: GitHub had a server error; the next poll tries again" : "fix: see GitHub's message";
    }
}
