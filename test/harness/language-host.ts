/**
 * Starts a Pulumi Node.js program the way the CLI's language host does
 * (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go: constructArguments,
 * constructConfig, constructConfigSecretKeys, execRuntime):
 *
 *   node <programDir>/node_modules/@pulumi/pulumi/cmd/run --monitor A --engine A
 *        --organization O --project P --root-directory D --stack S --pwd D [--dry-run]
 *        --parallel N <entry point>
 *
 * with PULUMI_CONFIG (keys as "<namespace>:config:<name>"), PULUMI_CONFIG_SECRET_KEYS
 * (keys as "<namespace>:<name>"), PULUMI_NODEJS_TYPESCRIPT and PULUMI_NODEJS_TSCONFIG_PATH.
 * The language host's synchronous-invoke pipes (--sync) are not offered, as the SDK falls back to gRPC.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

export interface ProgramLaunch {
    programDir: string;
    /** Pulumi.yaml `main`, or "." to let cmd/run use package.json `main`. */
    entryPoint: string;
    organization: string;
    project: string;
    stack: string;
    dryRun: boolean;
    parallel: number;
    monitorAddress: string;
    engineAddress: string;
    /** Config as `pulumi config` holds it: "<namespace>:<name>" -> string value. */
    config: Record<string, string>;
    secretKeys: string[];
    /** Pulumi.yaml runtime option `typescript` (the CLI's default is true). */
    typescript: boolean;
    /** Pulumi.yaml runtime option `tsconfig`, if set. */
    tsconfigPath?: string;
    /** Extra environment for the program (e.g. where the fake GitHub listens). */
    env?: Record<string, string>;
    timeoutMs: number;
    /**
     * Stops the program early: the CLI ends the language host's run once the deployment failed
     * (a step's error cancels the deployment; the program is not waited for).
     */
    signal?: AbortSignal;
}

export interface ProgramExit {
    /** Exit code; null when the process was killed by a signal. */
    code: number | null;
    signal: NodeJS.Signals | null;
    timedOut: boolean;
    stdout: string;
    stderr: string;
    args: string[];
}

/** Where the language host finds cmd/run: resolved from the program directory, like its locateModule(). */
export function resolveRunPath(programDir: string): string {
    const requireFromProgram = createRequire(path.join(programDir, "package.json"));
    return path.dirname(requireFromProgram.resolve("@pulumi/pulumi/cmd/run"));
}

export function languageHostArguments(launch: ProgramLaunch, runPath: string): string[] {
    const args = [
        runPath,
        "--monitor", launch.monitorAddress,
        "--engine", launch.engineAddress,
        "--organization", launch.organization,
        "--project", launch.project,
        "--root-directory", launch.programDir,
        "--stack", launch.stack,
        "--pwd", launch.programDir,
    ];
    if (launch.dryRun) args.push("--dry-run");
    args.push("--parallel", String(launch.parallel));
    args.push(launch.entryPoint);
    return args;
}

/** The config map as the language host serialises it: the legacy "<namespace>:config:<name>" keys. */
export function languageHostConfig(config: Record<string, string>): string {
    const transformed: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        const colon = key.indexOf(":");
        if (colon <= 0) throw new Error(`config key '${key}' has no namespace (expected "<namespace>:<name>")`);
        transformed[`${key.slice(0, colon)}:config:${key.slice(colon + 1)}`] = value;
    }
    return JSON.stringify(transformed);
}

/**
 * The environment the program gets: this process's (as the language host passes os.Environ()),
 * minus anything that would change how node or Pulumi behaves in the child, plus the host's variables.
 */
function programEnvironment(launch: ProgramLaunch): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
        // NODE_OPTIONS could preload tsx (hiding which TypeScript compiler cmd/run picks);
        // NODE_TEST_CONTEXT is set by node's test runner for its own children only.
        const inherited = !key.startsWith("PULUMI_") && !key.startsWith("GITHUB_") && key !== "NODE_OPTIONS" && key !== "NODE_TEST_CONTEXT";
        if (inherited) env[key] = value;
    }
    env["PULUMI_CONFIG"] = languageHostConfig(launch.config);
    env["PULUMI_CONFIG_SECRET_KEYS"] = JSON.stringify(launch.secretKeys);
    if (launch.typescript) env["PULUMI_NODEJS_TYPESCRIPT"] = "true";
    if (launch.tsconfigPath !== undefined) env["PULUMI_NODEJS_TSCONFIG_PATH"] = launch.tsconfigPath;
    return { ...env, ...launch.env };
}

/** Runs the program to completion (or kills it at the timeout) and reports how it ended. */
export async function runProgram(launch: ProgramLaunch): Promise<ProgramExit> {
    const args = languageHostArguments(launch, resolveRunPath(launch.programDir));
    const child = spawn(process.execPath, args, {
        cwd: launch.programDir,
        env: programEnvironment(launch),
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));

    let timedOut = false;
    const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
    }, launch.timeoutMs);
    // A test that fails or is interrupted must not leave the program running.
    const killOnExit = (): void => {
        child.kill("SIGKILL");
    };
    process.once("exit", killOnExit);
    const abort = (): void => {
        child.kill("SIGKILL");
    };
    if (launch.signal?.aborted === true) abort();
    launch.signal?.addEventListener("abort", abort, { once: true });

    try {
        const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
            child.once("error", reject);
            child.once("close", (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
        });
        return { code, signal, timedOut, stdout, stderr, args };
    } finally {
        clearTimeout(timer);
        process.removeListener("exit", killOnExit);
        launch.signal?.removeEventListener("abort", abort);
    }
}
