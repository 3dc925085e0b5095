/**
 * The one place the status command talks to Pulumi: the Automation API
 * (@pulumi/pulumi/automation) on a local workspace over the project, with an
 * existing stack selected. What it runs are `pulumi` CLI commands
 * (automation/localWorkspace.js at 3.276.0): `version`, `stack select --stack`,
 * `config --show-secrets --json --stack` and `stack export --show-secrets
 * --stack`. Secrets therefore arrive decrypted; they stay in memory and are
 * never printed (the report keeps none of them).
 */
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";

/** `pulumi config --show-secrets --json`, as getAllConfig returns it. */
export type ConfigValues = Record<string, { value: string; secret?: boolean }>;

export interface StackSource {
    readonly stackName: string;
    /** The project name (Pulumi.yaml): the config namespace. */
    readonly project: string;
    config(): Promise<ConfigValues>;
    /** `pulumi stack export --show-secrets`: an untyped deployment ({version, deployment}). */
    exportDeployment(): Promise<unknown>;
}

export interface StackSelection {
    stackName: string;
    /** The project directory (Pulumi.yaml and Pulumi.<stack>.yaml). */
    workDir: string;
    /** Environment for every CLI command, on top of this process's. */
    envVars?: Record<string, string>;
}

/**
 * The CLI's own words from an Automation API failure: its `error:` lines (the
 * CommandError message also carries the command's whole stdout), else the message.
 */
function cliFailure(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    if (/spawn pulumi ENOENT/.test(text)) {
        return "the Pulumi CLI (`pulumi`) is not on PATH: status reads the stack through it, as `pulumi up` does; install it or put it on PATH";
    }
    const said = text.split("\n").map((line) => line.trim()).filter((line) => line.startsWith("error:"));
    return said.length > 0 ? [...new Set(said.map((line) => line.slice("error:".length).trim()))].join("; ") : text;
}

/** Selects an existing stack; a missing one is an error (status never creates stacks). */
export async function openStack(selection: StackSelection): Promise<StackSource> {
    let stack: Stack;
    try {
        stack = await LocalWorkspace.selectStack(
            { stackName: selection.stackName, workDir: selection.workDir },
            selection.envVars !== undefined ? { envVars: selection.envVars } : {},
        );
    } catch (error) {
        throw new Error(`cannot select stack "${selection.stackName}" in ${selection.workDir}: ${cliFailure(error)}`);
    }
    const project = (await stack.workspace.projectSettings()).name;
    return {
        stackName: stack.name,
        project,
        config: () => stack.getAllConfig().catch((error: unknown) => {
            throw new Error(`reading the config of stack "${selection.stackName}" failed: ${cliFailure(error)}`);
        }),
        exportDeployment: () => stack.exportStack().catch((error: unknown) => {
            throw new Error(`exporting the state of stack "${selection.stackName}" failed: ${cliFailure(error)}`);
        }),
    };
}
