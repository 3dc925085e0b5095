/**
 * What a runner's boot needs beyond its registration, as one canonical JSON
 * string. It travels inside the registration's spec, so a change reaches a
 * runner only when its slot is recycled (never a running, possibly busy VM).
 */
import type { RunnerUserdataInput } from "./userdata";

export interface SshDebugServer {
    host: string;
    port: number;
    rsaFingerprint: string;
    ed25519Fingerprint: string;
}

export interface RunnerBootSettings {
    labels: string[];
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
              start: { mode: "token", url: runner.registrationUrl, token: runner.credential, labels: settings.labels, runnerGroup: settings.runnerGroup },
          };
}
