/**
 * The one place the reconciler talks to Pulumi: the Automation API
 * (@pulumi/pulumi/automation) on a local workspace over this project, with the
 * stack selected. Everything it runs is a `pulumi` CLI command (automation/
 * localWorkspace.js and stack.js at 3.276.0): `version`, `stack select`,
 * `config --show-secrets --json`, `up --yes --skip-preview --event-log ...`,
 * then `stack output --json` (with and without --show-secrets) and
 * `stack history --json --page-size 1`.
 */
import { LocalWorkspace, type EngineEvent, type Stack } from "@pulumi/pulumi/automation";
import type { StackOutputs } from "./fleet-outputs";
import type { ConfigValues } from "./stack-settings";

export interface UpReport {
    outputs: StackOutputs;
    /** Step counts of the update by op (create, same, update, delete, replace, ...), from the stack history. */
    resourceChanges: Record<string, number>;
}

export interface ReconcileStack {
    readonly name: string;
    readonly project: string;
    up(options: { signal: AbortSignal; onEvent: (event: EngineEvent) => void }): Promise<UpReport>;
    outputs(): Promise<StackOutputs>;
    config(): Promise<ConfigValues>;
}

export interface StackSelection {
    stackName: string;
    /** The project directory (Pulumi.yaml, Pulumi.<stack>.yaml, index.ts). */
    workDir: string;
    /** Environment for every command, on top of this process's (e.g. RUNNER_DEMAND_FILE). */
    envVars: Record<string, string>;
}

class AutomationStack implements ReconcileStack {
    constructor(
        private readonly stack: Stack,
        readonly project: string,
    ) {}

    get name(): string {
        return this.stack.name;
    }

    async up(options: { signal: AbortSignal; onEvent: (event: EngineEvent) => void }): Promise<UpReport> {
        // color "never": plain error text to report; the events carry the details.
        const result = await this.stack.up({ onEvent: options.onEvent, signal: options.signal, color: "never" });
        const changes = result.summary?.resourceChanges ?? {};
        return {
            outputs: result.outputs,
            resourceChanges: Object.fromEntries(Object.entries(changes).map(([op, count]) => [op, Number(count)])),
        };
    }

    outputs(): Promise<StackOutputs> {
        return this.stack.outputs();
    }

    async config(): Promise<ConfigValues> {
        return this.stack.getAllConfig();
    }
}

/** Selects an existing stack (a missing one is an error: the reconciler never creates stacks). */
export async function selectStack(selection: StackSelection): Promise<ReconcileStack> {
    const stack = await LocalWorkspace.selectStack({ stackName: selection.stackName, workDir: selection.workDir }, { envVars: selection.envVars });
    const project = (await stack.workspace.projectSettings()).name;
    return new AutomationStack(stack, project);
}
