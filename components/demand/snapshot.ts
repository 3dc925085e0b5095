/**
 * The demand file: what the reconciler knows of GitHub's job queue when it
 * starts an `up`, written by the reconciler and read by the program (env
 * RUNNER_DEMAND_FILE). One zod schema is its single description; parsing gives
 * one error listing every problem, with where it is and what is expected.
 */
import { z } from "zod";
import { formatKeyPath, showValue } from "../config/errors";
import { canonicalLabels, isCanonicalLabels, labelSetKey } from "./labels";

export interface QueuedJobGroup {
    /** Lowercased, sorted, unique. */
    labels: string[];
    count: number;
}

export interface DemandSnapshot {
    version: 1;
    /** ISO 8601. */
    observedAt: string;
    queued: QueuedJobGroup[];
}

const objectOf = (what: string) => ({ error: (issue: { code: string }) => (issue.code === "invalid_type" ? `expected ${what}` : undefined) });

const queuedJobGroupSchema = z.strictObject({
    labels: z
        .array(z.string({ error: "expected a label (a string)" }).min(1, "expected a label, not an empty string"), {
            error: "expected a list of labels",
        })
        .refine(isCanonicalLabels, "expected labels lowercased, sorted and without duplicates"),
    count: z.int({ error: "expected a whole number of queued jobs" }).positive("expected at least 1 queued job (leave the group out instead)"),
}, objectOf("a queued job group: an object with labels and count"));

export const demandSnapshotSchema = z
    .strictObject({
        version: z.literal(1, { error: "expected version 1 (the only demand file version)" }),
        observedAt: z.iso.datetime({ offset: true, error: "expected an ISO 8601 date and time with a time zone, e.g. 2025-01-31T12:00:00Z" }),
        queued: z.array(queuedJobGroupSchema, { error: "expected a list of queued job groups" }),
    }, objectOf("a JSON object with version, observedAt and queued"))
    .superRefine((snapshot, ctx) => {
        const seen = new Map<string, number>();
        snapshot.queued.forEach((group, index) => {
            const key = labelSetKey(group.labels);
            const first = seen.get(key);
            if (first !== undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["queued", index, "labels"],
                    message: `expected each label set once; queued[${first}] has the same labels (add the counts together)`,
                });
            } else {
                seen.set(key, index);
            }
        });
    });

export class DemandFileError extends Error {
    constructor(
        readonly source: string,
        readonly problems: readonly string[],
    ) {
        super(`Invalid demand file ${source} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "DemandFileError";
    }
}

/**
 * Parses a demand file's text. `source` names it in errors (its path, or the
 * environment variable it came from).
 */
export function parseDemandSnapshot(text: string, source = "(RUNNER_DEMAND_FILE)"): DemandSnapshot {
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new DemandFileError(source, [`the file is not JSON (${reason}); expected the JSON object the reconciler writes`]);
    }
    const result = demandSnapshotSchema.safeParse(raw);
    if (result.success) return result.data;
    const problems = result.error.issues.flatMap((issue) => {
        if (issue.code === "unrecognized_keys") {
            return issue.keys.map((key) => `${where([...issue.path, key])}: got ${showValue(valueAt(raw, [...issue.path, key]), false)}; expected no such key`);
        }
        return [`${where(issue.path)}: got ${showValue(valueAt(raw, issue.path), false)}; ${issue.message}`];
    });
    throw new DemandFileError(source, problems);
}

/** The file's text: stable (groups ordered by label set), pretty-printed, newline-terminated. */
export function serializeDemandSnapshot(snapshot: DemandSnapshot): string {
    const checked = demandSnapshotSchema.safeParse(snapshot);
    if (!checked.success) {
        const problems = checked.error.issues.map((issue) => `${where(issue.path)}: ${issue.message}`);
        throw new DemandFileError("(about to be written)", problems);
    }
    const queued = [...snapshot.queued]
        .map((group) => ({ labels: canonicalLabels(group.labels), count: group.count }))
        .sort((a, b) => (labelSetKey(a.labels) < labelSetKey(b.labels) ? -1 : labelSetKey(a.labels) > labelSetKey(b.labels) ? 1 : 0));
    return `${JSON.stringify({ version: snapshot.version, observedAt: snapshot.observedAt, queued }, null, 2)}\n`;
}

function where(path: readonly PropertyKey[]): string {
    return path.length === 0 ? "the file" : formatKeyPath(path);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    let current = root;
    for (const part of path) {
        if (current === null || typeof current !== "object") return undefined;
        current = (current as Record<PropertyKey, unknown>)[part];
    }
    return current;
}
