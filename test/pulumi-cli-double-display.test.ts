/**
 * The `pulumi` CLI double's text output (test/pulumi-cli-double/display.ts) for the two things
 * the runbook shows from it: `pulumi refresh`, whose steps are shown and counted as their result
 * (pkg/resource/deploy/step.go RefreshStep.ResultOp, in the outputs event the display renders),
 * and a failed step, whose error the engine reports on its resource (pkg/engine/update.go).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderOperation } from "./pulumi-cli-double/display";
import type { EngineOutcome, EngineStep } from "./pulumi-cli-double/engine-binding";

const PREFIX = "urn:pulumi:dev::proj::";

function step(op: string, name: string, refreshed?: EngineStep["refreshed"]): EngineStep {
    return { urn: `${PREFIX}demo:index:Thing::${name}`, type: "demo:index:Thing", op, internal: false, replaceKeys: undefined, changedKeys: undefined, refreshed, old: undefined, new: undefined };
}

function outcome(steps: EngineStep[], diagnostics: EngineOutcome["diagnostics"] = [], error?: string): EngineOutcome {
    return { steps, diagnostics, outputs: {}, error, checkpoint: { version: 3, deployment: {} } as unknown as EngineOutcome["checkpoint"] };
}

test("refresh: an unchanged resource is not listed; a changed one is an update, a gone one a delete", () => {
    const steps = [step("refresh", "kept", "same"), step("refresh", "changed", "changed"), step("refresh", "gone", "gone")];
    assert.equal(
        renderOperation("proj", "dev", "refresh", false, outcome(steps), 2),
        [
            "Refreshing (dev):",
            "    ~  demo:index:Thing changed updated",
            "    -  demo:index:Thing gone deleted",
            "",
            "Resources:",
            "    ~ 1 updated",
            "    - 1 deleted",
            "    2 changes. 1 unchanged",
            "",
            "Duration: 2s",
            "",
        ].join("\n"),
    );
    const preview = renderOperation("proj", "dev", "refresh", true, outcome(steps), 1);
    assert.match(preview, /^Previewing refresh \(dev\):\n {4}~ {2}demo:index:Thing changed update\n {4}- {2}demo:index:Thing gone delete\n/);
});

test("a failed step's error, as the CLI double's outcome carries it, is shown on its resource, once", () => {
    const failed = outcome([step("create", "vm")], [{ severity: "error", urn: `${PREFIX}demo:index:Thing::vm`, message: "quota exceeded" }], `${PREFIX}demo:index:Thing::vm: quota exceeded`);
    const text = renderOperation("proj", "dev", "up", false, failed, 3);
    assert.match(text, /\nDiagnostics:\n {2}demo:index:Thing \(vm\):\n {4}error: quota exceeded\n/);
    assert.doesNotMatch(text, /pulumi:pulumi:Stack/, "not repeated on the stack");
});
