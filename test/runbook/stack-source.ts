/**
 * What `npm run status` reads through the Automation API, answered from a harness stack in
 * this process instead of through the `pulumi` CLI (scripts/status/automation.ts, StackSource):
 *
 * - `config()`: `pulumi config --show-secrets --json` as LocalWorkspace.getAllConfig returns it,
 *   `{ "<namespace>:<key>": { value, secret } }` with secrets in clear and structured values as
 *   their JSON text (test/pulumi-cli-double/config-commands.ts follows pkg/cmd/pulumi/config/config.go);
 *   the stack's current config, which `pulumi config set` may have changed since the last up.
 * - `exportDeployment()`: `pulumi stack export --show-secrets`, the checkpoint with each secret's
 *   `ciphertext` replaced by its `plaintext` (pkg/resource/stack/deployment.go
 *   SerializePropertyValue with showSecrets: HarnessStack.exportDeployment({ showSecrets: true })).
 *
 * Everything after the source (gather, report, render, sweep) is the command's own code.
 */
import type { StackSource } from "../../scripts/status/automation";
import type { HarnessStack } from "../harness/harness-stack";

/**
 * `pendingOperations` are the checkpoint's `pending_operations` the CLI would have written for a
 * killed update (interrupted.ts); the harness itself never leaves any.
 */
export function harnessStackSource(stack: HarnessStack, pendingOperations: readonly unknown[] = []): StackSource {
    return {
        stackName: stack.identity.stack,
        project: stack.identity.project,
        config: async () => {
            const { config, secretKeys } = stack.config;
            const secret = new Set(secretKeys);
            return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, { value, secret: secret.has(key) }]));
        },
        exportDeployment: async () => {
            const exported = stack.exportDeployment({ showSecrets: true });
            return pendingOperations.length > 0 ? { ...exported, deployment: { ...exported.deployment, pending_operations: [...pendingOperations] } } : exported;
        },
    };
}
