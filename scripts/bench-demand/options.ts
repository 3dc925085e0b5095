/**
 * The benchmark's parameters: each default and where it comes from (printed by --help and in
 * the run's header), and the command line. Every bad value gives one error naming the flag,
 * the value and what is expected.
 */
import { parseDuration, UsageError } from "../reconcile/args";
import { DEFAULT_API_BUDGET_PER_MINUTE, DEFAULT_MIN_POLL_INTERVAL_MS } from "../reconcile/demand";

export type StrategyId = "scheduled-10m" | "scheduled-5m" | "reconciler-webhook" | "reconciler-poll";
export type StrategyKind = { kind: "scheduled"; periodMs: number } | { kind: "reconciler"; demand: "webhook" | "poll" };

export const STRATEGIES: Record<StrategyId, StrategyKind> = {
    "scheduled-10m": { kind: "scheduled", periodMs: 10 * 60_000 },
    "scheduled-5m": { kind: "scheduled", periodMs: 5 * 60_000 },
    "reconciler-webhook": { kind: "reconciler", demand: "webhook" },
    "reconciler-poll": { kind: "reconciler", demand: "poll" },
};
export const STRATEGY_IDS = Object.keys(STRATEGIES) as StrategyId[];

export interface BenchOptions {
    seed: number;
    /** Steady arrivals happen within this window from the trace's start. */
    windowMs: number;
    steadyMeanGapMs: number;
    burstSize: number;
    burstAtMs: number;
    jobDurationMs: number;
    durationJitter: number;
    bootMs: number;
    upMs: number;
    min: number;
    max: number;
    count: number;
    pollIntervalMs: number;
    pollBudgetPerMinute: number;
    /** Simulated time before the trace starts, the same for every strategy: the first `up` and its boots. */
    warmupMs: number;
    /** Simulated seconds per real second at most; undefined: as fast as the work allows. */
    timeScale: number | undefined;
    strategies: StrategyId[];
    json: boolean;
    quick: boolean;
    /** Every timer, piece of real work and reconciler log line on stderr. */
    verbose: boolean;
}

const MINUTE = 60_000;

/**
 * The defaults and their sources. `up` is the median of `--measure-up` on this machine (dev
 * stack, pool of `max` runners, steady state, through the Automation API and the double).
 */
export const DEFAULTS: Omit<BenchOptions, "json" | "quick" | "verbose" | "strategies" | "timeScale"> = {
    seed: 1,
    windowMs: 60 * MINUTE,
    steadyMeanGapMs: 10 * MINUTE,
    burstSize: 50,
    burstAtMs: 20 * MINUTE,
    jobDurationMs: 648_000,
    durationJitter: 0,
    bootMs: 63_000,
    upMs: 14_000,
    min: 2,
    max: 20,
    count: 20,
    pollIntervalMs: DEFAULT_MIN_POLL_INTERVAL_MS,
    pollBudgetPerMinute: DEFAULT_API_BUDGET_PER_MINUTE,
    warmupMs: 5 * MINUTE,
};

/** --quick: a short trace and a small burst, for the test (a few `up`s per strategy). */
export const QUICK: Partial<BenchOptions> = {
    windowMs: 2 * MINUTE,
    steadyMeanGapMs: 0,
    burstSize: 3,
    burstAtMs: 0,
    jobDurationMs: 1 * MINUTE,
    durationJitter: 0,
    min: 0,
    max: 3,
    count: 2,
    warmupMs: 3 * MINUTE,
};

export const SOURCES: Record<string, string> = {
    bootMs: "README \"Boot test and boot figures\" (scripts/bench-boot.ts, qemu TCG, 2 vCPUs): the userdata starts 54 s after qemu, the runner is online 8.7 s later",
    upMs: "`npx tsx scripts/bench-demand.ts --measure-up` on this 2-core machine: median of 5 steady-state `up`s of the dev stack with a pool of 20 runners, through the Automation API and the pulumi double on the engine harness",
    jobDurationMs: "this repository's own CI run: `issues stops`, stop 5: \"CI passed in 648 s\" (± the jitter)",
    durationJitter: "none: the jobs of one wave end together, so the reconciler's completion ups of a wave fold into one and the run's real time stays short; raise it for spread (each distinct completion instant costs the reconciler an up)",
    windowMs: "one hour of steady arrivals, with the burst inside it; chosen so the default run stays within ~15 real minutes",
    steadyMeanGapMs: "a Poisson process, one job every 10 minutes on average (about 6 in the window)",
    burstSize: "issue 8 item 7: a burst of 50",
    burstAtMs: "inside the window, 5 to 6 minutes after a 10-minute schedule's `up` (the warm-up is 5 minutes)",
    min: "the prod example's demand pool keeps 2 runners warm (Pulumi.prod.yaml, pool large, office hours)",
    max: "the scheduled pool's size, so both kinds of strategy have the same peak capacity",
    count: "the reconciler's max, so both kinds of strategy have the same peak capacity",
    pollIntervalMs: "the polling source's own default (DEFAULT_MIN_POLL_INTERVAL_MS, scripts/reconcile/demand/polling-source.ts)",
    pollBudgetPerMinute: "the demand sources' own default (DEFAULT_API_BUDGET_PER_MINUTE, scripts/reconcile/demand/api-budget.ts)",
    warmupMs: "enough for the first `up` and its runners' boot before the first job",
    timeScale: "unlimited: the virtual clock jumps from event to event",
    seed: "any fixed seed: the same trace on every machine",
};

export const USAGE = `Usage: npx tsx scripts/bench-demand.ts [--help] [--quick] [--json] [options]

Compares, on one job trace, four ways of keeping a pool of ephemeral runners:
  scheduled-10m       a pool of fixed \`count\` and \`pulumi up\` every 10 minutes
  scheduled-5m        the same, every 5 minutes
  reconciler-webhook  the reconciler (scripts/reconcile) with workflow_job webhooks, pool min/max
  reconciler-poll     the reconciler polling GitHub's REST API for queued jobs, pool min/max
and prints, per strategy: jobs, job wait p50/p95/max (queued -> started, seconds), idle
runner-minutes per job, ups, runner registrations and the real seconds it took.

Everything runs for real but time: every \`up\` is this repository's program run by the
\`pulumi\` test double (test/pulumi-cli-double) on the engine harness, through the Automation
API, against the fake GitHub (test/fake-github), which queues the jobs, sends the webhooks,
hands jobs to runners and removes used ephemeral runners. The reconciler strategies run the
reconciler's own code (Reconciler, its scheduler, the demand sources, the supply check) in
this process.

The clock: simulated time is a virtual clock (the reconciler's Clock interface). It stands
still while real work runs (an \`up\`, a GitHub request, a webhook delivery) and jumps to the
next due event once everything is quiet. A real \`up\` runs at the instant it starts (GitHub
sees its registrations and removals then); the simulation then counts it as lasting --up, so
the reconciler's scheduler sees it end --up later, and the runners it registered come online
--boot after that. Jobs are handed to runners the moment a runner comes online or a job is
queued, and end --job-duration after they started. The scheduled strategies' ups run the same
way at their fixed times. Idle runner-minutes are integrated over simulated time, from the
trace's start to the strategy's last job end, for runners that are online and not busy.

Trace (seeded; every strategy sees the same jobs):
  --seed <n>              random seed (default ${DEFAULTS.seed})
  --window <dur>          steady arrivals within this window (default ${fmt(DEFAULTS.windowMs)})
  --steady-every <dur>    mean gap between steady arrivals, Poisson; 0 for none (default ${fmt(DEFAULTS.steadyMeanGapMs)})
  --burst <n>             jobs queued at once in one workflow run (default ${DEFAULTS.burstSize})
  --burst-at <dur>        when, from the trace's start: at a seeded instant within the minute after
                          it, off the whole minutes on which schedules and polling tick (default ${fmt(DEFAULTS.burstAtMs)})
  --job-duration <dur>    mean job duration (default ${fmt(DEFAULTS.jobDurationMs)})
  --duration-jitter <f>   durations uniform within ± this fraction (default ${DEFAULTS.durationJitter})

Simulated world:
  --boot <dur>            VM boot until the runner is online (default ${fmt(DEFAULTS.bootMs)})
  --up <dur>              how long one \`up\` takes in simulated time (default ${fmt(DEFAULTS.upMs)})
  --warmup <dur>          simulated time before the trace starts (default ${fmt(DEFAULTS.warmupMs)})
  --min <n>, --max <n>    the reconciler's pool (defaults ${DEFAULTS.min}, ${DEFAULTS.max})
  --count <n>             the scheduled strategies' fixed pool (default ${DEFAULTS.count})
  --poll-interval <dur>   polling: never more often than this (default ${fmt(DEFAULTS.pollIntervalMs)})
  --poll-budget <n>       polling: GitHub API calls per minute at most (default ${DEFAULTS.pollBudgetPerMinute})
  --time-scale <x|max>    at most x simulated seconds per real second (default max: unlimited)

Run:
  --strategies <list>     comma-separated subset of ${STRATEGY_IDS.join(", ")} (default all)
  --quick                 a short trace and a small burst (the test's run): ${describeQuick()}
  --json                  print the results as JSON instead of the table
  --verbose               every simulated event, piece of real work and reconciler log line on stderr
  --measure-up [n]        time n (default 5) steady-state ups of the dev stack (pool of --max runners)
                          through the Automation API and the double, print them and the median, and exit
  -h, --help              this text

Durations: a number with ms, s, m or h (e.g. 500ms, 63s, 10m, 1h).

Where the defaults come from:
${Object.entries(SOURCES).map(([key, source]) => `  ${key}: ${source}`).join("\n")}`;

/** The reconciler's: the same wording and the same "Run with --help" line. */
export { UsageError };

export type Command = { kind: "help" } | { kind: "measure-up"; repeat: number; max: number } | { kind: "run"; options: BenchOptions };

function parseCount(flag: string, text: string | undefined, min: number, max: number): number {
    const value = /^\d+$/.test(text ?? "") ? Number(text) : Number.NaN;
    if (!(value >= min && value <= max)) throw new UsageError(`${flag}: got ${JSON.stringify(text ?? null)}; expected a whole number from ${min} to ${max}`);
    return value;
}

function parseFraction(flag: string, text: string | undefined): number {
    const value = /^\d+(\.\d+)?$/.test(text ?? "") ? Number(text) : Number.NaN;
    if (!(value >= 0 && value < 1)) throw new UsageError(`${flag}: got ${JSON.stringify(text ?? null)}; expected a fraction from 0 to below 1, e.g. 0.2`);
    return value;
}

function parseTimeScale(text: string | undefined): number | undefined {
    if (text === "max") return undefined;
    const value = /^\d+(\.\d+)?$/.test(text ?? "") ? Number(text) : Number.NaN;
    if (!(value > 0)) throw new UsageError(`--time-scale: got ${JSON.stringify(text ?? null)}; expected "max" or a positive number of simulated seconds per real second`);
    return value;
}

function parseStrategies(text: string | undefined): StrategyId[] {
    const names = (text ?? "").split(",").map((name) => name.trim()).filter((name) => name !== "");
    const unknown = names.filter((name) => !(STRATEGY_IDS as string[]).includes(name));
    if (names.length === 0 || unknown.length > 0) {
        throw new UsageError(`--strategies: got ${JSON.stringify(text ?? null)}; expected a comma-separated list of ${STRATEGY_IDS.join(", ")}`);
    }
    return STRATEGY_IDS.filter((id) => names.includes(id));
}

export function parseCommand(argv: readonly string[]): Command {
    const options: BenchOptions = { ...DEFAULTS, timeScale: undefined, strategies: [...STRATEGY_IDS], json: false, quick: false, verbose: false };
    const given = new Map<keyof BenchOptions, unknown>();
    let measureUp: number | undefined;
    for (let index = 0; index < argv.length; index++) {
        const flag = argv[index]!;
        const value = (): string => {
            const next = argv[index + 1];
            if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag}: expected a value after it`);
            index++;
            return next;
        };
        const set = <K extends keyof BenchOptions>(key: K, parsed: BenchOptions[K]) => given.set(key, parsed);
        switch (flag) {
            case "-h":
            case "--help":
                return { kind: "help" };
            case "--quick":
                options.quick = true;
                break;
            case "--json":
                options.json = true;
                break;
            case "--verbose":
                options.verbose = true;
                break;
            case "--measure-up": {
                const next = argv[index + 1];
                measureUp = next !== undefined && /^\d+$/.test(next) ? parseCount(flag, (index++, next), 1, 50) : 5;
                break;
            }
            case "--seed":
                set("seed", parseCount(flag, value(), 0, 2 ** 31 - 1));
                break;
            case "--window":
                set("windowMs", parseDuration(flag, value()));
                break;
            case "--steady-every":
                set("steadyMeanGapMs", parseDuration(flag, value(), { allowZero: true }));
                break;
            case "--burst":
                set("burstSize", parseCount(flag, value(), 0, 1000));
                break;
            case "--burst-at":
                set("burstAtMs", parseDuration(flag, value(), { allowZero: true }));
                break;
            case "--job-duration":
                set("jobDurationMs", parseDuration(flag, value()));
                break;
            case "--duration-jitter":
                set("durationJitter", parseFraction(flag, value()));
                break;
            case "--boot":
                set("bootMs", parseDuration(flag, value(), { allowZero: true }));
                break;
            case "--up":
                set("upMs", parseDuration(flag, value()));
                break;
            case "--warmup":
                set("warmupMs", parseDuration(flag, value(), { allowZero: true }));
                break;
            case "--min":
                set("min", parseCount(flag, value(), 0, 1000));
                break;
            case "--max":
                set("max", parseCount(flag, value(), 1, 1000));
                break;
            case "--count":
                set("count", parseCount(flag, value(), 1, 1000));
                break;
            case "--poll-interval":
                set("pollIntervalMs", parseDuration(flag, value()));
                break;
            case "--poll-budget":
                set("pollBudgetPerMinute", parseCount(flag, value(), 1, 5000));
                break;
            case "--time-scale":
                set("timeScale", parseTimeScale(value()));
                break;
            case "--strategies":
                set("strategies", parseStrategies(value()));
                break;
            default:
                throw new UsageError(`unknown argument ${JSON.stringify(flag)}`);
        }
    }
    // --quick sets its defaults first; flags given explicitly win over both.
    if (options.quick) Object.assign(options, QUICK);
    for (const [key, parsed] of given) (options as unknown as Record<string, unknown>)[key] = parsed;
    if (measureUp !== undefined) return { kind: "measure-up", repeat: measureUp, max: options.max };
    checkCombination(options);
    return { kind: "run", options };
}

function checkCombination(options: BenchOptions): void {
    if (options.min > options.max) throw new UsageError(`--min: got ${options.min}; expected at most --max (${options.max})`);
    if (options.burstSize === 0 && options.steadyMeanGapMs === 0) throw new UsageError("--burst 0 with --steady-every 0: the trace has no job; expected a burst or steady arrivals");
    if (options.burstAtMs >= options.windowMs) throw new UsageError(`--burst-at: got ${fmt(options.burstAtMs)}; expected within --window (${fmt(options.windowMs)})`);
    if (options.pollIntervalMs < 1000) throw new UsageError(`--poll-interval: got ${fmt(options.pollIntervalMs)}; expected at least 1s (the polling source's floor)`);
    for (const id of options.strategies) {
        const strategy = STRATEGIES[id];
        if (strategy.kind === "scheduled" && options.upMs >= strategy.periodMs) {
            throw new UsageError(`--up: got ${fmt(options.upMs)}; expected less than the ${id} period (${fmt(strategy.periodMs)}), or ups would overlap`);
        }
    }
}

/** A duration as the flags take it: the largest unit that divides it. */
export function fmt(ms: number): string {
    if (ms === 0) return "0s";
    for (const [unit, size] of [["h", 60 * MINUTE], ["m", MINUTE], ["s", 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
    return `${ms}ms`;
}

function describeQuick(): string {
    return `window ${fmt(QUICK.windowMs ?? 0)}, no steady arrivals, burst ${QUICK.burstSize} at ${fmt(QUICK.burstAtMs ?? 0)}, jobs ${fmt(QUICK.jobDurationMs ?? 0)}, min ${QUICK.min} max ${QUICK.max}, count ${QUICK.count}`;
}
