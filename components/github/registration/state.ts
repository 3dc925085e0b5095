/**
 * What a registration keeps in its outputs (the Pulumi state): the runner's
 * identity, the instance settings and identity digests as APPLIED at create
 * (only a replacement changes them), and the userdata rendered then.
 * No credential is kept apart from the userdata the VM boots with.
 */
import { RegistrationInputError } from "../errors";
import type { IdentityDigests } from "./identity";
import type { InstanceSpec, RegistrationMode } from "./inputs";

/** Version of this output format; state written by another format is refused with a clear message. */
export const REGISTRATION_STATE_VERSION = 2;

export type GithubRunnerStatus = "online" | "offline" | "busy" | "absent";

export interface RegistrationOutputs {
    stateVersion: typeof REGISTRATION_STATE_VERSION;
    path: string;
    mode: RegistrationMode;
    runnerName: string;
    /** JIT mode; token-mode runners get their id only when their VM registers. */
    runnerId?: number;
    createdAt: string;
    /** The instance settings as applied at create: the VM is built from these. */
    instance: InstanceSpec;
    digests: IdentityDigests;
    /** Secret: base64 of the gzip-compressed boot script, with the JIT config or registration token inside. */
    userData: string;
    /** What GitHub said of the runner at the last refresh (read); absent until one runs. */
    githubStatus?: GithubRunnerStatus;
}

/** Outputs that are always secret; `instance` and `digests` are too when the slot's settings hold a secret. */
export const REGISTRATION_SECRET_OUTPUTS = ["userData"] as const;
export const REGISTRATION_SETTINGS_OUTPUTS = ["instance", "digests"] as const;

/** Reads stored outputs, failing clearly if the state was not written by this provider version. */
export function readRegistrationOutputs(raw: Record<string, unknown>): RegistrationOutputs {
    if (raw.stateVersion !== REGISTRATION_STATE_VERSION) {
        const found = raw.stateVersion === undefined ? "the format of version 0.1 of this project" : `state format ${JSON.stringify(raw.stateVersion)}`;
        throw new RegistrationInputError(
            `runner registration "${String(raw.runnerName ?? "?")}" was written in ${found}, not format ${REGISTRATION_STATE_VERSION}: ` +
                "this version cannot judge or rebuild that slot safely; fix: drain the fleet with the version that created it (or `pulumi destroy` with it), then deploy this version",
        );
    }
    const missing = ["path", "mode", "runnerName", "createdAt", "instance", "digests", "userData"].filter((key) => raw[key] === undefined);
    if (missing.length > 0) {
        throw new RegistrationInputError(`runner registration state lacks ${missing.join(", ")}; it was not written by this provider: refresh or re-create the slot`);
    }
    return raw as unknown as RegistrationOutputs;
}

/** Outputs as a plain object with no undefined values (the engine's protobuf Struct rejects undefined). */
export function toPlainOutputs(outputs: RegistrationOutputs): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
}
