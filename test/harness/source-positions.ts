/**
 * Source positions as the engine stores them in the checkpoint (pulumi/pulumi v3.259
 * pkg/resource/deploy/source_eval.go parseSourcePosition): the SDK sends `file://` URIs with
 * absolute paths; the engine keeps `project:///<path relative to the project root>#<line>[,<column>]`,
 * and nothing when the position is not a valid absolute file URI.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SourcePosition, StackTrace } from "@pulumi/pulumi/proto/source_pb.js";

export function sourcePositionOf(position: SourcePosition | undefined, projectRoot: string): string {
    if (position === undefined || position.getLine() < 0 || position.getColumn() < 0) return "";
    let file: string;
    try {
        if (!position.getUri().startsWith("file:")) return "";
        file = fileURLToPath(position.getUri());
    } catch {
        return "";
    }
    if (!path.isAbsolute(file)) return "";
    const relative = path.relative(path.resolve(projectRoot), file).split(path.sep).join("/");
    const column = position.getColumn() !== 0 ? `,${position.getColumn()}` : "";
    return `project:///${relative}#${position.getLine()}${column}`;
}

export function stackTraceOf(trace: StackTrace | undefined, projectRoot: string): string[] {
    return (trace?.getFramesList() ?? []).map((frame) => sourcePositionOf(frame.getPc(), projectRoot));
}
