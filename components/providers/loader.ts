/**
 * Dynamic resources whose serialized provider is a one-line loader.
 *
 * Pulumi keeps a dynamic resource's provider code in the state (the
 * `__provider` input and output) and runs it in its own dynamic-provider host
 * (@pulumi/pulumi/cmd/dynamic-provider: `requireFromString(__provider).handler()`,
 * then `provider.configure({ config })` once per distinct provider text).
 * `pulumi.dynamic.Resource` serializes a provider object by value (4 KB here,
 * stored four times per slot); these resources store instead a loader that
 * requires the stable entry module by its path relative to the project root,
 * which is the host's working directory (the engine starts plugins in the
 * project directory: pulumi/pulumi pkg/engine/project.go getPwdMain). The
 * entry module's path is therefore a contract: see entry.js.
 */
import * as pulumi from "@pulumi/pulumi";

/** The entry module, relative to the project root. Never change it: existing states name it. */
export const PROVIDER_ENTRY = "components/providers/entry.js";

/** Export names of entry.js. */
export type ProviderName = "registration" | "drainGuard";

/** The `__provider` text: a CommonJS module whose `handler()` returns the provider object. */
export function providerLoader(name: ProviderName): string {
    return `exports.handler = () => require(require("path").resolve(${JSON.stringify(PROVIDER_ENTRY)})).${name};\n`;
}

/** The package part of dynamic resource types: `pulumi-nodejs:dynamic/github-runners:<Type>`. */
const DYNAMIC_MODULE = "github-runners";

/**
 * A dynamic resource (type `pulumi-nodejs:dynamic/github-runners:<type>`, served
 * by the SDK's dynamic-provider host) whose provider is `providerLoader(provider)`.
 */
export abstract class LoadedDynamicResource extends pulumi.CustomResource {
    protected constructor(provider: ProviderName, type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        if ("__provider" in props) throw new Error(`${type} ${name}: inputs must not define __provider`);
        super(`pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:${type}`, name, { ...props, __provider: providerLoader(provider) }, opts);
    }
}
