/**
 * Carries out a sweep plan (sweep-plan.ts) with the project's clients. Each
 * server delete looks at its runner once more first: a runner that became
 * busy since the listing keeps its VM, and one that (re)appeared idle is
 * deregistered first; GitHub refuses to remove a busy runner (422), which
 * leaves both alone. A failed step is reported and the others still run.
 */
import { GithubRunnerBusyError } from "../../components/github/errors";
import { parseGithubPath, type GithubPath } from "../../components/github/paths";
import { findRunnerByName, removeRunner } from "../../components/github/runners";
import type { Connections } from "./gather";
import type { SweepStep } from "./sweep-plan";

export type SweepResult = "done" | "already-gone" | "left" | "failed";

export interface SweepOutcome {
    step: SweepStep;
    result: SweepResult;
    detail: string;
}

function pathOf(text: string): GithubPath {
    const path = parseGithubPath(text);
    if (path === undefined) throw new Error(`"${text}" is not a GitHub path ("org", "owner/repo" or "enterprise:slug")`);
    return path;
}

function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

async function deregister(step: Extract<SweepStep, { kind: "deregister" }>, connections: Connections, apiUrl: string): Promise<SweepOutcome> {
    try {
        const outcome = await removeRunner(connections.github, apiUrl, pathOf(step.path), { id: step.runnerId, name: step.runner });
        return outcome === "removed"
            ? { step, result: "done", detail: `deregistered runner ${step.runner} (id ${step.runnerId}) from ${step.path}` }
            : { step, result: "already-gone", detail: `runner ${step.runner} was already gone from ${step.path}` };
    } catch (error) {
        if (error instanceof GithubRunnerBusyError) return { step, result: "left", detail: `runner ${step.runner} took a job meanwhile (GitHub answered 422 busy): left alone` };
        return { step, result: "failed", detail: messageOf(error) };
    }
}

async function deleteServer(step: Extract<SweepStep, { kind: "delete-server" }>, connections: Connections, apiUrl: string): Promise<SweepOutcome> {
    try {
        const path = pathOf(step.runnerPath);
        const runner = await findRunnerByName(connections.github, apiUrl, path, step.runner);
        if (runner?.busy === true) return { step, result: "left", detail: `server ${step.serverId} (${step.server}) left alone: its runner ${step.runner} is busy now` };
        if (runner !== undefined) {
            try {
                await removeRunner(connections.github, apiUrl, path, { id: runner.id, name: runner.name });
            } catch (error) {
                if (error instanceof GithubRunnerBusyError) {
                    return { step, result: "left", detail: `server ${step.serverId} (${step.server}) left alone: its runner ${step.runner} took a job (GitHub answered 422 busy)` };
                }
                throw error;
            }
        }
        const outcome = await connections.openstack.deleteServer(step.serverId);
        return outcome === "deleted"
            ? { step, result: "done", detail: `deleted server ${step.serverId} (${step.server})${runner !== undefined ? ` after deregistering its runner ${step.runner}` : ""}` }
            : { step, result: "already-gone", detail: `server ${step.serverId} (${step.server}) was already gone` };
    } catch (error) {
        return { step, result: "failed", detail: `server ${step.serverId} (${step.server}): ${messageOf(error)}` };
    }
}

export async function executeSweep(steps: readonly SweepStep[], connections: Connections, apiUrl: string): Promise<SweepOutcome[]> {
    const outcomes: SweepOutcome[] = [];
    for (const step of steps) {
        switch (step.kind) {
            case "deregister":
                outcomes.push(await deregister(step, connections, apiUrl));
                break;
            case "delete-server":
                outcomes.push(await deleteServer(step, connections, apiUrl));
                break;
            case "leave":
                outcomes.push({ step, result: "left", detail: `${step.target} ${step.name} left alone: ${step.reason}` });
                break;
            default: {
                const unreachable: never = step;
                throw new Error(`unknown sweep step ${JSON.stringify(unreachable)}`);
            }
        }
    }
    return outcomes;
}
