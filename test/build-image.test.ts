/**
 * The real scripts/build-image.sh, as root, on a Debian base image made by the
 * test and served with its inputs from a local HTTP server. Skipped (loudly)
 * only when this machine cannot run it: not root, or no qemu-img.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync } from "node:fs";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { defaultCacheDir, sha256OfFile } from "./build-image/base-image";
import { type FileServer, startFileServer } from "./build-image/file-server";
import { STANDIN_YQ_SCRIPT, type ServedBuildInputs, serveBuildInputs, TEST_RUNNER_VERSION } from "./build-image/fixtures";
import {
    installedPackages,
    type LoopDevice,
    listLoopDevices,
    mountImageReadOnly,
    mountsUnder,
    newLoopDevices,
    readAccounts,
    readGroups,
} from "./build-image/inspect-image";
import { type CommandResult, runCommand } from "./build-image/run-command";

const BUILD_SCRIPT = path.resolve(__dirname, "..", "scripts", "build-image.sh");
// A password with a percent-encoded character: it must be escaped for systemd and never printed.
const PROXY_PASSWORD = "s3cr%40t-pw";
const HTTP_PROXY = `http://runner:${PROXY_PASSWORD}@proxy.internal:3128`;
const HTTPS_PROXY = "http://proxy.internal:3129";
const NO_PROXY = "localhost,127.0.0.1,.internal,10.0.0.0/8";

function whyBuildCannotRun(): string | undefined {
    if (process.getuid?.() !== 0) return "not running as root (loop devices, mounts and chroot need root)";
    try {
        execFileSync("qemu-img", ["--version"], { stdio: "ignore" });
    } catch {
        return "qemu-img is not installed (apt-get install qemu-utils)";
    }
    return undefined;
}

const skipReason = whyBuildCannotRun();
if (skipReason !== undefined) {
    const banner = "!".repeat(78);
    console.log(`${banner}\n!!! SKIPPING the real image build tests: ${skipReason}\n!!! Run as root with qemu-utils, debootstrap, gdisk, fdisk installed to run them.\n${banner}`);
}

// BUILD_IMAGE_TEST_CACHE_DIR: another cache, e.g. an empty one to measure a cold run.
const cacheDir = process.env.BUILD_IMAGE_TEST_CACHE_DIR ?? defaultCacheDir();
const testCacheDir = path.join(cacheDir, "build-image-test");
let server: FileServer;
let inputs: ServedBuildInputs;
let scratch: string;

before(async () => {
    if (skipReason !== undefined) return;
    scratch = await mkdtemp(path.join(os.tmpdir(), "build-image-test-"));
    server = await startFileServer();
    inputs = await serveBuildInputs(server, cacheDir, scratch);
});

after(async () => {
    await server?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
});

interface ScriptRun {
    result: CommandResult;
    output: string;
    tmpDir: string;
    leftoverLoops: LoopDevice[];
    leftoverMounts: string[];
}

/** Runs the script with the served inputs; `override` replaces or adds options. */
async function runBuild(
    name: string,
    override: Record<string, string | string[]> = {},
    echo = false,
    onLine?: (line: string, stop: () => void) => void,
): Promise<ScriptRun> {
    const tmpDir = path.join(scratch, `${name}-tmp`);
    await mkdir(tmpDir, { recursive: true });
    const output = path.join(scratch, name, "runner-image.qcow2");
    const options: Record<string, string | string[]> = {
        "--base": "jammy",
        "--arch": "amd64",
        "--base-image-url": inputs.baseImageUrl,
        "--runner-url": inputs.runnerUrl,
        "--runner-sha256": inputs.runnerSha256,
        "--runner-version": TEST_RUNNER_VERSION,
        "--yq-url": inputs.yqUrl,
        "--yq-sha256": inputs.yqSha256,
        "--output": output,
        "--cache-dir": testCacheDir,
        "--apt-cache-dir": path.join(cacheDir, "apt-archives"),
        ...override,
    };
    const args = [BUILD_SCRIPT];
    for (const [option, value] of Object.entries(options)) {
        for (const item of Array.isArray(value) ? value : [value]) args.push(option, item);
    }
    const loopsBefore = await listLoopDevices();
    const result = await runCommand("bash", args, { env: { ...process.env, TMPDIR: tmpDir }, echo, onLine });
    return {
        result,
        output,
        tmpDir,
        leftoverLoops: newLoopDevices(loopsBefore, await listLoopDevices(), tmpDir),
        leftoverMounts: await mountsUnder(tmpDir),
    };
}

function assertFailedCleanly(run: ScriptRun, message: RegExp): void {
    assert.equal(run.result.status, 1, `expected exit 1, got ${run.result.status}\n${run.result.stdout}\n${run.result.stderr}`);
    assert.match(run.result.stderr, message);
    assert.deepEqual(run.leftoverLoops, [], "no loop device left attached");
    assert.deepEqual(run.leftoverMounts, [], "nothing left mounted");
    assert.equal(existsSync(run.output), false, "no output image");
    assert.equal(existsSync(`${run.output}.partial`), false, "no partial output");
}

test("bad options are refused before anything happens, naming the option", { skip: skipReason }, async () => {
    const run = await runBuild("bad-options", { "--runner-sha256": "not-a-checksum" });
    assert.equal(run.result.status, 2);
    assert.match(run.result.stderr, /--runner-sha256 must be a sha256: 64 lowercase hex characters, got 'not-a-checksum'/);
    const noBase = await runBuild("bad-base", { "--base": "focal" });
    assert.match(noBase.result.stderr, /--base must be jammy or noble \(22\.04\/24\.04\), got 'focal'/);
});

test("an arm64 build fails early on a host that cannot run arm64 binaries", { skip: skipReason ?? (existsSync("/proc/sys/fs/binfmt_misc/qemu-aarch64") ? "this host has an aarch64 binfmt handler" : undefined) }, async () => {
    const run = await runBuild("arm64", { "--arch": "arm64" });
    assertFailedCleanly(run, /step "check the host" failed: cannot build an image for arm64 on this x86_64 host: no enabled binfmt_misc handler .*qemu-aarch64; install qemu-user-static/);
});

test("a wrong runner checksum fails the runner download step", { skip: skipReason }, async () => {
    const wrong = "0".repeat(64);
    const run = await runBuild("wrong-checksum", { "--runner-sha256": wrong });
    assertFailedCleanly(run, new RegExp(`step "download the runner tarball" failed: sha256 mismatch for ${inputs.runnerUrl.replace(/[.?]/g, "\\$&")}: expected ${wrong}, got ${inputs.runnerSha256}`));
});

test("a failing download (404) fails its step, and a corrupt cached copy is not used", { skip: skipReason }, async () => {
    const missingUrl = `${server.baseUrl}/actions/runner/releases/download/v2.0.0/missing.tar.gz`;
    const corrupt = path.join(testCacheDir, "downloads", `${inputs.runnerSha256}-missing.tar.gz`);
    await mkdir(path.dirname(corrupt), { recursive: true });
    await writeFile(corrupt, "not the runner");
    const run = await runBuild("not-found", { "--runner-url": missingUrl });
    assertFailedCleanly(run, /step "download the runner tarball" failed: download of http:\/\/127\.0\.0\.1:\d+\/actions\/runner\/releases\/download\/v2\.0\.0\/missing\.tar\.gz failed: curl: \(22\) The requested URL returned error: 404/);
    assert.equal(existsSync(corrupt), false, "the corrupt cached file was thrown away");
});

test("a failing step inside the chroot names the step and leaves nothing mounted", { skip: skipReason }, async () => {
    const run = await runBuild("bad-package", { "--extra-package": "no-such-package-for-this-test" });
    assertFailedCleanly(run, /step "install packages: [^"]*no-such-package-for-this-test" failed: apt-get install of .* failed inside the image: E: Unable to locate package no-such-package-for-this-test/);
});

test("a build stopped by SIGTERM in the middle unmounts and detaches everything", { skip: skipReason }, async () => {
    const run = await runBuild("interrupted", {}, false, (line, stop) => {
        if (line.startsWith("==> apt-get update")) stop();
    });
    assert.equal(run.result.status, 143, `exit status of a TERM-inated build\n${run.result.stderr}`);
    assert.match(run.result.stderr, /build-image: step "apt-get update and upgrade[^"]*" failed \(exit 143\)/);
    assert.deepEqual(run.leftoverLoops, [], "no loop device left attached");
    assert.deepEqual(run.leftoverMounts, [], "nothing left mounted");
    assert.deepEqual(await readdirSafe(run.tmpDir), [], "its temporary files are removed");
    assert.equal(existsSync(run.output), false);
});

test("the build makes a runner image with everything in it", { skip: skipReason }, async () => {
    const started = Date.now();
    const run = await runBuild(
        "good",
        {
            "--base-image-url": inputs.baseImageUrl, // no --base-image-sha256: looked up in SHA256SUMS
            "--http-proxy": HTTP_PROXY,
            "--https-proxy": HTTPS_PROXY,
            "--no-proxy": NO_PROXY,
            "--extra-package": ["tree", "zstd"],
        },
        true,
    );
    const seconds = (Date.now() - started) / 1000;
    assert.equal(run.result.status, 0, run.result.stderr);
    const size = (await stat(run.output)).size;
    console.log(`# image build took ${seconds.toFixed(0)} s; output ${(size / 2 ** 20).toFixed(0)} MiB (${size} bytes)`);
    assert.deepEqual(run.leftoverLoops, []);
    assert.deepEqual(run.leftoverMounts, []);
    assert.ok(!`${run.result.stdout}${run.result.stderr}`.includes(PROXY_PASSWORD), "the proxy password is never printed");
    assert.ok(server.requests.includes("/images/bookworm/current/SHA256SUMS"), "the base image checksum came from SHA256SUMS");

    const manifest = JSON.parse(await readFile(run.output.replace(/\.qcow2$/, ".manifest.json"), "utf8"));
    assert.equal(manifest.image.sha256, await sha256OfFile(run.output));
    assert.equal(manifest.image.sizeBytes, size);
    assert.equal(manifest.runner.version, TEST_RUNNER_VERSION);
    assert.equal(manifest.runner.sha256, inputs.runnerSha256);
    assert.equal(manifest.baseImage.sha256, inputs.baseImageSha256);
    assert.deepEqual(manifest.extraPackages, ["tree", "zstd"]);
    assert.equal(manifest.proxy.http, "http://***@proxy.internal:3128");
    assert.match(manifest.versions["docker.io"], /\d/);
    assert.ok(!JSON.stringify(manifest).includes(PROXY_PASSWORD));

    const info = JSON.parse(execFileSync("qemu-img", ["info", "--output=json", run.output], { encoding: "utf8" }));
    const baseInfo = JSON.parse(execFileSync("qemu-img", ["info", "--output=json", inputs.baseImagePath], { encoding: "utf8" }));
    assert.equal(info.format, "qcow2");
    assert.equal(info["virtual-size"], baseInfo["virtual-size"] + 1536 * 2 ** 20, "the disk grew by 1536 MiB");

    const image = await mountImageReadOnly(run.output, scratch);
    try {
        await assertImageContents(image.root);
    } finally {
        await image.close();
    }
});

async function assertImageContents(root: string): Promise<void> {
    const inImage = (file: string) => path.join(root, file);
    const packages = await installedPackages(root);
    for (const name of ["docker.io", "npm", "python3-pip", "python-is-python3", "shellcheck", "jq", "wget", "unzip", "gh", "git", "tree", "zstd"]) {
        assert.ok(packages.has(name), `package ${name} is installed`);
    }
    assert.equal(packages.has("unattended-upgrades"), false, "unattended-upgrades is removed");
    assert.equal(await readlink(inImage("usr/bin/python")), "python3");
    assert.ok(existsSync(inImage("usr/local/lib/node_modules/yarn/package.json")), "yarn is installed globally with npm");
    assert.equal(await readFile(inImage("usr/local/bin/yq"), "utf8"), STANDIN_YQ_SCRIPT);
    assert.equal((await stat(inImage("usr/local/bin/yq"))).mode & 0o777, 0o755);
    assert.equal((await stat(inImage("usr/local/bin"))).mode & 0o777, 0o777, "/usr/local/bin is writable by all");

    const accounts = await readAccounts(root);
    const ubuntu = accounts.get("ubuntu");
    assert.ok(ubuntu, "user ubuntu exists");
    assert.equal(ubuntu.home, "/home/ubuntu");
    const groups = await readGroups(root);
    assert.ok(groups.get("docker")?.members.includes("ubuntu"), "ubuntu is in group docker");

    const runnerDir = inImage("home/ubuntu/actions-runner");
    for (const file of ["run.sh", "config.sh", "bin/installdependencies.sh"]) {
        const info = await stat(path.join(runnerDir, file));
        assert.equal(info.uid, ubuntu.uid, `${file} belongs to ubuntu`);
        assert.ok(info.mode & 0o100, `${file} is executable`);
    }
    const depsMarker = await stat(path.join(runnerDir, "_diag/installdependencies.ran"));
    assert.equal(depsMarker.uid, ubuntu.uid, "the runner's installdependencies.sh ran, and its files belong to ubuntu");

    const aptProxy = await readFile(inImage("etc/apt/apt.conf.d/90runner-proxy"), "utf8");
    assert.equal(aptProxy, `Acquire::http::Proxy "${HTTP_PROXY}";\nAcquire::https::Proxy "${HTTPS_PROXY}";\n`);
    assert.equal(existsSync(inImage("etc/apt/apt.conf")), false, "no /etc/apt/apt.conf was needed or written");
    // npm's global config; npm writes proxy URLs normalized, with a trailing slash.
    const npmrc = await readFile(inImage("etc/npmrc"), "utf8");
    assert.match(npmrc, new RegExp(`^proxy=${escapeRegExp(HTTP_PROXY)}/?$`, "m"));
    assert.match(npmrc, new RegExp(`^https-proxy=${escapeRegExp(HTTPS_PROXY)}/?$`, "m"));
    assert.match(npmrc, new RegExp(`^noproxy=${escapeRegExp(NO_PROXY)}$`, "m"));
    const dropIn = await readFile(inImage("etc/systemd/system/docker.service.d/http-proxy.conf"), "utf8");
    assert.equal(
        dropIn,
        `[Service]\nEnvironment="HTTP_PROXY=${HTTP_PROXY.replace("%", "%%")}"\nEnvironment="HTTPS_PROXY=${HTTPS_PROXY}"\nEnvironment="NO_PROXY=${NO_PROXY}"\n`,
    );
    // Unit links point at absolute paths inside the image: look at the links themselves, not their targets on this host.
    const isLink = (file: string) => lstatSync(inImage(file), { throwIfNoEntry: false })?.isSymbolicLink() === true;
    assert.equal(isLink("etc/systemd/system/multi-user.target.wants/docker.service"), false, "dockerd is not started at boot");
    assert.ok(isLink("etc/systemd/system/sockets.target.wants/docker.socket"), "dockerd starts on first use, through its socket");
    const clientConfigFile = inImage("home/ubuntu/.docker/config.json");
    const clientConfig = JSON.parse(await readFile(clientConfigFile, "utf8"));
    assert.deepEqual(clientConfig, { proxies: { default: { httpProxy: HTTP_PROXY, httpsProxy: HTTPS_PROXY, noProxy: NO_PROXY } } });
    assert.equal((await stat(clientConfigFile)).uid, ubuntu.uid);
    assert.equal((await stat(clientConfigFile)).mode & 0o777, 0o600);

    assert.equal(await readFile(inImage("etc/machine-id"), "utf8"), "", "machine-id is emptied for first boot");
    assert.equal(existsSync(inImage("var/lib/cloud/instance")), false, "cloud-init state is cleaned");
    const sshKeys = existsSync(inImage("etc/ssh")) ? (await readdirSafe(inImage("etc/ssh"))).filter((f) => f.startsWith("ssh_host_")) : [];
    assert.deepEqual(sshKeys, [], "no SSH host keys");
    assert.deepEqual((await readdirSafe(inImage("var/cache/apt/archives"))).filter((f) => f.endsWith(".deb")), [], "apt cache is empty");
    assert.deepEqual((await readdirSafe(inImage("var/lib/apt/lists"))).filter((f) => f !== "lock" && f !== "partial" && f !== "auxfiles"), [], "apt lists are removed");
    assert.equal(existsSync(inImage("usr/sbin/policy-rc.d")), false, "policy-rc.d is removed");
    assert.deepEqual(await readdirSafe(inImage("tmp")), [], "/tmp is empty (no build-time CA file left)");
    const resolv = await lstat(inImage("etc/resolv.conf")).catch(() => undefined);
    assert.equal(resolv, undefined, "the base image had no resolv.conf, and the build left none");
}

async function readdirSafe(dir: string): Promise<string[]> {
    return readdir(dir).catch(() => []);
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
