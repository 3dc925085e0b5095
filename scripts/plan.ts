/**
 * Offline plan: what a stack would deploy, without cloud or GitHub
 * credentials and without the Pulumi CLI.
 *
 *   npm run plan -- --stack dev [--dir <project dir>] [--json] [--no-userdata]
 *
 * Reads Pulumi.<stack>.yaml in --dir (default: the current directory). `secure:` values cannot
 * be decrypted without the stack's key, so they are replaced by placeholders
 * (and masked in the output). A bad config fails with the same message
 * `pulumi up` would give.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../components/config";
import { evaluateOffline } from "./plan/offline-engine";
import { renderPlanJson, renderPlanText } from "./plan/render";
import { PROJECT, readStackConfig } from "./plan/stack-file";

const PLACEHOLDER_PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\noffline plan placeholder\n-----END PRIVATE KEY-----\n";

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            stack: { type: "string", default: "dev" },
            dir: { type: "string", default: "." },
            json: { type: "boolean", default: false },
            "no-userdata": { type: "boolean", default: false },
        },
    });
    const stack = values.stack ?? "dev";
    const file = join(values.dir ?? ".", `Pulumi.${stack}.yaml`);
    const placeholder = (path: string) => (path.endsWith(":githubAppPrivateKey") ? PLACEHOLDER_PRIVATE_KEY : "offline-plan-placeholder");
    const { config, secretKeys } = readStackConfig(file, PROJECT, placeholder);
    try {
        const run = await evaluateOffline({ project: PROJECT, stack, config, secretKeys, preview: true });
        process.stdout.write(values.json ? renderPlanJson(run, stack) : renderPlanText(run, stack, !values["no-userdata"]));
        return 0;
    } catch (error) {
        if (error instanceof ConfigError) {
            process.stderr.write(`${file}: ${error.message}\n`);
            return 2;
        }
        throw error;
    }
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        process.stderr.write(`plan failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    },
);
