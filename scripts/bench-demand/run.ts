/**
 * A whole benchmark run: the trace, then each chosen strategy in turn (one at a time, so each
 * has the machine to itself and its real seconds mean something), and the `up`-time measurement
 * behind the --up default.
 */
import path from "node:path";
import { selectStack } from "../reconcile/automation";
import { DOUBLE_DIR } from "../../test/pulumi-cli-double/test-world";
import { STRATEGIES, type BenchOptions } from "./options";
import { runStrategy, type StrategyRun } from "./strategies";
import { generateTrace, type TraceJob } from "./trace";
import { BenchWorld, REPO_SCOPE, STACK } from "./world";

export interface BenchmarkResult {
    trace: TraceJob[];
    runs: StrategyRun[];
}

export function traceOf(options: BenchOptions): TraceJob[] {
    return generateTrace({
        seed: options.seed,
        windowMs: options.windowMs,
        steadyMeanGapMs: options.steadyMeanGapMs,
        burstSize: options.burstSize,
        burstAtMs: options.burstAtMs,
        meanDurationMs: options.jobDurationMs,
        durationJitter: options.durationJitter,
    });
}

export async function runBenchmark(options: BenchOptions, progress: (line: string) => void = () => {}): Promise<BenchmarkResult> {
    const trace = traceOf(options);
    // Every strategy's clock starts at the same simulated instant (a whole minute, for readable logs).
    const epochMs = Math.ceil(Date.now() / 60_000) * 60_000;
    const runs: StrategyRun[] = [];
    await withDoubleOnPath(async () => {
        for (const id of options.strategies) {
            progress(`${id}: running`);
            const run = await runStrategy(id, STRATEGIES[id], trace, options, epochMs);
            progress(`${id}: ${run.ups.length} ups, ${run.realSeconds.toFixed(0)} s`);
            runs.push(run);
        }
    });
    return { trace, runs };
}

/**
 * The Automation API finds `pulumi` on this process's PATH (automation/cmd.js PulumiCommand.get
 * runs `pulumi version` with the process's environment), so the double goes first on it for
 * the run, and PATH is put back afterwards.
 */
export async function withDoubleOnPath<T>(work: () => Promise<T>): Promise<T> {
    const before = process.env["PATH"];
    process.env["PATH"] = `${DOUBLE_DIR}${path.delimiter}${before ?? ""}`;
    try {
        return await work();
    } finally {
        if (before === undefined) delete process.env["PATH"];
        else process.env["PATH"] = before;
    }
}

/**
 * Real seconds of `repeat` steady-state `up`s of the dev stack with a pool of `runners` runners
 * (all registered and online first, as in a running fleet), through the Automation API and the
 * double: what one reconcile costs here, the source of the --up default.
 */
export async function measureUps(repeat: number, runners: number, progress: (line: string) => void = () => {}): Promise<number[]> {
    return withDoubleOnPath(async () => {
        const world = await BenchWorld.start({ count: runners });
        try {
            const stack = await selectStack({ stackName: STACK, workDir: world.double.projectDir, envVars: world.pulumiEnv() });
            const signal = new AbortController().signal;
            await stack.up({ signal, onEvent: () => {} });
            for (const name of world.runnerNames()) world.fake.setRunner(REPO_SCOPE, name, { status: "online" });
            const seconds: number[] = [];
            for (let i = 0; i < repeat; i++) {
                const started = Date.now();
                const report = await stack.up({ signal, onEvent: () => {} });
                const changed = Object.entries(report.resourceChanges).filter(([op, count]) => op !== "same" && op !== "read" && count > 0);
                if (changed.length > 0) throw new Error(`a steady-state up changed something: ${JSON.stringify(report.resourceChanges)}`);
                seconds.push((Date.now() - started) / 1000);
                progress(`up ${i + 1}/${repeat}: ${seconds.at(-1)?.toFixed(1)} s`);
            }
            return seconds;
        } finally {
            await world.stop();
        }
    });
}
