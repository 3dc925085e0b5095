import { RUNNER_DIR, RUNNER_USER, SECRET_DIR, START_SCRIPT_FILE } from "./paths";
import { shellQuote } from "./quote";
import type { CheckedInput } from "./validate";

/**
 * The runner runs as a systemd service, so cloud-init finishes while the runner
 * keeps going, and systemd can power the VM off when an ephemeral runner exits.
 * Its secret (JIT config or registration token) is a root-only file that systemd
 * hands to the service as a credential: never in the unit, never on the console.
 * https://systemd.io/CREDENTIALS/
 */
export interface RunnerService {
    /** Credential name, also the secret file's name in SECRET_DIR. */
    credentialName: string;
    secretFile: string;
    secret: string;
    startScript: string;
    unit: string;
}

export function renderRunnerService(input: CheckedInput): RunnerService {
    const credentialName = input.start.mode === "jit" ? "jitconfig" : "registration-token";
    return {
        credentialName,
        secretFile: `${SECRET_DIR}/${credentialName}`,
        secret: input.start.mode === "jit" ? input.start.jitConfig : input.start.token,
        startScript: renderStartScript(input, credentialName),
        unit: renderUnit(input, credentialName),
    };
}

/** Shell lines that register (token mode) and run the runner; values are shell-quoted. */
function runnerCommands(input: CheckedInput): string[] {
    const start = input.start;
    switch (start.mode) {
        case "jit":
            return [`jit_config=$(<"$secret_file")`, `exec ./run.sh --jitconfig "$jit_config"`];
        case "token": {
            const configArgs = [
                `--url ${shellQuote(start.url)}`,
                `--token "$token"`,
                ...(input.ephemeral ? ["--ephemeral"] : []),
                `--unattended`,
                `--labels ${shellQuote(start.labels.join(","))}`,
                `--name ${shellQuote(input.runnerName)}`,
                ...(start.runnerGroup === undefined ? [] : [`--runnergroup ${shellQuote(start.runnerGroup)}`]),
                // Without it config.sh adds self-hosted, the OS and the architecture (docs.github.com, self-hosted runner labels).
                ...(start.noDefaultLabels === true ? ["--no-default-labels"] : []),
            ];
            return [
                // A persistent runner is configured once; after a reboot it just runs.
                `if [[ ! -f .runner ]]; then`,
                `\ttoken=$(<"$secret_file")`,
                `\t./config.sh ${configArgs.join(" ")}`,
                `\tunset token`,
                `fi`,
                `exec ./run.sh`,
            ];
        }
        default: {
            const unknownMode: never = start;
            throw new Error(`unhandled start mode ${JSON.stringify(unknownMode)}`);
        }
    }
}

function renderStartScript(input: CheckedInput, credentialName: string): string {
    return [
        `#!/bin/bash`,
        `# Started by the runner's systemd service as ${RUNNER_USER}; never prints its secret.`,
        `# Values below are single-quoted on purpose, to be passed verbatim:`,
        `# shellcheck disable=SC1003,SC2016`,
        `set -euo pipefail`,
        `cd ${RUNNER_DIR}`,
        `secret_file="$CREDENTIALS_DIRECTORY"/${credentialName}`,
        // The runner and its jobs inherit this environment; they have no use for the credential.
        `unset CREDENTIALS_DIRECTORY`,
        ...runnerCommands(input),
        ``,
    ].join("\n");
}

function renderUnit(input: CheckedInput, credentialName: string): string {
    // SuccessAction/FailureAction power the VM off however the runner exits,
    // so a used-up (or broken) ephemeral VM shows as shut off and gets replaced.
    const lifecycle = input.ephemeral
        ? { unit: ["SuccessAction=poweroff", "FailureAction=poweroff"], service: ["Restart=no"] }
        : { unit: [], service: ["Restart=on-failure", "RestartSec=30s"] };
    return [
        `[Unit]`,
        `Description=GitHub Actions runner`,
        `Wants=network-online.target`,
        `After=network-online.target docker.service`,
        ...lifecycle.unit,
        ``,
        `[Service]`,
        `Type=simple`,
        `User=${RUNNER_USER}`,
        `WorkingDirectory=${RUNNER_DIR}`,
        `LoadCredential=${credentialName}:${SECRET_DIR}/${credentialName}`,
        `ExecStart=${START_SCRIPT_FILE}`,
        // As the runner's own service template: stop the listener, let job processes finish.
        `KillMode=process`,
        `KillSignal=SIGTERM`,
        `TimeoutStopSec=5min`,
        ...lifecycle.service,
        ``,
        `[Install]`,
        `WantedBy=multi-user.target`,
        ``,
    ].join("\n");
}
