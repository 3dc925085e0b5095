/** Runs the fleet program of an example stack file under the SDK's mock engine (see scripts/plan/offline-engine.ts). */
import { evaluateOffline, type OfflineProgramInput, type OfflineRun } from "../../scripts/plan/offline-engine";
import { PROJECT, type Plaintexts, readStackConfig } from "../../scripts/plan/stack-file";

export {
    DEREGISTRATION_TYPE,
    JIT_CONFIG_PLACEHOLDER,
    REGISTRATION_TYPE,
    type RecordedResource,
    isSecret,
    unwrapSecret,
    withoutSecrets,
} from "../../scripts/plan/offline-engine";
export type ProgramRun = OfflineRun;

export interface RunOptions {
    stackFile: string;
    stack: string;
    secrets: Plaintexts;
    preview: boolean;
    /** Replaces values of this project's keys (raw Pulumi strings; structure as JSON). */
    override?: Record<string, string>;
    /** Keys (without the project prefix) to mark secret, as `pulumi config set --secret` would. */
    secretOverrides?: string[];
    observed?: OfflineProgramInput["observed"];
}

export async function runProgram(options: RunOptions): Promise<ProgramRun> {
    const { config, secretKeys } = readStackConfig(options.stackFile, PROJECT, options.secrets);
    for (const [key, value] of Object.entries(options.override ?? {})) {
        config[`${PROJECT}:${key}`] = value;
    }
    const secrets = [...secretKeys, ...(options.secretOverrides ?? []).map((key) => `${PROJECT}:${key}`)];
    return evaluateOffline({
        project: PROJECT,
        stack: options.stack,
        config,
        secretKeys: secrets,
        preview: options.preview,
        maskForDisplay: false,
        observed: options.observed,
    });
}
