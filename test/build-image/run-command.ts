/**
 * Runs a command to completion and returns what it printed, so a test can
 * assert on the exit status and on the messages of a failure.
 */
import { spawn } from "node:child_process";

export interface CommandResult {
    status: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
}

export interface RunOptions {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /** Echo output lines while the command runs (long builds show their steps). */
    echo?: boolean;
    /** Called with each line of stdout; `stop` sends the command SIGTERM. */
    onLine?: (line: string, stop: () => void) => void;
}

export function runCommand(command: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        let pending = "";
        const stop = () => child.kill("SIGTERM");
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
            stdout += chunk;
            if (options.echo) process.stdout.write(chunk);
            if (options.onLine) {
                pending += chunk;
                const lines = pending.split("\n");
                pending = lines.pop() ?? "";
                for (const line of lines) options.onLine(line, stop);
            }
        });
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
            stderr += chunk;
            if (options.echo) process.stderr.write(chunk);
        });
        child.on("error", reject);
        child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr }));
    });
}

/** Runs the command and throws, with its output, unless it exits 0. */
export async function runChecked(command: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
    const result = await runCommand(command, args, options);
    if (result.status !== 0) {
        const tail = (result.stdout + result.stderr).split("\n").slice(-30).join("\n");
        throw new Error(`${command} ${args.join(" ")} exited with ${result.status ?? result.signal}:\n${tail}`);
    }
    return result;
}
