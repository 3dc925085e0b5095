/**
 * The status report and the sweep as text for people. (`--json` prints the
 * report object itself: report.ts, shape documented in README.md here.)
 */
import type { PoolReport, StatusReport } from "./report";
import type { SweepOutcome } from "./sweep";
import type { SweepStep } from "./sweep-plan";

export function formatAge(seconds: number | null): string {
    if (seconds === null) return "-";
    if (seconds < 60) return `${seconds}s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `${minutes}m`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return `${hours}h${String(minutes % 60).padStart(2, "0")}m`;
    return `${Math.floor(hours / 24)}d${hours % 24}h`;
}

function table(rows: string[][], indent = "  "): string[] {
    const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
    return rows.map((row) => `${indent}${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join("  ")}`.trimEnd());
}

function poolLines(pool: PoolReport): string[] {
    const current = pool.slots.filter((slot) => slot.slot !== null).length;
    const head = pool.configured
        ? `Pool ${pool.name} (${pool.sizing}): the next up wants ${pool.desired}, the stack has ${current} slot${current === 1 ? "" : "s"}`
        : `Pool ${pool.name} (no longer in the stack config): ${current} slot${current === 1 ? "" : "s"} left`;
    const rows = [["SLOT", "RUNNER", "GITHUB", "NOVA", "IMAGE", "AGE", "NEXT UP"]];
    const notes: string[] = [];
    for (const slot of pool.slots) {
        const next = `${slot.next.action}: ${slot.next.reason}${slot.next.deferred.length > 0 ? ` (deferred: ${slot.next.deferred.join(", ")})` : ""}`;
        rows.push([
            String(slot.index),
            slot.runner?.name ?? "-",
            slot.runner?.github ?? "-",
            slot.slot === null ? "-" : slot.vm.nova,
            slot.image === null ? "-" : (slot.image.name ?? slot.image.id),
            formatAge(slot.ageSeconds),
            next,
        ]);
        for (const note of slot.notes) notes.push(`    slot ${slot.index}: ${note}`);
    }
    return [head, ...table(rows), ...notes];
}

function summaryLine(report: StatusReport): string {
    const { summary } = report;
    const counted = (counts: Record<string, number | undefined>) =>
        Object.entries(counts)
            .filter(([, count]) => (count ?? 0) > 0)
            .map(([state, count]) => `${count} ${state}`)
            .join(", ") || "none";
    return (
        `Summary: ${summary.pools} pool${summary.pools === 1 ? "" : "s"}, ${summary.slots} slot${summary.slots === 1 ? "" : "s"}; ` +
        `runners: ${counted(summary.runners)}; VMs: ${counted(summary.vms)}; next up: ${counted(summary.next)}; ` +
        `orphans: ${summary.orphanRunners} runner${summary.orphanRunners === 1 ? "" : "s"}, ${summary.orphanServers} server${summary.orphanServers === 1 ? "" : "s"}`
    );
}

export function renderReport(report: StatusReport): string {
    const lines = [
        `Stack ${report.stack} (${report.project}), GitHub ${report.github.path}, at ${report.generatedAt}; bootstrap timeout ${report.bootstrapTimeoutMinutes} min`,
        "",
    ];
    for (const pool of report.pools) lines.push(...poolLines(pool), "");
    if (report.pools.length === 0) lines.push("No pools: the stack config declares none and the state holds no slots.", "");
    if (report.pendingOperations.length > 0) {
        lines.push("Interrupted operations (the last update stopped in the middle; see `pulumi refresh` and `pulumi cancel`):");
        for (const operation of report.pendingOperations) lines.push(`  ${operation.type} ${operation.name} (${operation.resourceType})`);
        lines.push("");
    }
    if (report.pendingDeletes.length > 0) {
        lines.push("Replaced resources still waiting for their delete (the next up deletes them):");
        for (const pending of report.pendingDeletes) {
            const what = pending.kind === "registration" ? `runner ${pending.runner ?? "?"} (GitHub: ${pending.github ?? "?"})` : `server ${pending.serverId ?? "?"} (Nova: ${pending.nova ?? "?"})`;
            lines.push(`  ${pending.slot}: ${what}`);
        }
        lines.push("");
    }
    lines.push(`Orphan runners on GitHub (this stack's names, no slot owns them): ${report.orphans.runners.length === 0 ? "none" : ""}`.trimEnd());
    if (report.orphans.runners.length > 0) {
        lines.push(
            ...table([
                ["RUNNER", "ID", "GITHUB", "POOL", "SERVERS"],
                ...report.orphans.runners.map((runner) => [runner.name, String(runner.id), runner.github, runner.pool, runner.serverIds.join(", ") || "-"]),
            ]),
        );
    }
    lines.push(`Orphan servers in Nova (this stack's metadata, no slot owns them): ${report.orphans.servers.length === 0 ? "none" : ""}`.trimEnd());
    if (report.orphans.servers.length > 0) {
        lines.push(
            ...table([
                ["SERVER", "NAME", "NOVA", "AGE", "RUNNER", "ITS GITHUB"],
                ...report.orphans.servers.map((server) => [
                    server.id,
                    server.name,
                    server.nova,
                    formatAge(server.ageSeconds),
                    server.runner,
                    server.runnerOwner !== null ? `${server.runnerGithub} (owned by ${server.runnerOwner})` : server.runnerGithub,
                ]),
            ]),
        );
    }
    lines.push("", summaryLine(report));
    return `${lines.join("\n")}\n`;
}

function stepLine(step: SweepStep): string {
    switch (step.kind) {
        case "deregister":
            return `deregister runner ${step.runner} (id ${step.runnerId}) from ${step.path}: ${step.reason}`;
        case "delete-server":
            return `delete server ${step.serverId} (${step.server}): ${step.reason}`;
        case "leave":
            return `leave ${step.target} ${step.name}${step.target === "server" ? ` (${step.id})` : ""} alone: ${step.reason}`;
        default: {
            const unreachable: never = step;
            return String(unreachable);
        }
    }
}

export function renderSweepPlan(steps: readonly SweepStep[]): string {
    if (steps.length === 0) return "Sweep: no orphans, nothing to do.\n";
    return `Sweep (dry run: nothing was changed; run again with --yes to act):\n${steps.map((step) => `  would ${stepLine(step)}`).join("\n")}\n`;
}

export function renderSweepOutcomes(outcomes: readonly SweepOutcome[]): string {
    if (outcomes.length === 0) return "Sweep: no orphans, nothing to do.\n";
    const label: Record<SweepOutcome["result"], string> = { done: "done", "already-gone": "already gone", left: "left", failed: "FAILED" };
    return `Sweep:\n${outcomes.map((outcome) => `  ${label[outcome.result]}: ${outcome.detail}`).join("\n")}\n`;
}
