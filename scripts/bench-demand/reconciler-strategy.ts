/**
 * The reconciler strategies: the reconciler's own code in this process, wired as
 * scripts/reconcile/main.ts wires it (Reconciler and its scheduler with the reconciler's
 * default timings from its own argument parser, the Automation API stack, the stack's settings
 * from its config, the stack's GitHub client, the real demand source, the supply check through
 * components/github/runners), with the virtual clock instead of the system clock.
 *
 * What is added around the real code is only the clock's bookkeeping: each `up` is timed
 * through the simulation (GithubSimulation.up), this process's GitHub requests are tracked as
 * real work so time stands still while they run, and the reconciler's log lines are kept.
 *
 * The demand sources are built here rather than by createDemandSource (demand-binding.ts),
 * whose sources always take the system clock; the options are the ones it passes, plus the
 * clock and the polling interval.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { listRunners } from "../../components/github/runners";
import { parseReconcileArgs, reconcilerLimits } from "../reconcile/args";
import { selectStack, type ReconcileStack, type UpReport } from "../reconcile/automation";
import { PollingDemandSource, WebhookDemandSource, type DemandSource } from "../reconcile/demand";
import { githubClientFor } from "../reconcile/demand-binding";
import { DEMAND_FILE_VARIABLE } from "../reconcile/demand-file";
import { createJsonLogger } from "../reconcile/logger";
import { ReconcilerMetrics } from "../reconcile/metrics";
import { Reconciler } from "../reconcile/reconciler";
import { Redactor } from "../reconcile/redact";
import { stackSettingsFromConfig } from "../reconcile/stack-settings";
import type { BenchOptions } from "./options";
import type { GithubSimulation, SimulatedWorld } from "./simulation";
import type { VirtualClock } from "./virtual-clock";
import { REPO_SCOPE, STACK } from "./world";

export interface ReconcilerRecord {
    /** The reconciler's JSON log lines. */
    log: string[];
    /** The reconciler's own job-wait histogram: observations and their sum. */
    reconcilerJobWait: { count: number; sumSeconds: number };
}

/**
 * The Automation API stack the reconciler drives, with each `up` timed by the simulation: the
 * real `up` runs while the clock stands still, then the call returns once the up-time
 * parameter has passed in simulated time (a failed `up` too, then it throws).
 */
class SimulatedDurationStack implements ReconcileStack {
    constructor(
        private readonly stack: ReconcileStack,
        private readonly clock: VirtualClock,
        private readonly simulation: GithubSimulation,
    ) {}

    get name(): string {
        return this.stack.name;
    }

    get project(): string {
        return this.stack.project;
    }

    async up(options: { signal: AbortSignal; onEvent: (event: EngineEvent) => void }): Promise<UpReport> {
        try {
            const { result, endsAtMs } = await this.simulation.up(() => this.stack.up(options));
            await this.clock.sleep(endsAtMs - this.clock.now());
            return result;
        } catch (error) {
            // A failed `up` takes its time too before the scheduler retries.
            const endsAtMs = this.simulation.ups.at(-1)?.endMs ?? this.clock.now();
            await this.clock.sleep(endsAtMs - this.clock.now());
            throw error;
        }
    }

    outputs(): ReturnType<ReconcileStack["outputs"]> {
        return this.clock.track("stack outputs", () => this.stack.outputs());
    }

    config(): ReturnType<ReconcileStack["config"]> {
        return this.clock.track("stack config", () => this.stack.config());
    }
}

export async function runReconciler({ world, clock, simulation }: SimulatedWorld, demandKind: "webhook" | "poll", options: BenchOptions, horizonMs: number): Promise<ReconcilerRecord> {
    // The reconciler's own defaults (debounce, safety interval, backoff, lock retry, supply interval, health).
    const defaults = parseReconcileArgs(["--stack", STACK, "--poll"], world.double.projectDir);
    if (defaults === "help") throw new Error("the reconciler's argument parser answered help to a plain command line");
    const demandFile = path.join(world.double.root, "state", "demand.json");
    const redactor = new Redactor();
    redactor.addSecretEnvironment(process.env);
    redactor.addSecrets(world.secrets);
    const log: string[] = [];
    const logger = createJsonLogger({
        redactor,
        write: (line) => {
            log.push(line.trimEnd());
            if (options.verbose) process.stderr.write(line);
        },
        now: () => clock.now(),
    });

    const automation = await clock.track("select the stack", () =>
        selectStack({ stackName: STACK, workDir: world.double.projectDir, envVars: world.pulumiEnv({ [DEMAND_FILE_VARIABLE]: demandFile }) }),
    );
    const stack = new SimulatedDurationStack(automation, clock, simulation);
    const settings = stackSettingsFromConfig(stack.project, stack.name, await stack.config());
    redactor.addSecrets(settings.secretValues);
    const client = githubClientFor(settings);
    // Time stands still while a GitHub request of this process is in flight (before-after-hook:
    // the hook added last wraps the others, so this one sees the whole request, retries included).
    client.hook.wrap("request", (request, requestOptions) => clock.track(`GitHub ${requestOptions.method} ${requestOptions.url}`, async () => request(requestOptions)));
    const demandLog = (level: "info" | "warn" | "error", message: string, fields?: Record<string, string | number | boolean>) => logger.log(level, message, { source: "demand", ...fields });
    const common = { client, apiUrl: settings.github.apiUrl, path: settings.github.path, clock, log: demandLog, budgetPerMinute: options.pollBudgetPerMinute };
    const webhookSecret = `whsec-${randomBytes(16).toString("hex")}`;
    redactor.addSecrets([webhookSecret]);
    const demand: DemandSource =
        demandKind === "webhook"
            ? new WebhookDemandSource({ ...common, secret: webhookSecret, host: "127.0.0.1", port: 0 })
            : new PollingDemandSource({ ...common, minIntervalMs: options.pollIntervalMs });
    await demand.start();
    let reconciler: Reconciler | undefined;
    try {
        if (demand instanceof WebhookDemandSource) await world.fake.actions.addWebhook({ scope: REPO_SCOPE, url: demand.url, secret: webhookSecret });
        const metrics = new ReconcilerMetrics({ defaultMetrics: false });
        reconciler = new Reconciler({
            clock,
            stack,
            demand,
            listRunners: () => listRunners(client, settings.github.apiUrl, settings.github.path),
            pools: settings.pools,
            demandFile,
            metrics,
            logger,
            redactor,
            ...reconcilerLimits(defaults),
        });
        await reconciler.start();
        simulation.scheduleTrace();
        await clock.run(() => simulation.allCompleted(), horizonMs);
        return { log, reconcilerJobWait: await jobWaitOf(metrics) };
    } finally {
        // The measurement ends with the last job. Stopping aborts the loops' sleeps at once (stop()
        // aborts before its first await); then the clock lets a running `up` end without simulated
        // time passing, and the stops complete.
        const stopping = Promise.all([reconciler?.stop(), demand.stop()]);
        clock.shutdown();
        await stopping;
    }
}

/** The reconciler's own job_wait_seconds histogram (its exposition text): how many waits it saw and their sum. */
async function jobWaitOf(metrics: ReconcilerMetrics): Promise<{ count: number; sumSeconds: number }> {
    const { body } = await metrics.text();
    const total = (suffix: string) =>
        [...body.matchAll(new RegExp(`^runner_reconciler_job_wait_seconds_${suffix}\\{[^}]*\\} ([0-9.e+-]+)$`, "gm"))].reduce((sum, match) => sum + Number(match[1]), 0);
    return { count: total("count"), sumSeconds: total("sum") };
}
