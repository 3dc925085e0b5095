import { renderDockerDaemonJsonLines, renderDockerProxyDropIn } from "./docker";
import { renderEnvFile } from "./env";
import {
    CLOUD_INIT_HOSTNAME_CFG,
    DOCKER_DAEMON_JSON,
    DOCKER_PROXY_DROP_IN,
    PRE_JOB_SCRIPT_FILE,
    RUNNER_ENV_FILE,
    RUNNER_UNIT,
    RUNNER_UNIT_FILE,
    RUNNER_USER,
    SECRET_DIR,
    START_SCRIPT_FILE,
} from "./paths";
import { shellQuote } from "./quote";
import { renderRunnerService } from "./runner-service";
import type { CheckedInput } from "./validate";

/**
 * Defines `put_file MODE OWNER PATH CONTENT`: installs CONTENT at PATH through a
 * temporary file that mktemp creates 0600, so a secret is never readable by
 * others, even briefly. printf is a bash builtin, so CONTENT never shows up in a
 * process's arguments. Sets FILE_CHANGED=1 unless PATH already held CONTENT.
 */
const PUT_FILE_FUNCTION = `# shellcheck disable=SC2034 # FILE_CHANGED is read only where docker settings are written
put_file() {
\tlocal mode=$1 owner=$2 path=$3 content=$4 tmp
\tmkdir -p -- "$(dirname -- "$path")"
\ttmp=$(mktemp -- "$path.XXXXXX")
\tprintf '%s' "$content" >"$tmp"
\tFILE_CHANGED=1
\tif [[ -f $path ]] && cmp -s -- "$tmp" "$path"; then
\t\tFILE_CHANGED=0
\tfi
\tchown -- "$owner" "$tmp"
\tchmod -- "$mode" "$tmp"
\tmv -f -- "$tmp" "$path"
}`;

/** cloud-init would otherwise set the (long) instance name again and rewrite /etc/hosts at reboot. */
const CLOUD_INIT_HOSTNAME_SETTINGS = "preserve_hostname: true\nmanage_etc_hosts: false\n";

function putFile(mode: string, owner: string, path: string, content: string): string {
    return `put_file ${mode} ${owner} ${path} ${shellQuote(content)}`;
}

function hostnameSection(input: CheckedInput): string[] {
    const hostsLine = shellQuote(`127.0.1.1 ${input.hostname}`);
    return [
        `echo "runner boot: hostname"`,
        `hostnamectl set-hostname ${shellQuote(input.hostname)}`,
        `grep -qxF -- ${hostsLine} /etc/hosts 2>/dev/null || printf '%s\\n' ${hostsLine} >>/etc/hosts`,
        putFile("0644", "root:root", CLOUD_INIT_HOSTNAME_CFG, CLOUD_INIT_HOSTNAME_SETTINGS),
    ];
}

/** Docker settings; docker restarts (at the end) only when one of its files changed. */
function dockerSection(input: CheckedInput): string[] {
    const lines = [`echo "runner boot: docker settings"`, `docker_changed=0`, ...renderDockerDaemonJsonLines(input)];
    lines.push(
        `if [[ -n $daemon_json ]]; then`,
        `\tput_file 0644 root:root ${DOCKER_DAEMON_JSON} "$daemon_json"$'\\n'`,
        `\tif ((FILE_CHANGED)); then docker_changed=1; fi`,
        `fi`,
    );
    const dropIn = renderDockerProxyDropIn(input);
    if (dropIn !== undefined) {
        lines.push(putFile("0644", "root:root", DOCKER_PROXY_DROP_IN, dropIn), `if ((FILE_CHANGED)); then docker_changed=1; fi`);
    }
    return lines;
}

function runnerSection(input: CheckedInput): string[] {
    const service = renderRunnerService(input);
    const lines = [
        `echo "runner boot: runner files"`,
        putFile("0600", `${RUNNER_USER}:`, RUNNER_ENV_FILE, renderEnvFile(input)),
    ];
    if (input.preJobScript !== undefined) {
        lines.push(putFile("0755", "root:root", PRE_JOB_SCRIPT_FILE, input.preJobScript));
    }
    lines.push(
        `install -d -m 0700 -o root -g root ${SECRET_DIR}`,
        putFile("0600", "root:root", service.secretFile, service.secret),
        putFile("0755", "root:root", START_SCRIPT_FILE, service.startScript),
        putFile("0644", "root:root", RUNNER_UNIT_FILE, service.unit),
    );
    return lines;
}

function startSection(): string[] {
    return [
        `echo "runner boot: starting ${RUNNER_UNIT}"`,
        `systemctl daemon-reload`,
        `if ((docker_changed)); then`,
        // try-restart: only a running dockerd needs it; the project's image starts docker on first use.
        `\tsystemctl try-restart docker.service`,
        `fi`,
        `systemctl enable ${RUNNER_UNIT}`,
        // --no-block: cloud-init's final stage must not wait on (or deadlock with) the runner's start.
        `systemctl start --no-block ${RUNNER_UNIT}`,
        `echo "runner boot: done"`,
    ];
}

/** The whole boot script, run once by cloud-init as root. */
export function renderBootScript(input: CheckedInput): string {
    return [
        `#!/bin/bash`,
        `# GitHub Actions runner boot script, rendered by components/userdata.ts.`,
        `# cloud-init copies its output to the serial console: it never traces commands`,
        `# and never prints a secret.`,
        `# File contents below are single-quoted on purpose, to be written verbatim:`,
        `# shellcheck disable=SC1003,SC2016`,
        `set -euo pipefail`,
        `umask 022`,
        ``,
        PUT_FILE_FUNCTION,
        ``,
        ...hostnameSection(input),
        ...dockerSection(input),
        ...runnerSection(input),
        ...startSection(),
        ``,
    ].join("\n");
}
