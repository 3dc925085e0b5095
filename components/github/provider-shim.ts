/**
 * Dynamic providers that Pulumi's closure serializer can always serialize.
 *
 * Pulumi serializes a dynamic provider's code and runs it later in its own
 * dynamic-provider process. Serializing the real provider by value fails: the
 * Octokit client classes hold native bound functions. So the serialized
 * provider is this small shim; it carries only the path of the module that
 * implements the provider and loads it at run time (through Node's module
 * cache, so once per process). Project sources are TypeScript, and the
 * provider process has no TypeScript loader, so the shim registers the
 * project's own (tsx, else ts-node) before loading a `.ts` module.
 */
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";

export interface ProviderLocation {
    /** Absolute path of the implementing module when the program ran. */
    absolutePath: string;
    /** The same, relative to the program's directory: used when the checkout has moved since. */
    relativePath: string;
    /** The module's export holding the provider object. */
    exportName: string;
}

/** `modulePath` is the absolute path of the implementing module, e.g. `require.resolve("./registration/provider")`. */
export function providerLocation(modulePath: string, exportName: string): ProviderLocation {
    return { absolutePath: modulePath, relativePath: path.relative(process.cwd(), modulePath), exportName };
}

type ProviderFunctions = Required<Pick<pulumi.dynamic.ResourceProvider, "check" | "create" | "diff" | "update" | "delete">>;

/**
 * Loads the implementing module. Builtins are required inside the function on
 * purpose: the serializer then never has to capture module objects.
 */
export function loadProvider(location: ProviderLocation): pulumi.dynamic.ResourceProvider {
    const fs: typeof import("node:fs") = require("node:fs");
    const nodePath: typeof import("node:path") = require("node:path");
    const nodeModule: typeof import("node:module") = require("node:module");
    const file = fs.existsSync(location.absolutePath) ? location.absolutePath : nodePath.resolve(process.cwd(), location.relativePath);
    const requireFromFile = nodeModule.createRequire(file);
    if (/\.[cm]?ts$/.test(file) && requireFromFile.extensions[".ts"] === undefined) {
        const loaders = [
            () => requireFromFile("tsx/cjs/api").register(),
            () => requireFromFile("ts-node").register({ transpileOnly: true, compilerOptions: { module: "commonjs" } }),
        ];
        const problems: string[] = [];
        for (const load of loaders) {
            try {
                load();
                break;
            } catch (error) {
                problems.push(error instanceof Error ? error.message.split("\n")[0] : String(error));
            }
        }
        if (requireFromFile.extensions[".ts"] === undefined) {
            throw new Error(
                `cannot load the dynamic provider module ${file}: no TypeScript loader (${problems.join("; ")}); fix: run \`npm install\` in the Pulumi project so tsx or ts-node is present`,
            );
        }
    }
    const exported: unknown = requireFromFile(file)[location.exportName];
    if (typeof exported !== "object" || exported === null || typeof (exported as { create?: unknown }).create !== "function") {
        throw new Error(`dynamic provider module ${file} has no provider export "${location.exportName}"`);
    }
    return exported as pulumi.dynamic.ResourceProvider;
}

/** A provider whose every call goes to the module at `location`. */
export function serializableProvider(location: ProviderLocation): ProviderFunctions {
    const load = () => {
        const provider = loadProvider(location);
        return provider;
    };
    return {
        check: async (olds, news) => {
            const provider = load();
            return provider.check !== undefined ? provider.check(olds, news) : { inputs: news };
        },
        create: async (inputs) => load().create(inputs),
        diff: async (id, olds, news) => {
            const provider = load();
            return provider.diff !== undefined ? provider.diff(id, olds, news) : {};
        },
        update: async (id, olds, news) => {
            const provider = load();
            return provider.update !== undefined ? provider.update(id, olds, news) : { outs: news };
        },
        delete: async (id, props) => {
            const provider = load();
            if (provider.delete !== undefined) await provider.delete(id, props);
        },
    };
}
