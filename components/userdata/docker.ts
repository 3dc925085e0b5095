import { shellQuote, systemdQuote } from "./quote";
import type { CheckedInput } from "./validate";

/** The largest MTU a VXLAN or GRE tenant network can leave a VM is below Ethernet's 1500. */
export const ETHERNET_MTU = 1500;

/**
 * Shell lines that set `daemon_json` to the content of /etc/docker/daemon.json,
 * or to nothing when no setting is needed. Decided at boot: the Docker bridge's
 * MTU follows the MTU of the VM's default-route interface when that is below
 * 1500 (tenant networks over VXLAN run at 1450; containers on a 1500-byte
 * bridge there lose large packets, and TLS handshakes hang). dockerd's `mtu`
 * sets the default bridge's MTU (docs.docker.com, dockerd reference, daemon
 * configuration file: "mtu"). The Docker Hub mirror goes in
 * `registry-mirrors`.
 */
export function renderDockerDaemonJsonLines(input: CheckedInput): string[] {
    const mirror = input.dockerhubMirror === undefined ? [] : [`\tfields+=(${shellQuote(`  "registry-mirrors": [${JSON.stringify(input.dockerhubMirror)}]`)})`];
    return [
        `vm_mtu=""`,
        // The interface of the IPv4 default route, from /proc/net/route (destination 00000000): no tool needed.
        `if [[ -r /proc/net/route ]]; then`,
        `\twhile read -r route_dev route_destination _; do`,
        `\t\tif [[ $route_destination == 00000000 && -r /sys/class/net/$route_dev/mtu ]]; then vm_mtu=$(</sys/class/net/"$route_dev"/mtu); break; fi`,
        `\tdone </proc/net/route`,
        `fi`,
        `docker_daemon_json() {`,
        `\tlocal fields=() joined`,
        ...mirror,
        `\tif [[ $vm_mtu =~ ^[0-9]+$ ]] && ((vm_mtu < ${ETHERNET_MTU})); then fields+=('  "mtu": '"$vm_mtu"); fi`,
        `\t((\${#fields[@]} > 0)) || return 0`,
        `\tprintf -v joined '%s,\\n' "\${fields[@]}"`,
        `\tprintf '{\\n%s\\n}\\n' "\${joined%,$'\\n'}"`,
        `}`,
        `daemon_json=$(docker_daemon_json)`,
    ];
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
