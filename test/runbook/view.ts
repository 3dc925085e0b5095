/**
 * Reading a walk's captures in the runbook test (test/runbook.test.ts): a capture by id, its
 * status report's slot rows, the custom resources an operation changed, its warnings. Each
 * accessor fails with the id it was asked for when the walk made no such output.
 */
import assert from "node:assert/strict";
import type { SlotReport, StatusReport } from "../../scripts/status/report";
import { changes } from "../engine-support";
import type { OperationResult } from "../harness/harness-stack";
import type { Capture } from "./captures";

/** [slot, GitHub, Nova, next action] per slot of the (only) pool. */
export type Row = [number, string | null, string, string];

export class WalkView {
    constructor(private readonly captures: () => Map<string, Capture>) {}

    capture(id: string): Capture {
        const found = this.captures().get(id);
        assert.ok(found, `the walk made no output ${id}`);
        return found;
    }

    report(id: string): StatusReport {
        const found = this.capture(id).report;
        assert.ok(found, `${id} is not a status output`);
        return found;
    }

    slots(id: string): SlotReport[] {
        return this.report(id).pools[0]?.slots ?? [];
    }

    rows(id: string): Row[] {
        return this.slots(id).map((slot) => [slot.index, slot.runner?.github ?? null, slot.vm.nova, slot.next.action]);
    }

    slot(id: string, index: number): SlotReport {
        const found = this.slots(id).find((candidate) => candidate.index === index);
        assert.ok(found, `${id}: no slot ${index}`);
        return found;
    }

    operation(id: string): OperationResult {
        const found = this.capture(id).operation;
        assert.ok(found, `${id} is not an operation`);
        return found;
    }

    /** "kind type name" of the custom resources' changes (test/engine-support.ts changes). */
    changed(id: string): string[] {
        return changes({ steps: this.operation(id).steps.filter((step) => step.custom && step.kind !== "read") }).sort();
    }

    warnings(id: string): string[] {
        return this.operation(id)
            .diagnostics.filter((diagnostic) => diagnostic.severity === "warning")
            .map((diagnostic) => diagnostic.message);
    }
}

/** The registration, VM and drain guard of one slot of pool small, as `changed` names them. */
export function slotResources(kind: "create" | "delete" | "replace", index: number): string[] {
    return [`${kind} guard fleet-small-${index}-drain`, `${kind} instance fleet-small-${index}`, `${kind} registration fleet-small-${index}`];
}
