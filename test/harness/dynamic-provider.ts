/**
 * The `pulumi-nodejs` provider as the engine drives it (pulumi/pulumi v3.259
 * pkg/resource/plugin/provider_plugin.go), over the SDK's own host (dynamic-provider-host.ts):
 *
 * - the host answered Configure without acceptSecrets and without supportsPreview;
 * - so every value sent to it is plain, and the secret bit of an input carries over to the
 *   check result and outputs of the same name (annotateSecrets in Check, Create, Update, Read);
 * - in preview Create and Update are not called at all: a Create answers the inputs as outputs
 *   (with no id), an Update answers ONLY the new inputs, so the SDK resolves every other output
 *   as unknown (provider.Create/provider.Update: `!protocol.supportsPreview`);
 * - the host's Diff reports changes, replaces and deleteBeforeReplace but no changed keys.
 */
import type { DynamicProviderHost } from "./dynamic-provider-host";
import type { WireObject } from "./pulumi-values";
import type { CheckResult, DiffResult, ReadResult, ResourceProvider, ResourceRef } from "./resource-provider";
import { annotateSecrets, stripObject } from "./secret-values";

export class DynamicProvider implements ResourceProvider {
    constructor(private readonly host: () => Promise<DynamicProviderHost>) {}

    async check(resource: ResourceRef, olds: WireObject | undefined, news: WireObject): Promise<CheckResult> {
        const host = await this.host();
        const checked = await host.check(resource, stripObject(olds ?? {}), stripObject(news));
        return {
            inputs: annotateSecrets(checked.inputs, news),
            failures: checked.failures.map((failure) => {
                const colon = failure.indexOf(": ");
                return { property: failure.slice(0, colon), reason: failure.slice(colon + 2) };
            }),
        };
    }

    async diff(resource: ResourceRef, id: string, oldInputs: WireObject, oldOutputs: WireObject, newInputs: WireObject): Promise<DiffResult> {
        const host = await this.host();
        const diff = await host.diff(resource, id, stripObject(oldInputs), stripObject(oldOutputs), stripObject(newInputs));
        return { changes: diff.changes, replaceKeys: diff.replaces, changedKeys: [], detailedDiff: undefined, deleteBeforeReplace: diff.deleteBeforeReplace };
    }

    async create(resource: ResourceRef, inputs: WireObject, preview: boolean): Promise<{ id: string; outputs: WireObject }> {
        if (preview) return { id: "", outputs: inputs };
        const host = await this.host();
        const created = await host.create(resource, stripObject(inputs));
        return { id: created.id, outputs: annotateSecrets(created.outputs, inputs) };
    }

    async update(resource: ResourceRef, id: string, oldInputs: WireObject, oldOutputs: WireObject, newInputs: WireObject, preview: boolean): Promise<WireObject> {
        if (preview) return newInputs;
        const host = await this.host();
        const outputs = await host.update(resource, id, stripObject(oldInputs), stripObject(oldOutputs), stripObject(newInputs));
        return annotateSecrets(outputs, newInputs);
    }

    async delete(resource: ResourceRef, id: string, inputs: WireObject, outputs: WireObject): Promise<void> {
        const host = await this.host();
        await host.delete(resource, id, stripObject(inputs), stripObject(outputs));
    }

    async read(resource: ResourceRef, id: string, inputs: WireObject, state: WireObject): Promise<ReadResult | undefined> {
        const host = await this.host();
        const read = await host.read(resource, id, stripObject(inputs), stripObject(state));
        // A blank id is a resource that is gone (RefreshStep.Apply: "If the ID is blank treat this as a delete").
        if (read.id === "") return undefined;
        return {
            id: read.id,
            outputs: annotateSecrets(read.outputs, state),
            ...(read.inputs !== undefined ? { inputs: annotateSecrets(read.inputs, inputs) } : {}),
        };
    }
}
