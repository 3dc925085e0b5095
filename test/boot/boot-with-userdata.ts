/**
 * One boot of a runner image with a given userdata: NoCloud seed (with the
 * guest's network: an address and a default route, see guest-network.ts),
 * qemu on an overlay, the fake GitHub reachable from the guest, a job for the
 * stand-in runner as soon as it is online, its reports stamped with their
 * arrival time, and the guest's files read from its disk after it stopped.
 */
import { join } from "node:path";
import type { FakeGithub, StandinEvent } from "../fake-github";
import { assignJobsWhenOnline } from "../standin-runner/jobs";
import { guestUid, type GuestFiles, readGuestFiles, readGuestJournal } from "./guest-files";
import { DEFAULT_GUEST_MAC, guestNetworkConfig } from "./guest-network";
import { withMountedRoot } from "./mounted-disk";
import { writeNocloudSeed } from "./nocloud-seed";
import { bootVm, type VmRun } from "./qemu-vm";

/**
 * Where the guest reaches the fake GitHub. Not 10.0.2.2: qemu refuses a
 * guest forward on the host's own address, and the guest is isolated
 * (restrict=on) so that nothing in the boot can reach any other network;
 * this one address is forwarded to the fake on the host's loopback.
 */
export const GUEST_GITHUB_ADDRESS = "10.0.2.100";

/** Start the fake GitHub so that the URLs it hands out point where the guest reaches it. */
export function advertisedOriginForGuest(): string {
    return `http://${GUEST_GITHUB_ADDRESS}:{port}`;
}

export interface TimedStandinEvent {
    /** Milliseconds since qemu started, when the host saw the report. */
    atMs: number;
    event: StandinEvent;
}

export interface BootTimeline {
    /** First console line the userdata printed. */
    userdataStartMs?: number;
    /** cloud-init's final stage (which runs the userdata) started. */
    cloudFinalStartMs?: number;
    runnerOnlineMs?: number;
    runnerDoneMs?: number;
    /** qemu exited. */
    stoppedMs: number;
}

export interface UserdataBoot {
    vm: VmRun;
    timeline: BootTimeline;
    events: TimedStandinEvent[];
    files: GuestFiles;
    ubuntuUid?: number;
    /** The guest's journal, as `journalctl -o short-monotonic` prints it. */
    journal: string;
    /** Why a job could not be given to the runner (empty when every online runner got one). */
    jobProblems: string[];
}

export interface UserdataBootOptions {
    image: string;
    workDir: string;
    userData: string;
    instanceId: string;
    localHostname: string;
    /** A line of the userdata's own output; its first appearance marks the userdata's start. */
    userdataStartLine: RegExp;
    timeoutMs: number;
    /** The MTU of the guest's NIC (see VmOptions.nicMtu); default 1500. */
    nicMtu?: number;
    /** Started with advertisedOrigin = advertisedOriginForGuest(). Each runner that comes online gets one job. */
    fake?: FakeGithub;
    onConsoleLine?: (text: string) => void;
}

const CLOUD_FINAL_LINE = /Cloud-init v\. \S+ running 'modules:final'/;

export async function bootWithUserdata(options: UserdataBootOptions): Promise<UserdataBoot> {
    const seedIso = await writeNocloudSeed(
        {
            userData: options.userData,
            instanceId: options.instanceId,
            localHostname: options.localHostname,
            networkConfig: guestNetworkConfig(DEFAULT_GUEST_MAC),
        },
        join(options.workDir, "seed.iso"),
    );
    const arrivals: Array<{ at: number; event: StandinEvent }> = [];
    const fake = options.fake;
    const jobs = fake ? assignJobsWhenOnline(fake) : undefined;
    let seen = fake?.standinEvents.length ?? 0;
    const poll = setInterval(() => {
        if (!fake) return;
        for (; seen < fake.standinEvents.length; seen++) arrivals.push({ at: Date.now(), event: fake.standinEvents[seen] });
    }, 100);
    let vm: VmRun;
    try {
        vm = await bootVm({
            baseImage: options.image,
            workDir: options.workDir,
            seedIso,
            timeoutMs: options.timeoutMs,
            nicMtu: options.nicMtu,
            forwards: fake ? [{ guestAddress: GUEST_GITHUB_ADDRESS, guestPort: fake.port, hostPort: fake.port }] : [],
            onConsoleLine: (line) => options.onConsoleLine?.(line.text),
        });
    } finally {
        clearInterval(poll);
        jobs?.stop();
    }
    const events = arrivals.map(({ at, event }) => ({ atMs: at - vm.startedAtMs, event }));
    const firstLine = (pattern: RegExp) => vm.lines.find((l) => pattern.test(l.text))?.atMs;
    const firstEvent = (name: string) => events.find((e) => e.event.event === name)?.atMs;
    const timeline: BootTimeline = {
        userdataStartMs: firstLine(options.userdataStartLine),
        cloudFinalStartMs: firstLine(CLOUD_FINAL_LINE),
        runnerOnlineMs: firstEvent("online"),
        runnerDoneMs: firstEvent("done"),
        stoppedMs: vm.durationMs,
    };
    const { files, ubuntuUid, journal } = await withMountedRoot(vm.overlayPath, async (root) => ({
        files: await readGuestFiles(root),
        ubuntuUid: await guestUid(root, "ubuntu"),
        journal: await readGuestJournal(root),
    }));
    return { vm, timeline, events, files, ubuntuUid, journal, jobProblems: jobs?.problems ?? [] };
}
