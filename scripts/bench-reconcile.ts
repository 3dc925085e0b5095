/**
 * The speed and memory of one reconcile (issue 8 item 8), in one run on the engine harness:
 *
 * (a) the fleet program at N runners (one pool, count N, runners registered with the fake
 *     GitHub and online, the in-memory OpenStack cloud): timed steady-state `up`s, each checked
 *     to change nothing;
 * (b) the bare baseline (scripts/bench/bare-fleet: N plain openstack.compute.Instance
 *     resources, same provider, harness and TypeScript setup): the same, interleaved with (a)
 *     so both see the same machine load;
 * (c) peak RSS of the program process, the dynamic-provider host and the harness itself;
 * (d) demand event -> `up` finished at N=100: from writing the demand file that asks for one
 *     more runner to the end of the `up` that adds it.
 *
 *   npx tsx scripts/bench-reconcile.ts [--runners 1000] [--repeat 3] [--demand-runners 100]
 *                                      [--no-demand] [--profile DIR] [--program-dir DIR]
 *                                      [--node-options "--max-old-space-size=768"]
 *
 * --program-dir DIR: a copy of this project with a program change to measure (its Pulumi.yaml
 * `main` and `typescript` are honoured). --node-options: NODE_OPTIONS for the measured `up`s'
 * program and provider host, of both stacks (the language host passes the environment on).
 *
 * --profile DIR: each measured `up` writes V8 CPU profiles under DIR/<stack>-<n>/: the program's
 * and the provider host's (node --cpu-prof) and the harness's own over that `up`
 * (harness.cpuprofile); timings are then under the profiler. Summarise them with
 * `npx tsx scripts/bench/profile-summary.ts DIR/<stack>-<n>/*.cpuprofile`.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PeakSampler, type PeakReport } from "./bench/process-peaks";
import { profiled } from "./bench/self-profile";
import { BareBenchStack, FleetBenchStack, requireNoChanges, requireSuccess } from "./bench/stacks";
import { formatTable, spread, type UpSeries } from "./bench/summary";
import type { HarnessStack } from "../test/harness/harness-stack";
import { REPO } from "../test/harness/fleet-stack";

interface Options {
    runners: number;
    repeat: number;
    demandRunners: number;
    demand: boolean;
    profileDir: string | undefined;
    programDir: string;
    /** NODE_OPTIONS of the measured `up`s' processes. */
    nodeOptions: string;
}

const USAGE =
    "usage: npx tsx scripts/bench-reconcile.ts [--runners N (1..1000)] [--repeat R] [--demand-runners N (1..999)] [--no-demand] [--profile DIR] [--program-dir DIR] [--node-options TEXT]";

export function parseOptions(argv: readonly string[]): Options {
    const options: Options = { runners: 1000, repeat: 3, demandRunners: 100, demand: true, profileDir: undefined, programDir: REPO, nodeOptions: "" };
    const count = (flag: string, text: string | undefined, max: number): number => {
        const value = Number(text);
        if (text === undefined || !Number.isInteger(value) || value < 1 || value > max) {
            throw new Error(`${flag}: got ${JSON.stringify(text ?? null)}; expected a whole number from 1 to ${max}\n${USAGE}`);
        }
        return value;
    };
    const text = (flag: string, value: string | undefined): string => {
        if (value === undefined || value === "" || value.startsWith("--")) throw new Error(`${flag}: expected a directory after it\n${USAGE}`);
        return path.resolve(value);
    };
    for (let index = 0; index < argv.length; index++) {
        const flag = argv[index]!;
        switch (flag) {
            case "--runners":
                options.runners = count(flag, argv[++index], 1000);
                break;
            case "--repeat":
                options.repeat = count(flag, argv[++index], 100);
                break;
            case "--demand-runners":
                options.demandRunners = count(flag, argv[++index], 999);
                break;
            case "--no-demand":
                options.demand = false;
                break;
            case "--profile":
                options.profileDir = text(flag, argv[++index]);
                break;
            case "--program-dir":
                options.programDir = text(flag, argv[++index]);
                break;
            case "--node-options": {
                const value = argv[++index];
                if (value === undefined || value.trim() === "") throw new Error(`--node-options: expected Node.js options after it, e.g. "--max-old-space-size=768"\n${USAGE}`);
                options.nodeOptions = value.trim();
                break;
            }
            default:
                throw new Error(`unknown argument ${JSON.stringify(flag)}\n${USAGE}`);
        }
    }
    if (options.demand && options.demandRunners + options.repeat > 1000) {
        throw new Error(`--demand-runners ${options.demandRunners} plus --repeat ${options.repeat} runners exceed a pool's 1000\n${USAGE}`);
    }
    return options;
}

/** Which process a command line is: the program (cmd/run), the dynamic-provider host, or something else. */
export function roleOf(commandLine: string[]): string {
    const script = commandLine[1] ?? "";
    if (script.includes(`${path.sep}cmd${path.sep}run`)) return "program";
    if (script.includes(`${path.sep}cmd${path.sep}dynamic-provider`)) return "provider host";
    return "other";
}

export const ROLES = ["program", "provider host", "harness"] as const;

const EXIT_ON_SIGTERM = path.join(__dirname, "bench", "exit-on-sigterm.cjs");

/** One `up`'s peaks and CPU into its series (CPU per role: the children's as polled, the harness's own). */
function record(series: UpSeries, seconds: number, report: PeakReport): void {
    series.seconds.push(seconds);
    for (const [role, bytes] of Object.entries({ ...report.children, harness: report.self })) series.peaks[role] = Math.max(series.peaks[role] ?? 0, bytes);
    for (const [role, cpu] of Object.entries({ ...report.childCpuSeconds, harness: report.selfCpuSeconds })) (series.cpuSeconds[role] ??= []).push(cpu);
}

/** NODE_OPTIONS of a measured `up`: the user's, plus the profiler's when profiling. */
export function measuredNodeOptions(nodeOptions: string, profileDir: string | undefined): string {
    const profiler = profileDir === undefined ? [] : [`--cpu-prof --cpu-prof-dir=${profileDir} --require ${EXIT_ON_SIGTERM}`];
    return [nodeOptions, ...profiler].filter((part) => part !== "").join(" ");
}

/** One timed `up` with its processes' peaks and CPU; the stack's env gets NODE_OPTIONS for that `up` only. */
async function timedUp(stack: HarnessStack, env: Record<string, string>, options: Pick<Options, "nodeOptions">, profileDir: string | undefined): Promise<{ seconds: number; peaks: PeakReport; result: Awaited<ReturnType<HarnessStack["up"]>> }> {
    const nodeOptions = measuredNodeOptions(options.nodeOptions, profileDir);
    if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
    if (nodeOptions !== "") stack.setEnv({ ...env, NODE_OPTIONS: nodeOptions });
    const sampler = new PeakSampler(roleOf);
    sampler.start();
    const started = performance.now();
    let result;
    try {
        result = await (profileDir === undefined ? stack.up() : profiled(path.join(profileDir, "harness.cpuprofile"), () => stack.up()));
    } finally {
        if (nodeOptions !== "") stack.setEnv(env);
    }
    const seconds = (performance.now() - started) / 1000;
    return { seconds, peaks: sampler.stop(), result };
}

function log(message: string): void {
    process.stderr.write(`[bench-reconcile] ${message}\n`);
}

async function steadyState(options: Options): Promise<{ fleet: UpSeries; bare: UpSeries }> {
    const fleetStack = await FleetBenchStack.open({ count: options.runners }, options.programDir);
    try {
        let started = performance.now();
        await fleetStack.setUp();
        log(`fleet set up: ${fleetStack.runnerCount()} runners online in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        const bare = BareBenchStack.open(options.runners);
        started = performance.now();
        await bare.setUp();
        log(`bare baseline set up: ${options.runners} instances in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        const fleetSeries: UpSeries = { label: "fleet", runners: options.runners, seconds: [], peaks: {}, cpuSeconds: {} };
        const bareSeries: UpSeries = { label: "bare", runners: options.runners, seconds: [], peaks: {}, cpuSeconds: {} };
        for (let round = 1; round <= options.repeat; round++) {
            // Interleaved, so a change in the machine's load falls on both.
            for (const [series, stack, env] of [
                [fleetSeries, fleetStack.stack, fleetStack.env],
                [bareSeries, bare.stack, bare.env],
            ] as const) {
                const profile = options.profileDir === undefined ? undefined : path.join(options.profileDir, `${series.label}-${round}`);
                const up = await timedUp(stack, env, options, profile);
                requireNoChanges(up.result, `steady-state up ${round} of the ${series.label}`);
                record(series, up.seconds, up.peaks);
                const cpu = Object.entries(up.peaks.childCpuSeconds).map(([role, seconds]) => `${role} ${seconds.toFixed(1)}`);
                log(`${series.label} steady-state up ${round}/${options.repeat}: ${up.seconds.toFixed(1)} s (cpu s: ${cpu.join(", ")}, all children exactly ${up.peaks.reapedChildCpuSeconds.toFixed(1)}, harness ${up.peaks.selfCpuSeconds.toFixed(1)})`);
            }
        }
        return { fleet: fleetSeries, bare: bareSeries };
    } finally {
        await fleetStack.close();
    }
}

async function demandLatency(options: Options): Promise<number[]> {
    const base = options.demandRunners;
    const fleet = await FleetBenchStack.open({ min: base, max: base + options.repeat }, options.programDir);
    try {
        await fleet.setUp();
        log(`demand fleet set up: ${fleet.runnerCount()} runners online`);
        const latencies: number[] = [];
        for (let queued = 1; queued <= options.repeat; queued++) {
            const sampler = new PeakSampler(roleOf);
            sampler.start();
            const started = performance.now();
            fleet.writeDemand(queued, options.nodeOptions === "" ? {} : { NODE_OPTIONS: options.nodeOptions });
            const result = requireSuccess(await fleet.stack.up(), `the up after demand for ${queued} more runner(s)`);
            const seconds = (performance.now() - started) / 1000;
            const usage = sampler.stop();
            const runners = fleet.runnerCount();
            const created = result.steps.filter((step) => step.custom && step.kind === "create").length;
            if (runners !== base + queued) throw new Error(`demand for ${queued} queued job(s) left ${runners} runners; expected ${base + queued}`);
            fleet.markOnline();
            latencies.push(seconds);
            const cpu = Object.entries(usage.childCpuSeconds).map(([role, used]) => `${role} ${used.toFixed(1)}`);
            log(`demand event ${queued}/${options.repeat} -> up finished: ${seconds.toFixed(1)} s (${created} resources created; cpu s: ${cpu.join(", ")}, harness ${usage.selfCpuSeconds.toFixed(1)})`);
        }
        return latencies;
    } finally {
        await fleet.close();
    }
}

async function main(): Promise<void> {
    const options = parseOptions(process.argv.slice(2));
    log(`N=${options.runners}, ${options.repeat} steady-state ups each, program ${options.programDir}${options.nodeOptions === "" ? "" : `, NODE_OPTIONS ${options.nodeOptions}`}`);
    const { fleet, bare } = await steadyState(options);
    const demand = options.demand ? { runners: options.demandRunners, seconds: await demandLatency(options) } : undefined;
    console.log(formatTable(fleet, bare, demand, ROLES));
    console.log(`(seconds per up: ${fleet.label} ${fleet.seconds.map((s) => s.toFixed(1)).join(", ")}; ${bare.label} ${bare.seconds.map((s) => s.toFixed(1)).join(", ")}; median ratio ${(spread(fleet.seconds).median / spread(bare.seconds).median).toFixed(2)})`);
}

if (require.main === module) {
    main().catch((error: unknown) => {
        console.error(error instanceof Error ? error.message : String(error));
        process.exitCode = 1;
    });
}
