/**
 * A test-only record of every run of the double, so a test can assert what
 * its subject asked of Pulumi (e.g. that `cancel` never ran, how many `up`s
 * there were and what each saw): when PULUMI_CLI_DOUBLE_LOG names a file, one
 * JSON line per invocation is appended when it ends. Files named by the
 * variables listed in PULUMI_CLI_DOUBLE_CAPTURE (comma-separated) are read when
 * the invocation starts and their text recorded (e.g. RUNNER_DEMAND_FILE).
 * The real CLI has no such feature; nothing else of the double depends on it.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";

export const INVOCATION_LOG_VARIABLE = "PULUMI_CLI_DOUBLE_LOG";
export const CAPTURE_VARIABLE = "PULUMI_CLI_DOUBLE_CAPTURE";

export interface Invocation {
    pid: number;
    argv: string[];
    cwd: string;
    startedAt: string;
    endedAt: string;
    exitCode: number;
    /** Variable name -> the text of the file it named at the start (null: no such file). */
    captured: Record<string, string | null>;
}

export function startInvocation(argv: readonly string[], env: NodeJS.ProcessEnv): (exitCode: number) => void {
    const log = env[INVOCATION_LOG_VARIABLE];
    if (log === undefined || log === "") return () => {};
    const startedAt = new Date().toISOString();
    const captured: Record<string, string | null> = {};
    for (const name of (env[CAPTURE_VARIABLE] ?? "").split(",").map((item) => item.trim()).filter((item) => item !== "")) {
        const file = env[name];
        captured[name] = file !== undefined && existsSync(file) ? readFileSync(file, "utf8") : null;
    }
    return (exitCode) => {
        const invocation: Invocation = { pid: process.pid, argv: [...argv], cwd: process.cwd(), startedAt, endedAt: new Date().toISOString(), exitCode, captured };
        appendFileSync(log, `${JSON.stringify(invocation)}\n`);
    };
}

export function readInvocations(log: string): Invocation[] {
    if (!existsSync(log)) return [];
    return readFileSync(log, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Invocation);
}
