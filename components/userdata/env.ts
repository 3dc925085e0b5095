import { PRE_JOB_SCRIPT_FILE, RUNNER_PATH } from "./paths";
import type { CheckedInput } from "./validate";

/**
 * The runner's `.env` (SPEC §3), as ordered pairs. The runner reads it as plain
 * `KEY=value` lines split at the first `=`, with no shell parsing, so values are
 * written verbatim; the input check guarantees none holds a line break.
 */
export function runnerEnvEntries(input: CheckedInput): Array<[string, string]> {
    const entries: Array<[string, string]> = [["PATH", RUNNER_PATH]];
    const { http, https, noProxy } = input.proxy;
    if (http !== undefined) {
        entries.push(["HTTP_PROXY", http], ["http_proxy", http]);
    }
    if (https !== undefined) {
        entries.push(["HTTPS_PROXY", https], ["https_proxy", https]);
    }
    if (noProxy !== undefined) {
        entries.push(["NO_PROXY", noProxy], ["no_proxy", noProxy]);
    }
    if (input.dockerhubMirror !== undefined) {
        entries.push(["DOCKERHUB_MIRROR", input.dockerhubMirror], ["CONTAINER_REGISTRY_URL", input.dockerhubMirror]);
    }
    entries.push(["LANG", "C.UTF-8"]);
    entries.push(["ACTIONS_RUNNER_HOOK_JOB_STARTED", input.preJobScript === undefined ? "" : PRE_JOB_SCRIPT_FILE]);
    if (input.sshDebug !== undefined) {
        const ssh = input.sshDebug;
        entries.push(
            ["TMATE_SERVER_HOST", ssh.host],
            ["TMATE_SERVER_PORT", String(ssh.port)],
            ["TMATE_SERVER_RSA_FINGERPRINT", ssh.rsaFingerprint],
            ["TMATE_SERVER_ED25519_FINGERPRINT", ssh.ed25519Fingerprint],
        );
    }
    return entries;
}

export function renderEnvFile(input: CheckedInput): string {
    return runnerEnvEntries(input)
        .map(([key, value]) => `${key}=${value}\n`)
        .join("");
}
