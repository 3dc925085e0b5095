/**
 * A runner image built by the project's scripts/build-image.sh from the tests'
 * Debian base image and the stand-in runner tarball, kept in the cache
 * directory under a key made of every build input (script files, base image,
 * runner tarball, yq, options): an unchanged input set reuses the image, any
 * change builds a new one.
 */
import { createHash } from "node:crypto";
import { access, mkdir, mkdtemp, readdir, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { defaultCacheDir } from "../build-image/base-image";
import { startFileServer } from "../build-image/file-server";
import { serveBuildInputs, TEST_RUNNER_VERSION } from "../build-image/fixtures";
import { runChecked } from "../build-image/run-command";

const SCRIPTS_DIR = path.resolve(__dirname, "..", "..", "scripts");
const BUILD_SCRIPT = path.join(SCRIPTS_DIR, "build-image.sh");

export interface RunnerImage {
    path: string;
    /** The cache key: sha256 over every build input. */
    key: string;
    /** Built now, found in the cache, or given by BOOT_TEST_RUNNER_IMAGE. */
    source: "built" | "cache" | "given";
    buildSeconds?: number;
}

async function buildScriptFiles(): Promise<string[]> {
    const helpers = (await readdir(path.join(SCRIPTS_DIR, "image"))).filter((f) => f.endsWith(".sh")).sort();
    return [BUILD_SCRIPT, ...helpers.map((f) => path.join(SCRIPTS_DIR, "image", f))];
}

async function exists(file: string): Promise<boolean> {
    return access(file).then(
        () => true,
        () => false,
    );
}

/** Drops images built from older inputs (600 MB each), so the cache does not grow with every change. */
async function removeOtherImages(dir: string, keep: string): Promise<void> {
    for (const file of await readdir(dir)) {
        const key = /^runner-([0-9a-f]{16})\.(qcow2|manifest\.json)$/.exec(file)?.[1];
        if (key !== undefined && key !== keep) await rm(path.join(dir, file), { force: true });
    }
}

/**
 * Returns the cached runner image, building it first when its inputs changed.
 * Needs what build-image.sh needs (root, qemu-img, Debian's mirror for packages).
 */
export async function ensureRunnerImage(cacheDir: string = defaultCacheDir(), log: (line: string) => void = () => {}): Promise<RunnerImage> {
    const scratch = await mkdtemp(path.join(tmpdir(), "boot-runner-image-"));
    const server = await startFileServer();
    try {
        const inputs = await serveBuildInputs(server, cacheDir, scratch);
        const options: Record<string, string> = {
            "--base": "jammy",
            "--arch": "amd64",
            "--runner-version": TEST_RUNNER_VERSION,
            // Ubuntu's cloud images have D-Bus (hostnamectl, used by the userdata,
            // needs it); the tests' minimal Debian base image does not.
            "--extra-package": "dbus",
        };
        const hash = createHash("sha256");
        for (const file of await buildScriptFiles()) {
            hash.update(path.relative(SCRIPTS_DIR, file)).update("\0").update(await readFile(file)).update("\0");
        }
        hash.update(JSON.stringify({ base: inputs.baseImageSha256, runner: inputs.runnerSha256, yq: inputs.yqSha256, options }));
        const key = hash.digest("hex").slice(0, 16);
        const dir = path.join(cacheDir, "runner-images");
        const image = path.join(dir, `runner-${key}.qcow2`);
        if (await exists(image)) return { path: image, key, source: "cache" };

        // Built in a directory of its own: the script writes its manifest and log next to the output.
        const building = path.join(dir, `building-${key}-${process.pid}`);
        await mkdir(building, { recursive: true });
        const started = Date.now();
        log(`building runner image ${key} with scripts/build-image.sh (cached afterwards)`);
        try {
            await runChecked("bash", [
                BUILD_SCRIPT,
                ...Object.entries(options).flat(),
                "--base-image-url", inputs.baseImageUrl,
                "--runner-url", inputs.runnerUrl,
                "--runner-sha256", inputs.runnerSha256,
                "--yq-url", inputs.yqUrl,
                "--yq-sha256", inputs.yqSha256,
                "--output", path.join(building, "runner.qcow2"),
                "--cache-dir", path.join(cacheDir, "boot-test-build"),
                "--apt-cache-dir", path.join(cacheDir, "apt-archives"),
            ], { env: { ...process.env, TMPDIR: scratch } });
            await rename(path.join(building, "runner.manifest.json"), image.replace(/\.qcow2$/, ".manifest.json"));
            await rename(path.join(building, "runner.qcow2"), image);
            await removeOtherImages(dir, key);
        } catch (error) {
            const buildLog = await readFile(path.join(building, "runner.build.log"), "utf8").catch(() => "(no build log)");
            const tail = buildLog.split("\n").slice(-40).join("\n");
            throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- end of the build log ---\n${tail}`);
        } finally {
            await rm(building, { recursive: true, force: true });
        }
        return { path: image, key, source: "built", buildSeconds: (Date.now() - started) / 1000 };
    } finally {
        await server.close();
        await rm(scratch, { recursive: true, force: true });
    }
}

/**
 * The image the boot test and benchmark boot: BOOT_TEST_RUNNER_IMAGE when set
 * (a qcow2 built elsewhere by scripts/build-image.sh, never written to),
 * otherwise the cached test build.
 */
export async function runnerImageForBoot(log: (line: string) => void): Promise<RunnerImage> {
    const given = process.env.BOOT_TEST_RUNNER_IMAGE;
    if (given !== undefined && given !== "") {
        if (!(await exists(given))) throw new Error(`BOOT_TEST_RUNNER_IMAGE=${given}: no such file`);
        log(`booting ${given} (from BOOT_TEST_RUNNER_IMAGE)`);
        return { path: given, key: "BOOT_TEST_RUNNER_IMAGE", source: "given" };
    }
    return ensureRunnerImage(defaultCacheDir(), log);
}
