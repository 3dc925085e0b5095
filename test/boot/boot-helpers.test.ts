/**
 * The boot test's helpers on their own, in seconds: the NoCloud seed, the
 * read-only disk inspection, and the VM time limit.
 */
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { loopDevicesUnder, partitionExtent, withMountedRoot } from "./mounted-disk";
import { writeNocloudSeed } from "./nocloud-seed";
import { bootVm, qemuArgs } from "./qemu-vm";
import { guestNetworkConfig } from "./guest-network";
import { readGuestFiles } from "./guest-files";

const execFileAsync = promisify(execFile);

function missing(...commands: string[]): string | false {
    const absent = commands.filter((c) => spawnSync(c, ["--version"], { stdio: "ignore" }).error !== undefined);
    return absent.length === 0 ? false : `needs ${absent.join(", ")}`;
}
const asRoot = process.getuid?.() === 0 ? false : "needs root (loop devices, mount)";

let work: string;
before(async () => {
    work = await mkdtemp("/var/tmp/boot-helpers-");
});
after(async () => {
    await rm(work, { recursive: true, force: true });
});

test("the NoCloud seed is an ISO labelled cidata holding user-data and meta-data verbatim", { skip: missing("genisoimage", "isoinfo") }, async () => {
    const userData = "#!/bin/bash\necho 'it''s' \"$HOME\" `date`\n";
    const iso = await writeNocloudSeed(
        { userData, instanceId: "i-0123", localHostname: "a-long: name # with yaml-special characters" },
        join(work, "seed.iso"),
    );
    const { stdout: description } = await execFileAsync("isoinfo", ["-d", "-i", iso]);
    assert.match(description, /^Volume id: cidata$/m);
    const extract = async (file: string) => (await execFileAsync("isoinfo", ["-R", "-i", iso, "-x", file])).stdout;
    assert.equal(await extract("/user-data"), userData);
    const metaData = await extract("/meta-data");
    assert.equal(metaData, 'instance-id: "i-0123"\nlocal-hostname: "a-long: name # with yaml-special characters"\n');
    const { stdout: files } = await execFileAsync("isoinfo", ["-R", "-f", "-i", iso]);
    assert.deepEqual(files.trim().split("\n").sort(), ["/meta-data", "/user-data"], "no network-config unless one is given");

    const gzipped = gzipSync(Buffer.from(userData));
    const withNetwork = await writeNocloudSeed(
        { userData: gzipped, instanceId: "i-0124", localHostname: "h", networkConfig: guestNetworkConfig("fa:16:3e:00:00:01") },
        join(work, "seed-network.iso"),
    );
    const extractBytes = async (file: string) => (await execFileAsync("isoinfo", ["-R", "-i", withNetwork, "-x", file], { encoding: "buffer" })).stdout;
    assert.deepEqual(await extractBytes("/user-data"), gzipped, "binary user data is kept byte for byte");
    assert.deepEqual(JSON.parse((await extractBytes("/network-config")).toString("utf8")), {
        version: 1,
        config: [{ type: "physical", name: "eth0", mac_address: "fa:16:3e:00:00:01", subnets: [{ type: "static", address: "10.0.2.15/24", gateway: "10.0.2.2" }] }],
    });
});

test("qemu's NIC gets the MAC and the MTU asked for (virtio-net host_mtu), and defaults otherwise", () => {
    const base = { baseImage: "base.qcow2", workDir: work, seedIso: "seed.iso", timeoutMs: 1000 };
    const nicOf = (args: string[]) => args[args.findIndex((arg, i) => arg.startsWith("virtio-net-pci") && args[i - 1] === "-device")];
    assert.equal(nicOf(qemuArgs(base, "disk.qcow2")), "virtio-net-pci,netdev=net0");
    assert.equal(nicOf(qemuArgs({ ...base, nicMtu: 1450, nicMac: "fa:16:3e:00:00:01" }, "disk.qcow2")), "virtio-net-pci,netdev=net0,mac=fa:16:3e:00:00:01,host_mtu=1450");
    assert.ok(qemuArgs(base, "disk.qcow2").includes("user,id=net0,restrict=on"), "the guest stays isolated");
});

test("a qcow2's partition 1 is read through a read-only loop device, and nothing stays attached", { skip: asRoot || missing("qemu-img", "sfdisk", "mkfs.ext4", "losetup") }, async () => {
    const tree = join(work, "tree");
    await mkdir(join(tree, "etc"), { recursive: true });
    await writeFile(join(tree, "etc", "hostname"), "short-name\n");
    const filesystem = join(work, "root.ext4");
    await execFileAsync("mkfs.ext4", ["-q", "-d", tree, filesystem, "16M"]);
    const raw = join(work, "disk.raw");
    await execFileAsync("truncate", ["--size", "20M", raw]);
    const table = "label: gpt\nstart=2048, size=32768, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n";
    await new Promise<void>((resolve, reject) => {
        const sfdisk = execFile("sfdisk", ["--quiet", raw], (error) => (error ? reject(error) : resolve()));
        sfdisk.stdin?.end(table);
    });
    assert.deepEqual(await partitionExtent(raw, 1), { offset: 2048 * 512, size: 32768 * 512 });
    await execFileAsync("dd", [`if=${filesystem}`, `of=${raw}`, "bs=512", "seek=2048", "conv=notrunc", "status=none"]);
    const qcow2 = join(work, "disk.qcow2");
    await execFileAsync("qemu-img", ["convert", "-f", "raw", "-O", "qcow2", raw, qcow2]);

    const files = await withMountedRoot(qcow2, (root) => readGuestFiles(root));
    assert.equal(files.hostname?.content, "short-name\n");
    assert.equal(files.runnerEnv, undefined, "a missing file is left out");
    assert.deepEqual(await loopDevicesUnder("/var/tmp/boot-inspect-"), []);

    await assert.rejects(withMountedRoot(qcow2, async () => {
        throw new Error("inspection failed");
    }), /inspection failed/);
    assert.deepEqual(await loopDevicesUnder("/var/tmp/boot-inspect-"), [], "nothing stays attached after a failure either");
});

test("a guest that never powers off is killed at the time limit and reported as timed out", { skip: missing("qemu-system-x86_64", "qemu-img", "genisoimage"), timeout: 60_000 }, async () => {
    const blank = join(work, "blank.qcow2");
    await execFileAsync("qemu-img", ["create", "-q", "-f", "qcow2", blank, "16M"]);
    const vmDir = join(work, "vm");
    await mkdir(vmDir);
    const seedIso = await writeNocloudSeed({ userData: "#!/bin/sh\n", instanceId: "i-1", localHostname: "x" }, join(work, "seed-vm.iso"));
    const started = Date.now();
    const run = await bootVm({ baseImage: blank, workDir: vmDir, seedIso, timeoutMs: 4_000, memoryMiB: 128, cpus: 1 });
    assert.equal(run.timedOut, true);
    assert.equal(run.poweredOff, false);
    assert.ok(Date.now() - started < 30_000, "the limit holds");
    assert.equal(spawnSync("pgrep", ["-f", run.overlayPath]).status, 1, "no qemu left running on the overlay");
});
