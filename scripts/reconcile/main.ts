/**
 * `npm run reconcile -- --stack <name> (--webhook-port N | --poll) [...]`: the
 * long-running reconciler (see README.md here). SIGTERM or SIGINT stop it
 * after the running `up` ends; a second signal asks that `up` to cancel.
 */
import { tmpdir } from "node:os";
import path from "node:path";
import { listRunners } from "../../components/github/runners";
import { selectStack } from "./automation";
import { parseReconcileArgs, reconcilerLimits, USAGE, UsageError, type ReconcileOptions } from "./args";
import { systemClock } from "./demand/clock";
import { createDemandSource, githubClientFor, type DemandMode } from "./demand-binding";
import { DEMAND_FILE_VARIABLE } from "./demand-file";
import { StatusServer } from "./http-server";
import { createJsonLogger, type Logger } from "./logger";
import { ReconcilerMetrics } from "./metrics";
import { Reconciler } from "./reconciler";
import { Redactor } from "./redact";
import { stackSettingsFromConfig } from "./stack-settings";
import { describeUpFailure } from "./up-failure";

export const WEBHOOK_SECRET_VARIABLE = "RECONCILER_WEBHOOK_SECRET";
/** How long a stop waits for a running `up` before asking it to cancel. */
const STOP_GRACE_MS = 5 * 60_000;

function stateDirectory(options: ReconcileOptions): string {
    // systemd sets STATE_DIRECTORY for a unit with StateDirectory= (systemd.exec(5), "RuntimeDirectory=, StateDirectory=, ...").
    const base = options.stateDir ?? process.env["STATE_DIRECTORY"]?.split(":")[0] ?? path.join(tmpdir(), "openstack-github-runners-reconciler");
    return path.resolve(base, options.stack);
}

function demandMode(options: ReconcileOptions): DemandMode {
    const budget = options.githubBudgetPerMinute !== undefined ? { budgetPerMinute: options.githubBudgetPerMinute } : {};
    if (options.demand.kind === "poll") return { kind: "poll", ...budget };
    const secret = process.env[WEBHOOK_SECRET_VARIABLE];
    if (secret === undefined || secret === "") {
        throw new UsageError(`${WEBHOOK_SECRET_VARIABLE}: not set; expected the secret of the GitHub webhook (webhook mode checks every delivery's X-Hub-Signature-256 with it)`);
    }
    return { kind: "webhook", host: options.demand.host, port: options.demand.port, secret, ...budget };
}

async function run(options: ReconcileOptions, logger: Logger, redactor: Redactor): Promise<void> {
    const mode = demandMode(options);
    if (mode.kind === "webhook") redactor.addSecrets([mode.secret]);
    const demandFile = path.join(stateDirectory(options), "demand.json");
    const stack = await selectStack({ stackName: options.stack, workDir: path.resolve(options.cwd), envVars: { [DEMAND_FILE_VARIABLE]: demandFile } });
    const settings = stackSettingsFromConfig(stack.project, stack.name, await stack.config());
    redactor.addSecrets(settings.secretValues);
    const client = githubClientFor(settings);
    const demand = createDemandSource(mode, settings, client, (level, message, fields) => logger.log(level, message, { source: "demand", ...fields }));
    await demand.source.start();
    const metrics = new ReconcilerMetrics();
    const reconciler = new Reconciler({
        clock: systemClock,
        stack,
        demand: demand.source,
        listRunners: () => listRunners(client, settings.github.apiUrl, settings.github.path),
        pools: settings.pools,
        demandFile,
        metrics,
        logger,
        redactor,
        ...reconcilerLimits(options),
    });
    const server = await StatusServer.start({ ...options.metrics, health: () => reconciler.health(), metrics: () => metrics.text() });
    await reconciler.start();
    logger.info("reconciler started", {
        stack: stack.name,
        project: stack.project,
        demand: demand.describe(),
        statusUrl: `http://${options.metrics.host}:${server.port}`,
        pools: settings.pools.map((pool) => pool.pool),
        demandFile,
    });

    await new Promise<void>((resolve) => {
        let stopping = false;
        const onSignal = (signal: NodeJS.Signals) => {
            if (stopping) {
                logger.warn("second signal: asking the running up to cancel", { signal });
                void reconciler.stop(0);
                return;
            }
            stopping = true;
            logger.info("stopping: waiting for the running up, if any", { signal });
            void (async () => {
                await reconciler.stop(STOP_GRACE_MS);
                await demand.source.stop();
                await server.stop();
                logger.info("reconciler stopped");
                resolve();
            })();
        };
        process.on("SIGTERM", onSignal);
        process.on("SIGINT", onSignal);
    });
}

async function main(): Promise<void> {
    const redactor = new Redactor();
    redactor.addSecretEnvironment(process.env);
    let options: ReconcileOptions | "help";
    try {
        options = parseReconcileArgs(process.argv.slice(2), process.cwd());
    } catch (error) {
        process.stderr.write(`${redactor.redact(error instanceof Error ? error.message : String(error))}\n`);
        process.exitCode = 2;
        return;
    }
    if (options === "help") {
        process.stdout.write(`${USAGE}\n`);
        return;
    }
    const logger = createJsonLogger({ redactor, write: (line) => process.stdout.write(line), minLevel: options.logLevel });
    try {
        await run(options, logger, redactor);
    } catch (error) {
        logger.error("reconciler failed", { error: describeUpFailure(error, redactor).reason });
        process.exitCode = error instanceof UsageError ? 2 : 1;
        // Open handles (a started demand source, a server) must not keep a failed process alive.
        setTimeout(() => process.exit(), 1000).unref();
    }
}

void main();
