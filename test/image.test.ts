import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { type BuildImageArgs, RunnerImage } from "../components/image";
import { BUILD_SCRIPT, BUILD_SCRIPT_HELPERS, scriptDigest } from "../components/image/build-plan";
import { defaultRunnerDownloads, DEFAULT_RUNNER_VERSION, FakeGithub } from "./fake-github";

interface RecordedResource {
    type: string;
    name: string;
    id?: string;
    inputs: Record<string, unknown>;
}
const calls: { token: string; inputs: Record<string, unknown> }[] = [];
const resources: RecordedResource[] = [];

pulumi.runtime.setMocks(
    {
        newResource(args) {
            resources.push({ type: args.type, name: args.name, id: args.id, inputs: args.inputs });
            if (args.type === "openstack:images/image:Image" && args.id) {
                return { id: args.id, state: { ...args.inputs, name: `image-named-for-${args.id}` } };
            }
            return { id: `${args.name}-id`, state: args.inputs };
        },
        call(args) {
            calls.push({ token: args.token, inputs: args.inputs });
            if (args.token === "openstack:images/getImage:getImage") {
                return { id: `glance-${String(args.inputs.name)}`, name: args.inputs.name };
            }
            throw new Error(`unexpected call ${args.token}`);
        },
    },
    "project",
    "stack",
    false,
);

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => resolve(value)));
}

function resource(type: string, name: string): RecordedResource {
    const found = resources.find((r) => r.type === type && r.name === name);
    assert.ok(found, `resource ${type} ${name} was registered`);
    return found;
}

const TOKEN = "ghp_image_test_token";
let fake: FakeGithub;
const CACHE_DIR = path.join(os.tmpdir(), "image-test-cache");
const listedX64 = defaultRunnerDownloads().find((d) => d.os === "linux" && d.architecture === "x64")!;

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
        github: { connection: pulumi.secret({ apiUrl: fake.apiUrl, auth: { kind: "token" as const, token: TOKEN } }), path: "acme" },
        cacheDir: CACHE_DIR,
        ...overrides,
    };
}

let counter = 0;
async function buildHashOf(args: BuildImageArgs): Promise<string> {
    const image = new RunnerImage(`hash-${counter++}`, args);
    const hash = await valueOf(image.buildHash);
    assert.ok(hash, "a build has a hash");
    return hash;
}

test("an existing image by name is the most recent image of that name", async () => {
    const image = new RunnerImage("by-name", { source: "existing", name: "ubuntu-runner" });
    assert.equal(await valueOf(image.imageId), "glance-ubuntu-runner");
    assert.equal(await valueOf(image.imageName), "ubuntu-runner");
    assert.equal(await valueOf(image.buildHash), undefined);
    const call = calls.find((c) => c.inputs.name === "ubuntu-runner");
    assert.ok(call, "getImage was called");
    assert.equal(call.inputs.mostRecent, true);
});

test("an existing image by id is read from Glance by that id", async () => {
    const image = new RunnerImage("by-id", { source: "existing", id: "0b7c-image" });
    assert.equal(await valueOf(image.imageId), "0b7c-image");
    assert.equal(await valueOf(image.imageName), "image-named-for-0b7c-image");
    assert.equal(resources.find((r) => r.id === "0b7c-image")?.type, "openstack:images/image:Image");
});

test("an existing image needs exactly one of name and id", () => {
    assert.throws(() => new RunnerImage("both", { source: "existing", name: "a", id: "b" }), /both: an existing image is chosen by name or by id, not both/);
    assert.throws(() => new RunnerImage("neither", { source: "existing", name: " " }), /neither: an existing image needs a non-empty "name" or "id"/);
});

test("a relative cache dir keeps every planned path relative to the project, so checkouts elsewhere plan the same", async () => {
    const image = new RunnerImage("relative", buildArgs({ cacheDir: ".cache/image-build" }));
    await valueOf(image.imageId);
    const build = resource("command:local:Command", "relative-build");
    const glance = resource("openstack:images/image:Image", "relative-glance");
    for (const text of [String(build.inputs.create), String(build.inputs.delete), String(glance.inputs.localFilePath)]) {
        assert.ok(!text.includes(process.cwd()), text);
    }
    assert.match(String(glance.inputs.localFilePath), /^\.cache\/image-build\/images\/github-runner-jammy-x64-[0-9a-f]{12}\.qcow2$/);
    assert.match(String(build.inputs.create), /--cache-dir '\.cache\/image-build' /);
});

test("a build runs the script with GitHub's runner tarball and uploads its qcow2 to Glance", async () => {
    const image = new RunnerImage("built", buildArgs());
    const hash = await valueOf(image.buildHash);
    assert.match(hash ?? "", /^[0-9a-f]{64}$/);
    const name = `github-runner-jammy-x64-${hash?.slice(0, 12)}`;
    assert.equal(await valueOf(image.imageName), name);
    assert.equal(await valueOf(image.imageId), "built-glance-id");

    const build = resource("command:local:Command", "built-build");
    const output = path.join(CACHE_DIR, "images", `${name}.qcow2`);
    assert.deepEqual(build.inputs.triggers, [hash]);
    const create = String(build.inputs.create);
    assert.ok(create.startsWith(`'./scripts/build-image.sh' `), create);
    assert.ok(!create.includes(process.cwd()), `the command names no absolute path of the checkout: ${create}`);
    for (const expected of [
        `--base 'jammy'`,
        `--arch 'amd64'`,
        `--output '${output}'`,
        `--runner-url '${listedX64.download_url}'`,
        `--runner-sha256 '${listedX64.sha256_checksum}'`,
        `--runner-version '${DEFAULT_RUNNER_VERSION}'`,
        `--extra-package 'tree'`,
        `--disk-growth '1536M'`,
    ]) {
        assert.ok(create.includes(expected), `${expected} in ${create}`);
    }
    assert.ok(!create.includes("pa55word"), "proxies are not on the command line");
    assert.match(String(build.inputs.delete), new RegExp(`rm -f '${output.replace(/[.]/g, "\\.")}'`));

    const glance = resource("openstack:images/image:Image", "built-glance");
    assert.equal(glance.inputs.name, name);
    assert.equal(glance.inputs.localFilePath, output);
    assert.equal(glance.inputs.containerFormat, "bare");
    assert.equal(glance.inputs.diskFormat, "qcow2");
    assert.deepEqual(glance.inputs.properties, {
        architecture: "x86_64",
        os_distro: "ubuntu",
        os_version: "22.04",
        github_runner_version: DEFAULT_RUNNER_VERSION,
        github_runner_build_hash: hash,
    });
});

test("noble on arm64 is named and described as such", async () => {
    const image = new RunnerImage("noble-arm", buildArgs({ base: "noble", arch: "arm64" }));
    const hash = (await valueOf(image.buildHash)) ?? "";
    assert.equal(await valueOf(image.imageName), `github-runner-noble-arm64-${hash.slice(0, 12)}`);
    const glance = resource("openstack:images/image:Image", "noble-arm-glance");
    assert.equal((glance.inputs.properties as Record<string, string>).architecture, "aarch64");
    assert.equal((glance.inputs.properties as Record<string, string>).os_version, "24.04");
    assert.match(String(resource("command:local:Command", "noble-arm-build").inputs.create), /--arch 'arm64'/);
});

test("the same inputs give the same trigger, evaluation after evaluation", async () => {
    const first = await buildHashOf(buildArgs());
    const second = await buildHashOf(buildArgs());
    assert.equal(first, second);
    assert.equal(await buildHashOf(buildArgs({ cacheDir: "/elsewhere" })), first, "where the cache lives is not a build input");
});

test("every build input changes the trigger", async () => {
    const baseline = await buildHashOf(buildArgs());
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
        const hash = await buildHashOf(buildArgs(change));
        assert.ok(!seen.has(hash), `changing ${input} changes the hash (same as ${seen.get(hash)})`);
        seen.set(hash, input);
    }
});

test("a new latest runner on GitHub changes the trigger", async () => {
    const before = await buildHashOf(buildArgs());
    fake.setDownloads(defaultRunnerDownloads("2.330.0"));
    try {
        const after = await buildHashOf(buildArgs());
        assert.notEqual(after, before);
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

test("proxies reach the build as secrets and the command's output is kept secret", async () => {
    const options: Record<string, pulumi.CustomResourceOptions> = {};
    const image = new RunnerImage("secret-check", buildArgs(), {
        transformations: [
            (args) => {
                options[args.type] = args.opts as pulumi.CustomResourceOptions;
                return undefined;
            },
        ],
    });
    await valueOf(image.imageId);
    assert.deepEqual(options["command:local:Command"]?.additionalSecretOutputs, ["stdout", "stderr"]);
    const build = resource("command:local:Command", "secret-check-build");
    // The engine receives the environment wrapped in Pulumi's secret signature.
    assert.deepEqual(build.inputs.environment, {
        [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
        value: {
            BUILD_IMAGE_HTTP_PROXY: "http://user:pa55word@proxy.internal:3128",
            BUILD_IMAGE_HTTPS_PROXY: "http://proxy.internal:3129",
            BUILD_IMAGE_NO_PROXY: "localhost,.internal",
        },
    });
    assert.ok(!JSON.stringify(build.inputs.create).includes("pa55word"));
    assert.equal(await pulumi.isSecret(image.imageName), false, "the image name is not secret although the GitHub connection is");
});

test("a runner lookup given in the args replaces the GitHub call", async () => {
    const requestsBefore = fake.requests.length;
    const seen: unknown[] = [];
    const image = new RunnerImage(
        "offline",
        buildArgs({
            runnerLookup: async (_connection, githubPath, request) => {
                seen.push({ githubPath, request });
                return { url: "https://example.invalid/runner.tar.gz", filename: "runner.tar.gz", sha256: "0".repeat(64), version: "2.0.0" };
            },
        }),
    );
    await valueOf(image.imageId);
    assert.deepEqual(seen, [{ githubPath: "acme", request: { arch: "x64", version: "latest", sha256: undefined } }]);
    assert.equal(fake.requests.length, requestsBefore, "GitHub was not asked");
    assert.match(String(resource("command:local:Command", "offline-build").inputs.create), /--runner-url 'https:\/\/example\.invalid\/runner\.tar\.gz'/);
});

test("a build for a malformed GitHub path fails naming it", () => {
    assert.throws(
        () => new RunnerImage("bad-path", buildArgs({ github: { connection: { apiUrl: fake.apiUrl, auth: { kind: "token", token: TOKEN } }, path: "a/b/c" } })),
        /bad-path: github\.path must be "org" or "owner\/repo", got "a\/b\/c"/,
    );
});
