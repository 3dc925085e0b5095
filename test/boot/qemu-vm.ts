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
    /** The kernel's last word was a power-down (not a reboot, panic or kill). */
    poweredOff: boolean;
    durationMs: number;
}

/** Run by qemu once per forwarded guest connection; see stdio-relay.ts. */
const STDIO_RELAY = join(__dirname, "stdio-relay.ts");

export const POWER_DOWN_LINE = "reboot: Power down";

/** Makes a qcow2 overlay whose backing file is `baseImage`, so the base stays untouched. */
export async function createOverlay(baseImage: string, overlayPath: string): Promise<void> {
    await execFileAsync("qemu-img", ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", baseImage, overlayPath]);
}

function qemuArgs(options: VmOptions, overlayPath: string): string[] {
    const forwards = (options.forwards ?? []).map((f) => {
        // The relay's stderr goes into the guest's connection too: no warnings.
        // qemu option values escape a comma by doubling it.
        const relay = `${process.execPath} --no-warnings ${STDIO_RELAY} ${f.hostPort}`.replaceAll(",", ",,");
        return `,guestfwd=tcp:${f.guestAddress}:${f.guestPort}-cmd:${relay}`;
    });
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
        "-device", "virtio-net-pci,netdev=net0",
        "-device", "virtio-rng-pci",
    ];
}

/**
 * Boots the VM on a fresh overlay and waits until qemu exits (the guest powered
 * off or rebooted: -no-reboot) or the time is up (then qemu is killed).
 * The serial console is captured line by line with arrival times, and written
 * to console.log in workDir.
 */
export async function bootVm(options: VmOptions): Promise<VmRun> {
    const overlayPath = join(options.workDir, "disk-overlay.qcow2");
    const consoleLogPath = join(options.workDir, "console.log");
    await createOverlay(options.baseImage, overlayPath);
    const consoleLog = createWriteStream(consoleLogPath);
    const lines: ConsoleLine[] = [];
    const started = Date.now();
    const qemu = spawn("qemu-system-x86_64", qemuArgs(options, overlayPath), { stdio: ["pipe", "pipe", "pipe"] });
    const killQemu = () => qemu.kill("SIGKILL");
    process.once("exit", killQemu);

    let partial = "";
    qemu.stdout.on("data", (chunk: Buffer) => {
        const atMs = Date.now() - started;
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
    let stderr = "";
    qemu.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));

    let timedOut = false;
    const timer = setTimeout(() => {
        timedOut = true;
        killQemu();
    }, options.timeoutMs);
    try {
        const exitCode = await new Promise<number | null>((resolve, reject) => {
            qemu.once("error", reject);
            qemu.once("close", (code) => resolve(code));
        });
        if (partial !== "") {
            lines.push({ atMs: Date.now() - started, text: partial });
            consoleLog.write(partial);
        }
        if (exitCode !== 0 && !timedOut && lines.length === 0) {
            throw new Error(`qemu-system-x86_64 failed (exit ${exitCode}): ${stderr.trim()}`);
        }
        const lastKernelWord = [...lines].reverse().find((l) => /reboot: |Kernel panic/.test(l.text));
        return {
            startedAtMs: started,
            overlayPath,
            consoleLogPath,
            lines,
            exitCode,
            timedOut,
            poweredOff: !timedOut && exitCode === 0 && lastKernelWord?.text.includes(POWER_DOWN_LINE) === true,
            durationMs: Date.now() - started,
        };
    } finally {
        clearTimeout(timer);
        killQemu();
        process.removeListener("exit", killQemu);
        await new Promise<void>((resolve) => consoleLog.end(resolve));
    }
}

/** The last `count` console lines, for failure messages. */
export function consoleTail(run: Pick<VmRun, "lines">, count = 60): string {
    return run.lines.slice(-count).map((l) => l.text).join("\n");
}
