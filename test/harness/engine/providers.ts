/**
 * Which provider serves a resource type, and the default provider resources the engine keeps in
 * the state (pulumi/pulumi v3.259 pkg/resource/deploy/default_providers.go): one per package and
 * version, `urn:pulumi:<stack>::<project>::pulumi:providers:<pkg>::default[_x_y_z]`, whose inputs
 * (and outputs) are the package config (package-config.ts). A resource refers to it as
 * "<provider urn>::<provider id>". The `pulumi-nodejs` host is started once per deployment, on
 * first use, and configured with that provider's inputs.
 */
import { randomUUID } from "node:crypto";
import { BridgeProvider } from "../bridge/bridge-provider";
import type { CloudBackend } from "../cloud";
import type { DeploymentState, StackConfig, StoredResource } from "../deployment-state";
import { inputsOf, withInputs, withOutputs } from "../deployment-state";
import { DynamicProviderHost } from "../dynamic-provider-host";
import { DynamicProvider } from "../dynamic-provider";
import { resourceSpec } from "../openstack-schema";
import type { WireObject } from "../pulumi-values";
import type { ResourceProvider } from "../resource-provider";
import { EchoProvider } from "./echo-provider";
import { defaultProviderName, packageConfig } from "./package-config";

export interface ProviderRegistryOptions {
    project: string;
    stack: string;
    programDir: string;
    providerEnv: Record<string, string>;
    runtimeOptions: Record<string, string>;
    cloud: CloudBackend;
}

export function isDynamicType(type: string): boolean {
    return type.startsWith("pulumi-nodejs:dynamic");
}

export function isProviderType(type: string): boolean {
    return type.startsWith("pulumi:providers:");
}

export class ProviderRegistry {
    private host: Promise<DynamicProviderHost> | undefined;
    private hostStderr = "";
    private engineAddress = "127.0.0.1:1";
    private readonly dynamic: DynamicProvider;
    private readonly bridge: BridgeProvider;
    private readonly echo = new EchoProvider();

    constructor(
        private readonly options: ProviderRegistryOptions,
        /** The pulumi-nodejs provider's inputs (its Configure args), read when the host starts. */
        private readonly nodejsInputs: () => WireObject,
    ) {
        this.dynamic = new DynamicProvider(() => this.startHost());
        this.bridge = new BridgeProvider(resourceSpec, options.cloud, options.programDir);
    }

    /** The engine address handed to the host (the monitor's, when a program runs). */
    attach(engineAddress: string): void {
        this.engineAddress = engineAddress;
    }

    providerFor(type: string): ResourceProvider {
        if (isDynamicType(type)) return this.dynamic;
        if (resourceSpec(type) !== undefined) return this.bridge;
        return this.echo;
    }

    private startHost(): Promise<DynamicProviderHost> {
        this.host ??= DynamicProviderHost.start({
            programDir: this.options.programDir,
            engineAddress: this.engineAddress,
            env: this.options.providerEnv,
            project: this.options.project,
            runtimeOptions: this.options.runtimeOptions,
            configure: this.nodejsInputs(),
        });
        return this.host;
    }

    get providerStderr(): string {
        return this.hostStderr;
    }

    async close(): Promise<void> {
        const host = await this.host?.catch(() => undefined);
        this.host = undefined;
        if (host !== undefined) {
            this.hostStderr = host.stderr;
            await host.stop();
        }
    }
}

export function defaultProviderUrn(stack: string, project: string, pkg: string, version: string): string {
    return `urn:pulumi:${stack}::${project}::pulumi:providers:${pkg}::${defaultProviderName(version)}`;
}

/**
 * The default provider for a package in the working state, created or updated to the current
 * config (a config change updates a provider in place: DiffConfig is unimplemented by these
 * plugins, so the engine falls back to an input comparison, which never replaces). Returns its reference.
 */
export function ensureDefaultProvider(
    state: DeploymentState,
    scope: { stack: string; project: string; config: StackConfig; now: string },
    pkg: string,
    version: string,
): { reference: string; resource: StoredResource } {
    const urn = defaultProviderUrn(scope.stack, scope.project, pkg, version);
    const inputs = packageConfig(pkg, scope.config, version);
    let resource = state.resources.get(urn);
    if (resource === undefined) {
        resource = {
            urn,
            type: `pulumi:providers:${pkg}`,
            name: urn.slice(urn.lastIndexOf("::") + 2),
            id: randomUUID(),
            custom: true,
            parent: "",
            inputs: {},
            outputs: {},
            secretInputs: [],
            secretOutputs: [],
            provider: "",
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
            created: scope.now,
            modified: scope.now,
            sourcePosition: "",
            stackTrace: [],
        };
        state.resources.set(urn, resource);
    }
    if (JSON.stringify(inputsOf(resource)) !== JSON.stringify(inputs)) {
        withInputs(resource, inputs);
        withOutputs(resource, inputs);
        resource.modified = scope.now;
    }
    return { reference: `${urn}::${resource.id}`, resource };
}
