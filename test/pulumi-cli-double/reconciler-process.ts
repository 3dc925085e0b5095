/**
 * For tests: the reconciler (`scripts/reconcile/main.ts`) as a child process,
 * as `npm run reconcile` starts it, with its JSON log lines parsed as they come
 * (a line that is not a JSON object with time, level and msg is kept apart, for
 * the test to fail on) and ways to wait for a line. `stop` sends SIGTERM and
 * waits. The reconciler runs in a process group of its own, so that a forced
 * stop (and the end of the test process) also kills what it started: a `pulumi`
 * run, the program and its provider host.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import path from "node:path";
import type { Readable } from "node:stream";
import { REPO_DIR } from "./test-world";

export interface LogLine {
    time: string;
    level: "debug" | "info" | "warn" | "error";
    msg: string;
    [field: string]: unknown;
}

export class ReconcilerProcess {
    readonly lines: LogLine[] = [];
    /** Output lines that are not one JSON log object each. */
    readonly malformed: string[] = [];
    stderr = "";
    private readonly waiters = new Set<() => void>();
    private exited: Promise<number | null>;
    private exitCode: number | null | undefined;

    private constructor(private readonly child: ChildProcessByStdio<null, Readable, Readable>) {
        let pending = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
            pending += chunk;
            let newline: number;
            while ((newline = pending.indexOf("\n")) >= 0) {
                this.take(pending.slice(0, newline));
                pending = pending.slice(newline + 1);
            }
        });
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
        const killOnExit = () => this.killGroup();
        process.once("exit", killOnExit);
        this.exited = new Promise((resolve) =>
            child.once("exit", (code) => {
                process.removeListener("exit", killOnExit);
                this.exitCode = code;
                for (const wake of [...this.waiters]) wake();
                resolve(code);
            }),
        );
    }

    static start(args: string[], env: Record<string, string>): ReconcilerProcess {
        const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO_DIR, "scripts", "reconcile", "main.ts"), ...args], {
            cwd: REPO_DIR,
            env: { ...withoutTestRunnerVariables(process.env), ...env },
            stdio: ["ignore", "pipe", "pipe"],
            // Its own process group (its pid is the group's id): see killGroup.
            detached: true,
        });
        return new ReconcilerProcess(child);
    }

    private take(text: string): void {
        try {
            const parsed = JSON.parse(text) as unknown;
            const line = parsed as LogLine;
            if (typeof parsed !== "object" || parsed === null || typeof line.time !== "string" || typeof line.level !== "string" || typeof line.msg !== "string") {
                this.malformed.push(text);
            } else {
                this.lines.push(line);
            }
        } catch {
            this.malformed.push(text);
        }
        for (const wake of [...this.waiters]) wake();
    }

    /** Waits for the `nth` (1-based, counted from `from`) log line that matches. */
    async waitFor(match: (line: LogLine) => boolean, options: { timeoutMs: number; from?: number; nth?: number; what: string }): Promise<LogLine> {
        const found = () => this.lines.slice(options.from ?? 0).filter(match)[(options.nth ?? 1) - 1];
        const deadline = Date.now() + options.timeoutMs;
        for (;;) {
            const line = found();
            if (line !== undefined) return line;
            if (this.exitCode !== undefined) throw new Error(`the reconciler exited (${this.exitCode}) before ${options.what}\n${this.tail()}`);
            const remaining = deadline - Date.now();
            if (remaining <= 0) throw new Error(`timed out waiting for ${options.what}\n${this.tail()}`);
            await new Promise<void>((resolve) => {
                const done = (): void => {
                    clearTimeout(timer);
                    this.waiters.delete(done);
                    resolve();
                };
                const timer = setTimeout(done, Math.min(remaining, 1000));
                this.waiters.add(done);
            });
        }
    }

    /** The last log lines and stderr, for failure messages. */
    tail(count = 15): string {
        return [...this.lines.slice(-count).map((line) => JSON.stringify(line)), this.stderr.slice(-2000)].join("\n");
    }

    get pid(): number | undefined {
        return this.child.pid;
    }

    /** SIGKILL to the reconciler and everything it started (its process group); nothing if it is gone. */
    private killGroup(): void {
        if (this.child.pid === undefined) return;
        try {
            process.kill(-this.child.pid, "SIGKILL");
        } catch {
            // ESRCH: the group is empty already.
        }
    }

    /** SIGTERM, then the exit code; after `timeoutMs` SIGKILL to it and its children. Leftovers are killed either way. */
    async stop(timeoutMs = 120_000): Promise<number | null> {
        if (this.exitCode === undefined) {
            this.child.kill("SIGTERM");
            const timer = setTimeout(() => this.killGroup(), timeoutMs);
            try {
                await this.exited;
            } finally {
                clearTimeout(timer);
            }
        }
        this.killGroup();
        return this.exitCode ?? null;
    }
}

function withoutTestRunnerVariables(env: NodeJS.ProcessEnv): Record<string, string> {
    const copy: Record<string, string> = {};
    for (const [key, value] of Object.entries(env)) {
        // node's test runner sets these for its own children only.
        if (value !== undefined && key !== "NODE_TEST_CONTEXT" && key !== "NODE_OPTIONS") copy[key] = value;
    }
    return copy;
}
