/**
 * One deployment (preview, up, or destroy with the program run) of the simulated engine, serving
 * the monitor while the program runs. It follows pulumi/pulumi v3.259
 * pkg/resource/deploy/step_generator.go and step.go:
 *
 * - per custom resource: processIgnoreChanges, Check (with the old inputs unless the resource is
 *   new or being re-created), then Create, or the provider's Diff (diffResource,
 *   applyReplaceOnChanges, deletedWith/replaceWith cascades) into same, update or replace; a
 *   replacement re-runs Check without old inputs (defaults are recomputed);
 * - replacements are create-before-delete (the old one is deleted in the delete phase) unless the
 *   deleteBeforeReplace option, or else the provider's diff, says delete first; then the
 *   dependents whose property dependencies reach the replaced resource and whose provider's diff
 *   replaces them once those inputs are unknown (calculateDependentReplacements) are deleted
 *   first, in reverse dependency order, then the old resource; each is re-created (without a
 *   diff) when the program registers it again;
 * - resource hooks run before/after create, update and delete (CreateStep, UpdateStep,
 *   DeleteStep Apply), skipped in preview unless onDryRun;
 * - the delete phase, run before SignalAndWaitForShutdown answers: old versions of replaced
 *   resources and resources the program no longer registers, each after everything that depends
 *   on it; protect refuses, retainOnDelete and external resources only leave the state,
 *   deletedWith skips the provider call when its owner goes too;
 * - ReadResource (a `get`, a StackReference) reads through the provider and keeps the result
 *   as an external resource; the `import` option reads the existing object first;
 * - a failed step ends the deployment: steps already running finish, the program is stopped (the
 *   CLI does not wait for it), no delete phase runs, and what was done is kept.
 *
 * A preview works on a copy of the state and calls no Create, Update or Delete.
 */
import type { CloudBackend } from "../cloud";
import {
    DeploymentState,
    inputsOf,
    outputsOf,
    providerUrnOf,
    withInputs,
    withOutputs,
    type HookType,
    type StackConfig,
    type StoredResource,
} from "../deployment-state";
import { UNKNOWN_VALUE, type WireObject } from "../pulumi-values";
import type { MonitorEngine, RecordedRead, RecordedRegistration, RegisteredHook, ResourceHookBinding, ResourceState } from "../recording-monitor";
import type { DiffResult, ResourceProvider, ResourceRef } from "../resource-provider";
import { ResourceHooks } from "../resource-hooks";
import { applyAdditionalSecretOutputs, containsSecret, normalizeObject } from "../secret-values";
import { ROOT_STACK_TYPE } from "../urn";
import { applyReplaceOnChanges, processIgnoreChanges, requiresReplacement, settleUnknownDiff } from "./diff";
import { deleteOrder, dependingOn } from "./graph";
import { packageConfig, packageOf } from "./package-config";
import { ensureDefaultProvider, isProviderType, ProviderRegistry } from "./providers";
import { Serial } from "./serial";
import type { Step, StepOp } from "./steps";

export interface DeploymentOptions {
    /** "update": preview/up; "destroy": destroy with the program run (every resource goes at the end). */
    mode: "update" | "destroy";
    dryRun: boolean;
    /** The stack's state; a preview leaves it untouched, an up or destroy writes its result back. */
    state: DeploymentState;
    project: string;
    stack: string;
    organization: string;
    config: StackConfig;
    programDir: string;
    providerEnv: Record<string, string>;
    runtimeOptions: Record<string, string>;
    cloud: CloudBackend;
}

export interface Diagnostic {
    severity: "info" | "warning" | "error";
    urn: string;
    message: string;
}

const HOOK_KEYS: Record<HookType, keyof ResourceHookBinding> = {
    BeforeCreate: "beforeCreate",
    AfterCreate: "afterCreate",
    BeforeUpdate: "beforeUpdate",
    AfterUpdate: "afterUpdate",
    BeforeDelete: "beforeDelete",
    AfterDelete: "afterDelete",
    OnError: "onError",
};

const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";

type Plan =
    | { kind: "same"; old: StoredResource; inputs: WireObject }
    | { kind: "create"; inputs: WireObject; imported?: StoredResource }
    | { kind: "update"; old: StoredResource; inputs: WireObject; diff: DiffResult }
    | { kind: "replace"; old: StoredResource; inputs: WireObject; deleteBeforeReplace: boolean; diff: DiffResult | undefined };

function hooksOf(binding: ResourceHookBinding): Partial<Record<HookType, string[]>> {
    const hooks: Partial<Record<HookType, string[]>> = {};
    for (const [type, key] of Object.entries(HOOK_KEYS) as [HookType, keyof ResourceHookBinding][]) {
        if (binding[key].length > 0) hooks[type] = binding[key];
    }
    return hooks;
}

export class Deployment implements MonitorEngine {
    readonly steps: Step[] = [];
    readonly diagnostics: Diagnostic[] = [];
    readonly hooks: ResourceHooks;
    /** The error that stopped the delete phase, if one did. */
    deleteError: string | undefined;
    /** The first step that failed while the program ran. */
    stepError: string | undefined;
    /** Aborted when a step fails: the deployment is over, the program is stopped (not waited for). */
    readonly failed = new AbortController();
    private readonly inflight = new Set<Promise<unknown>>();

    private readonly work: DeploymentState;
    private readonly prev: StoredResource[];
    private readonly rootOutputsAtStart: WireObject;
    private readonly registered = new Set<string>();
    /** Resources deleted during this run by a delete-before-replace (sg.deletes). */
    private readonly deleted = new Set<string>();
    private readonly replaced = new Set<string>();
    private readonly serial = new Serial();
    readonly providers: ProviderRegistry;
    private readonly now = new Date().toISOString();
    /**
     * Default provider references by "<package>@<version>": the engine registers a package's
     * default provider once per deployment and answers later requests from its map
     * (pulumi/pulumi v3.259 pkg/resource/deploy/default_providers.go handleRequest: "Have we loaded
     * this provider before? Use the existing reference"), not once per resource.
     */
    private readonly defaultProviders = new Map<string, string>();

    constructor(private readonly options: DeploymentOptions) {
        this.work = options.state.clone();
        this.prev = [...this.work.resources.values(), ...this.work.pendingDeletes];
        const root = [...this.work.resources.values()].find((resource) => resource.type === ROOT_STACK_TYPE);
        this.rootOutputsAtStart = root === undefined ? {} : outputsOf(root);
        this.hooks = new ResourceHooks(options.dryRun, (urn, message) => this.diagnostics.push({ severity: "warning", urn, message }));
        this.providers = new ProviderRegistry(options, () => this.nodejsProviderInputs());
        if (options.mode === "update") this.work.lastConfig = structuredClone(options.config);
    }

    get dryRun(): boolean {
        return this.options.dryRun;
    }

    /** The working state (the result of the deployment so far). */
    get result(): DeploymentState {
        return this.work;
    }

    /** Writes the result back into the stack's state, unless this is a preview. */
    commit(): void {
        if (!this.options.dryRun) this.options.state.assign(this.work);
    }

    async close(): Promise<void> {
        this.hooks.close();
        await this.providers.close();
    }

    /**
     * The Configure args of the pulumi-nodejs host: its provider's inputs in the state (on an up the
     * engine has just set them from the current config; on destroy and refresh they are the last
     * run's), without "version" (provider.Configure skips it).
     */
    private nodejsProviderInputs(): WireObject {
        const provider = [...this.work.resources.values()].find((resource) => resource.type === "pulumi:providers:pulumi-nodejs");
        const inputs = provider !== undefined ? inputsOf(provider) : packageConfig("pulumi-nodejs", this.work.lastConfig ?? this.options.config, "");
        delete inputs["version"];
        return inputs;
    }

    private record(resource: { urn: string; type: string; custom: boolean }, op: StepOp, extra: Partial<Step> = {}): void {
        const kinds: Record<StepOp, Step["kind"]> = {
            create: "create",
            same: "same",
            update: "update",
            replace: "replace",
            "create-replacement": "replace",
            delete: "delete",
            "delete-replaced": "delete",
            discard: "delete",
            "remove-pending-replace": "delete",
            read: "read",
            refresh: "refresh",
            import: "import",
            "skipped-create": "create",
        };
        const custom = resource.custom && !isProviderType(resource.type);
        this.steps.push({ urn: resource.urn, type: resource.type, kind: kinds[op], op, custom, ...extra });
    }

    // --- MonitorEngine -------------------------------------------------------------------------

    registerHook(hook: RegisteredHook): void {
        this.hooks.register(hook);
    }

    async invoke(token: string, args: WireObject): Promise<WireObject | undefined> {
        if (packageOf(token) !== "openstack") return undefined;
        return this.options.cloud.invoke?.(token, args);
    }

    async registerOutputs(urn: string, outputs: WireObject): Promise<void> {
        const resource = this.work.resources.get(urn);
        if (resource !== undefined) withOutputs(resource, normalizeObject(outputs));
    }

    async register(registration: RecordedRegistration): Promise<ResourceState> {
        this.registered.add(registration.urn);
        const step = this.registerStep(registration);
        this.inflight.add(step);
        try {
            return await step;
        } catch (error) {
            this.stopOnFirstFailure(registration.urn, error instanceof Error ? error.message : String(error));
            throw error;
        } finally {
            this.inflight.delete(step);
        }
    }

    /**
     * The step generator's bailDiag (pulumi/pulumi v3.259 pkg/resource/deploy/step_generator.go): an
     * error diagnostic on the resource, then the deployment stops as after a failed step.
     */
    bail(urn: string, message: string): void {
        this.diagnostics.push({ severity: "error", urn, message });
        this.stopOnFirstFailure(urn, message);
    }

    /** The first failure is the deployment's error and stops it; later ones only add to what already failed. */
    private stopOnFirstFailure(urn: string, message: string): void {
        if (this.stepError !== undefined) return;
        this.stepError = `${urn}: ${message}`;
        this.failed.abort();
    }

    /** Resolves once no step is running any more (after a failure, the ones already started finish). */
    async settled(): Promise<void> {
        while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    }

    private async registerStep(registration: RecordedRegistration): Promise<ResourceState> {
        if (!registration.custom) return this.registerComponent(registration);
        if (this.options.mode === "destroy") return this.registerForDestroy(registration);
        const plan = await this.serial.run(() => this.plan(registration));
        return this.apply(registration, plan);
    }

    async read(read: RecordedRead): Promise<WireObject> {
        this.registered.add(read.urn);
        const props = normalizeObject(read.properties);
        const pkg = read.type === STACK_REFERENCE_TYPE ? "pulumi" : packageOf(read.type);
        const provider = read.provider !== "" ? read.provider : this.defaultProvider(pkg, read.version);
        let outputs: WireObject;
        if (read.id === UNKNOWN_VALUE || read.id === "") {
            // ReadStep.Apply: an id unknown in preview reads nothing.
            outputs = {};
        } else if (read.type === STACK_REFERENCE_TYPE) {
            outputs = this.readStackReference(props);
        } else {
            const found = await this.providers.providerFor(read.type).read(read, read.id, props, props);
            if (found === undefined) throw new Error(`resource '${read.id}' does not exist`);
            outputs = found.outputs;
        }
        outputs = applyAdditionalSecretOutputs(outputs, read.additionalSecretOutputs);
        const resource = this.newResource({ ...read, custom: true, provider }, read.id, props, outputs);
        resource.external = true;
        this.work.resources.set(read.urn, resource);
        this.record({ ...read, custom: true }, "read");
        return outputs;
    }

    async shutdown(): Promise<void> {
        if (this.stepError !== undefined) return;
        const condemned =
            this.options.mode === "destroy"
                ? [...this.work.resources.values(), ...this.work.pendingDeletes]
                : [
                      ...this.work.pendingDeletes,
                      ...[...this.work.resources.values()].filter((resource) => !this.registered.has(resource.urn) && !this.deleted.has(resource.urn)),
                  ];
        try {
            await this.deleteAll(condemned);
        } catch (error) {
            this.deleteError = error instanceof Error ? error.message : String(error);
        }
    }

    // --- operations without the program ------------------------------------------------------

    /**
     * `pulumi refresh` (without --run-program): every custom resource is read through its
     * provider (RefreshStep); one whose read finds nothing (or a blank id) leaves the state.
     */
    async refreshAll(): Promise<void> {
        for (const resource of [...this.work.resources.values()]) {
            if (!resource.custom || isProviderType(resource.type)) continue;
            const found = await this.providers.providerFor(resource.type).read(resource, resource.id, inputsOf(resource), outputsOf(resource));
            if (found === undefined) {
                this.work.resources.delete(resource.urn);
                this.record(resource, "refresh", { refreshed: "gone" });
                continue;
            }
            const outputs = applyAdditionalSecretOutputs(found.outputs, resource.additionalSecretOutputs);
            const inputs = found.inputs ?? inputsOf(resource);
            const changed = JSON.stringify(outputs) !== JSON.stringify(outputsOf(resource)) || JSON.stringify(inputs) !== JSON.stringify(inputsOf(resource));
            withOutputs(resource, outputs);
            withInputs(resource, inputs);
            resource.id = found.id;
            if (changed) resource.modified = this.now;
            this.record(resource, "refresh", { refreshed: changed ? "changed" : "same" });
        }
    }

    /** `pulumi destroy` without the program: every resource, dependents first. */
    async destroyAll(): Promise<void> {
        try {
            await this.deleteAll([...this.work.resources.values(), ...this.work.pendingDeletes]);
        } catch (error) {
            this.deleteError = error instanceof Error ? error.message : String(error);
        }
    }

    // --- deletes ----------------------------------------------------------------------------

    /** Deletes in dependency order; the first failure stops the phase and leaves the rest in the state. */
    async deleteAll(condemned: StoredResource[]): Promise<void> {
        for (const resource of deleteOrder(condemned)) {
            const pendingDelete = this.work.pendingDeletes.includes(resource);
            if (!pendingDelete && resource.pendingReplacement) {
                this.work.resources.delete(resource.urn);
                this.record(resource, "remove-pending-replace");
                continue;
            }
            await this.deleteResource(resource, { replacing: pendingDelete, deletingAlso: new Set(condemned.map((item) => item.urn)) });
        }
    }

    /** DeleteStep.Apply, then the state edit: a delete for replacement keeps the entry as pendingReplacement. */
    private async deleteResource(resource: StoredResource, how: { replacing: boolean; pendingReplacement?: boolean; deletingAlso?: ReadonlySet<string> }): Promise<void> {
        const call = { urn: resource.urn, id: resource.id, name: resource.name, type: resource.type, oldInputs: inputsOf(resource), oldOutputs: outputsOf(resource) };
        await this.hooks.run(resource.hooks.BeforeDelete, "BeforeDelete", call);
        if (!how.replacing && resource.protect) {
            throw new Error(
                `resource "${resource.urn}" cannot be deleted\nbecause it is protected. To unprotect the resource, either remove the \`protect\` flag from the resource in your Pulumi program and run \`pulumi up\`, or use the command:\n\`pulumi state unprotect '${resource.urn}'\``,
            );
        }
        const deletedWithOwner = resource.deletedWith !== "" && (how.deletingAlso?.has(resource.deletedWith) === true || this.deleted.has(resource.deletedWith));
        const skipProvider = this.options.dryRun || resource.external || resource.retainOnDelete || deletedWithOwner || !resource.custom || isProviderType(resource.type);
        if (!skipProvider) {
            await this.providers.providerFor(resource.type).delete(resource, resource.id, inputsOf(resource), outputsOf(resource));
        }
        if (resource.custom) await this.hooks.run(resource.hooks.AfterDelete, "AfterDelete", call);
        const pendingIndex = this.work.pendingDeletes.indexOf(resource);
        if (pendingIndex >= 0) this.work.pendingDeletes.splice(pendingIndex, 1);
        else if (how.pendingReplacement === true) resource.pendingReplacement = true;
        else this.work.resources.delete(resource.urn);
        this.record(resource, resource.external ? "discard" : how.replacing ? "delete-replaced" : "delete");
    }

    // --- registrations ---------------------------------------------------------------------

    private defaultProvider(pkg: string, version: string): string {
        const key = `${pkg}@${version}`;
        let reference = this.defaultProviders.get(key);
        if (reference === undefined) {
            const ensured = ensureDefaultProvider(this.work, { ...this.options, now: this.now }, pkg, version);
            this.registered.add(ensured.resource.urn);
            reference = ensured.reference;
            this.defaultProviders.set(key, reference);
        }
        return reference;
    }

    private newResource(
        source: { urn: string; type: string; name: string; parent: string; custom: boolean; provider: string; sourcePosition: string; stackTrace: string[] },
        id: string,
        inputs: WireObject,
        outputs: WireObject,
    ): StoredResource {
        const resource: StoredResource = {
            urn: source.urn,
            type: source.type,
            name: source.name,
            id,
            custom: source.custom,
            parent: source.parent,
            inputs: {},
            outputs: {},
            secretInputs: [],
            secretOutputs: [],
            provider: source.provider,
            dependencies: [],
            propertyDependencies: {},
            deletedWith: "",
            replaceWith: [],
            additionalSecretOutputs: [],
            ignoreChanges: [],
            replaceOnChanges: [],
            protect: false,
            retainOnDelete: false,
            external: false,
            pendingReplacement: false,
            importId: "",
            hooks: {},
            created: this.now,
            modified: this.now,
            sourcePosition: source.sourcePosition,
            stackTrace: source.stackTrace,
        };
        withInputs(resource, inputs);
        withOutputs(resource, outputs);
        return resource;
    }

    private stored(registration: RecordedRegistration, provider: string, id: string, inputs: WireObject, outputs: WireObject, old: StoredResource | undefined, changed: boolean): StoredResource {
        const resource = this.newResource({ ...registration, provider }, id, inputs, outputs);
        Object.assign(resource, {
            dependencies: registration.dependencies,
            propertyDependencies: registration.propertyDependencies,
            deletedWith: registration.deletedWith,
            replaceWith: registration.replaceWith,
            additionalSecretOutputs: registration.additionalSecretOutputs,
            ignoreChanges: registration.ignoreChanges,
            replaceOnChanges: registration.replaceOnChanges,
            protect: registration.protect ?? false,
            retainOnDelete: registration.retainOnDelete ?? false,
            importId: registration.importId,
            hooks: hooksOf(registration.hooks),
            created: old?.created ?? this.now,
            modified: changed || old === undefined ? this.now : old.modified,
        });
        return resource;
    }

    private async registerComponent(registration: RecordedRegistration): Promise<ResourceState> {
        const inputs = normalizeObject(registration.inputs);
        const old = this.work.resources.get(registration.urn);
        const same = old !== undefined && JSON.stringify(inputsOf(old)) === JSON.stringify(inputs);
        const call = { urn: registration.urn, id: "", name: registration.name, type: registration.type, newInputs: inputs };
        if (old === undefined) await this.hooks.run(registration.hooks.beforeCreate, "BeforeCreate", call);
        // A component keeps its registered outputs until the program registers new ones.
        const outputs = old === undefined ? {} : outputsOf(old);
        this.work.resources.set(registration.urn, this.stored(registration, "", "", inputs, outputs, old, !same));
        this.record(registration, old === undefined ? "create" : same ? "same" : "update");
        return { id: "", outputs: {} };
    }

    /** Destroy with the program run: custom resources are not created or updated, only kept to be deleted. */
    private async registerForDestroy(registration: RecordedRegistration): Promise<ResourceState> {
        const old = this.work.resources.get(registration.urn);
        if (old === undefined) {
            this.record(registration, "skipped-create");
            return { id: "", outputs: normalizeObject(registration.inputs) };
        }
        this.record(registration, "same");
        return { id: old.id, outputs: outputsOf(old) };
    }

    private async plan(registration: RecordedRegistration): Promise<Plan> {
        // The engine registers (and configures) the default provider before the resource's Check.
        if (registration.provider === "") this.defaultProvider(packageOf(registration.type), registration.version);
        const provider = this.providers.providerFor(registration.type);
        const raw = normalizeObject(registration.inputs);
        let old = this.work.resources.get(registration.urn);
        const recreating = this.deleted.has(registration.urn);
        if (registration.importId !== "") {
            const imported = await this.importExisting(registration, provider, old);
            if (imported !== undefined) old = imported;
        }
        let inputs = raw;
        if (old !== undefined && !recreating) {
            const ignored = processIgnoreChanges(raw, inputsOf(old), registration.ignoreChanges);
            inputs = ignored.inputs;
            if (ignored.invalid.length > 0) {
                this.diagnostics.push({ severity: "info", urn: registration.urn, message: `cannot ignore changes in added or removed elements of the path: "${ignored.invalid.join(", ")}"` });
            }
        }
        const useOld = old !== undefined && !recreating && !old.external;
        const checked = await this.check(provider, registration, useOld ? inputsOf(old!) : undefined, inputs);
        if (recreating && old !== undefined) return { kind: "replace", old, inputs: checked, deleteBeforeReplace: true, diff: undefined };
        if (old === undefined || old.external) return { kind: "create", inputs: checked };

        let diff: DiffResult;
        if (registration.deletedWith !== "" && this.replaced.has(registration.deletedWith)) {
            diff = { changes: "some", replaceKeys: ["deletedWith"], changedKeys: [], detailedDiff: undefined, deleteBeforeReplace: false };
        } else if (registration.replaceWith.some((urn) => this.replaced.has(urn))) {
            diff = { changes: "some", replaceKeys: ["replaceWith"], changedKeys: [], detailedDiff: undefined, deleteBeforeReplace: false };
        } else {
            diff = await provider.diff(registration, old.id, inputsOf(old), outputsOf(old), checked, registration.ignoreChanges);
            diff = settleUnknownDiff(diff, inputsOf(old), checked, registration.ignoreChanges);
        }
        diff = applyReplaceOnChanges(diff, registration.replaceOnChanges);
        if (diff.changes === "none" && !old.pendingReplacement) return { kind: "same", old, inputs: checked };
        if (!requiresReplacement(diff) && !old.pendingReplacement) return { kind: "update", old, inputs: checked, diff };

        if (registration.protect === true && old.protect) {
            throw new Error(
                `unable to replace resource "${registration.urn}"\nas it is currently marked for protection. To unprotect the resource, remove the \`protect\` flag from the resource in your Pulumi program and run \`pulumi up\``,
            );
        }
        if (registration.importId !== "" && !this.options.dryRun) {
            throw new Error("previously-imported resources that still specify an ID may not be replaced; please remove the `import` declaration from your program");
        }
        this.replaced.add(registration.urn);
        // A replacement recomputes the defaults: Check again, without the old inputs.
        const fresh = await this.check(provider, registration, undefined, raw);
        const deleteBeforeReplace = registration.deleteBeforeReplaceDefined ? registration.deleteBeforeReplace : diff.deleteBeforeReplace;
        if (deleteBeforeReplace) await this.deleteForReplacement(old);
        return { kind: "replace", old, inputs: fresh, deleteBeforeReplace, diff };
    }

    private async check(provider: ResourceProvider, resource: ResourceRef, olds: WireObject | undefined, news: WireObject): Promise<WireObject> {
        const checked = await provider.check(resource, olds, news, this.options.dryRun);
        if (checked.failures.length > 0) {
            const problems = checked.failures.map((failure) =>
                failure.property === "" ? failure.reason : `property ${failure.property} value ${JSON.stringify(news[failure.property] ?? null)} has a problem: ${failure.reason}`,
            );
            throw new Error(`${resource.type} resource '${resource.name}': ${problems.join("; ")}`);
        }
        return checked.inputs;
    }

    /** The `import` option: read the existing object (ImportStep) unless the state already holds it. */
    private async importExisting(registration: RecordedRegistration, provider: ResourceProvider, old: StoredResource | undefined): Promise<StoredResource | undefined> {
        const id = registration.importId;
        if (old !== undefined && !old.external && (old.importId || old.id) === id) return undefined;
        const found = await provider.read(registration, id, {}, {});
        if (found === undefined) throw new Error(`resource '${id}' does not exist`);
        const providerRef = registration.provider !== "" ? registration.provider : this.defaultProvider(packageOf(registration.type), registration.version);
        const imported = this.stored(registration, providerRef, found.id, found.inputs ?? {}, found.outputs, undefined, true);
        this.record(registration, "import");
        return imported;
    }

    /**
     * Delete-before-replace: the dependents that would be replaced too go first, in reverse
     * dependency order (calculateDependentReplacements), then the old resource itself.
     */
    private async deleteForReplacement(old: StoredResource): Promise<void> {
        const inGraph = this.prev.includes(old);
        const dependents = inGraph ? await this.dependentReplacements(old) : [];
        for (const dependent of [...dependents].reverse()) {
            if (this.deleted.has(dependent.urn)) continue;
            this.deleted.add(dependent.urn);
            await this.deleteResource(dependent, { replacing: true, pendingReplacement: true });
        }
        if (!old.pendingReplacement) {
            this.deleted.add(old.urn);
            await this.deleteResource(old, { replacing: true, pendingReplacement: true });
        }
    }

    private async dependentReplacements(root: StoredResource): Promise<StoredResource[]> {
        const replaceSet = new Set([root.urn]);
        const toReplace: StoredResource[] = [];
        const live = this.prev.filter((resource) => this.work.resources.get(resource.urn) === resource);
        for (const dependent of dependingOn(live, root, this.registered)) {
            if (!dependent.custom || dependent.external) continue;
            let replace = (dependent.provider !== "" && replaceSet.has(providerUrnOf(dependent.provider))) || replaceSet.has(dependent.deletedWith);
            if (!replace) {
                const inputs = inputsOf(dependent);
                let touched = false;
                for (const key of Object.keys(inputs)) {
                    if ((dependent.propertyDependencies[key] ?? []).some((urn) => replaceSet.has(urn))) {
                        inputs[key] = UNKNOWN_VALUE;
                        touched = true;
                    }
                }
                if (!touched) continue;
                const provider = this.providers.providerFor(dependent.type);
                let diff = await provider.diff(dependent, dependent.id, inputsOf(dependent), outputsOf(dependent), inputs, dependent.ignoreChanges);
                diff = applyReplaceOnChanges(settleUnknownDiff(diff, inputsOf(dependent), inputs, dependent.ignoreChanges), dependent.replaceOnChanges);
                replace = requiresReplacement(diff);
            }
            if (replace) {
                toReplace.push(dependent);
                replaceSet.add(dependent.urn);
            }
        }
        return toReplace;
    }

    private async apply(registration: RecordedRegistration, plan: Plan): Promise<ResourceState> {
        const provider = this.providers.providerFor(registration.type);
        const providerRef = registration.provider !== "" ? registration.provider : this.defaultProvider(packageOf(registration.type), registration.version);
        const { dryRun } = this.options;
        const base = { urn: registration.urn, name: registration.name, type: registration.type };
        let id: string;
        let outputs: WireObject;
        switch (plan.kind) {
            case "same":
                id = plan.old.id;
                outputs = outputsOf(plan.old);
                this.record(registration, "same");
                break;
            case "update": {
                const call = { ...base, id: plan.old.id, newInputs: plan.inputs, oldInputs: inputsOf(plan.old), oldOutputs: outputsOf(plan.old) };
                await this.hooks.run(registration.hooks.beforeUpdate, "BeforeUpdate", call);
                id = plan.old.id;
                outputs = await provider.update(registration, plan.old.id, inputsOf(plan.old), outputsOf(plan.old), plan.inputs, dryRun);
                await this.hooks.run(registration.hooks.afterUpdate, "AfterUpdate", { ...call, newOutputs: outputs });
                this.record(registration, "update", { changedKeys: plan.diff.changedKeys });
                break;
            }
            case "create":
            case "replace": {
                const call = { ...base, id: "", newInputs: plan.inputs };
                await this.hooks.run(registration.hooks.beforeCreate, "BeforeCreate", call);
                ({ id, outputs } = await provider.create(registration, plan.inputs, dryRun));
                await this.hooks.run(registration.hooks.afterCreate, "AfterCreate", { ...call, id, newOutputs: outputs });
                if (plan.kind === "create") {
                    this.record(registration, "create");
                } else {
                    if (!plan.deleteBeforeReplace) this.work.pendingDeletes.push(plan.old);
                    this.record(registration, "replace", { replaceKeys: plan.diff?.replaceKeys ?? [], deleteBeforeReplace: plan.deleteBeforeReplace, changedKeys: plan.diff?.changedKeys ?? [] });
                }
                break;
            }
        }
        outputs = applyAdditionalSecretOutputs(outputs, registration.additionalSecretOutputs);
        const old = plan.kind === "create" ? plan.imported : plan.old;
        const changed = plan.kind !== "same";
        this.work.resources.set(registration.urn, this.stored(registration, providerRef, id, plan.inputs, outputs, plan.kind === "replace" ? undefined : old, changed));
        return { id, outputs };
    }

    // --- builtins -----------------------------------------------------------------------------

    /**
     * The builtin provider's StackReference read (pkg/resource/deploy/builtins.go
     * readStackReference): the named stack's outputs from its last deployment, and the sorted
     * names of those holding secrets. The harness knows one stack: this one.
     */
    private readStackReference(props: WireObject): WireObject {
        const name = String(props["name"]);
        const { organization, project, stack } = this.options;
        if (![stack, `${project}/${stack}`, `${organization}/${project}/${stack}`].includes(name)) {
            throw new Error(`unknown stack "${name}": the harness holds only ${organization}/${project}/${stack}`);
        }
        const outputs = this.rootOutputsAtStart;
        const secretOutputNames = Object.keys(outputs).filter((key) => containsSecret(outputs[key])).sort();
        return { name, outputs, secretOutputNames };
    }
}
