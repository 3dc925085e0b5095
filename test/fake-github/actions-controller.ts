/**
 * The test API of the fake's GitHub Actions side (`fake.actions`): queue jobs,
 * hand them to runners, finish them, and receive the `workflow_job` webhooks
 * GitHub would send for each step. Rules taken from GitHub:
 *   - a job runs on a runner that has every one of its labels, compared
 *     case-insensitively (docs.github.com actions/hosting-your-own-runners/
 *     using-self-hosted-runners-in-a-workflow: "jobs will be queued on runners that
 *     have all the labels that you specify"; using-labels-with-self-hosted-runners:
 *     "Labels are case-insensitive"), that is online and idle, in the repository or
 *     its organization;
 *   - the runner is busy while the job runs; an ephemeral runner is removed after
 *     its one job ("the GitHub Actions service will then automatically de-register
 *     the runner after it has processed one job", autoscaling-with-self-hosted-runners);
 *   - each transition is one `workflow_job` delivery (queued, waiting, in_progress,
 *     completed) to the repository's and the organization's hooks; runner fields are
 *     null while the job is queued (webhook-events-and-payloads#workflow_job).
 */
import { accountId, githubTime, jobJson, organizationWebhookJson, repositoryJson, simpleUserJson, type JsonContext } from "./actions-json";
import type { FakeJob, FakeJobConclusion } from "./actions-state";
import type { SpecName } from "./openapi-spec";
import { type FakeRunner, type FakeState, scopeKind } from "./state";
import { type FakeWebhook, type DeliveryAttempt, type WebhookDelivery, WebhookEmitter } from "./webhook-deliveries";
import { WebhookContract } from "./webhook-schema";

export interface QueueJobsOptions {
    /** `owner/repo`, added to the fake first. */
    repo: string;
    /** As the workflow's `runs-on` spells them. */
    labels: string[];
    /** Jobs in this one workflow run; default 1. */
    count?: number;
    /** Add to an existing run of the repository instead of a new one. */
    runId?: number;
    /** `waiting`: held by an environment's protection rules until approveJob. Default `queued`. */
    status?: "queued" | "waiting";
    workflowName?: string;
    jobName?: string;
}

export interface FakeActionsDeps {
    state: FakeState;
    now: () => number;
    apiUrl: () => string;
    specName: () => SpecName;
    reportViolation: (violation: { path: string; operationId: string; problems: string[] }) => void;
}

export class FakeActions {
    private readonly emitter: WebhookEmitter;

    constructor(private readonly deps: FakeActionsDeps) {
        this.emitter = new WebhookEmitter({ contract: () => WebhookContract.load(deps.specName()), reportViolation: deps.reportViolation });
    }

    // ---- jobs ----------------------------------------------------------------

    /** Queues `count` jobs in one workflow run; resolves once their webhooks were delivered (or held). */
    async queueJobs(options: QueueJobsOptions): Promise<FakeJob[]> {
        const { state } = this.deps;
        if (scopeKind(options.repo) !== "repo" || !state.hasScope(options.repo)) {
            throw new Error(`fake GitHub has no repository "${options.repo}"; add it with fake.addRepo(owner, repo) first`);
        }
        const count = options.count ?? 1;
        if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive whole number, got ${count}`);
        const now = this.deps.now();
        let run = options.runId !== undefined ? state.actions.run(options.runId) : undefined;
        if (options.runId !== undefined && (!run || run.scope !== options.repo)) throw new Error(`fake GitHub has no run ${options.runId} in ${options.repo}`);
        run ??= state.actions.createRun(options.repo, {
            workflowName: options.workflowName ?? "CI",
            event: "push",
            headBranch: "main",
            headSha: (accountId(`${options.repo}:${now}`).toString(16) + "0".repeat(40)).slice(0, 40),
        }, now);
        const jobs: FakeJob[] = [];
        for (let i = 0; i < count; i++) {
            const name = options.jobName ?? (count === 1 ? "build" : `build (${i + 1})`);
            const job = state.actions.addJob(run, { name, labels: options.labels, status: options.status ?? "queued" }, now);
            jobs.push(job);
        }
        for (const job of jobs) await this.announce(job, job.status === "waiting" ? "waiting" : "queued");
        return jobs.map((job) => ({ ...job, labels: [...job.labels] }));
    }

    /** An environment's reviewers approved the job: waiting → queued. */
    async approveJob(jobId: number): Promise<void> {
        const job = this.requireJob(jobId, ["waiting"]);
        job.status = "queued";
        this.deps.state.actions.touch(job, this.deps.now());
        await this.announce(job, "queued");
    }

    /** GitHub hands the queued job to `runnerName` (in the repository or its organization): in_progress. */
    async startJob(jobId: number, runnerName: string): Promise<void> {
        const job = this.requireJob(jobId, ["queued"]);
        const runner = this.findRunner(job.scope, runnerName);
        if (!runner) throw new Error(`no runner "${runnerName}" in ${job.scope} or its organization to run job ${jobId}`);
        const problem = whyRunnerCannotTake(runner, job);
        if (problem) throw new Error(`runner "${runnerName}" cannot run job ${jobId}: ${problem}`);
        this.begin(job, runner);
        await this.announce(job, "in_progress");
    }

    /**
     * GitHub's scheduler: every queued job, oldest first, goes to an online idle
     * runner that carries all its labels. Returns what was started.
     */
    async dispatchQueuedJobs(): Promise<{ jobId: number; runnerName: string }[]> {
        const started: { job: FakeJob; runner: FakeRunner }[] = [];
        for (const job of this.deps.state.actions.jobsOf().filter((j) => j.status === "queued").sort((a, b) => a.id - b.id)) {
            const runner = this.candidateRunners(job.scope).find((r) => whyRunnerCannotTake(r, job) === undefined);
            if (!runner) continue;
            this.begin(job, runner);
            started.push({ job, runner });
        }
        for (const { job } of started) await this.announce(job, "in_progress");
        return started.map(({ job, runner }) => ({ jobId: job.id, runnerName: runner.name }));
    }

    /**
     * The job finished (in_progress → completed), or was cancelled before a runner
     * took it (queued or waiting → completed, conclusion `cancelled`). Its runner is
     * idle again, or removed when ephemeral.
     */
    async completeJob(jobId: number, conclusion: FakeJobConclusion = "success"): Promise<void> {
        const job = this.requireJob(jobId, ["waiting", "queued", "in_progress"]);
        if (job.status !== "in_progress" && conclusion !== "cancelled") {
            throw new Error(`job ${jobId} is ${job.status}: only a running job can end with "${conclusion}"; cancel it instead`);
        }
        const now = this.deps.now();
        const runnerScope = job.runnerName !== null ? this.runnerScopeOf(job) : undefined;
        job.status = "completed";
        job.conclusion = conclusion;
        job.completedAtMs = now;
        this.deps.state.actions.touch(job, now);
        if (runnerScope !== undefined && job.runnerName !== null) {
            const runner = this.deps.state.findRunnerByName(runnerScope, job.runnerName);
            if (runner) {
                runner.busy = false;
                runner.lastContactMs = now;
                if (runner.ephemeral) this.deps.state.deleteRunner(runner.scope, runner.id);
            }
        }
        await this.announce(job, "completed");
    }

    async cancelJob(jobId: number): Promise<void> {
        await this.completeJob(jobId, "cancelled");
    }

    /** Copies of the jobs, of one repository or all. */
    jobs(repo?: string): FakeJob[] {
        return this.deps.state.actions.jobsOf(repo).map((job) => ({ ...job, labels: [...job.labels] }));
    }

    job(jobId: number): FakeJob | undefined {
        const job = this.deps.state.actions.job(jobId);
        return job ? { ...job, labels: [...job.labels] } : undefined;
    }

    // ---- webhooks ------------------------------------------------------------

    /**
     * A webhook on an organization or repository for `events` (default
     * workflow_job). GitHub pings a new webhook; so does the fake (resolves after).
     */
    async addWebhook(options: { scope: string; url: string; secret: string; events?: string[] }): Promise<{ hookId: number; ping: WebhookDelivery }> {
        if (!this.deps.state.hasScope(options.scope)) throw new Error(`fake GitHub has no organization or repository "${options.scope}"`);
        if (options.secret === "") throw new Error("a fake webhook needs a secret (GitHub's webhook description requires X-Hub-Signature-256)");
        const hook = this.emitter.addHook({ scope: options.scope, url: options.url, secret: options.secret, events: options.events ?? ["workflow_job"] });
        const [ping] = await this.emitter.emit([hook], "ping", this.pingPayload(hook), [this.target(options.scope)]);
        return { hookId: hook.id, ping };
    }

    removeWebhook(hookId: number): void {
        this.emitter.removeHook(hookId);
    }

    setWebhookSecret(hookId: number, secret: string): void {
        this.emitter.setSecret(hookId, secret);
    }

    get deliveries(): readonly WebhookDelivery[] {
        return this.emitter.deliveries;
    }

    /** Hold deliveries from now on (a receiver that is down or slow): nothing is sent until released or dropped. */
    pauseDeliveries(): void {
        this.emitter.pause();
    }

    /** Sends the held deliveries, in the order made or reversed (out-of-order arrival). */
    releaseDeliveries(order: "made" | "reverse" = "made"): Promise<WebhookDelivery[]> {
        return this.emitter.release(order);
    }

    /** Discards the held deliveries (the receiver missed them; GitHub does not retry). */
    dropDeliveries(): WebhookDelivery[] {
        return this.emitter.drop();
    }

    /** "Redeliver" in the webhook's settings: the same payload and X-GitHub-Delivery again. */
    redeliver(deliveryId: string): Promise<DeliveryAttempt> {
        return this.emitter.redeliver(deliveryId);
    }

    /** The fake's own tests: the next webhook payload passes through `corrupt` before it is checked. */
    corruptNextWebhookPayload(corrupt: (payload: Record<string, unknown>) => unknown): void {
        this.emitter.corruptNext(corrupt);
    }

    // ---- inside --------------------------------------------------------------

    private requireJob(jobId: number, allowed: FakeJob["status"][]): FakeJob {
        const job = this.deps.state.actions.job(jobId);
        if (!job) throw new Error(`fake GitHub has no job ${jobId}`);
        if (!allowed.includes(job.status)) throw new Error(`job ${jobId} is ${job.status}; expected ${allowed.join(" or ")}`);
        return job;
    }

    private begin(job: FakeJob, runner: FakeRunner): void {
        const now = this.deps.now();
        job.status = "in_progress";
        job.startedAtMs = now;
        job.runnerId = runner.id;
        job.runnerName = runner.name;
        job.runnerGroupId = runner.runnerGroupId;
        job.runnerGroupName = this.deps.state.runnerGroupName(runner.scope, runner.runnerGroupId) ?? "Default";
        runner.busy = true;
        runner.status = "online";
        runner.lastContactMs = now;
        this.deps.state.actions.touch(job, now);
    }

    /** The repository's runners, then its organization's. */
    private candidateRunners(repo: string): FakeRunner[] {
        const owner = repo.split("/")[0];
        return [repo, owner].filter((scope) => this.deps.state.hasScope(scope)).flatMap((scope) => this.deps.state.runners(scope));
    }

    private findRunner(repo: string, name: string): FakeRunner | undefined {
        return this.candidateRunners(repo).find((runner) => runner.name === name);
    }

    private runnerScopeOf(job: FakeJob): string | undefined {
        return this.candidateRunners(job.scope).find((runner) => runner.id === job.runnerId)?.scope;
    }

    private target(scope: string): { id: number; type: "repository" | "organization" } {
        return scopeKind(scope) === "org" ? { id: accountId(scope), type: "organization" } : { id: this.deps.state.actions.repositoryId(scope), type: "repository" };
    }

    private async announce(job: FakeJob, action: "waiting" | "queued" | "in_progress" | "completed"): Promise<WebhookDelivery[]> {
        const hooks = this.emitter.hooksFor(job.scope, "workflow_job");
        if (hooks.length === 0) return [];
        const owner = job.scope.split("/")[0];
        const ownerIsOrg = this.deps.state.hasScope(owner) && scopeKind(owner) === "org";
        const ctx = this.jsonContext();
        const workflowJob = jobJson(ctx, job);
        const payload: Record<string, unknown> = {
            action,
            workflow_job: workflowJob,
            repository: repositoryJson(ctx, job.scope, ownerIsOrg ? "Organization" : "User", job.createdAtMs),
            sender: simpleUserJson(this.deps.apiUrl(), `${owner}-dev`, "User"),
        };
        if (ownerIsOrg) payload.organization = organizationWebhookJson(this.deps.apiUrl(), owner);
        return this.emitter.emit(hooks, "workflow_job", payload, hooks.map((hook) => this.target(hook.scope)));
    }

    private pingPayload(hook: FakeWebhook): Record<string, unknown> {
        const now = githubTime(this.deps.now());
        const api = scopeKind(hook.scope) === "org" ? `${this.deps.apiUrl()}/orgs/${hook.scope}/hooks/${hook.id}` : `${this.deps.apiUrl()}/repos/${hook.scope}/hooks/${hook.id}`;
        const payload: Record<string, unknown> = {
            zen: "Keep it logically awesome.",
            hook_id: hook.id,
            hook: {
                type: scopeKind(hook.scope) === "org" ? "Organization" : "Repository",
                id: hook.id,
                name: "web",
                active: true,
                events: [...hook.events],
                // GitHub masks the secret in the payload.
                config: { content_type: "json", insecure_ssl: "0", secret: "********", url: hook.url },
                updated_at: now,
                created_at: now,
                url: api,
                ping_url: `${api}/pings`,
                deliveries_url: `${api}/deliveries`,
                last_response: { code: null, status: "unused", message: null },
            },
            sender: simpleUserJson(this.deps.apiUrl(), `${hook.scope.split("/")[0]}-admin`, "User"),
        };
        if (scopeKind(hook.scope) === "org") payload.organization = organizationWebhookJson(this.deps.apiUrl(), hook.scope);
        else payload.repository = repositoryJson(this.jsonContext(), hook.scope, this.deps.state.hasScope(hook.scope.split("/")[0]) ? "Organization" : "User", this.deps.now());
        return payload;
    }

    private jsonContext(): JsonContext {
        return { apiUrl: this.deps.apiUrl(), actions: this.deps.state.actions };
    }
}

/** Why GitHub would not give `job` to `runner`; undefined when it would. */
function whyRunnerCannotTake(runner: FakeRunner, job: FakeJob): string | undefined {
    if (runner.status !== "online") return "it is offline";
    if (runner.busy) return "it is busy";
    const carried = new Set(runner.labels.map((label) => label.toLowerCase()));
    const missing = job.labels.filter((label) => !carried.has(label.toLowerCase()));
    return missing.length > 0 ? `it lacks the label(s) ${missing.join(", ")}` : undefined;
}
