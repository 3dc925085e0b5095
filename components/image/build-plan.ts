/**
 * Pure part of an image build: the inputs that decide the image, their
 * content hash, the image's name and Glance properties, and the command line
 * of scripts/build-image.sh. The hash covers the build script and every file
 * it sources, so editing the script rebuilds too.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { RunnerDownload } from "../github/downloads";
import type { ImageProxy, RunnerArch, UbuntuBase, YqPin } from "./build-args";

export const BUILD_SCRIPT = path.resolve(__dirname, "..", "..", "scripts", "build-image.sh");
export const BUILD_SCRIPT_HELPERS = path.resolve(__dirname, "..", "..", "scripts", "image");
export const DEFAULT_DISK_GROWTH = "1536M";
export const IMAGE_NAME_PREFIX = "github-runner";
const HASH_IN_NAME = 12;

const UBUNTU_VERSIONS: Record<UbuntuBase, string> = { jammy: "22.04", noble: "24.04" };
const GLANCE_ARCHITECTURES: Record<RunnerArch, string> = { x64: "x86_64", arm64: "aarch64" };
const DEBIAN_ARCHITECTURES: Record<RunnerArch, string> = { x64: "amd64", arm64: "arm64" };

/** Everything that decides what the built image contains; nothing else goes into the hash. */
export interface BuildInputs {
    base: UbuntuBase;
    arch: RunnerArch;
    runner: RunnerDownload;
    extraPackages: string[];
    proxy: ImageProxy;
    baseImageUrl?: string;
    baseImageSha256?: string;
    yq?: YqPin;
    diskGrowth: string;
    /** sha256 over the build script and its helpers (see scriptDigest). */
    scriptDigest: string;
}

/** sha256 over build-image.sh and every scripts/image/*.sh, by name and content. */
export function scriptDigest(script: string = BUILD_SCRIPT, helpersDir: string = BUILD_SCRIPT_HELPERS): string {
    const hash = createHash("sha256");
    const files = [script, ...readdirSync(helpersDir).filter((f) => f.endsWith(".sh")).sort().map((f) => path.join(helpersDir, f))];
    for (const file of files) {
        hash.update(`${path.basename(file)}\0`).update(readFileSync(file)).update("\0");
    }
    return hash.digest("hex");
}

/** JSON with object keys sorted and undefined left out, so equal inputs always give equal text. */
function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

export function buildHash(inputs: BuildInputs): string {
    return createHash("sha256").update(canonicalJson(inputs)).digest("hex");
}

export function imageName(inputs: Pick<BuildInputs, "base" | "arch">, hash: string): string {
    return `${IMAGE_NAME_PREFIX}-${inputs.base}-${inputs.arch}-${hash.slice(0, HASH_IN_NAME)}`;
}

export function imageProperties(inputs: BuildInputs, hash: string): Record<string, string> {
    return {
        architecture: GLANCE_ARCHITECTURES[inputs.arch],
        os_distro: "ubuntu",
        os_version: UBUNTU_VERSIONS[inputs.base],
        github_runner_version: inputs.runner.version,
        github_runner_build_hash: hash,
    };
}

/**
 * Where one build's files go: <cacheDir>/images/<name>.qcow2 (+ .manifest.json,
 * .build.log). A relative cacheDir stays relative to the project directory, so
 * laptops and CI checkouts in different places plan the same command and file.
 */
export function buildOutputPath(cacheDir: string, name: string): string {
    return path.join(cacheDir, "images", `${name}.qcow2`);
}

/** The build script as the command runs it, from the project directory (the program's working directory). */
export function buildScriptCommandPath(script: string = BUILD_SCRIPT, projectDir: string = process.cwd()): string {
    const relative = path.relative(projectDir, script);
    return relative.startsWith("..") || path.isAbsolute(relative) ? script : `./${relative}`;
}

export function shellQuote(text: string): string {
    return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The shell command that runs the build. Proxies are not on it: they go
 * through the environment (BUILD_IMAGE_*_PROXY), as secrets.
 */
export function buildCommandLine(inputs: BuildInputs, cacheDir: string, output: string): string {
    const options: [string, string | undefined][] = [
        ["--base", inputs.base],
        ["--arch", DEBIAN_ARCHITECTURES[inputs.arch]],
        ["--output", output],
        ["--cache-dir", cacheDir],
        ["--apt-cache-dir", path.join(cacheDir, "apt-archives")],
        ["--runner-url", inputs.runner.url],
        ["--runner-sha256", inputs.runner.sha256],
        ["--runner-version", inputs.runner.version],
        ["--base-image-url", inputs.baseImageUrl],
        ["--base-image-sha256", inputs.baseImageSha256],
        ["--yq-version", inputs.yq?.version],
        ["--yq-url", inputs.yq?.url],
        ["--yq-sha256", inputs.yq?.sha256],
        ["--disk-growth", inputs.diskGrowth],
        ...inputs.extraPackages.map((name): [string, string] => ["--extra-package", name]),
    ];
    const words = [shellQuote(buildScriptCommandPath())];
    for (const [option, value] of options) {
        if (value !== undefined) words.push(option, shellQuote(value));
    }
    return words.join(" ");
}

/** Environment of the build command: the proxies to write into the image, only those set. */
export function buildProxyEnvironment(proxy: ImageProxy): Record<string, string> {
    const environment: Record<string, string> = {};
    if (proxy.http) environment.BUILD_IMAGE_HTTP_PROXY = proxy.http;
    if (proxy.https) environment.BUILD_IMAGE_HTTPS_PROXY = proxy.https;
    if (proxy.noProxy) environment.BUILD_IMAGE_NO_PROXY = proxy.noProxy;
    return environment;
}
