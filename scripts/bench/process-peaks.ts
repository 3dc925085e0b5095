/**
 * Peak resident memory of this process and of the processes it starts, read from Linux's
 * /proc (proc(5)): VmHWM in /proc/PID/status is a process's peak RSS so far; writing "5" to
 * /proc/PID/clear_refs resets it to the current RSS (Documentation/filesystems/proc.rst,
 * "clear_refs"); /proc/PID/task/TID/children lists a thread's child processes.
 *
 * A child's peak can only be read while it lives, so children are polled: the last reading
 * before a child exits is its peak up to that moment, short of at most one interval's growth.
 * CPU time comes the same way from /proc/PID/stat (utime + stime, fields 14 and 15, in clock
 * ticks of 1/100 s on Linux: USER_HZ), so a child's last interval of CPU is not counted; CPU
 * time is what a loaded machine distorts least, as waiting for a core does not count.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

/** What a process is, from its command line; children are grouped under it. */
export type RoleOf = (commandLine: string[]) => string;

export interface PeakReport {
    /** Largest VmHWM seen per role, in bytes (one process per role at a time here, so this is per process). */
    children: Record<string, number>;
    /** CPU seconds (user + system) per role, summed over its processes, as last polled. */
    childCpuSeconds: Record<string, number>;
    /** Exact CPU seconds of the children that exited and were reaped since start (cutime + cstime). */
    reapedChildCpuSeconds: number;
    /** This process's peak RSS since the sampler started, in bytes. */
    self: number;
    /** This process's CPU seconds since the sampler started. */
    selfCpuSeconds: number;
}

/** USER_HZ: the unit of /proc/PID/stat times (100 on every Linux architecture Node runs on). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * utime + stime (own: fields 14, 15) or cutime + cstime (reaped children: fields 16, 17) of a
 * /proc/PID/stat line, in seconds; the command name (field 2) may hold spaces and parentheses.
 */
export function cpuSecondsFromStat(stat: string, whose: "own" | "reaped children" = "own"): number | undefined {
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state), so field n is fields[n - 3].
    const first = whose === "own" ? 11 : 13;
    const user = Number(fields[first]);
    const system = Number(fields[first + 1]);
    if (fields.length < 15 || !Number.isFinite(user) || !Number.isFinite(system)) return undefined;
    return (user + system) / CLOCK_TICKS_PER_SECOND;
}

function reapedChildrenCpu(): number {
    return cpuSecondsFromStat(readFileSync("/proc/self/stat", "utf8"), "reaped children") ?? 0;
}

/** "VmHWM:   123456 kB" -> bytes; undefined when the process is gone or has no such line (a kernel thread). */
export function peakFromStatus(status: string): number | undefined {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
    return match === null ? undefined : Number(match[1]) * 1024;
}

function readText(file: string): string | undefined {
    try {
        return readFileSync(file, "utf8");
    } catch {
        return undefined; // the process exited between listing and reading
    }
}

/** Every descendant of `pid` that is alive now. */
export function descendants(pid: number): number[] {
    const found: number[] = [];
    const pending = [pid];
    while (pending.length > 0) {
        const parent = pending.pop()!;
        let tasks: string[];
        try {
            tasks = readdirSync(`/proc/${parent}/task`);
        } catch {
            continue;
        }
        for (const task of tasks) {
            const children = readText(`/proc/${parent}/task/${task}/children`) ?? "";
            for (const child of children.split(" ").filter((text) => text !== "")) {
                found.push(Number(child));
                pending.push(Number(child));
            }
        }
    }
    return found;
}

export class PeakSampler {
    private readonly peaks: Record<string, number> = {};
    /** Last CPU reading per child, with its role. */
    private readonly cpu = new Map<number, { role: string; seconds: number }>();
    private timer: NodeJS.Timeout | undefined;
    private cpuAtStart: NodeJS.CpuUsage | undefined;
    private reapedAtStart = 0;

    constructor(
        private readonly roleOf: RoleOf,
        private readonly intervalMs = 250,
    ) {}

    /** Resets this process's peak and starts polling the children. */
    start(): void {
        if (this.timer !== undefined) throw new Error("PeakSampler.start: already started");
        writeFileSync("/proc/self/clear_refs", "5");
        this.cpuAtStart = process.cpuUsage();
        this.reapedAtStart = reapedChildrenCpu();
        this.sample();
        this.timer = setInterval(() => this.sample(), this.intervalMs);
    }

    /** Stops polling; the report covers everything since start(). */
    stop(): PeakReport {
        if (this.timer === undefined) throw new Error("PeakSampler.stop: not started");
        clearInterval(this.timer);
        this.timer = undefined;
        this.sample();
        const childCpuSeconds: Record<string, number> = {};
        for (const { role, seconds } of this.cpu.values()) childCpuSeconds[role] = (childCpuSeconds[role] ?? 0) + seconds;
        const own = process.cpuUsage(this.cpuAtStart);
        return {
            children: { ...this.peaks },
            childCpuSeconds,
            reapedChildCpuSeconds: reapedChildrenCpu() - this.reapedAtStart,
            self: peakFromStatus(readFileSync("/proc/self/status", "utf8")) ?? 0,
            selfCpuSeconds: (own.user + own.system) / 1e6,
        };
    }

    private sample(): void {
        for (const pid of descendants(process.pid)) {
            const commandLine = readText(`/proc/${pid}/cmdline`);
            const status = readText(`/proc/${pid}/status`);
            if (commandLine === undefined || status === undefined) continue;
            const peak = peakFromStatus(status);
            if (peak === undefined) continue;
            const role = this.roleOf(commandLine.split("\0").filter((part) => part !== ""));
            this.peaks[role] = Math.max(this.peaks[role] ?? 0, peak);
            const cpu = cpuSecondsFromStat(readText(`/proc/${pid}/stat`) ?? "");
            if (cpu !== undefined) this.cpu.set(pid, { role, seconds: cpu });
        }
    }
}
