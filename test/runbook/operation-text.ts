/**
 * A harness operation as the `pulumi` CLI prints it without a terminal, by the `pulumi` CLI test
 * double's own mapping and renderer (test/pulumi-cli-double/engine-binding.ts outcomeOf,
 * display.ts: banner, one line per changed resource, Diagnostics, Resources, Duration), so the
 * runbook shows what `pulumi preview` / `up` / `refresh` / `destroy` say, from the run itself.
 */
import { outcomeOf } from "../pulumi-cli-double/engine-binding";
import { renderOperation } from "../pulumi-cli-double/display";
import type { HarnessStack, OperationResult } from "../harness/harness-stack";

export function operationText(stack: HarnessStack, result: OperationResult, dryRun: boolean, durationSeconds: number): string {
    const operation = result.operation === "preview" ? "up" : result.operation;
    return renderOperation(stack.identity.project, stack.identity.stack, operation, dryRun, outcomeOf(stack, result), durationSeconds);
}
