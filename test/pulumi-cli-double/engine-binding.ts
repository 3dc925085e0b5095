/**
 * The one place the double reaches the engine harness (test/harness/harness-stack.ts):
 * a stack whose state lives in a file between CLI runs, run on the real program
 * in the project directory. If the harness's API changes, only this file does.
 */
import { HarnessStack, type OperationResult } from "../harness/harness-stack";
import { DeploymentState, inputsOf, outputsOf } from "../harness/deployment-state";
import type { UntypedDeployment } from "../harness/checkpoint/checkpoint";
import { isProviderType } from "../harness/engine/providers";
import { SECRET_SIG, SIG_KEY, UNKNOWN_VALUE, type WireObject, type WireValue } from "../harness/pulumi-values";

export type Operation = "preview" | "up" | "refresh" | "destroy";

export interface EngineTarget {
    stateFile: string;
    /** The project directory (where Pulumi.yaml is): the program's directory. */
    programDir: string;
    project: string;
    stack: string;
    config: Record<string, string>;
    secretKeys: string[];
    /** The environment the program and the provider host get (the CLI's own). */
    env: Record<string, string>;
    entryPoint: string | undefined;
    typescript: boolean;
}

export interface ResourceSnapshot {
    urn: string;
    type: string;
    id: string;
    parent: string;
    custom: boolean;
    provider: string;
    /** Secrets wrapped ({sig: secret, value}). */
    inputs: WireObject;
    outputs: WireObject;
}

export interface EngineStep {
    urn: string;
    type: string;
    op: string;
    /** Default providers are the engine's own bookkeeping: not counted, not shown. */
    internal: boolean;
    replaceKeys: string[] | undefined;
    changedKeys: string[] | undefined;
    /** For refresh: the result as the summary counts it (same, update or delete). */
    refreshed: "same" | "changed" | "gone" | undefined;
    old: ResourceSnapshot | undefined;
    new: ResourceSnapshot | undefined;
}

export interface EngineOutcome {
    steps: EngineStep[];
    diagnostics: { severity: "info" | "warning" | "error"; urn: string; message: string }[];
    /** The stack outputs after the operation (secrets wrapped). */
    outputs: WireObject;
    error: string | undefined;
    /** The checkpoint after the operation (secrets encrypted), for the backend's stack file. */
    checkpoint: UntypedDeployment;
}

function open(target: EngineTarget): Promise<HarnessStack> {
    return HarnessStack.open({
        stateFile: target.stateFile,
        programDir: target.programDir,
        project: target.project,
        stack: target.stack,
        config: target.config,
        secretKeys: target.secretKeys,
        env: target.env,
        typescript: target.typescript,
        ...(target.entryPoint !== undefined ? { entryPoint: target.entryPoint } : {}),
        timeoutMs: 10 * 60_000,
    });
}

function snapshots(state: DeploymentState): Map<string, ResourceSnapshot> {
    const result = new Map<string, ResourceSnapshot>();
    for (const resource of [...state.pendingDeletes, ...state.resources.values()]) {
        result.set(resource.urn, {
            urn: resource.urn,
            type: resource.type,
            id: resource.id,
            parent: resource.parent,
            custom: resource.custom,
            provider: resource.provider,
            inputs: inputsOf(resource),
            outputs: outputsOf(resource),
        });
    }
    return result;
}

export async function runOperation(operation: Operation, target: EngineTarget, options: { dryRun: boolean; runProgram: boolean }): Promise<EngineOutcome> {
    const stack = await open(target);
    const before = snapshots(stack.state);
    let result;
    switch (operation) {
        case "preview":
            result = await stack.preview();
            break;
        case "up":
            result = await stack.up();
            break;
        case "refresh":
            result = await stack.refresh({ dryRun: options.dryRun });
            break;
        case "destroy":
            result = await stack.destroy({ dryRun: options.dryRun, runProgram: options.runProgram });
            break;
        default: {
            const unknown: never = operation;
            throw new Error(`unknown operation ${String(unknown)}`);
        }
    }
    return outcomeOf(stack, result, before);
}

/**
 * What the CLI reports of an operation the harness ran on `stack`: its steps (with the resources'
 * states before, when the caller took them, and after), diagnostics with a failed step's error on
 * its resource, outputs and checkpoint.
 */
export function outcomeOf(stack: HarnessStack, result: OperationResult, before: ReadonlyMap<string, ResourceSnapshot> = new Map()): EngineOutcome {
    const after = snapshots(stack.state);
    return {
        ...withStepError(result.error, result.diagnostics),
        steps: result.steps.map((step) => ({
            urn: step.urn,
            type: step.type,
            op: step.op,
            internal: isProviderType(step.type),
            replaceKeys: step.replaceKeys,
            changedKeys: step.changedKeys,
            refreshed: step.refreshed,
            old: before.get(step.urn),
            new: after.get(step.urn),
        })),
        outputs: result.outputs,
        checkpoint: stack.exportDeployment(),
    };
}

/**
 * A failed step is reported by the engine as an error diagnostic on that
 * resource, ahead of what the program then logs (pkg/engine/update.go: the
 * step executor's Diag.Errorf with the resource's URN). The harness gives it as
 * "<urn>: <provider error>".
 */
function withStepError(error: string | undefined, diagnostics: EngineOutcome["diagnostics"]): Pick<EngineOutcome, "error" | "diagnostics"> {
    const match = error === undefined ? null : /^(urn:pulumi:\S+?): ([\s\S]*)$/.exec(error);
    if (error === undefined || match === null) return { error, diagnostics };
    const [, urn, message] = match as unknown as [string, string, string];
    return { error, diagnostics: [{ severity: "error", urn, message }, ...diagnostics] };
}

export async function stackOutputs(target: EngineTarget): Promise<WireObject> {
    return (await open(target)).outputs();
}

/**
 * `pulumi stack export`: the checkpoint with its secrets encrypted, or with
 * --show-secrets their plaintext in the envelope's `plaintext` field
 * (pkg/resource/stack/deployment.go SerializePropertyValue, showSecrets).
 */
export async function exportStack(target: EngineTarget, showSecrets: boolean): Promise<UntypedDeployment> {
    return (await open(target)).exportDeployment({ showSecrets });
}

/** A property value as the CLI shows it: secrets masked as "[secret]" (display.MassageSecrets) or revealed. */
export function massageSecrets(value: WireValue, showSecrets: boolean): unknown {
    if (Array.isArray(value)) return value.map((item) => massageSecrets(item, showSecrets));
    if (value === null || typeof value !== "object") return value === UNKNOWN_VALUE ? "[unknown]" : value;
    if (value[SIG_KEY] === SECRET_SIG) return showSecrets ? massageSecrets(value["value"] ?? null, true) : "[secret]";
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, massageSecrets(item, showSecrets)]));
}
