/**
 * A default provider's inputs (pulumi/pulumi v3.259 pkg/resource/deploy/target.go
 * GetPackageConfig, default_providers.go newRegisterDefaultProviderEvent): the stack config keys
 * of the provider's namespace without it, except for dynamic providers (`pulumi-nodejs`), which get
 * the FULL config keyed "<namespace>:<key>"; values are the config's strings, secret ones as
 * secrets; plus "version" when the resource asked for one.
 */
import type { StackConfig } from "../deployment-state";
import type { WireObject } from "../pulumi-values";
import { makeSecret } from "../secret-values";

const DYNAMIC_PACKAGES = new Set(["pulumi-nodejs", "pulumi-python"]);

export function packageConfig(pkg: string, config: StackConfig, version: string): WireObject {
    const inputs: WireObject = {};
    const secret = new Set(config.secretKeys);
    for (const [key, value] of Object.entries(config.config)) {
        const colon = key.indexOf(":");
        const namespace = key.slice(0, colon);
        const dynamic = DYNAMIC_PACKAGES.has(pkg);
        if (!dynamic && namespace !== pkg) continue;
        inputs[dynamic ? key : key.slice(colon + 1)] = secret.has(key) ? makeSecret(value) : value;
    }
    if (version !== "") inputs["version"] = version;
    return inputs;
}

/** The package of a resource type token ("openstack:compute/instance:Instance" -> "openstack"). */
export function packageOf(type: string): string {
    return type.slice(0, type.indexOf(":"));
}

/** Default provider name (pkg/resource/deploy/providers/provider.go DefaultName): "default" plus "_1_2_3". */
export function defaultProviderName(version: string): string {
    const match = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(version);
    if (match === null) return "default";
    const extra = [match[4], match[5]].filter((part): part is string => part !== undefined).map((part) => `_${part}`).join("");
    return `default_${match[1]}_${match[2]}_${match[3]}${extra}`;
}
