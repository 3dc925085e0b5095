/**
 * What a registration keeps in its outputs (the Pulumi state): the runner's
 * identity and credentials, and the settings and spec it was APPLIED with,
 * which only a replacement changes.
 */
import type { GithubConnection } from "../client";
import { RegistrationInputError } from "../errors";
import type { RegistrationIdentity } from "./decision";
import type { RegistrationInputs } from "./inputs";

/** The inputs that decide which runner a slot is, as they were when it was created. */
export type AppliedSettings = Pick<RegistrationInputs, "path" | "runnerGroup" | "mode" | "namePrefix" | "labels" | "ephemeral">;

export interface RegistrationOutputs {
    /** Secret. The connection as of the last create or update (a rotated token updates in place). */
    github: GithubConnection;
    bootstrapTimeoutSeconds: number;
    appliedSettings: AppliedSettings;
    appliedSpec: Record<string, string>;
    runnerName: string;
    hostname: string;
    /** JIT mode; token-mode runners get their id only when their VM registers. */
    runnerId?: number;
    runnerGroupId: number;
    /** Secret (JIT mode). */
    jitConfig?: string;
    /** Secret (token mode). */
    registrationToken?: string;
    registrationTokenExpiresAt?: string;
    registrationUrl: string;
    createdAt: string;
}

/** Output keys that hold secrets; the resource class passes them as additionalSecretOutputs. */
export const REGISTRATION_SECRET_OUTPUTS = ["github", "jitConfig", "registrationToken"] as const;

export function appliedSettingsOf(inputs: RegistrationInputs): AppliedSettings {
    const settings: AppliedSettings = {
        path: inputs.path,
        mode: inputs.mode,
        namePrefix: inputs.namePrefix,
        labels: [...inputs.labels],
        ephemeral: inputs.ephemeral,
    };
    if (inputs.runnerGroup !== undefined) settings.runnerGroup = inputs.runnerGroup;
    return settings;
}

/** GitHub treats labels as a set: a reordered list is not a change worth a new runner. */
function labelSet(labels: unknown): unknown {
    return Array.isArray(labels) && labels.every((label) => typeof label === "string") ? [...labels].sort() : labels;
}

export function appliedIdentity(outputs: RegistrationOutputs): RegistrationIdentity {
    const applied = outputs.appliedSettings;
    return { ...applied, runnerGroup: applied.runnerGroup, labels: labelSet(applied.labels), spec: outputs.appliedSpec };
}

/** The desired identity from raw new inputs (values may be unknown during preview). */
export function desiredIdentity(news: Record<string, unknown>): RegistrationIdentity {
    return {
        path: news.path,
        runnerGroup: news.runnerGroup ?? undefined,
        mode: news.mode,
        namePrefix: news.namePrefix,
        labels: labelSet(news.labels),
        ephemeral: news.ephemeral,
        spec: news.spec,
    };
}

/** Reads stored outputs, failing clearly if the state was not written by this provider. */
export function readRegistrationOutputs(raw: Record<string, unknown>): RegistrationOutputs {
    const missing = ["github", "appliedSettings", "appliedSpec", "runnerName", "createdAt"].filter((key) => raw[key] === undefined);
    if (missing.length > 0) {
        throw new RegistrationInputError(
            `runner registration state lacks ${missing.join(", ")}; it was not written by this provider version: refresh or re-create the slot`,
        );
    }
    return raw as unknown as RegistrationOutputs;
}

/** Outputs as a plain object with no undefined values (the engine's protobuf Struct rejects undefined). */
export function toPlainOutputs(outputs: RegistrationOutputs): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
}
