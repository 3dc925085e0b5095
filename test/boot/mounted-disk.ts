import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

interface SfdiskPartition {
    node: string;
    start: number;
    size: number;
}

interface SfdiskDump {
    partitiontable: { sectorsize?: number; partitions: SfdiskPartition[] };
}

/** Byte offset and size of partition `number` of a raw disk image, from its partition table. */
export async function partitionExtent(rawImage: string, number: number): Promise<{ offset: number; size: number }> {
    const { stdout } = await execFileAsync("sfdisk", ["--json", rawImage]);
    const table = (JSON.parse(stdout) as SfdiskDump).partitiontable;
    const sector = table.sectorsize ?? 512;
    const partition = table.partitions.find((p) => p.node === `${rawImage}${number}`);
    if (!partition) throw new Error(`${rawImage} has no partition ${number}`);
    return { offset: partition.start * sector, size: partition.size * sector };
}

/**
 * Runs `inspect` with the root filesystem (partition 1) of a qcow2 disk mounted
 * read-only, then always unmounts and removes the raw copy. No nbd: the qcow2
 * (with its backing chain) is converted to a sparse raw file, and mount attaches
 * a read-only loop device at partition 1's offset itself, with autoclear: the
 * loop device goes away with the unmount, even if this process dies after it.
 */
export async function withMountedRoot<T>(qcow2: string, inspect: (root: string) => Promise<T>): Promise<T> {
    const work = await mkdtemp("/var/tmp/boot-inspect-");
    const raw = join(work, "disk.raw");
    const mountPoint = join(work, "root");
    let mounted = false;
    try {
        await execFileAsync("qemu-img", ["convert", "-O", "raw", qcow2, raw]);
        const { offset, size } = await partitionExtent(raw, 1);
        await execFileAsync("mkdir", ["-p", mountPoint]);
        // noload: do not replay an ext4 journal, so nothing at all is written.
        await execFileAsync("mount", ["-o", `ro,noload,loop,offset=${offset},sizelimit=${size}`, raw, mountPoint]);
        mounted = true;
        return await inspect(mountPoint);
    } finally {
        if (mounted) await execFileAsync("umount", [mountPoint]);
        await rm(work, { recursive: true, force: true });
    }
}

/** Loop devices whose backing file lies under `dir` (to prove none is left behind). */
export async function loopDevicesUnder(dir: string): Promise<string[]> {
    const { stdout } = await execFileAsync("losetup", ["--list", "--noheadings", "--output", "NAME,BACK-FILE"]);
    return stdout
        .split("\n")
        .map((line) => line.trim().split(/\s+/))
        .filter(([name, file]) => name && file?.startsWith(dir))
        .map(([name]) => name);
}
