import { execFile, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** A guest TCP address forwarded to a port on the host's loopback. */
export interface GuestForward {
    guestAddress: string;
    guestPort: number;
    hostPort: number;
}

export interface VmOptions {
    /** qcow2 the VM boots from; never written: the VM writes to an overlay in workDir. */
    baseImage: string;
    workDir: string;
    seedIso: string;
    /** The VM is killed after this long; the run then reports timedOut. */
    timeoutMs: number;
    memoryMiB?: number;
    cpus?: number;
    /**
     * The MTU the virtio NIC announces to the guest (virtio-net's VIRTIO_NET_F_MTU
     * feature, qemu's `host_mtu` device property: qemu hw/net/virtio-net.c, v7.2);
     * the guest's driver takes it as the interface's MTU. Unset: the guest's
     * default, 1500. VXLAN tenant networks in OpenStack give VMs 1450.
     */
    nicMtu?: number;
    /** The NIC's MAC address; default qemu's 52:54:00:12:34:56. */
    nicMac?: string;
    /**
     * The guest is isolated (qemu user networking with restrict=on: no packet
     * leaves for the host or anywhere else) except for these forwards.
     */
    forwards?: GuestForward[];
    onConsoleLine?: (line: ConsoleLine) => void;
}

export interface ConsoleLine {
    /** Milliseconds since qemu was started. */
    atMs: number;
    text: string;
}

export interface VmRun {
    /** Date.now() when qemu was started; console times count from here. */
    startedAtMs: number;
    overlayPath: string;
    consoleLogPath: string;
    lines: ConsoleLine[];
    exitCode: number | null;
    timedOut: boolean;
    /** Stopped by kill() (a hard power-off from outside). */
    killed: boolean;
    /** The kernel's last word was a power-down (not a reboot, panic or kill). */
    poweredOff: boolean;
    durationMs: number;
    /** What qemu itself printed on stderr (its own errors, not the guest's). */
    qemuStderr: string;
}

/** A VM whose qemu process was started; it runs until the guest stops, the time limit, or kill(). */
export interface RunningVm {
    readonly startedAtMs: number;
    readonly overlayPath: string;
    readonly consoleLogPath: string;
    /** Console lines so far (the array grows while the VM runs). */
    readonly lines: ConsoleLine[];
    readonly pid: number;
    /** Resolves once qemu has exited and the console log is flushed. */
    readonly exited: Promise<VmRun>;
    /** The finished run, or undefined while qemu runs. */
    result(): VmRun | undefined;
    /** Pulls the plug (SIGKILL) and resolves once qemu is gone. */
    kill(): Promise<VmRun>;
}

/** Run by qemu once per forwarded guest connection; see stdio-relay.ts. */
const STDIO_RELAY = join(__dirname, "stdio-relay.ts");

export const POWER_DOWN_LINE = "reboot: Power down";

/** Makes a qcow2 overlay whose backing file is `baseImage`, so the base stays untouched. */
export async function createOverlay(baseImage: string, overlayPath: string): Promise<void> {
    await execFileAsync("qemu-img", ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", baseImage, overlayPath]);
}

export function qemuArgs(options: VmOptions, overlayPath: string): string[] {
    const forwards = (options.forwards ?? []).map((f) => {
        // The relay's stderr goes into the guest's connection too: no warnings.
        // qemu option values escape a comma by doubling it.
        const relay = `${process.execPath} --no-warnings ${STDIO_RELAY} ${f.hostPort}`.replaceAll(",", ",,");
        return `,guestfwd=tcp:${f.guestAddress}:${f.guestPort}-cmd:${relay}`;
    });
    const nic = [
        "virtio-net-pci",
        "netdev=net0",
        ...(options.nicMac === undefined ? [] : [`mac=${options.nicMac}`]),
        ...(options.nicMtu === undefined ? [] : [`host_mtu=${options.nicMtu}`]),
    ].join(",");
    return [
        "-accel", "tcg", // KVM hangs on these machines
        "-machine", "q35",
        "-cpu", "max",
        "-smp", String(options.cpus ?? 2),
        "-m", String(options.memoryMiB ?? 2048),
        "-display", "none",
        "-monitor", "none",
        "-serial", "stdio",
        "-no-reboot",
        "-drive", `file=${overlayPath},if=virtio,format=qcow2,discard=unmap`,
        "-drive", `file=${options.seedIso},if=virtio,format=raw,readonly=on`,
        "-netdev", `user,id=net0,restrict=on${forwards.join("")}`,
        "-device", nic,
        "-device", "virtio-rng-pci",
    ];
}

/**
 * Starts the VM on a fresh overlay and returns once qemu runs. The serial
 * console is captured line by line with arrival times, and written to
 * console.log in workDir. qemu is killed at the time limit, and when this
 * process exits.
 */
export async function startVm(options: VmOptions): Promise<RunningVm> {
    const overlayPath = join(options.workDir, "disk-overlay.qcow2");
    const consoleLogPath = join(options.workDir, "console.log");
    await createOverlay(options.baseImage, overlayPath);
    const consoleLog = createWriteStream(consoleLogPath);
    const lines: ConsoleLine[] = [];
    const startedAtMs = Date.now();
    const qemu = spawn("qemu-system-x86_64", qemuArgs(options, overlayPath), { stdio: ["pipe", "pipe", "pipe"] });
    const killQemu = () => qemu.kill("SIGKILL");
    process.once("exit", killQemu);

    let partial = "";
    qemu.stdout.on("data", (chunk: Buffer) => {
        const atMs = Date.now() - startedAtMs;
        const text = partial + chunk.toString("utf8").replace(/\r/g, "");
        const parts = text.split("\n");
        partial = parts.pop() ?? "";
        for (const part of parts) {
            const line = { atMs, text: part };
            lines.push(line);
            consoleLog.write(`${part}\n`);
            options.onConsoleLine?.(line);
        }
    });
    let qemuStderr = "";
    qemu.stderr.on("data", (chunk: Buffer) => (qemuStderr += chunk.toString("utf8")));

    let timedOut = false;
    let killed = false;
    const timer = setTimeout(() => {
        timedOut = true;
        killQemu();
    }, options.timeoutMs);

    const closed = new Promise<number | null>((resolve) => qemu.once("close", (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
        qemu.once("spawn", () => resolve());
        qemu.once("error", (error) => {
            clearTimeout(timer);
            process.removeListener("exit", killQemu);
            consoleLog.end();
            reject(new Error(`qemu-system-x86_64 could not be started: ${error.message}`));
        });
    });

    let result: VmRun | undefined;
    const exited = closed.then(async (exitCode) => {
        clearTimeout(timer);
        process.removeListener("exit", killQemu);
        if (partial !== "") {
            lines.push({ atMs: Date.now() - startedAtMs, text: partial });
            consoleLog.write(partial);
        }
        await new Promise<void>((resolve) => consoleLog.end(resolve));
        const lastKernelWord = [...lines].reverse().find((l) => /reboot: |Kernel panic/.test(l.text));
        result = {
            startedAtMs,
            overlayPath,
            consoleLogPath,
            lines,
            exitCode,
            timedOut,
            killed,
            poweredOff: !timedOut && !killed && exitCode === 0 && lastKernelWord?.text.includes(POWER_DOWN_LINE) === true,
            durationMs: Date.now() - startedAtMs,
            qemuStderr,
        };
        return result;
    });
    return {
        startedAtMs,
        overlayPath,
        consoleLogPath,
        lines,
        pid: qemu.pid ?? -1,
        exited,
        result: () => result,
        kill: async () => {
            if (result === undefined) {
                killed = true;
                killQemu();
            }
            return exited;
        },
    };
}

/**
 * Boots the VM on a fresh overlay and waits until qemu exits (the guest powered
 * off or rebooted: -no-reboot) or the time is up (then qemu is killed).
 */
export async function bootVm(options: VmOptions): Promise<VmRun> {
    const vm = await startVm(options);
    const run = await vm.exited;
    if (run.exitCode !== 0 && !run.timedOut && run.lines.length === 0) {
        throw new Error(`qemu-system-x86_64 failed (exit ${run.exitCode}): ${run.qemuStderr.trim()}`);
    }
    return run;
}

/** The last `count` console lines, for failure messages. */
export function consoleTail(run: Pick<VmRun, "lines">, count = 60): string {
    return run.lines.slice(-count).map((l) => l.text).join("\n");
}
