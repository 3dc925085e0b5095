/**
 * Realistic runner slots for the boot test: what the fleet would render for a
 * JIT runner with every option set, and for an org runner registered with a
 * token into a runner group. Nothing here needs the network during the boot:
 * the proxies and the mirror are names that never resolve (.invalid), the
 * SSH debug server a documentation address that only a job would contact.
 */
import type { RunnerUserdataInput } from "../../components/userdata";
import { GUEST_GITHUB_ADDRESS } from "./boot-with-userdata";

export const PROXY = {
    http: "http://proxy.invalid:3128",
    https: "http://proxy.invalid:3129",
    // The runner reaches "GitHub" directly, as it would a GitHub Enterprise Server on the local network.
    noProxy: `localhost,127.0.0.1,${GUEST_GITHUB_ADDRESS}`,
};

export const DOCKERHUB_MIRROR = "https://mirror.invalid:5000";

export const SSH_DEBUG = {
    host: "192.0.2.10",
    port: 10022,
    rsaFingerprint: "SHA256:Bj8mpX2ugP5lLbVXGmuKrNADzyJb4bRKAtNeKMPgYF8",
    ed25519Fingerprint: "SHA256:Ux8uvJQvvY6Hv3d1nH0R3KSbYTFLHX7ZpnFRJY9FPzM",
};

export const PRE_JOB_SCRIPT = '#!/bin/bash\necho "pre-job hook ran for ${GITHUB_REPOSITORY:-nothing}" >"$HOME/pre-job-hook.log"\n';

export function jitSlot(runnerName: string, hostname: string, jitConfig: string): RunnerUserdataInput {
    return {
        runnerName,
        hostname,
        ephemeral: true,
        start: { mode: "jit", jitConfig },
        proxy: { ...PROXY },
        dockerhubMirror: DOCKERHUB_MIRROR,
        sshDebug: { ...SSH_DEBUG },
        preJobScript: PRE_JOB_SCRIPT,
    };
}

export function tokenOrgSlot(
    runnerName: string,
    hostname: string,
    orgUrl: string,
    token: string,
    labels: string[],
    runnerGroup: string,
): RunnerUserdataInput {
    return {
        runnerName,
        hostname,
        ephemeral: true,
        start: { mode: "token", url: orgUrl, token, labels, runnerGroup },
        proxy: { ...PROXY },
    };
}
