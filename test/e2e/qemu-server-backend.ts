/**
 * Real machines behind Nova servers: each server boots as a qemu TCG VM from a
 * local copy of its Glance image (a qcow2 overlay over the test runner image),
 * with a NoCloud seed carrying what Nova's metadata service would serve it:
 * the user data bytes, the server id as instance-id, the hostname Nova
 * derives from the server name as local-hostname, and its port's network
 * (a MAC from Neutron's default range, an address and a default route; see
 * test/boot/guest-network.ts).
 *
 * Status follows the VM as Nova reports a libvirt domain: ACTIVE while qemu
 * runs, SHUTOFF once the guest powered itself off, ERROR when qemu failed or
 * was killed at the time limit. destroy() pulls the plug (Nova's libvirt
 * driver destroys a domain, a hard power-off, before it deletes it) and
 * removes the disk overlay and the seed (it holds the user data's secrets);
 * the console log stays for assertions until close(). A rebuild (the harness
 * cloud destroys a server and boots it again under the same id, as Nova's
 * rebuild keeps the id) starts a new VM on a new overlay.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { guestNetworkConfig } from "../boot/guest-network";
import { writeNocloudSeed } from "../boot/nocloud-seed";
import { type ConsoleLine, type GuestForward, type RunningVm, startVm, type VmRun } from "../boot/qemu-vm";
import { NOVA_DEFAULT_DHCP_DOMAIN, novaMetadataHostname, novaServedUserData } from "./nova-rules";
import type { NovaStatus, ServerBackend } from "../harness/cloud";

/** A server create as Nova receives it from the provider (ServerBackend.boot's argument). */
export type NovaServerCreate = Parameters<ServerBackend["boot"]>[0];

export interface QemuServerBackendOptions {
    /** Glance image id -> local qcow2 (never written). A server of any other image is refused, as Nova refuses a missing image. */
    images: Readonly<Record<string, string>>;
    /** Each server gets a directory of its own here (overlay, seed, console log). */
    workRoot: string;
    /** Guest addresses forwarded to the host (the fake GitHub); nothing else is reachable. */
    forwards?: GuestForward[];
    cpus?: number;
    memoryMiB?: number;
    /** The MTU of every server's NIC (VXLAN tenant networks: 1450); default 1500. */
    nicMtu?: number;
    /** Every VM is killed after this long; its server then shows ERROR. */
    vmTimeLimitMs: number;
    /** Nova's `[api] dhcp_domain`; default "novalocal". */
    dhcpDomain?: string;
    onConsoleLine?: (serverId: string, line: ConsoleLine) => void;
}

/** What the backend did for one server. */
export interface QemuServer {
    readonly request: NovaServerCreate;
    /** The user data bytes the guest was served (undefined: none). */
    readonly userData: Buffer | undefined;
    /** meta-data local-hostname, as Nova's metadata service derives it from the name. */
    readonly localHostname: string;
    /** The MAC address of the server's port. */
    readonly mac: string;
    readonly workDir: string;
    readonly consoleLogPath: string;
    readonly vm: RunningVm;
    readonly bootedAtMs: number;
    destroyedAtMs?: number;
}

/** A port's MAC address as Neutron makes them: its default base_mac fa:16:3e:00:00:00 (neutron/conf/common.py) with the last three bytes random. */
export function neutronMac(): string {
    return ["fa", "16", "3e", ...randomBytes(3).toString("hex").match(/../g)!].join(":");
}

/** Nova's status of a server whose VM is running (undefined) or has stopped this way. */
export function novaStatusOf(run: Pick<VmRun, "poweredOff"> | undefined): NovaStatus {
    if (run === undefined) return "ACTIVE";
    return run.poweredOff ? "SHUTOFF" : "ERROR";
}

export class QemuServerBackend implements ServerBackend {
    /** The current VM of each server id. */
    private readonly byId = new Map<string, QemuServer>();
    /** Every VM started, in order (a rebuilt server has several). */
    private readonly started: QemuServer[] = [];

    constructor(private readonly options: QemuServerBackendOptions) {}

    async boot(request: NovaServerCreate): Promise<void> {
        const current = this.byId.get(request.id);
        if (current !== undefined && current.destroyedAtMs === undefined) {
            throw new Error(`server ${request.id} (${request.name}) is running: destroy it before booting it again`);
        }
        const image = this.options.images[request.imageId];
        if (image === undefined) {
            throw new Error(`Nova refuses server "${request.name}": image ${request.imageId} not found (known images: ${Object.keys(this.options.images).join(", ") || "none"})`);
        }
        const userData = request.userDataBase64 === undefined ? undefined : novaServedUserData(request.userDataBase64);
        const boots = this.started.filter((server) => server.request.id === request.id).length;
        const workDir = join(this.options.workRoot, `${request.id.replace(/[^A-Za-z0-9_.-]/g, "_")}${boots === 0 ? "" : `-rebuild-${boots}`}`);
        await mkdir(workDir, { recursive: true, mode: 0o700 });
        const localHostname = novaMetadataHostname(request.name, request.id, this.options.dhcpDomain ?? NOVA_DEFAULT_DHCP_DOMAIN);
        const mac = neutronMac();
        const seedIso = await writeNocloudSeed(
            { userData: userData ?? "", instanceId: request.id, localHostname, networkConfig: guestNetworkConfig(mac) },
            join(workDir, "seed.iso"),
        );
        const vm = await startVm({
            baseImage: image,
            workDir,
            seedIso,
            timeoutMs: this.options.vmTimeLimitMs,
            cpus: this.options.cpus,
            memoryMiB: this.options.memoryMiB,
            nicMtu: this.options.nicMtu,
            nicMac: mac,
            forwards: this.options.forwards,
            onConsoleLine: (line) => this.options.onConsoleLine?.(request.id, line),
        });
        const server: QemuServer = {
            request: { ...request, metadata: { ...request.metadata } },
            userData,
            localHostname,
            mac,
            workDir,
            consoleLogPath: vm.consoleLogPath,
            vm,
            bootedAtMs: vm.startedAtMs,
        };
        this.byId.set(request.id, server);
        this.started.push(server);
    }

    status(id: string): NovaStatus {
        const server = this.require(id);
        if (server.destroyedAtMs !== undefined) throw new Error(`Nova has no server ${id} (${server.request.name}): it was deleted`);
        return novaStatusOf(server.vm.result());
    }

    async destroy(id: string): Promise<void> {
        const server = this.require(id);
        if (server.destroyedAtMs !== undefined) return;
        await server.vm.kill();
        await rm(server.vm.overlayPath, { force: true });
        await rm(join(server.workDir, "seed.iso"), { force: true });
        server.destroyedAtMs = Date.now();
    }

    /** Every VM booted so far (destroyed ones too), in boot order. */
    servers(): QemuServer[] {
        return [...this.started];
    }

    /** Servers not destroyed. */
    liveServers(): QemuServer[] {
        return this.servers().filter((server) => server.destroyedAtMs === undefined);
    }

    /** The server's current (or last) VM. */
    server(id: string): QemuServer {
        return this.require(id);
    }

    /** Destroys every live server (test clean-up); console logs stay under workRoot. */
    async close(): Promise<void> {
        await Promise.all(this.liveServers().map((server) => this.destroy(server.request.id)));
    }

    private require(id: string): QemuServer {
        const server = this.byId.get(id);
        if (server === undefined) throw new Error(`Nova has no server ${id} (never booted here)`);
        return server;
    }
}
