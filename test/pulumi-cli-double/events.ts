/**
 * The engine events of an operation, as `--event-log` carries them
 * (pulumi/pulumi v3.259 pkg/backend/display/display.go startEventLogger,
 * events.go ConvertEngineEvent; sdk/go/common/apitype/events.go EngineEvent):
 * one JSON object per event, sequence numbers from 0, Unix-second timestamps,
 * secrets shown as "[secret]"; a prelude with the config, a pre and an outputs
 * event per step, the diagnostics, the summary, and a closing cancel event.
 * To a file path they are written one per line; to `tcp://host:port` (how the
 * Automation API asks a CLI newer than 3.205 for them) they are streamed over
 * the Events gRPC service (proto/pulumi/events.proto StreamEvents).
 *
 * The harness runs a whole operation before the double reports it, so the
 * events arrive when the operation has ended, not step by step.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import type { EngineEvent, OpType, StepEventMetadata, StepEventStateMetadata } from "@pulumi/pulumi/automation";
import { EventsClient } from "@pulumi/pulumi/proto/events_grpc_pb.js";
import { EventRequest } from "@pulumi/pulumi/proto/events_pb.js";
import { massageSecrets, type EngineOutcome, type EngineStep, type ResourceSnapshot } from "./engine-binding";

/** Step ops that are not "logical" and so not counted in the summary (pkg/resource/deploy/step.go Logical()). */
const NON_LOGICAL_OPS = new Set(["create-replacement", "delete-replaced", "discard", "remove-pending-replace", "skipped-create"]);

/**
 * A refresh step's op as `pulumi refresh` counts and shows it: its result, same, update or delete
 * (pkg/resource/deploy/step.go RefreshStep.ResultOp; pkg/engine/update.go puts it in the step's
 * outputs event, which the display renders, pkg/backend/display/diff.go). Other steps keep theirs.
 */
export function resultOp(step: EngineStep): string {
    if (step.op !== "refresh") return step.op;
    return step.refreshed === "gone" ? "delete" : step.refreshed === "changed" ? "update" : "same";
}

function countedOp(step: EngineStep): string | undefined {
    if (step.internal || NON_LOGICAL_OPS.has(step.op)) return undefined;
    return resultOp(step);
}

export function resourceChanges(steps: readonly EngineStep[]): Record<string, number> {
    const changes: Record<string, number> = {};
    for (const step of steps) {
        const op = countedOp(step);
        if (op !== undefined) changes[op] = (changes[op] ?? 0) + 1;
    }
    return changes;
}

function stateMetadata(snapshot: ResourceSnapshot | undefined): StepEventStateMetadata | undefined {
    if (snapshot === undefined) return undefined;
    return {
        type: snapshot.type,
        urn: snapshot.urn,
        ...(snapshot.custom ? { custom: true } : {}),
        id: snapshot.id,
        parent: snapshot.parent,
        inputs: massageSecrets(snapshot.inputs, false) as Record<string, unknown>,
        outputs: massageSecrets(snapshot.outputs, false) as Record<string, unknown>,
        provider: snapshot.provider,
    };
}

function stepMetadata(step: EngineStep): StepEventMetadata {
    const old = step.op === "create" || step.op === "create-replacement" ? undefined : step.old;
    const created = step.op === "delete" || step.op === "delete-replaced" || step.op === "discard" ? undefined : step.new;
    // apitype.StepEventMetadata: old and new are JSON null when absent.
    return {
        op: step.op as OpType,
        urn: step.urn,
        type: step.type,
        old: stateMetadata(old) ?? (null as unknown as undefined),
        new: stateMetadata(created) ?? (null as unknown as undefined),
        ...(step.replaceKeys !== undefined && step.replaceKeys.length > 0 ? { keys: step.replaceKeys } : {}),
        ...(step.changedKeys !== undefined && step.changedKeys.length > 0 ? { diffs: step.changedKeys } : {}),
        detailedDiff: null as unknown as undefined,
        ...(NON_LOGICAL_OPS.has(step.op) ? {} : { logical: true }),
        provider: step.new?.provider ?? step.old?.provider ?? "",
    };
}

export function engineEvents(
    outcome: EngineOutcome,
    options: { preview: boolean; config: Record<string, string>; secretKeys: readonly string[]; durationSeconds: number; cancelled?: boolean },
): EngineEvent[] {
    const now = Math.floor(Date.now() / 1000);
    const bodies: Omit<EngineEvent, "sequence" | "timestamp">[] = [];
    const secret = new Set(options.secretKeys);
    // The engine's prelude shows secret config as "[secret]" (pkg/engine/events.go preludeEvent).
    bodies.push({ preludeEvent: { config: Object.fromEntries(Object.entries(options.config).map(([key, value]) => [key, secret.has(key) ? "[secret]" : value])) } });
    for (const step of outcome.steps) {
        if (step.internal) continue;
        const metadata = stepMetadata(step);
        bodies.push({ resourcePreEvent: { metadata, ...(options.preview ? { planning: true } : {}) } });
        bodies.push({ resOutputsEvent: { metadata, ...(options.preview ? { planning: true } : {}) } });
    }
    for (const diagnostic of outcome.diagnostics) {
        const prefix = diagnostic.severity === "info" ? undefined : `${diagnostic.severity}: `;
        bodies.push({
            diagnosticEvent: {
                ...(diagnostic.urn !== "" ? { urn: diagnostic.urn } : {}),
                ...(prefix !== undefined ? { prefix } : {}),
                message: diagnostic.message.endsWith("\n") ? diagnostic.message : `${diagnostic.message}\n`,
                color: "never",
                severity: diagnostic.severity,
            },
        });
    }
    if (outcome.error !== undefined && !outcome.diagnostics.some((diagnostic) => diagnostic.severity === "error")) {
        bodies.push({ diagnosticEvent: { prefix: "error: ", message: `${outcome.error}\n`, color: "never", severity: "error" } });
    }
    bodies.push({
        summaryEvent: {
            maybeCorrupt: false,
            durationSeconds: options.durationSeconds,
            resourceChanges: resourceChanges(outcome.steps),
            policyPacks: {},
            // apitype.OperationResultFromError: a cancelled operation is "canceled".
            ...{ isPreview: options.preview, result: options.cancelled === true ? "canceled" : outcome.error === undefined ? "succeeded" : "failed" },
        },
    });
    bodies.push({ cancelEvent: {} });
    return bodies.map((body, sequence) => ({ sequence, timestamp: now, ...body }) as EngineEvent);
}

/** apitype.SummaryEvent names its policy packs field `PolicyPacks` (a JSON tag kept for compatibility). */
function toJson(event: EngineEvent): string {
    if (event.summaryEvent === undefined) return JSON.stringify(event);
    const { policyPacks, ...rest } = event.summaryEvent;
    return JSON.stringify({ ...event, summaryEvent: { ...rest, PolicyPacks: policyPacks } });
}

export async function writeEventLog(target: string, events: readonly EngineEvent[]): Promise<void> {
    if (!target.startsWith("tcp://")) {
        writeFileSync(target, "");
        for (const event of events) appendFileSync(target, `${toJson(event)}\n`);
        return;
    }
    const client = new EventsClient(target.slice("tcp://".length), grpc.credentials.createInsecure());
    try {
        await new Promise<void>((resolve, reject) => {
            const stream = client.streamEvents((error) => (error ? reject(error) : resolve()));
            for (const event of events) stream.write(new EventRequest().setEvent(`${toJson(event)}\n`));
            stream.end();
        });
    } finally {
        client.close();
    }
}
