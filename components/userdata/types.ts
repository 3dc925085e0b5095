/** How the runner registers with GitHub when it starts. */
export type RunnerStart =
    /** `run.sh --jitconfig <config>`: the registration GitHub made just in time (single use). */
    | { mode: "jit"; jitConfig: string }
    /**
     * `config.sh --url --token [--ephemeral] --unattended --labels --name [--runnergroup] [--no-default-labels]`,
     * then `run.sh`: for servers without JIT, and for persistent runners.
     */
    | { mode: "token"; url: string; token: string; labels: string[]; runnerGroup?: string; noDefaultLabels?: boolean };

/** Everything the boot script of one runner VM needs. */
export interface RunnerUserdataInput {
    /** GitHub runner name (at most 64 characters). */
    runnerName: string;
    /** Short valid hostname; checked again with `isValidHostname`. */
    hostname: string;
    /** Ephemeral: `--ephemeral` in token mode, and the VM powers off when the runner exits. */
    ephemeral: boolean;
    start: RunnerStart;
    /** Empty strings count as unset. */
    proxy?: { http?: string; https?: string; noProxy?: string };
    /** https URL of a Docker Hub mirror; empty counts as unset. */
    dockerhubMirror?: string;
    sshDebug?: { host: string; port: number; rsaFingerprint: string; ed25519Fingerprint: string };
    /** Content of the ACTIONS_RUNNER_HOOK_JOB_STARTED script; empty or undefined = none. */
    preJobScript?: string;
}
