/**
 * A provider the harness does not model (e.g. command:local:Command): it keeps what the program
 * asks for, with no rules of its own. Its Diff answers "unknown", so the engine compares the
 * inputs itself (diffResource) and replaceOnChanges still applies; nothing runs anywhere.
 */
import { randomUUID } from "node:crypto";
import type { WireObject } from "../pulumi-values";
import type { CheckResult, DiffResult, ReadResult, ResourceProvider, ResourceRef } from "../resource-provider";

export class EchoProvider implements ResourceProvider {
    async check(_resource: ResourceRef, _olds: WireObject | undefined, news: WireObject): Promise<CheckResult> {
        return { inputs: news, failures: [] };
    }

    async diff(): Promise<DiffResult> {
        return { changes: "unknown", replaceKeys: [], changedKeys: [], detailedDiff: undefined, deleteBeforeReplace: false };
    }

    async create(resource: ResourceRef, inputs: WireObject, preview: boolean): Promise<{ id: string; outputs: WireObject }> {
        return { id: preview ? "" : `${resource.name}-${randomUUID().slice(0, 8)}`, outputs: inputs };
    }

    async update(_resource: ResourceRef, _id: string, _oldInputs: WireObject, _oldOutputs: WireObject, newInputs: WireObject): Promise<WireObject> {
        return newInputs;
    }

    async delete(): Promise<void> {}

    async read(_resource: ResourceRef, id: string, _inputs: WireObject, state: WireObject): Promise<ReadResult | undefined> {
        return { id, outputs: state };
    }
}
