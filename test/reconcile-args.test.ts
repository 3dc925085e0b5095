/**
 * The reconciler's command line: defaults, and one clear error (flag, value
 * given, what is expected) for each bad input.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseDuration, parseReconcileArgs, reconcilerLimits, UsageError, type ReconcileOptions } from "../scripts/reconcile/args";

function parse(...argv: string[]): ReconcileOptions {
    const options = parseReconcileArgs(argv, "/srv/fleet");
    if (options === "help") throw new Error("unexpected help");
    return options;
}

function refused(argv: string[], message: RegExp): void {
    assert.throws(() => parseReconcileArgs(argv, "/srv/fleet"), (error: unknown) => error instanceof UsageError && message.test(error.message) && /--help/.test(error.message));
}

describe("reconciler arguments", { timeout: 30_000 }, () => {
    test("defaults", () => {
        const options = parse("--stack", "prod", "--poll");
        assert.deepEqual(options, {
            stack: "prod",
            cwd: "/srv/fleet",
            demand: { kind: "poll" },
            githubBudgetPerMinute: undefined,
            metrics: { host: "127.0.0.1", port: 9464 },
            stateDir: undefined,
            safetyIntervalMs: 600_000,
            debounceMs: 2000,
            backoffBaseMs: 10_000,
            backoffMaxMs: 600_000,
            lockRetryMs: 30_000,
            supplyIntervalMs: 60_000,
            maxUpAgeMs: 1_800_000,
            maxFailingMs: 3_600_000,
            maxUpDurationMs: 3_600_000,
            logLevel: "info",
        });
    });

    test("webhook mode, durations, ports and the rest", () => {
        const options = parse("-s", "dev", "--cwd", "/opt/app", "--webhook-port", "8080", "--webhook-host", "0.0.0.0", "--metrics-port", "0", "--safety-interval", "5m", "--debounce", "500ms", "--supply-interval", "0s", "--github-budget", "30", "--log-level", "debug");
        assert.deepEqual(options.demand, { kind: "webhook", host: "0.0.0.0", port: 8080 });
        assert.equal(options.cwd, "/opt/app");
        assert.equal(options.metrics.port, 0);
        assert.equal(options.safetyIntervalMs, 300_000);
        assert.equal(options.debounceMs, 500);
        assert.equal(options.supplyIntervalMs, 0);
        assert.equal(options.githubBudgetPerMinute, 30);
        assert.equal(options.logLevel, "debug");
        assert.equal(parseReconcileArgs(["--help"], "/"), "help");
    });

    test("bad input: one error naming the flag, the value and what is expected", () => {
        refused(["--poll"], /^--stack: missing; expected the name of the stack/);
        refused(["--stack", "dev"], /^demand source: missing; expected --webhook-port <port> \(webhooks\) or --poll/);
        refused(["--stack", "dev", "--poll", "--webhook-port", "80"], /^--webhook-port and --poll: got both; expected one demand source/);
        refused(["--stack", "dev", "--poll", "--webhook-host", "0.0.0.0"], /^--webhook-host: only with --webhook-port/);
        refused(["--stack", "dev", "--webhook-port", "70000"], /^--webhook-port: got "70000"; expected a TCP port number from 0 to 65535/);
        refused(["--stack", "dev", "--poll", "--safety-interval", "10"], /^--safety-interval: got "10"; expected a positive duration such as 500ms, 30s, 10m or 1h/);
        refused(["--stack", "dev", "--poll", "--lock-retry", "0s"], /^--lock-retry: got "0s"; expected a positive duration/);
        refused(["--stack", "dev", "--poll", "--github-budget", "0"], /^--github-budget: got "0"; expected a whole number of at least 1/);
        refused(["--stack", "dev", "--poll", "--log-level", "loud"], /^--log-level: got "loud"; expected one of debug, info, warn, error/);
        refused(["--stack", "dev", "--poll", "--backoff-base", "2m", "--backoff-max", "1m"], /^--backoff-max: got 1m; expected at least --backoff-base \(2m\)/);
        refused(["--stack", "dev", "--poll", "--safety-interval", "40m"], /^--max-up-age: got 30m; expected more than --safety-interval \(40m\)/);
        refused(["--stack", "dev", "--poll", "--colour"], /Unknown option '--colour'/);
        refused(["--stack", "dev", "--poll", "extra"], /positional argument/);
    });

    test("durations", () => {
        assert.equal(parseDuration("--x", "1.5s"), 1500);
        assert.equal(parseDuration("--x", "2h"), 7_200_000);
        assert.equal(parseDuration("--x", "0ms", { allowZero: true }), 0);
        assert.throws(() => parseDuration("--x", "1 minute"), /--x: got "1 minute"/);
    });
});

test("the reconciler's timing and health limits are the options given", () => {
    const options = parseReconcileArgs(
        ["--stack", "dev", "--poll", "--safety-interval", "7m", "--debounce", "3s", "--backoff-base", "4s", "--backoff-max", "9m", "--lock-retry", "11s", "--supply-interval", "45s", "--max-up-age", "25m", "--max-failing", "33m", "--max-up-duration", "50m"],
        "/srv/app",
    );
    assert.notEqual(options, "help");
    assert.deepEqual(reconcilerLimits(options as ReconcileOptions), {
        timing: { safetyIntervalMs: 420_000, debounceMs: 3_000, backoff: { baseMs: 4_000, maxMs: 540_000 }, lockRetryMs: 11_000, supplyIntervalMs: 45_000 },
        health: { maxUpAgeMs: 1_500_000, maxFailingMs: 1_980_000, maxRunMs: 3_000_000, wakeSlackMs: 60_000 },
    });
});
