/**
 * A harness operation as the `pulumi` CLI prints it without a terminal, by the `pulumi` CLI test
 * double's own renderer (test/pulumi-cli-double/display.ts: banner, one line per changed resource,
 * Diagnostics, Resources, Duration), so the runbook shows what `pulumi preview` / `up` / `refresh`
 * / `destroy` say, from the run itself.
 */
import type { EngineOutcome } from "../pulumi-cli-double/engine-binding";
import { renderOperation } from "../pulumi-cli-double/display";
import { isProviderType } from "../harness/engine/providers";
import type { HarnessStack, OperationResult } from "../harness/harness-stack";

export function operationText(stack: HarnessStack, result: OperationResult, dryRun: boolean, durationSeconds: number): string {
    const outcome: EngineOutcome = {
        steps: result.steps.map((step) => ({
            urn: step.urn,
            type: step.type,
            // A refresh that found nothing changed is shown and counted as its result, "same"
            // (pkg/engine/update.go RefreshStep.ResultOp, as test/pulumi-cli-double/events.ts counts it).
            op: step.op === "refresh" && step.refreshed === "same" ? "same" : step.op,
            internal: isProviderType(step.type),
            replaceKeys: step.replaceKeys,
            changedKeys: step.changedKeys,
            refreshed: step.refreshed,
            old: undefined,
            new: undefined,
        })),
        diagnostics: result.diagnostics,
        outputs: result.outputs,
        error: result.error,
        checkpoint: stack.exportDeployment(),
    };
    return renderOperation(stack.identity.project, stack.identity.stack, result.operation === "preview" ? "up" : result.operation, dryRun, outcome, durationSeconds);
}
