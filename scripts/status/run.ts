/**
 * The status command as a function of its arguments, environment and output
 * streams (main.ts is its process entry). The I/O sits at the edges: gather.ts
 * reads, report.ts and sweep-plan.ts decide, render.ts prints, sweep.ts acts.
 * Every line it prints passes the redactor: the stack's secret values never
 * appear, even inside an error from the Pulumi CLI or a service.
 */
import path from "node:path";
import { Redactor } from "../reconcile/redact";
import { parseStatusArgs, type StatusOptions, USAGE } from "./args";
import { openStack, type StackSource } from "./automation";
import { connect, type ConnectOptions, type Connections, gatherSnapshot, readStack } from "./gather";
import { renderReport, renderSweepOutcomes, renderSweepPlan } from "./render";
import { buildStatusReport } from "./report";
import type { StatusConfig } from "./stack-config";
import { executeSweep } from "./sweep";
import { planSweep } from "./sweep-plan";

export interface StatusIo {
    out(text: string): void;
    err(text: string): void;
}

export interface StatusDependencies {
    env: NodeJS.ProcessEnv;
    io: StatusIo;
    openSource?: (options: StatusOptions) => Promise<StackSource>;
    connect?: (config: StatusConfig, options: ConnectOptions) => Connections;
}

/** Runs the command; resolves to the exit code (0 fine, 1 failed, 2 bad usage). */
export async function runStatus(argv: readonly string[], dependencies: StatusDependencies): Promise<number> {
    const { io, env } = dependencies;
    const redactor = new Redactor();
    redactor.addSecretEnvironment(env);
    let options: StatusOptions | "help";
    try {
        options = parseStatusArgs(argv, process.cwd());
    } catch (error) {
        io.err(`status: ${error instanceof Error ? error.message : String(error)}\n`);
        return 2;
    }
    if (options === "help") {
        io.out(`${USAGE}\n`);
        return 0;
    }
    const cwd = path.resolve(options.cwd);
    let connections: Connections | undefined;
    try {
        const source = await (dependencies.openSource ?? ((chosen) => openStack({ stackName: chosen.stack, workDir: cwd })))(options);
        const read = await readStack(source);
        redactor.addSecrets(read.config.secretValues);
        connections = (dependencies.connect ?? connect)(read.config, { env, cwd });
        const report = buildStatusReport(await gatherSnapshot(read, connections));
        if (!options.sweep) {
            io.out(redactor.redact(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report)));
            return 0;
        }
        const steps = planSweep(report);
        if (!options.yes) {
            io.out(redactor.redact(options.json ? `${JSON.stringify({ dryRun: true, steps }, null, 2)}\n` : renderSweepPlan(steps)));
            return 0;
        }
        const outcomes = await executeSweep(steps, connections, read.config.fleet.github.apiUrl);
        io.out(redactor.redact(options.json ? `${JSON.stringify({ dryRun: false, outcomes }, null, 2)}\n` : renderSweepOutcomes(outcomes)));
        return outcomes.some((outcome) => outcome.result === "failed") ? 1 : 0;
    } catch (error) {
        io.err(`status: ${redactor.redact(error instanceof Error ? error.message : String(error))}\n`);
        return 1;
    } finally {
        connections?.close();
    }
}
