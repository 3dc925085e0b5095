/**
 * The runner image: an existing Glance image (by name or id), or a build
 * resolved before any resource is declared (which runner tarball, the build
 * hash, the command, the Glance inputs), uploaded as one Glance image per
 * build whose beforeCreate hook makes the qcow2 on whatever machine runs the
 * create; earlier builds that slots still use stay declared.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { type BuildImageArgs, RunnerImage, resolveImageBuild, type ImageBuildPlan } from "../components/image";
import { BUILD_SCRIPT, BUILD_SCRIPT_HELPERS, scriptDigest } from "../components/image/build-plan";
import { ensureImageBuilt } from "../components/image/ensure-built";
import { ImageBuildError } from "../components/image/resolve";
import { acceptResourceHooksUnderMocks } from "../scripts/plan/mock-hooks";
import { defaultRunnerDownloads, DEFAULT_RUNNER_VERSION, FakeGithub } from "./fake-github";

interface RecordedRequest {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    beforeCreateHooks: string[];
}
const calls: { token: string; inputs: Record<string, unknown> }[] = [];
const requests: RecordedRequest[] = [];

before(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                if (args.type === "openstack:images/image:Image" && args.id) {
                    return { id: args.id, state: { ...args.inputs, name: `image-named-for-${args.id}` } };
                }
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call(args) {
                calls.push({ token: args.token, inputs: args.inputs });
                if (args.token === "openstack:images/getImage:getImage") return { id: `glance-${String(args.inputs.name)}`, name: args.inputs.name };
                throw new Error(`unexpected call ${args.token}`);
            },
        },
        "project",
        "stack",
        false,
    );
    acceptResourceHooksUnderMocks();
    // The mock monitor drops resource hooks; record the raw requests before it does.
    const settings: typeof import("@pulumi/pulumi/runtime/settings") = require("@pulumi/pulumi/runtime/settings");
    const monitor = settings.getMonitor() as unknown as { registerResource: (req: unknown, cb: unknown) => void };
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: unknown, callback: unknown) => {
        const request = req as { getType(): string; getName(): string; getObject(): { toJavaScript(): Record<string, unknown> }; getHooks(): { getBeforeCreateList(): string[] } | undefined };
        requests.push({ type: request.getType(), name: request.getName(), inputs: request.getObject().toJavaScript(), beforeCreateHooks: request.getHooks()?.getBeforeCreateList() ?? [] });
        original(req, callback);
    };
});

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => resolve(value)));
}

function registered(type: string, name: string): RecordedRequest {
    const found = requests.find((r) => r.type === type && r.name === name);
    assert.ok(found, `resource ${type} ${name} was registered; have ${requests.map((r) => r.name).join(", ")}`);
    return found;
}

const TOKEN = "ghp_image_test_token";
let fake: FakeGithub;
const listedX64 = defaultRunnerDownloads().find((d) => d.os === "linux" && d.architecture === "x64")!;
const connection = () => ({ apiUrl: fake.apiUrl, auth: { kind: "token" as const, token: TOKEN } });

before(async () => {
    fake = await FakeGithub.start();
    fake.addToken(TOKEN);
    fake.addOrg("acme");
});

after(async () => {
    fake.assertNoContractViolations();
    await fake.stop();
});

function buildArgs(overrides: Partial<BuildImageArgs> = {}): BuildImageArgs {
    return {
        source: "build",
        base: "jammy",
        arch: "x64",
        runnerVersion: "latest",
        extraPackages: ["tree"],
        proxy: { http: "http://user:pa55word@proxy.internal:3128", https: "http://proxy.internal:3129", noProxy: "localhost,.internal" },
        github: { path: "acme" },
        cacheDir: ".cache/image-build",
        ...overrides,
    };
}

const resolve = (overrides: Partial<BuildImageArgs> = {}) => resolveImageBuild(buildArgs(overrides), connection());

// ---- existing images --------------------------------------------------------

test("an existing image by name is the most recent image of that name", async () => {
    const image = new RunnerImage("by-name", { source: "existing", name: "ubuntu-runner" });
    assert.equal(await valueOf(image.imageId), "glance-ubuntu-runner");
    assert.equal(await valueOf(image.imageName), "ubuntu-runner");
    assert.equal(await valueOf(image.buildHash), undefined);
    assert.equal(calls.find((c) => c.inputs.name === "ubuntu-runner")?.inputs.mostRecent, true);
    assert.deepEqual(image.managed, [], "an existing image is never managed (never deleted) by the stack");
});

test("an existing image by id is read from Glance by that id; exactly one of name and id", async () => {
    const image = new RunnerImage("by-id", { source: "existing", id: "0b7c-image" });
    assert.equal(await valueOf(image.imageId), "0b7c-image");
    assert.equal(await valueOf(image.imageName), "image-named-for-0b7c-image");
    assert.throws(() => new RunnerImage("both", { source: "existing", name: "a", id: "b" }), /both: an existing image is chosen by name or by id, not both/);
    assert.throws(() => new RunnerImage("neither", { source: "existing", name: " " }), /neither: an existing image needs a non-empty "name" or "id"/);
});

// ---- resolving a build --------------------------------------------------------

test("a build resolves GitHub's runner tarball into the hash, the name, a command with project-relative paths and the Glance properties", async () => {
    const plan = await resolve();
    assert.match(plan.hash, /^[0-9a-f]{64}$/);
    assert.equal(plan.key, plan.hash.slice(0, 12));
    assert.equal(plan.name, `github-runner-jammy-x64-${plan.key}`);
    assert.equal(plan.runnerVersion, DEFAULT_RUNNER_VERSION);
    assert.equal(plan.outputPath, `.cache/image-build/images/${plan.name}.qcow2`);
    assert.ok(plan.command.startsWith(`'./scripts/build-image.sh' `), plan.command);
    assert.ok(!plan.command.includes(process.cwd()), "the command names no absolute path of the checkout");
    for (const expected of [
        `--base 'jammy'`,
        `--arch 'amd64'`,
        `--output '${plan.outputPath}'`,
        `--cache-dir '.cache/image-build'`,
        `--runner-url '${listedX64.download_url}'`,
        `--runner-sha256 '${listedX64.sha256_checksum}'`,
        `--extra-package 'tree'`,
        `--disk-growth '1536M'`,
    ]) {
        assert.ok(plan.command.includes(expected), `${expected} in ${plan.command}`);
    }
    assert.ok(!plan.command.includes("pa55word"), "proxies are not on the command line");
    assert.deepEqual(plan.environment, {
        BUILD_IMAGE_HTTP_PROXY: "http://user:pa55word@proxy.internal:3128",
        BUILD_IMAGE_HTTPS_PROXY: "http://proxy.internal:3129",
        BUILD_IMAGE_NO_PROXY: "localhost,.internal",
    });
    assert.deepEqual(plan.properties, { architecture: "x86_64", os_distro: "ubuntu", os_version: "22.04", github_runner_version: DEFAULT_RUNNER_VERSION, github_runner_build_hash: plan.hash });
    const arm = await resolve({ base: "noble", arch: "arm64" });
    assert.equal(arm.name, `github-runner-noble-arm64-${arm.key}`);
    assert.equal(arm.properties.architecture, "aarch64");
    assert.match(arm.command, /--arch 'arm64'/);
});

test("the same inputs give the same hash; where the cache lives does not count", async () => {
    const first = (await resolve()).hash;
    assert.equal((await resolve()).hash, first);
    assert.equal((await resolve({ cacheDir: "/elsewhere" })).hash, first);
});

test("every build input changes the hash", async () => {
    const baseline = (await resolve()).hash;
    const variants: Record<string, Partial<BuildImageArgs>> = {
        base: { base: "noble" },
        arch: { arch: "arm64" },
        "pinned runner version": { runnerVersion: "2.300.0", runnerSha256: "ab".repeat(32) },
        "pinned runner checksum": { runnerVersion: "2.300.0", runnerSha256: "cd".repeat(32) },
        "extra packages": { extraPackages: ["tree", "zstd"] },
        "http proxy": { proxy: { http: "http://other:3128", https: "http://proxy.internal:3129", noProxy: "localhost,.internal" } },
        "https proxy": { proxy: { http: "http://user:pa55word@proxy.internal:3128", noProxy: "localhost,.internal" } },
        "no proxy": { proxy: { http: "http://user:pa55word@proxy.internal:3128", https: "http://proxy.internal:3129" } },
        "base image url": { baseImageUrl: "https://mirror.example/jammy.img" },
        "base image sha256": { baseImageSha256: "ef".repeat(32) },
        yq: { yq: { version: "v4.45.1", sha256: "12".repeat(32) } },
        "disk growth": { diskGrowth: "3G" },
    };
    const seen = new Map<string, string>([[baseline, "baseline"]]);
    for (const [input, change] of Object.entries(variants)) {
        const hash = (await resolve(change)).hash;
        assert.ok(!seen.has(hash), `changing ${input} changes the hash (same as ${seen.get(hash)})`);
        seen.set(hash, input);
    }
});

test("a new latest runner on GitHub changes the hash", async () => {
    const before = (await resolve()).hash;
    fake.setDownloads(defaultRunnerDownloads("2.330.0"));
    try {
        assert.notEqual((await resolve()).hash, before);
    } finally {
        fake.setDownloads(defaultRunnerDownloads());
    }
});

test("the script's content (and every file it sources) is in the hash", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "script-digest-"));
    try {
        await cp(BUILD_SCRIPT, path.join(dir, "build-image.sh"));
        await cp(BUILD_SCRIPT_HELPERS, path.join(dir, "image"), { recursive: true });
        const script = path.join(dir, "build-image.sh");
        const helpers = path.join(dir, "image");
        const original = scriptDigest(script, helpers);
        assert.equal(original, scriptDigest(), "a copy digests like the original");
        await writeFile(path.join(helpers, "disk.sh"), "# changed\n", { flag: "a" });
        const changedHelper = scriptDigest(script, helpers);
        assert.notEqual(changedHelper, original);
        await writeFile(script, "# changed\n", { flag: "a" });
        assert.notEqual(scriptDigest(script, helpers), changedHelper);
    } finally {
        await rm(dir, { recursive: true, force: true });
    }
});

test("a runner lookup given in the args replaces the GitHub call; a malformed path fails naming it", async () => {
    const requestsBefore = fake.requests.length;
    const seen: unknown[] = [];
    const plan = await resolve({
        runnerLookup: async (_connection, githubPath, request) => {
            seen.push({ githubPath, request });
            return { url: "https://example.invalid/runner.tar.gz", filename: "runner.tar.gz", sha256: "0".repeat(64), version: "2.0.0" };
        },
    });
    assert.deepEqual(seen, [{ githubPath: "acme", request: { arch: "x64", version: "latest", sha256: undefined } }]);
    assert.equal(fake.requests.length, requestsBefore, "GitHub was not asked");
    assert.match(plan.command, /--runner-url 'https:\/\/example\.invalid\/runner\.tar\.gz'/);
    await assert.rejects(resolve({ github: { path: "a/b/c" } }), (error: unknown) => error instanceof ImageBuildError && /github\.path must be .*got "a\/b\/c"/.test(error.message));
});

// ---- the Glance images ---------------------------------------------------------

test("a build is one Glance image per build hash, created through a build hook; no command resource stays in the state", async () => {
    const plan = await resolve();
    const image = new RunnerImage("built", { source: "build", plan, retained: [] });
    assert.equal(await valueOf(image.imageId), `built-glance-${plan.key}-id`);
    assert.equal(await valueOf(image.imageName), plan.name);
    assert.equal(await valueOf(image.buildHash), plan.hash);
    const glance = registered("openstack:images/image:Image", `built-glance-${plan.key}`);
    assert.deepEqual(
        { ...glance.inputs },
        { name: plan.name, localFilePath: plan.outputPath, containerFormat: "bare", diskFormat: "qcow2", visibility: "private", properties: plan.properties },
    );
    assert.deepEqual(glance.beforeCreateHooks, [`build-runner-image-${plan.key}`], "the qcow2 is made right before Glance creates the image");
    assert.equal(requests.filter((r) => r.type === "command:local:Command").length, 0);
    assert.deepEqual(await valueOf(image.builtImages), [{ key: plan.key, id: `built-glance-${plan.key}-id`, inputs: { ...glance.inputs } }]);
});

test("an earlier build that slots still boot from stays declared, unchanged, next to the new one", async () => {
    const plan = await resolve({ extraPackages: ["jq"] });
    const earlier = { key: "0123456789ab", id: "glance-old-id", inputs: { name: "github-runner-jammy-x64-0123456789ab", localFilePath: ".cache/image-build/images/github-runner-jammy-x64-0123456789ab.qcow2", containerFormat: "bare", diskFormat: "qcow2", visibility: "private", properties: { github_runner_build_hash: "0123456789ab" } } };
    const image = new RunnerImage("rebuilt", { source: "build", plan, retained: [earlier] });
    const records = await valueOf(image.builtImages);
    assert.deepEqual(records.map((record) => record.key), [plan.key, earlier.key]);
    const old = registered("openstack:images/image:Image", `rebuilt-glance-${earlier.key}`);
    assert.deepEqual({ ...old.inputs }, earlier.inputs, "re-declared with exactly its recorded inputs: no change, no re-upload");
    assert.deepEqual(old.beforeCreateHooks, []);
    assert.equal(image.managed.length, 2);
});

// ---- making the qcow2 -------------------------------------------------------------

async function planIn(dir: string, command: string): Promise<ImageBuildPlan> {
    const base = await resolve({ cacheDir: dir });
    return { ...base, command };
}

test("ensureImageBuilt: an existing qcow2 is used as is; a missing one is built with the proxies in its environment; other builds are pruned", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "ensure-built-"));
    try {
        const plan0 = await planIn(dir, "exit 3");
        const images = path.dirname(plan0.outputPath);
        await mkdir(images, { recursive: true });
        await writeFile(plan0.outputPath, "qcow2");
        const logged: string[] = [];
        assert.equal(await ensureImageBuilt(plan0, { info: (line) => logged.push(line) }), "cached", "the command (exit 3) never ran");
        await rm(plan0.outputPath);
        await writeFile(path.join(images, "github-runner-jammy-x64-aaaaaaaaaaaa.qcow2"), "older build");
        await writeFile(path.join(images, "github-runner-jammy-x64-bbbbbbbbbbbb.qcow2"), "build a slot still uses");
        const plan = await planIn(dir, `echo "==> step one"; printf '%s' "$BUILD_IMAGE_HTTP_PROXY" > '${plan0.outputPath}.proxy'; printf qcow2 > '${plan0.outputPath}'`);
        assert.equal(await ensureImageBuilt(plan, { info: (line) => logged.push(line) }, ["github-runner-jammy-x64-bbbbbbbbbbbb"]), "built");
        assert.ok(existsSync(plan.outputPath));
        assert.ok(logged.some((line) => line.includes("==> step one")));
        assert.deepEqual((await readdir(images)).sort(), [`${plan.name}.qcow2`, `${plan.name}.qcow2.proxy`, "github-runner-jammy-x64-bbbbbbbbbbbb.qcow2"].sort());
    } finally {
        await rm(dir, { recursive: true, force: true });
    }
});

test("ensureImageBuilt: a failed build fails the create with its exit status, its log's path and its last lines", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "ensure-built-"));
    try {
        const plan = await planIn(dir, `echo "==> download"; echo "build-image: step download failed: sha256 mismatch" >&2; exit 7`);
        await assert.rejects(ensureImageBuilt(plan, { info: () => {} }), (error: unknown) => {
            assert.ok(error instanceof ImageBuildError);
            assert.match(error.message, /failed \(exit 7\); the build log is .*\.build\.log\. Last lines:\n==> download\nbuild-image: step download failed: sha256 mismatch$/);
            return true;
        });
    } finally {
        await rm(dir, { recursive: true, force: true });
    }
});
