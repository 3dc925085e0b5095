/**
 * The benchmark's memory and CPU readings (scripts/bench/process-peaks.ts): /proc parsing, and a
 * sampler that sees a real child's peak RSS and CPU and its own process's peak.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, test } from "node:test";
import { cpuSecondsFromStat, descendants, PeakSampler, peakFromStatus } from "../scripts/bench/process-peaks";

const MB = 1024 * 1024;
const MARKER = "bench-peaks-test-child";

describe("process peaks", { timeout: 60_000 }, () => {
    test("VmHWM is read in bytes; a status without it (a kernel thread) gives undefined", () => {
        assert.equal(peakFromStatus("Name:\tnode\nVmPeak:\t 999 kB\nVmHWM:\t  204800 kB\nVmRSS:\t 1 kB\n"), 204800 * 1024);
        assert.equal(peakFromStatus("Name:\tkthreadd\nState:\tS (sleeping)\n"), undefined);
    });

    test("CPU comes from utime+stime (own) or cutime+cstime (reaped children), even when the command name holds ') ('", () => {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
        const stat = "42 (a) (b c) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 700 300 20 0 1 0 12345 1000 10";
        assert.equal(cpuSecondsFromStat(stat), 3);
        assert.equal(cpuSecondsFromStat(stat, "reaped children"), 10);
        assert.equal(cpuSecondsFromStat("42 (short) S 1"), undefined);
    });

    test("the sampler sees a child's peak RSS and CPU under its role, its exact CPU once reaped, and this process's own peak", async () => {
        // The child touches 200 MB, spins for a while, then waits to be killed.
        const script = "const b = Buffer.alloc(200 * 1024 * 1024, 1); const end = Date.now() + 1500; let x = 0; while (Date.now() < end) x += b[x % b.length]; console.log('ready'); setInterval(() => {}, 1000);";
        const sampler = new PeakSampler((commandLine) => (commandLine.includes(MARKER) ? "child" : "other"), 20);
        sampler.start();
        const child = spawn(process.execPath, ["-e", script, MARKER], { stdio: ["ignore", "pipe", "inherit"] });
        try {
            await once(child.stdout, "data");
            assert.ok(descendants(process.pid).includes(child.pid!), "the child is listed among this process's descendants");
            await new Promise((resolve) => setTimeout(resolve, 100));
        } finally {
            child.kill("SIGKILL");
            await once(child, "exit").catch(() => undefined);
        }
        const ownBefore = Buffer.alloc(64 * MB, 1); // this process's peak grows by at least this much
        const report = sampler.stop();
        assert.ok((report.children["child"] ?? 0) >= 200 * MB, `child peak ${report.children["child"]}`);
        assert.ok((report.childCpuSeconds["child"] ?? 0) > 0, `child cpu ${report.childCpuSeconds["child"]}`);
        assert.ok(report.reapedChildCpuSeconds >= (report.childCpuSeconds["child"] ?? 0), `reaped ${report.reapedChildCpuSeconds}`);
        assert.ok(report.self >= ownBefore.length, `own peak ${report.self}`);
        assert.ok(report.selfCpuSeconds > 0);
    });

    test("start and stop are paired", () => {
        const sampler = new PeakSampler(() => "any");
        assert.throws(() => sampler.stop(), /not started/);
        sampler.start();
        assert.throws(() => sampler.start(), /already started/);
        sampler.stop();
    });
});
