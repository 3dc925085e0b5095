import { systemdQuote } from "./quote";
import type { CheckedInput } from "./validate";

/** `/etc/docker/daemon.json` with the Docker Hub mirror, or undefined when none is set. */
export function renderDockerDaemonJson(input: CheckedInput): string | undefined {
    if (input.dockerhubMirror === undefined) {
        return undefined;
    }
    return `${JSON.stringify({ "registry-mirrors": [input.dockerhubMirror] }, null, 2)}\n`;
}

/**
 * The docker.service drop-in that gives the daemon the proxies (for image
 * pulls), or undefined when no proxy is set.
 * https://docs.docker.com/engine/daemon/proxy/#systemd-unit-file
 */
export function renderDockerProxyDropIn(input: CheckedInput): string | undefined {
    const { http, https, noProxy } = input.proxy;
    const settings: Array<[string, string | undefined]> = [
        ["HTTP_PROXY", http],
        ["HTTPS_PROXY", https],
        ["NO_PROXY", noProxy],
    ];
    const lines = settings
        .filter((setting): setting is [string, string] => setting[1] !== undefined)
        .map(([key, value]) => `Environment=${systemdQuote(`${key}=${value}`)}\n`);
    return lines.length === 0 ? undefined : `[Service]\n${lines.join("")}`;
}
