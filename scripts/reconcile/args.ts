/**
 * The reconciler's command line. Every bad flag gives one error that names the
 * flag, the value given and what is expected.
 */
import { parseArgs } from "node:util";
import type { LogLevel } from "./logger";
import type { ReconcilerDependencies } from "./reconciler";

export const USAGE = `Usage: npm run reconcile -- --stack <name> (--webhook-port <port> | --poll) [options]

Runs \`pulumi up\` on the stack whenever GitHub's job queue or the runners change,
never two at once, plus a periodic safety up. Needs the Pulumi CLI on PATH, the
stack's backend (PULUMI_BACKEND_URL or pulumi login) and secrets
(PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE for passphrase stacks).

Demand (exactly one):
  --webhook-port <port>      receive workflow_job webhooks on this port (0: any free port);
                             the secret comes from RECONCILER_WEBHOOK_SECRET
  --webhook-host <address>   listening address of the receiver (default 127.0.0.1)
  --poll                     outbound only: poll GitHub for queued jobs
  --github-budget <n>        GitHub API calls per minute for the demand source (default: the source's)

Options:
  --stack <name>             the stack to reconcile (required)
  --cwd <dir>                the project directory (default: the current directory)
  --metrics-port <port>      serve /healthz and /metrics here (default 9464; 0: any free port)
  --metrics-host <address>   (default 127.0.0.1)
  --state-dir <dir>          where the demand file is written (default $STATE_DIRECTORY, else a directory under the system's temp dir)
  --safety-interval <dur>    an up at least this often (default 10m)
  --debounce <dur>           gather requests this long before an up starts (default 2s)
  --backoff-base <dur>       first retry delay after a failed up (default 10s)
  --backoff-max <dur>        longest retry delay (default 10m)
  --lock-retry <dur>         try again this often while another update holds the stack lock (default 30s)
  --supply-interval <dur>    read GitHub's runner list this often (default 1m; 0 turns it off)
  --max-up-age <dur>         /healthz fails when the last successful up is older (default 30m)
  --max-failing <dur>        /healthz fails when ups have failed (or waited for the lock) this long (default 1h)
  --max-up-duration <dur>    /healthz fails when one up runs longer (default 1h)
  --log-level <level>        debug, info, warn or error (default info)
  -h, --help                 this text

Durations: a number with ms, s, m or h (e.g. 500ms, 30s, 10m, 1h).`;

export interface ReconcileOptions {
    stack: string;
    cwd: string;
    demand: { kind: "webhook"; host: string; port: number } | { kind: "poll" };
    githubBudgetPerMinute: number | undefined;
    metrics: { host: string; port: number };
    stateDir: string | undefined;
    safetyIntervalMs: number;
    debounceMs: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    lockRetryMs: number;
    supplyIntervalMs: number;
    maxUpAgeMs: number;
    maxFailingMs: number;
    maxUpDurationMs: number;
    logLevel: LogLevel;
}

export class UsageError extends Error {
    constructor(message: string) {
        super(`${message}\nRun with --help for the options.`);
        this.name = "UsageError";
    }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(flag: string, text: string, options: { allowZero?: boolean } = {}): number {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
    const ms = match ? Number(match[1]) * (UNITS[match[2] ?? ""] ?? Number.NaN) : Number.NaN;
    if (!Number.isFinite(ms) || (ms === 0 && options.allowZero !== true)) {
        throw new UsageError(`${flag}: got "${text}"; expected a ${options.allowZero ? "" : "positive "}duration such as 500ms, 30s, 10m or 1h`);
    }
    return Math.round(ms);
}

function parsePort(flag: string, text: string): number {
    const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(port >= 0 && port <= 65535)) throw new UsageError(`${flag}: got "${text}"; expected a TCP port number from 0 to 65535`);
    return port;
}

function parsePositiveInteger(flag: string, text: string): number {
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(value >= 1)) throw new UsageError(`${flag}: got "${text}"; expected a whole number of at least 1`);
    return value;
}

const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** The parsed options, or "help" when help was asked for. */
export function parseReconcileArgs(argv: readonly string[], cwd: string): ReconcileOptions | "help" {
    let parsed;
    try {
        parsed = parseArgs({
            args: [...argv],
            strict: true,
            allowPositionals: false,
            options: {
                stack: { type: "string", short: "s" },
                cwd: { type: "string" },
                "webhook-port": { type: "string" },
                "webhook-host": { type: "string" },
                poll: { type: "boolean" },
                "github-budget": { type: "string" },
                "metrics-port": { type: "string" },
                "metrics-host": { type: "string" },
                "state-dir": { type: "string" },
                "safety-interval": { type: "string" },
                debounce: { type: "string" },
                "backoff-base": { type: "string" },
                "backoff-max": { type: "string" },
                "lock-retry": { type: "string" },
                "supply-interval": { type: "string" },
                "max-up-age": { type: "string" },
                "max-failing": { type: "string" },
                "max-up-duration": { type: "string" },
                "log-level": { type: "string" },
                help: { type: "boolean", short: "h" },
            },
        });
    } catch (error) {
        throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const values = parsed.values;
    if (values.help === true) return "help";
    const stack = values.stack?.trim();
    if (stack === undefined || stack === "") throw new UsageError("--stack: missing; expected the name of the stack to reconcile (the reconciler never guesses one)");

    const webhookPort = values["webhook-port"];
    if (webhookPort !== undefined && values.poll === true) throw new UsageError("--webhook-port and --poll: got both; expected one demand source");
    if (webhookPort === undefined && values.poll !== true) throw new UsageError("demand source: missing; expected --webhook-port <port> (webhooks) or --poll (outbound only)");
    if (values["webhook-host"] !== undefined && webhookPort === undefined) throw new UsageError("--webhook-host: only with --webhook-port");
    const demand: ReconcileOptions["demand"] =
        webhookPort !== undefined ? { kind: "webhook", host: values["webhook-host"] ?? "127.0.0.1", port: parsePort("--webhook-port", webhookPort) } : { kind: "poll" };

    const duration = (flag: keyof typeof values, fallback: string, allowZero = false) =>
        parseDuration(`--${flag}`, (values[flag] as string | undefined) ?? fallback, { allowZero });
    const logLevel = values["log-level"] ?? "info";
    if (!LOG_LEVELS.includes(logLevel as LogLevel)) throw new UsageError(`--log-level: got "${logLevel}"; expected one of ${LOG_LEVELS.join(", ")}`);

    const options: ReconcileOptions = {
        stack,
        cwd: values.cwd ?? cwd,
        demand,
        githubBudgetPerMinute: values["github-budget"] === undefined ? undefined : parsePositiveInteger("--github-budget", values["github-budget"]),
        metrics: { host: values["metrics-host"] ?? "127.0.0.1", port: parsePort("--metrics-port", values["metrics-port"] ?? "9464") },
        stateDir: values["state-dir"],
        safetyIntervalMs: duration("safety-interval", "10m"),
        debounceMs: duration("debounce", "2s", true),
        backoffBaseMs: duration("backoff-base", "10s"),
        backoffMaxMs: duration("backoff-max", "10m"),
        lockRetryMs: duration("lock-retry", "30s"),
        supplyIntervalMs: duration("supply-interval", "1m", true),
        maxUpAgeMs: duration("max-up-age", "30m"),
        maxFailingMs: duration("max-failing", "1h"),
        maxUpDurationMs: duration("max-up-duration", "1h"),
        logLevel: logLevel as LogLevel,
    };
    if (options.backoffMaxMs < options.backoffBaseMs) {
        throw new UsageError(`--backoff-max: got ${values["backoff-max"] ?? "10m"}; expected at least --backoff-base (${values["backoff-base"] ?? "10s"})`);
    }
    if (options.maxUpAgeMs <= options.safetyIntervalMs) {
        throw new UsageError(
            `--max-up-age: got ${values["max-up-age"] ?? "30m"}; expected more than --safety-interval (${values["safety-interval"] ?? "10m"}), or /healthz would fail between two safety ups`,
        );
    }
    return options;
}

/** The reconciler's timing and health limits from its parsed options (the process and the demand benchmark share them). */
export function reconcilerLimits(options: ReconcileOptions): Pick<ReconcilerDependencies, "timing" | "health"> {
    return {
        timing: {
            safetyIntervalMs: options.safetyIntervalMs,
            debounceMs: options.debounceMs,
            backoff: { baseMs: options.backoffBaseMs, maxMs: options.backoffMaxMs },
            lockRetryMs: options.lockRetryMs,
            supplyIntervalMs: options.supplyIntervalMs,
        },
        health: { maxUpAgeMs: options.maxUpAgeMs, maxFailingMs: options.maxFailingMs, maxRunMs: options.maxUpDurationMs, wakeSlackMs: 60_000 },
    };
}
