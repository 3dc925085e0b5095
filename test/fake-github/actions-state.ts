/**
 * The fake's GitHub Actions queue: workflow runs and their jobs, per
 * repository (scope `owner/repo`). A job moves waiting → queued → in_progress →
 * completed, as GitHub reports it in `workflow_job` webhooks and the job API
 * (docs.github.com webhooks/webhook-events-and-payloads#workflow_job; REST
 * actions/workflow-jobs). A run's status follows its jobs: queued until a job
 * starts, in_progress while any job is unfinished after that, completed when all
 * are (REST actions/workflow-runs, `status`).
 */
export type FakeJobStatus = "waiting" | "queued" | "in_progress" | "completed";
export type FakeJobConclusion = "success" | "failure" | "cancelled" | "skipped" | "timed_out" | "neutral" | "action_required";

export interface FakeJob {
    id: number;
    runId: number;
    /** `owner/repo`. */
    scope: string;
    name: string;
    /** As the workflow's `runs-on` spells them. */
    labels: string[];
    status: FakeJobStatus;
    conclusion: FakeJobConclusion | null;
    createdAtMs: number;
    startedAtMs: number;
    completedAtMs: number | null;
    runnerId: number | null;
    runnerName: string | null;
    runnerGroupId: number | null;
    runnerGroupName: string | null;
}

export interface FakeRun {
    id: number;
    scope: string;
    workflowName: string;
    workflowId: number;
    runNumber: number;
    event: string;
    headSha: string;
    headBranch: string;
    createdAtMs: number;
    updatedAtMs: number;
    jobIds: number[];
}

export type FakeRunStatus = "waiting" | "queued" | "in_progress" | "completed";

/** Job and run ids are large, as GitHub's are, and never equal to a runner id by accident. */
const FIRST_JOB_ID = 30_000_000_001;
const FIRST_RUN_ID = 9_000_000_001;

export class FakeActionsState {
    private readonly jobs = new Map<number, FakeJob>();
    private readonly runs = new Map<number, FakeRun>();
    private readonly repositoryIds = new Map<string, number>();
    private readonly runNumbers = new Map<string, number>();
    private nextJobId = FIRST_JOB_ID;
    private nextRunId = FIRST_RUN_ID;

    createRun(scope: string, spec: { workflowName: string; event: string; headBranch: string; headSha: string }, nowMs: number): FakeRun {
        const runNumber = (this.runNumbers.get(scope) ?? 0) + 1;
        this.runNumbers.set(scope, runNumber);
        const run: FakeRun = {
            id: this.nextRunId++,
            scope,
            workflowName: spec.workflowName,
            workflowId: 1000 + this.repositoryId(scope),
            runNumber,
            event: spec.event,
            headSha: spec.headSha,
            headBranch: spec.headBranch,
            createdAtMs: nowMs,
            updatedAtMs: nowMs,
            jobIds: [],
        };
        this.runs.set(run.id, run);
        return run;
    }

    addJob(run: FakeRun, spec: { name: string; labels: string[]; status: "waiting" | "queued" }, nowMs: number): FakeJob {
        const job: FakeJob = {
            id: this.nextJobId++,
            runId: run.id,
            scope: run.scope,
            name: spec.name,
            labels: [...spec.labels],
            status: spec.status,
            conclusion: null,
            createdAtMs: nowMs,
            // GitHub fills started_at from the queue time until a runner starts the job.
            startedAtMs: nowMs,
            completedAtMs: null,
            runnerId: null,
            runnerName: null,
            runnerGroupId: null,
            runnerGroupName: null,
        };
        this.jobs.set(job.id, job);
        run.jobIds.push(job.id);
        run.updatedAtMs = nowMs;
        return job;
    }

    job(id: number): FakeJob | undefined {
        return this.jobs.get(id);
    }

    run(id: number): FakeRun | undefined {
        return this.runs.get(id);
    }

    touch(job: FakeJob, nowMs: number): void {
        const run = this.runs.get(job.runId);
        if (run) run.updatedAtMs = nowMs;
    }

    jobsOfRun(runId: number): FakeJob[] {
        const run = this.runs.get(runId);
        return run ? run.jobIds.map((id) => this.jobs.get(id)).filter((job): job is FakeJob => job !== undefined) : [];
    }

    jobsOf(scope?: string): FakeJob[] {
        return [...this.jobs.values()].filter((job) => scope === undefined || job.scope === scope);
    }

    /** Runs of a repository, newest first, as GitHub lists them. */
    runsOf(scope: string): FakeRun[] {
        return [...this.runs.values()].filter((run) => run.scope === scope).sort((a, b) => b.id - a.id);
    }

    runStatus(run: FakeRun): FakeRunStatus {
        const statuses = this.jobsOfRun(run.id).map((job) => job.status);
        if (statuses.length > 0 && statuses.every((s) => s === "completed")) return "completed";
        if (statuses.some((s) => s === "in_progress" || s === "completed")) return "in_progress";
        if (statuses.length > 0 && statuses.every((s) => s === "waiting")) return "waiting";
        return "queued";
    }

    runConclusion(run: FakeRun): FakeJobConclusion | null {
        if (this.runStatus(run) !== "completed") return null;
        const conclusions = this.jobsOfRun(run.id).map((job) => job.conclusion);
        for (const worst of ["failure", "timed_out", "cancelled", "action_required"] as const) if (conclusions.includes(worst)) return worst;
        return "success";
    }

    /** A stable id per repository, as GitHub's repository ids are. */
    repositoryId(scope: string): number {
        let id = this.repositoryIds.get(scope);
        if (id === undefined) {
            id = 700_000 + this.repositoryIds.size + 1;
            this.repositoryIds.set(scope, id);
        }
        return id;
    }
}
