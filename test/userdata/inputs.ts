import type { RunnerUserdataInput } from "../../components/userdata";

/** Inputs shared by the userdata tests. Secrets are recognisable so a leak is easy to spot. */
export const JIT_CONFIG = "eyJqaXQiOiJTRUNSRVQtSklULUNPTkZJRyJ9SECRETJIT==";
export const REGISTRATION_TOKEN = "AABBSECRETREGTOKEN0123456789";

export const SSH_DEBUG = {
    host: "10.20.30.40",
    port: 10022,
    rsaFingerprint: "SHA256:RSAfingerprintAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ed25519Fingerprint: "SHA256:ED25519fingerprintBBBBBBBBBBBBBBBBBBBBBBBBBBB",
};

export const PRE_JOB_SCRIPT = "#!/bin/bash\nset -e\necho \"pre-job for $GITHUB_REPOSITORY\"\n";

/** Ephemeral JIT runner with every optional part set. */
export function jitInput(): RunnerUserdataInput {
    return {
        runnerName: "ci-large-x64-0123456789ab",
        hostname: "ci-large-x64-0123456789ab",
        ephemeral: true,
        start: { mode: "jit", jitConfig: JIT_CONFIG },
        proxy: { http: "http://proxy.internal:3128", https: "http://proxy.internal:3129", noProxy: "localhost,127.0.0.1,.internal" },
        dockerhubMirror: "https://mirror.internal:5000",
        sshDebug: { ...SSH_DEBUG },
        preJobScript: PRE_JOB_SCRIPT,
    };
}

/** Persistent org runner in a runner group, registered with a token, nothing optional. */
export function tokenOrgInput(): RunnerUserdataInput {
    return {
        runnerName: "org-persistent-fedcba987654",
        hostname: "org-persistent-fedcba987654",
        ephemeral: false,
        start: { mode: "token", url: "https://github.com/acme", token: REGISTRATION_TOKEN, labels: ["linux", "x64", "jammy"], runnerGroup: "ci-group" },
    };
}

/** Ephemeral repo runner registered with a token (no runner group). */
export function tokenRepoInput(): RunnerUserdataInput {
    return {
        runnerName: "repo-eph-00aa11bb22cc",
        hostname: "repo-eph-00aa11bb22cc",
        ephemeral: true,
        start: { mode: "token", url: "https://github.com/acme/widgets", token: REGISTRATION_TOKEN, labels: ["self-hosted-small"] },
        proxy: { http: "http://proxy.internal:3128" },
    };
}

/** Text that would run a command if any layer evaluated it instead of passing it on. */
export const HOSTILE = `it's "q" $(touch /pwned-dollar) \`touch /pwned-tick\` a\\b %n %% $HOME;x`;

/** Every value a stack controls, hostile; the secrets too. */
export function hostileTokenInput(): RunnerUserdataInput {
    return {
        runnerName: `r'"$(touch /pwned-name) \`touch /pwned-name2\` \\ %i`,
        hostname: "hostile-0123456789ab",
        ephemeral: true,
        start: {
            mode: "token",
            url: `https://github.com/o'"$(touch /pwned-url)`,
            token: `T'"$(touch /pwned-token)\`touch /pwned-token2\`\\%`,
            labels: [`l'"$(touch /pwned-label)`, "with space", "`touch /pwned-label2`"],
            runnerGroup: `g'"$(touch /pwned-group) %h\\`,
        },
        proxy: { http: `http://u:p'"@proxy:3128/$(touch /pwned-proxy)`, https: HOSTILE, noProxy: `a b,"c",%d,\\e` },
        dockerhubMirror: `https://mirror/'"\\$(touch /pwned-mirror)\`touch /pwned-mirror2\``,
        sshDebug: { host: `h'"$(touch /pwned-ssh)`, port: 2222, rsaFingerprint: `SHA256:'"\`touch /pwned-rsa\``, ed25519Fingerprint: `SHA256:%s\\$(touch /pwned-ed)` },
        preJobScript: `#!/bin/bash\n# ${HOSTILE}\necho '$(touch /pwned-prejob)'\n\n\ttabbed 'EOF'\nno trailing newline`,
    };
}

export function hostileJitInput(): RunnerUserdataInput {
    return { ...hostileTokenInput(), start: { mode: "jit", jitConfig: `J'"$(touch /pwned-jit)\`touch /pwned-jit2\`\\%` } };
}
