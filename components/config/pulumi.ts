/** Reads this project's keys from the running Pulumi program's configuration. */
import * as pulumi from "@pulumi/pulumi";
import { type FleetConfig, parseStackConfig } from "./load";

// The SDK exports isConfigSecret from runtime/config but marks it @internal in
// its typings; it is the only way to learn, synchronously, which keys are secret.
const sdkConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(fullKey: string): boolean };

export function loadStackConfig(): FleetConfig {
    const project = pulumi.getProject();
    const prefix = `${project}:`;
    const values: Record<string, string> = {};
    const secretKeys = new Set<string>();
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith(prefix)) {
            continue;
        }
        const key = fullKey.slice(prefix.length);
        values[key] = value;
        if (sdkConfig.isConfigSecret(fullKey)) {
            secretKeys.add(key);
        }
    }
    return parseStackConfig({ project, stack: pulumi.getStack(), values, secretKeys });
}
