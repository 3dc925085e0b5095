/**
 * What an operation prints on stdout without a terminal, abridged: the diy
 * backend's banner "<Action> (<stack>):" (pkg/backend/diy/backend.go apply,
 * pkg/backend/apply.go ActionLabel), one line per changed resource, the
 * Diagnostics section (a failed update reports its errors here and exits 1
 * without a message on stderr: the engine bails after reporting them,
 * pkg/resource/deploy/deployment_executor.go), and the Resources summary
 * (pkg/backend/display/diff.go renderSummaryEvent) and Duration.
 */
import type { EngineOutcome } from "./engine-binding";
import { resourceChanges, resultOp } from "./events";

/** pkg/backend/apply.go ActionLabel. */
export function actionLabel(operation: "preview" | "up" | "refresh" | "destroy", dryRun: boolean): string {
    const base = { preview: "Previewing update", up: dryRun ? "Previewing update" : "Updating", refresh: dryRun ? "Previewing refresh" : "Refreshing", destroy: dryRun ? "Previewing destroy" : "Destroying" };
    return base[operation];
}

/** deploy.Prefix with done=true, and PastTense (pkg/resource/deploy/step.go). */
const OP_SHOWN: Record<string, { prefix: string; past: string }> = {
    create: { prefix: "+ ", past: "created" },
    update: { prefix: "~ ", past: "updated" },
    delete: { prefix: "- ", past: "deleted" },
    replace: { prefix: "+-", past: "replaced" },
    "create-replacement": { prefix: "++", past: "created replacement" },
    "delete-replaced": { prefix: "--", past: "deleted original" },
    read: { prefix: "> ", past: "read" },
    refresh: { prefix: "~ ", past: "refreshed" },
    import: { prefix: "= ", past: "imported" },
};

function nameOf(urn: string): string {
    return urn.split("::").pop() ?? urn;
}

export function renderOperation(project: string, stack: string, operation: "preview" | "up" | "refresh" | "destroy", dryRun: boolean, outcome: EngineOutcome, durationSeconds: number): string {
    const lines = [`${actionLabel(operation, dryRun)} (${stack}):`];
    for (const step of outcome.steps) {
        const op = resultOp(step);
        if (step.internal || op === "same") continue;
        const shown = OP_SHOWN[op];
        lines.push(`    ${shown?.prefix ?? "  "} ${step.type} ${nameOf(step.urn)} ${dryRun ? op : (shown?.past ?? op)}`);
    }
    const errors = outcome.diagnostics.filter((diagnostic) => diagnostic.severity !== "info");
    const stepError = outcome.error !== undefined && !outcome.diagnostics.some((diagnostic) => diagnostic.severity === "error") ? [{ severity: "error" as const, urn: "", message: outcome.error }] : [];
    const diagnostics = [...errors, ...stepError];
    if (diagnostics.length > 0) {
        lines.push("", "Diagnostics:");
        for (const diagnostic of diagnostics) {
            const where = diagnostic.urn === "" ? `pulumi:pulumi:Stack (${project}-${stack}):` : `${(diagnostic.urn.split("::")[2] ?? "").split("$").pop() ?? ""} (${nameOf(diagnostic.urn)}):`;
            lines.push(`  ${where}`);
            for (const [index, text] of diagnostic.message.trimEnd().split("\n").entries()) lines.push(`    ${index === 0 ? `${diagnostic.severity}: ` : ""}${text}`);
            lines.push("");
        }
    }
    const changes = resourceChanges(outcome.steps);
    lines.push("", "Resources:");
    let kinds = 0;
    let total = 0;
    for (const [op, count] of Object.entries(changes)) {
        if (op === "same" || op === "read") continue;
        kinds += 1;
        total += count;
        lines.push(`    ${OP_SHOWN[op]?.prefix ?? "  "}${count} ${dryRun ? `to ${op}` : (OP_SHOWN[op]?.past ?? op)}`);
    }
    const pieces = [...(kinds >= 2 ? [`${total} ${total === 1 ? "change" : "changes"}`] : []), ...((changes["same"] ?? 0) > 0 ? [`${changes["same"]} unchanged`] : [])];
    if (pieces.length > 0) lines.push(`    ${pieces.join(". ")}`);
    lines.push("", `Duration: ${durationSeconds}s`, "");
    return lines.join("\n");
}
