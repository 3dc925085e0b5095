/**
 * Looks inside a built qcow2 without booting it: a raw copy, partition 1
 * attached read-only at its offset, mounted read-only. Also lists loop
 * devices and mounts, to prove a build left none behind.
 */
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { runChecked } from "./run-command";

export interface MountedImage {
    root: string;
    close(): Promise<void>;
}

export async function mountImageReadOnly(qcow2: string, workDir: string): Promise<MountedImage> {
    await mkdir(workDir, { recursive: true });
    const dir = await mkdtemp(path.join(workDir, "inspect-"));
    const raw = path.join(dir, "disk.raw");
    const root = path.join(dir, "root");
    await mkdir(root);
    await runChecked("qemu-img", ["convert", "-f", "qcow2", "-O", "raw", qcow2, raw]);
    const partx = await runChecked("partx", ["--noheadings", "--raw", "--output", "START,SECTORS", "--nr", "1", raw]);
    const [start, sectors] = partx.stdout.trim().split(/\s+/).map(Number);
    const loop = (
        await runChecked("losetup", ["--find", "--show", "--read-only", "--offset", String(start * 512), "--sizelimit", String(sectors * 512), raw])
    ).stdout.trim();
    try {
        // noload: do not replay the journal, which would write to a read-only device.
        await runChecked("mount", ["-o", "ro,noload", loop, root]);
    } catch (error) {
        await runChecked("losetup", ["--detach", loop]);
        throw error;
    }
    return {
        root,
        async close() {
            await runChecked("umount", [root]);
            await runChecked("losetup", ["--detach", loop]);
            await rm(dir, { recursive: true, force: true });
        },
    };
}

export interface LoopDevice {
    name: string;
    backingFile: string;
}

export async function listLoopDevices(): Promise<LoopDevice[]> {
    const result = await runChecked("losetup", ["--list", "--noheadings", "--raw", "--output", "NAME,BACK-FILE"]);
    return result.stdout
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => {
            const [name, ...rest] = line.trim().split(" ");
            return { name, backingFile: rest.join(" ") };
        });
}

/**
 * Loop devices present now that were not before, on files under `dir` or
 * (transitively) on such loop devices; other processes' loop devices are not counted.
 */
export function newLoopDevices(before: LoopDevice[], after: LoopDevice[], dir: string): LoopDevice[] {
    const known = new Set(before.map((device) => device.name));
    const added = after.filter((device) => !known.has(device.name));
    const ours = new Set(added.filter((device) => device.backingFile.startsWith(`${dir}/`)).map((device) => device.name));
    let grew = true;
    while (grew) {
        grew = false;
        for (const device of added) {
            if (!ours.has(device.name) && ours.has(device.backingFile)) {
                ours.add(device.name);
                grew = true;
            }
        }
    }
    return added.filter((device) => ours.has(device.name));
}

/** Mount points at or below `dir`. */
export async function mountsUnder(dir: string): Promise<string[]> {
    const mountinfo = await readFile("/proc/self/mountinfo", "utf8");
    return mountinfo
        .split("\n")
        .map((line) => line.split(" ")[4])
        .filter((mountPoint): mountPoint is string => mountPoint !== undefined && (mountPoint === dir || mountPoint.startsWith(`${dir}/`)));
}

/** Installed package names and versions, read from the image's dpkg database. */
export async function installedPackages(root: string): Promise<Map<string, string>> {
    const result = await runChecked("dpkg-query", [
        `--admindir=${path.join(root, "var/lib/dpkg")}`,
        "--show",
        "--showformat=${Package} ${db:Status-Abbrev} ${Version}\\n",
    ]);
    const packages = new Map<string, string>();
    for (const line of result.stdout.split("\n")) {
        const [name, status, version] = line.trim().split(/\s+/);
        if (status === "ii") packages.set(name, version);
    }
    return packages;
}

export interface Account {
    name: string;
    uid: number;
    gid: number;
    home: string;
    shell: string;
}

export async function readAccounts(root: string): Promise<Map<string, Account>> {
    const passwd = await readFile(path.join(root, "etc/passwd"), "utf8");
    const accounts = new Map<string, Account>();
    for (const line of passwd.split("\n").filter(Boolean)) {
        const [name, , uid, gid, , home, shell] = line.split(":");
        accounts.set(name, { name, uid: Number(uid), gid: Number(gid), home, shell });
    }
    return accounts;
}

/** group name -> member names (from /etc/group's member list). */
export async function readGroups(root: string): Promise<Map<string, { gid: number; members: string[] }>> {
    const group = await readFile(path.join(root, "etc/group"), "utf8");
    const groups = new Map<string, { gid: number; members: string[] }>();
    for (const line of group.split("\n").filter(Boolean)) {
        const [name, , gid, members] = line.split(":");
        groups.set(name, { gid: Number(gid), members: members ? members.split(",") : [] });
    }
    return groups;
}
