/**
 * The parts of a `workflow_job` delivery the demand sources use, checked at
 * runtime: a signed delivery comes from GitHub, but a payload we cannot read
 * must be refused with a clear reason rather than half applied. Field names and
 * types follow GitHub's webhook description (@octokit/openapi-webhooks,
 * components.schemas.webhook-workflow-job-{queued,waiting,in-progress,completed}).
 */
import { z } from "zod";
import type { JobObservation, JobStatus } from "./job-table";

const timestamp = z.string().nullable().optional();

const workflowJobPayloadSchema = z.object({
    action: z.string(),
    workflow_job: z.object({
        id: z.number().int().nonnegative(),
        labels: z.array(z.string()),
        created_at: z.string().optional(),
        started_at: timestamp,
        completed_at: timestamp,
        runner_name: z.string().nullable().optional(),
    }),
});

/** Actions that move a job (GitHub also sends `waiting` for jobs held by an environment's protection rules). */
const ACTIONS = new Set<string>(["waiting", "queued", "in_progress", "completed"]);

export type WorkflowJobReading =
    | { kind: "job"; observation: JobObservation }
    | { kind: "ignored"; reason: string }
    | { kind: "malformed"; reason: string };

export function readWorkflowJobPayload(payload: unknown, receivedAtMs: number): WorkflowJobReading {
    const parsed = workflowJobPayloadSchema.safeParse(payload);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return { kind: "malformed", reason: `workflow_job payload: ${issue.path.join(".") || "(root)"}: ${issue.message}` };
    }
    const { action, workflow_job: job } = parsed.data;
    if (!ACTIONS.has(action)) return { kind: "ignored", reason: `workflow_job action "${action}" does not move a job` };
    const status = action as JobStatus;
    const time = status === "in_progress" ? job.started_at : status === "completed" ? job.completed_at : (job.created_at ?? job.started_at);
    const at = time ? new Date(time) : new Date(receivedAtMs);
    const observation: JobObservation = { jobId: job.id, status, labels: job.labels, at: Number.isNaN(at.getTime()) ? new Date(receivedAtMs) : at };
    if (job.runner_name) observation.runnerName = job.runner_name;
    return { kind: "job", observation };
}
