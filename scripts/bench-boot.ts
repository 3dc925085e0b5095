/**
 * Boot benchmark (issue 4): boots the test runner image twice under qemu
 * (TCG), in the same run: once with the rendered runner userdata (JIT mode,
 * stand-in runner reporting to the fake GitHub), once with a userdata that
 * only prints a line and powers off. Prints seconds from qemu start to the
 * userdata's start, from there to the runner coming online, and to power-off.
 *
 *   npx tsx scripts/bench-boot.ts        (as root; builds or reuses the cached test image)
 *
 * Figures only: nothing is asserted.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { renderUserdata } from "../components/userdata";
import { advertisedOriginForGuest, bootWithUserdata, type UserdataBoot } from "../test/boot/boot-with-userdata";
import { whyBootCannotRun } from "../test/boot/prerequisites";
import { consoleTail } from "../test/boot/qemu-vm";
import { runnerImageForBoot } from "../test/boot/runner-image";
import { jitSlot } from "../test/boot/slots";
import { FakeGithub } from "../test/fake-github";

const VM_TIME_LIMIT_MS = 10 * 60_000;
const TOKEN = "ghp_bench_token";
const MILESTONE = /runner boot: |baseline boot: |Start(ed|ing) .*(docker|github-runner|containerd)|Cloud-init .* finished|reboot: /;
const BASELINE_USERDATA = '#!/bin/bash\necho "baseline boot: userdata started"\nsystemctl poweroff --no-block\n';

function secondsBetween(from: number | undefined, to: number | undefined): string {
    return from === undefined || to === undefined ? "n/a" : ((to - from) / 1000).toFixed(1);
}

function describe(label: string, boot: UserdataBoot): string[] {
    const t = boot.timeline;
    if (boot.vm.timedOut || !boot.vm.poweredOff) {
        return [`${label}: did not power off by itself (timed out: ${boot.vm.timedOut})`, consoleTail(boot.vm, 30)];
    }
    return [
        `${label}:`,
        `  qemu start -> cloud-init final stage      ${secondsBetween(0, t.cloudFinalStartMs)} s`,
        `  qemu start -> userdata started            ${secondsBetween(0, t.userdataStartMs)} s`,
        `  userdata started -> runner online         ${secondsBetween(t.userdataStartMs, t.runnerOnlineMs)} s`,
        `  runner online -> job done                 ${secondsBetween(t.runnerOnlineMs, t.runnerDoneMs)} s`,
        `  userdata started -> powered off           ${secondsBetween(t.userdataStartMs, t.stoppedMs)} s`,
        `  qemu start -> powered off (total)         ${secondsBetween(0, t.stoppedMs)} s`,
        ...milestones(boot),
    ];
}

/** Where the time after the userdata's start goes: its own step lines and the services it starts. */
function milestones(boot: UserdataBoot): string[] {
    const start = boot.timeline.userdataStartMs;
    if (start === undefined) return [];
    const lines = boot.vm.lines
        .filter((l) => l.atMs >= start && MILESTONE.test(l.text))
        .map((l) => `    +${((l.atMs - start) / 1000).toFixed(1).padStart(5)} s  ${l.text.replace(/\x1b\[[0-9;]*m/g, "").trim().slice(0, 100)}`);
    return lines.length === 0 ? [] : ["  after the userdata started:", ...lines];
}

async function main(): Promise<void> {
    const cannot = whyBootCannotRun();
    if (cannot !== undefined) throw new Error(`cannot run the boot benchmark: ${cannot}`);
    const image = await runnerImageForBoot((line) => console.log(line));
    console.log(`runner image: ${image.path} (${image.source === "built" ? `built in ${image.buildSeconds?.toFixed(0)} s` : image.source})`);
    const fake = await FakeGithub.start({ advertisedOrigin: advertisedOriginForGuest() });
    const work = await mkdtemp("/var/tmp/bench-boot-");
    try {
        fake.addToken(TOKEN);
        fake.addRepo("acme", "widgets");
        const runnerName = `bench-${randomBytes(8).toString("hex")}`;
        const response = await fetch(`${fake.apiUrl}/repos/acme/widgets/actions/runners/generate-jitconfig`, {
            method: "POST",
            headers: { authorization: `token ${TOKEN}`, "content-type": "application/json" },
            body: JSON.stringify({ name: runnerName, runner_group_id: 1, labels: ["x64"] }),
        });
        const jitConfig = ((await response.json()) as { encoded_jit_config: string }).encoded_jit_config;

        const baseline = await bootWithUserdata({
            image: image.path,
            workDir: await mkdtemp(join(work, "baseline-")),
            userData: BASELINE_USERDATA,
            instanceId: `i-${randomBytes(6).toString("hex")}`,
            localHostname: "bench-baseline",
            userdataStartLine: /baseline boot: userdata started/,
            timeoutMs: VM_TIME_LIMIT_MS,
        });
        const runner = await bootWithUserdata({
            image: image.path,
            workDir: await mkdtemp(join(work, "runner-")),
            userData: renderUserdata(jitSlot(runnerName, "bench-runner", jitConfig)),
            instanceId: `i-${randomBytes(6).toString("hex")}`,
            localHostname: runnerName,
            userdataStartLine: /runner boot: /,
            timeoutMs: VM_TIME_LIMIT_MS,
            fake,
        });
        console.log(["", "Boot figures (qemu -accel tcg, 2 vCPUs, 2 GiB):", ...describe("without the runner userdata", baseline), ...describe("with the runner userdata (JIT)", runner)].join("\n"));
    } finally {
        await fake.stop();
        await rm(work, { recursive: true, force: true });
    }
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
});
