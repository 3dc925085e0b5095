/**
 * What went wrong with an `up`, in one line a person can act on, and whether
 * it was the stack lock (wait and try again, never break it) or a failure
 * (retry with backoff).
 */
import { ConcurrentUpdateError } from "@pulumi/pulumi/automation";
import type { Redactor } from "./redact";

export type UpFailureKind = "locked" | "failed";

export interface UpFailure {
    kind: UpFailureKind;
    /** The first useful line of the error, redacted. */
    reason: string;
}


interface CommandOutput {
    stdout: string;
    stderr: string;
    code: number;
}

/** The CLI output an Automation API CommandError carries (its commandResult is internal to the SDK). */
function commandOutputOf(error: unknown): CommandOutput | undefined {
    if (typeof error !== "object" || error === null || !("commandResult" in error)) return undefined;
    const result = (error as { commandResult: unknown }).commandResult;
    if (typeof result !== "object" || result === null) return undefined;
    const { stdout, stderr, code } = result as Record<string, unknown>;
    return { stdout: typeof stdout === "string" ? stdout : "", stderr: typeof stderr === "string" ? stderr : "", code: typeof code === "number" ? code : -1 };
}

/**
 * Another update holds the stack: the Automation API says so with
 * ConcurrentUpdateError, which it raises for the Pulumi Cloud backend's "[409]
 * Conflict: Another update is currently in progress." and for the diy backend's
 * "the stack is currently locked by N lock(s)..." (@pulumi/pulumi 3.276.0
 * automation/errors.js createCommandError; the diy text from pulumi/pulumi
 * pkg/backend/diy/lock.go checkForLock).
 */
export function isLockConflict(error: unknown): boolean {
    return error instanceof ConcurrentUpdateError;
}

/** Lines that say an operation failed without saying why; a more specific line is preferred. */
const GENERIC = [
    /^error: update failed$/i,
    /^error: preview failed$/i,
    /^error: an error occurred/i,
    /^error: one or more errors occurred/i,
    // The language host's wrapper line; the cause follows on the next lines (sdk/nodejs/cmd/run).
    /^error: Running program .* failed with an unhandled exception:$/,
];

function candidateLines(text: string): string[] {
    return text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== "");
}

/**
 * The first line that names a cause: the CLI prints its own errors as
 * "error: ..." on stderr (pkg/cmd/pulumi/main.go DisplayErrorMessage), and the
 * engine's diagnostics of a failed step or program as "error: ..." lines in the
 * Diagnostics section on stdout (a failed update bails after reporting them:
 * pkg/resource/deploy/deployment_executor.go). Falls back to the first line.
 */
export function firstUsefulLine(stderr: string, stdout: string): string {
    const errorLines = [stderr, stdout].map((text) => candidateLines(text).filter((line) => line.startsWith("error:")));
    const isGeneric = (line: string) => GENERIC.some((pattern) => pattern.test(line));
    for (const lines of errorLines) {
        const specific = lines.find((line) => !isGeneric(line));
        if (specific !== undefined) return specific;
    }
    return (
        errorLines.flat()[0] ??
        candidateLines(stderr)[0] ??
        candidateLines(stdout).find((line) => /error|failed/i.test(line)) ??
        "the update failed without a message"
    );
}

const MAX_REASON_LENGTH = 500;

export function describeUpFailure(error: unknown, redactor: Redactor): UpFailure {
    const kind: UpFailureKind = isLockConflict(error) ? "locked" : "failed";
    const output = commandOutputOf(error);
    let line: string;
    if (output !== undefined) {
        line = firstUsefulLine(output.stderr, output.stdout);
    } else {
        line = candidateLines(error instanceof Error ? error.message : String(error))[0] ?? "unknown error";
    }
    const reason = redactor.redact(line);
    return { kind, reason: reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}…` : reason };
}
