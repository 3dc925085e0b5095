/**
 * What a runner's boot needs beyond its registration, as one canonical JSON
 * string. It travels inside the registration's spec, so a change reaches a
 * runner only when its slot is recycled (never a running, possibly busy VM).
 */
import { createHash } from "node:crypto";
import { renderUserdata, type RunnerUserdataInput } from "./userdata";
import { encodeUserdata } from "./userdata/encode";

export interface SshDebugServer {
    host: string;
    port: number;
    rsaFingerprint: string;
    ed25519Fingerprint: string;
}

export interface RunnerBootSettings {
    labels: string[];
    /** The pool turned the default labels off: a token-mode runner registers with --no-default-labels. */
    noDefaultLabels?: boolean;
    ephemeral: boolean;
    runnerGroup?: string;
    proxy?: { http?: string; https?: string; noProxy?: string };
    dockerhubMirror?: string;
    sshDebug?: SshDebugServer;
    preJobScript?: string;
}

/** True when a proxy URL carries a user name or password, which must then stay out of plain state. */
export function bootSettingsHoldCredentials(settings: RunnerBootSettings): boolean {
    return [settings.proxy?.http, settings.proxy?.https].some((url) => {
        if (url === undefined) return false;
        const parsed = new URL(url);
        return parsed.username !== "" || parsed.password !== "";
    });
}

/** Deterministic, so the plan stays stable: the same slot always gets the same server. */
export function sshDebugForSlot(servers: readonly SshDebugServer[], slotIndex: number): SshDebugServer | undefined {
    return servers.length === 0 ? undefined : servers[slotIndex % servers.length];
}

/** JSON with sorted keys and no undefined members: equal settings give equal text. */
export function encodeBootSettings(settings: RunnerBootSettings): string {
    return JSON.stringify(settings, (_key, value: unknown) =>
        value !== null && typeof value === "object" && !Array.isArray(value)
            ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
            : value,
    );
}

export function decodeBootSettings(text: string): RunnerBootSettings {
    return JSON.parse(text) as RunnerBootSettings;
}

export interface RegisteredRunner {
    runnerName: string;
    hostname: string;
    registrationUrl: string;
    /** How the slot registers, and the secret the registration minted for it (a JIT config or a registration token). */
    mode: "jit" | "token";
    credential: string | undefined;
}

/** Userdata input for one registered runner. */
export function userdataInput(runner: RegisteredRunner, settings: RunnerBootSettings): RunnerUserdataInput {
    if (runner.credential === undefined || runner.credential === "") {
        throw new Error(`runner ${runner.runnerName} has no ${runner.mode === "jit" ? "JIT config" : "registration token"} from its registration`);
    }
    const common = {
        runnerName: runner.runnerName,
        hostname: runner.hostname,
        ephemeral: settings.ephemeral,
        proxy: settings.proxy,
        dockerhubMirror: settings.dockerhubMirror,
        sshDebug: settings.sshDebug,
        preJobScript: settings.preJobScript,
    };
    return runner.mode === "jit"
        ? { ...common, start: { mode: "jit", jitConfig: runner.credential } }
        : {
              ...common,
              start: {
                  mode: "token",
                  url: runner.registrationUrl,
                  token: runner.credential,
                  labels: settings.labels,
                  runnerGroup: settings.runnerGroup,
                  ...(settings.noDefaultLabels === true ? { noDefaultLabels: true } : {}),
              },
          };
}

/**
 * A stand-in runner for rendering the template: a realistic-length credential
 * (GitHub's encoded JIT configs are about 4 KB), so a too-large userdata fails
 * in the program, before any runner is registered.
 */
const TEMPLATE_RUNNER = {
    runnerName: "runner-template-000000000000",
    hostname: "runner-template-000000000000",
    credential: "J".repeat(4400),
} as const;

/**
 * Digest of the userdata these settings render to with the current code. It
 * is part of a slot's desired identity: changing the boot settings or the
 * renderer's code recycles idle runners, and busy ones after their job,
 * without touching any running VM.
 */
export function userdataTemplateDigest(mode: "jit" | "token", registrationUrl: string, settings: RunnerBootSettings): string {
    const script = renderUserdata(userdataInput({ ...TEMPLATE_RUNNER, registrationUrl, mode }, settings));
    return createHash("sha256").update(script).digest("hex").slice(0, 32);
}

/** The userdata a registered runner's VM boots with, as Nova receives it (base64 gzip). */
export function renderRunnerUserdata(runner: RegisteredRunner, settings: RunnerBootSettings): string {
    return encodeUserdata(runner.runnerName, renderUserdata(userdataInput(runner, settings)));
}
