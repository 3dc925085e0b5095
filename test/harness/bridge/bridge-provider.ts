/**
 * The OpenStack provider as the engine sees it: pulumi-openstack v3.15.2, i.e.
 * pulumi-terraform-bridge v3.79.0 over terraform-provider-openstack v1.54.1, with a CloudBackend
 * in place of the OpenStack APIs. The bridge's rules (pkg/tfbridge/provider.go and schema.go):
 *
 * - Check adds defaults to the inputs and lists their keys in `__defaults`: an auto-name for a
 *   `name` the program left out (pulumi-openstack provider/resources.go SetAutonaming(255, "-"):
 *   "<resource name>-<7 hex>", kept from the old inputs while it stays a default), then the
 *   Terraform schema defaults (ApplyTFDefaults), an old default winning over the schema's;
 * - Diff compares the state (old outputs) with the new inputs the Terraform way (terraform-diff.ts);
 *   replaces are the top-level properties of ForceNew changes; deleteBeforeReplace is set when
 *   the resource is auto-nameable but the program gave the name itself (nameRequiresDeleteBeforeReplace:
 *   two objects cannot share a name the program chose);
 * - outputs are the Terraform state: the inputs as stored (after StateFunc), defaults, the
 *   computed attributes, `id`, and `__meta` holding the resource timeouts in nanoseconds under
 *   Terraform's timeout key (MakeTerraformResult); Sensitive attributes are secrets
 *   (MakeTerraformOutput), other outputs are not made secret because an input was;
 * - the bridge supports preview: a create in preview answers the planned state, computed
 *   attributes unknown; an update in preview the old state with the new inputs laid over it.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import type { CloudBackend } from "../cloud";
import type { ResourceSpec } from "../openstack-schema";
import { UNKNOWN_VALUE, type WireObject, type WireValue } from "../pulumi-values";
import type { CheckResult, DiffResult, ReadResult, ResourceProvider, ResourceRef } from "../resource-provider";
import { makeSecret, stripObject } from "../secret-values";
import { applyStateFunc, terraformDiff } from "./terraform-diff";

const DEFAULTS_KEY = "__defaults";
const META_KEY = "__meta";
/** terraform-plugin-sdk v2 helper/schema/resource_timeout.go TimeoutKey. */
const TIMEOUT_KEY = "e2bfb730-ecaa-11e6-8f88-34363bc7c4c0";

function defaultsOf(inputs: WireObject | undefined): string[] {
    const list = inputs?.[DEFAULTS_KEY];
    return Array.isArray(list) ? list.filter((item): item is string => typeof item === "string") : [];
}

function withoutBridgeKeys(values: WireObject): WireObject {
    const { [DEFAULTS_KEY]: _defaults, [META_KEY]: _meta, ...rest } = values;
    return rest;
}

const GLANCE_IMAGE = "openstack:images/image:Image";

export class BridgeProvider implements ResourceProvider {
    constructor(
        private readonly specs: (type: string) => ResourceSpec | undefined,
        private readonly cloud: CloudBackend,
        /** The provider process's working directory: the engine starts plugins in the project directory. */
        private readonly workingDirectory: string,
    ) {}

    /**
     * An image's upload reads `localFilePath` on the machine running the provider, before any API
     * call (terraform-provider-openstack v1.54.1 resource_openstack_images_image_v2.go Create:
     * resourceImagesImageV2File, then resourceImagesImageV2FileProps' os.Open): a missing file
     * fails the create with "Error opening file for Image: open <path>: no such file or directory".
     */
    private checkLocalFile(resource: ResourceRef, inputs: WireObject): void {
        const file = inputs["localFilePath"];
        if (resource.type !== GLANCE_IMAGE || typeof file !== "string" || file === "") return;
        if (!existsSync(path.resolve(this.workingDirectory, file))) {
            throw new Error(`Error opening file for Image: open ${file}: no such file or directory`);
        }
    }

    private spec(resource: ResourceRef): ResourceSpec {
        const spec = this.specs(resource.type);
        if (spec === undefined) throw new Error(`${resource.urn}: ${resource.type} is not in openstack-schema.json`);
        return spec;
    }

    async check(resource: ResourceRef, olds: WireObject | undefined, news: WireObject): Promise<CheckResult> {
        const spec = this.spec(resource);
        const inputs: WireObject = { ...withoutBridgeKeys(news) };
        const oldDefaults = defaultsOf(olds);
        const defaults: string[] = [];
        if (spec.autonamed && inputs["name"] === undefined) {
            const previous = oldDefaults.includes("name") ? olds?.["name"] : undefined;
            inputs["name"] = typeof previous === "string" ? previous : `${resource.name}-${randomBytes(4).toString("hex").slice(0, 7)}`.slice(0, 255);
            defaults.push("name");
        }
        for (const [key, attribute] of Object.entries(spec.attributes)) {
            if (attribute.default === undefined || inputs[key] !== undefined) continue;
            const previous = oldDefaults.includes(key) ? olds?.[key] : undefined;
            inputs[key] = previous ?? attribute.default;
            defaults.push(key);
        }
        const failures = Object.entries(spec.attributes)
            .filter(([key, attribute]) => attribute.required === true && inputs[key] === undefined)
            .map(([key]) => ({ property: key, reason: `Missing required property '${key}'` }));
        inputs[DEFAULTS_KEY] = defaults.sort();
        return { inputs, failures };
    }

    async diff(resource: ResourceRef, _id: string, _oldInputs: WireObject, oldOutputs: WireObject, newInputs: WireObject): Promise<DiffResult> {
        const spec = this.spec(resource);
        const diffs = terraformDiff(spec.attributes, oldOutputs, withoutBridgeKeys(newInputs));
        if (diffs.length === 0) return { changes: "none", replaceKeys: [], changedKeys: [], detailedDiff: [], deleteBeforeReplace: false };
        const topLevel = (path: string): string => path.split(/[.[]/)[0]!;
        const replaceKeys = [...new Set(diffs.filter((diff) => diff.replace).map((diff) => topLevel(diff.path)))].sort();
        // nameRequiresDeleteBeforeReplace: without a __defaults list the resource counts as auto-named.
        const named = newInputs["name"] !== undefined && !defaultsOf(newInputs).includes("name");
        return {
            changes: "some",
            replaceKeys,
            changedKeys: [...new Set(diffs.map((diff) => topLevel(diff.path)))].sort(),
            detailedDiff: diffs,
            deleteBeforeReplace: replaceKeys.length > 0 && spec.autonamed && DEFAULTS_KEY in newInputs && named,
        };
    }

    async create(resource: ResourceRef, inputs: WireObject, preview: boolean): Promise<{ id: string; outputs: WireObject }> {
        const spec = this.spec(resource);
        if (preview) {
            const planned = this.stored(spec, inputs);
            for (const [key, attribute] of Object.entries(spec.attributes)) {
                if (attribute.computed === true && planned[key] === undefined) planned[key] = UNKNOWN_VALUE;
            }
            return { id: "", outputs: this.finish(spec, planned, "") };
        }
        this.checkLocalFile(resource, stripObject(inputs));
        const created = await this.cloud.create({ ...resource, inputs: stripObject(withoutBridgeKeys(inputs)) });
        // The cloud's read wins (it fills Optional+Computed attributes); inputs fill what it does not report.
        return { id: created.id, outputs: this.finish(spec, this.merge(spec, this.stored(spec, inputs), created.outputs), created.id) };
    }

    async update(resource: ResourceRef, id: string, oldInputs: WireObject, oldOutputs: WireObject, newInputs: WireObject, preview: boolean): Promise<WireObject> {
        const spec = this.spec(resource);
        const base = withoutBridgeKeys(stripObject(oldOutputs));
        if (preview) return this.finish(spec, { ...base, ...this.stored(spec, newInputs) }, id);
        const updated = await this.cloud.update({
            ...resource,
            id,
            oldInputs: stripObject(withoutBridgeKeys(oldInputs)),
            oldOutputs: base,
            inputs: stripObject(withoutBridgeKeys(newInputs)),
        });
        return this.finish(spec, this.merge(spec, { ...base, ...this.stored(spec, newInputs) }, updated), id);
    }

    async delete(resource: ResourceRef, id: string, inputs: WireObject, outputs: WireObject): Promise<void> {
        await this.cloud.delete({ ...resource, id, inputs: stripObject(withoutBridgeKeys(inputs)), outputs: stripObject(withoutBridgeKeys(outputs)) });
    }

    async read(resource: ResourceRef, id: string, inputs: WireObject, state: WireObject): Promise<ReadResult | undefined> {
        const spec = this.spec(resource);
        const found = await this.cloud.read({ ...resource, id, inputs: stripObject(withoutBridgeKeys(inputs)), outputs: stripObject(withoutBridgeKeys(state)) });
        if (found === undefined) return undefined;
        const outputs = this.finish(spec, { ...withoutBridgeKeys(stripObject(state)), ...found.outputs }, found.id);
        if (Object.keys(withoutBridgeKeys(inputs)).length > 0) return { id: found.id, outputs };
        // An import: the inputs are the input attributes of the state (extractInputsFromOutputs).
        const recovered: WireObject = {};
        for (const [key, attribute] of Object.entries(spec.attributes)) {
            const value = found.outputs[key];
            if ((attribute.optional === true || attribute.required === true) && value !== undefined && attribute.stateFunc === undefined) recovered[key] = value;
        }
        recovered[DEFAULTS_KEY] = [];
        return { id: found.id, outputs, inputs: recovered };
    }

    /** The inputs as Terraform stores them: StateFunc applied, bridge keys dropped. */
    private stored(spec: ResourceSpec, inputs: WireObject): WireObject {
        const result: WireObject = {};
        for (const [key, value] of Object.entries(withoutBridgeKeys(stripObject(inputs)))) {
            const attribute = spec.attributes[key];
            result[key] = attribute === undefined ? value : applyStateFunc(attribute, value);
        }
        return result;
    }

    /** The cloud's attributes over the stored inputs, except that a StateFunc'd attribute is always the stored form. */
    private merge(spec: ResourceSpec, stored: WireObject, cloud: WireObject): WireObject {
        const merged = { ...stored, ...cloud };
        for (const [key, attribute] of Object.entries(spec.attributes)) {
            if (attribute.stateFunc !== undefined && stored[key] !== undefined) merged[key] = stored[key]!;
        }
        return merged;
    }

    private finish(spec: ResourceSpec, state: WireObject, id: string): WireObject {
        const outputs: WireObject = id === "" ? { ...state } : { ...state, id };
        const timeouts = Object.entries(spec.timeoutsMs);
        if (timeouts.length > 0 || spec.schemaVersion > 0) {
            const meta: Record<string, WireValue> = {};
            if (timeouts.length > 0) meta[TIMEOUT_KEY] = Object.fromEntries(timeouts.map(([name, ms]) => [name, ms * 1_000_000]));
            if (spec.schemaVersion > 0) meta["schema_version"] = String(spec.schemaVersion);
            outputs[META_KEY] = JSON.stringify(meta);
        }
        for (const [key, attribute] of Object.entries(spec.attributes)) {
            if (attribute.sensitive === true && outputs[key] !== undefined && outputs[key] !== null) outputs[key] = makeSecret(outputs[key]!);
        }
        return outputs;
    }
}
