/**
 * The qemu server backend on its own, in seconds, with a blank disk (the VM
 * never boots an OS): what it gives the guest's NoCloud seed, how its status
 * follows qemu, and that destroy leaves no qemu, overlay or seed behind. The
 * end-to-end test (test/e2e.test.ts) boots the real runner image through it.
 */
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { access, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { type NovaServerCreate, novaStatusOf, QemuServerBackend } from "./qemu-server-backend";


const execFileAsync = promisify(execFile);
const missing = ["qemu-system-x86_64", "qemu-img", "genisoimage", "isoinfo"].filter(
    (command) => spawnSync(command, ["--version"], { stdio: "ignore" }).error !== undefined,
);
const skip = missing.length === 0 ? false : `needs ${missing.join(", ")}`;
const IMAGE_ID = "5c1e6c36-3a6f-4a53-9d55-0c7c1b2a9e10";

let work: string;
let blankImage: string;

before(async () => {
    work = await mkdtemp("/var/tmp/qemu-server-backend-");
    blankImage = join(work, "blank.qcow2");
    if (!skip) await execFileAsync("qemu-img", ["create", "-q", "-f", "qcow2", blankImage, "16M"]);
});
after(async () => {
    await rm(work, { recursive: true, force: true });
});

function backend(name: string, options: { memoryMiB?: number; vmTimeLimitMs?: number } = {}): QemuServerBackend {
    return new QemuServerBackend({
        images: { [IMAGE_ID]: blankImage },
        workRoot: join(work, name),
        cpus: 1,
        memoryMiB: options.memoryMiB ?? 64,
        vmTimeLimitMs: options.vmTimeLimitMs ?? 60_000,
    });
}

function server(id: string, userDataBase64?: string): NovaServerCreate {
    return {
        id,
        name: "gh-dev-small-0-0123456789ab",
        userDataBase64,
        metadata: { "github-runners:slot": "0" },
        imageId: IMAGE_ID,
        flavorId: "flavor-1",
    };
}

async function exists(path: string): Promise<boolean> {
    return access(path).then(() => true, () => false);
}

function qemuRunningOn(path: string): boolean {
    return spawnSync("pgrep", ["-f", path]).status === 0;
}

test("Nova's status of a VM: ACTIVE while it runs, SHUTOFF after the guest powered off, ERROR otherwise", () => {
    assert.equal(novaStatusOf(undefined), "ACTIVE");
    assert.equal(novaStatusOf({ poweredOff: true }), "SHUTOFF");
    assert.equal(novaStatusOf({ poweredOff: false }), "ERROR");
});

test("a server boots with the user data bytes, its id and Nova's hostname in its seed; destroy leaves only the console log", { skip, timeout: 60_000 }, async () => {
    const servers = backend("lifecycle");
    try {
        const userData = gzipSync(Buffer.from("#!/bin/bash\necho secret-free\n"));
        await servers.boot(server("0b4e7a52-1", userData.toString("base64")));
        assert.equal(servers.status("0b4e7a52-1"), "ACTIVE");
        const booted = servers.server("0b4e7a52-1");
        assert.equal(booted.localHostname, "gh-dev-small-0-0123456789ab.novalocal");
        assert.deepEqual(booted.request.metadata, { "github-runners:slot": "0" });

        const seed = join(booted.workDir, "seed.iso");
        const extract = async (file: string) => (await execFileAsync("isoinfo", ["-R", "-i", seed, "-x", file], { encoding: "buffer" })).stdout;
        assert.deepEqual(await extract("/user-data"), userData, "the guest gets the decoded bytes, still gzip: cloud-init decompresses");
        assert.equal(
            (await extract("/meta-data")).toString("utf8"),
            'instance-id: "0b4e7a52-1"\nlocal-hostname: "gh-dev-small-0-0123456789ab.novalocal"\n',
        );
        assert.match(booted.mac, /^fa:16:3e(:[0-9a-f]{2}){3}$/);
        const network = JSON.parse((await extract("/network-config")).toString("utf8")) as { config: Array<{ mac_address: string; subnets: Array<{ gateway: string }> }> };
        assert.equal(network.config[0]?.mac_address, booted.mac, "the seed's network config names the server's NIC");
        assert.equal(network.config[0]?.subnets[0]?.gateway, "10.0.2.2", "with a default route, as on a Neutron subnet");
        const { stdout: commandLine } = await execFileAsync("ps", ["-o", "args=", "-p", String(booted.vm.pid)]);
        assert.match(commandLine, new RegExp(`virtio-net-pci,netdev=net0,mac=${booted.mac}`), "qemu's NIC has that MAC");
        await assert.rejects(servers.boot(server("0b4e7a52-1")), /is running: destroy it before booting it again/);

        assert.ok(qemuRunningOn(booted.vm.overlayPath), "qemu runs on the server's overlay");
        await servers.destroy("0b4e7a52-1");
        assert.equal(qemuRunningOn(booted.vm.overlayPath), false, "no qemu left");
        assert.equal(await exists(booted.vm.overlayPath), false, "the overlay is removed");
        assert.equal(await exists(seed), false, "the seed (it holds the user data) is removed");
        assert.equal(await exists(booted.consoleLogPath), true, "the console log is kept");
        assert.throws(() => servers.status("0b4e7a52-1"), /it was deleted/);
        await servers.destroy("0b4e7a52-1");
        assert.deepEqual(servers.liveServers(), []);
        assert.equal(servers.servers().length, 1);

        // A rebuild: Nova keeps the id, the machine is new.
        await servers.boot(server("0b4e7a52-1", userData.toString("base64")));
        const rebuilt = servers.server("0b4e7a52-1");
        assert.notEqual(rebuilt.workDir, booted.workDir, "a new VM, the old console log kept");
        assert.equal(servers.status("0b4e7a52-1"), "ACTIVE");
        assert.equal(servers.servers().length, 2);
        assert.equal(await exists(booted.consoleLogPath), true);
    } finally {
        await servers.close();
    }
});

test("Nova refuses a server of an unknown image, or with user data over its limit; nothing is started", { skip, timeout: 30_000 }, async () => {
    const servers = backend("refused");
    await assert.rejects(servers.boot({ ...server("s-1"), imageId: "no-such-image" }), /image no-such-image not found/);
    await assert.rejects(servers.boot(server("s-2", "A".repeat(65_536))), /more than Nova's 65535/);
    assert.deepEqual(servers.servers(), []);
    assert.throws(() => servers.status("s-1"), /Nova has no server s-1/);
});

test("a VM that qemu cannot run, or that outlives its time limit, is in ERROR", { skip, timeout: 60_000 }, async () => {
    const unrunnable = backend("unrunnable", { memoryMiB: 999_999_999 });
    const limited = backend("limited", { vmTimeLimitMs: 2_000 });
    try {
        await unrunnable.boot(server("too-big"));
        await unrunnable.server("too-big").vm.exited;
        assert.equal(unrunnable.status("too-big"), "ERROR");
        assert.match(unrunnable.server("too-big").vm.result()?.qemuStderr ?? "", /memory/);

        await limited.boot(server("forever"));
        assert.equal(limited.status("forever"), "ACTIVE");
        const run = await limited.server("forever").vm.exited;
        assert.equal(run.timedOut, true);
        assert.equal(limited.status("forever"), "ERROR");
    } finally {
        await unrunnable.close();
        await limited.close();
    }
});
