/**
 * What the orphan sweep does with the orphans a status report lists, decided
 * without I/O: idle or offline orphan runners are deregistered; an orphan
 * server is deleted when its runner is gone, or is an idle orphan itself
 * (deregistered first, so GitHub's refusal to remove a busy runner guards the
 * VM too). Never a busy runner or its server; never a runner a slot owns, nor
 * the server that names one (the next `pulumi up` or a person decides there).
 * Runners and servers a slot owns are not orphans, so the sweep never sees them.
 */
import type { OrphanRunnerReport, OrphanServerReport, StatusReport } from "./report";

export type SweepStep =
    | { kind: "deregister"; path: string; runnerId: number; runner: string; reason: string }
    | { kind: "delete-server"; serverId: string; server: string; runner: string; runnerPath: string; reason: string }
    | { kind: "leave"; target: "runner" | "server"; id: string; name: string; reason: string };

function runnerStep(orphan: OrphanRunnerReport): SweepStep {
    if (orphan.github === "busy") {
        return { kind: "leave", target: "runner", id: String(orphan.id), name: orphan.name, reason: "busy running a job; run the sweep again once it is done" };
    }
    const why =
        orphan.github === "offline"
            ? "an offline runner no slot owns (e.g. registered by an up that stopped before it saved its state)"
            : "an idle runner no slot owns";
    return { kind: "deregister", path: orphan.path, runnerId: orphan.id, runner: orphan.name, reason: why };
}

function serverStep(orphan: OrphanServerReport, runnerPath: string): SweepStep {
    const leave = (reason: string): SweepStep => ({ kind: "leave", target: "server", id: orphan.id, name: orphan.name, reason });
    if (orphan.runnerOwner !== null) {
        return leave(
            `its runner ${orphan.runner} belongs to slot ${orphan.runnerOwner}, which the sweep never touches; ` +
                "run `pulumi up` (and `pulumi refresh` if the slot's own VM is missing), then delete this server by hand once its runner is not busy",
        );
    }
    if (orphan.runnerGithub === "busy") return leave(`its runner ${orphan.runner} is busy running a job; run the sweep again once it is done`);
    const why =
        orphan.runnerGithub === "absent"
            ? `its runner ${orphan.runner} is gone from GitHub`
            : `its runner ${orphan.runner} is an ${orphan.runnerGithub === "idle" ? "idle" : "offline"} orphan, deregistered first`;
    return { kind: "delete-server", serverId: orphan.id, server: orphan.name, runner: orphan.runner, runnerPath, reason: why };
}

/** Deregistrations first, then server deletes, then what is left alone. */
export function planSweep(report: StatusReport): SweepStep[] {
    // The scope a server's runner is checked in again just before the delete: where it was listed, else the config's.
    const pathOfRunner = new Map(report.orphans.runners.map((runner) => [runner.name, runner.path]));
    const steps = [
        ...report.orphans.runners.map(runnerStep),
        ...report.orphans.servers.map((server) => serverStep(server, pathOfRunner.get(server.runner) ?? report.github.path)),
    ];
    const order: Record<SweepStep["kind"], number> = { deregister: 0, "delete-server": 1, leave: 2 };
    return steps.sort((a, b) => order[a.kind] - order[b.kind]);
}
