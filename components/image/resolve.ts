/**
 * Resolves an image build before any resource is declared: which runner
 * tarball GitHub lists (a read, also during preview), the inputs that decide
 * the image, their hash, and everything the Glance image and its build need.
 * Resolving first lets the Glance image's resource name carry the build hash,
 * so every build is its own resource and an old image can stay while runners
 * still boot from it.
 */
import { createGithubClient } from "../github/client";
import { findRunnerDownload } from "../github/downloads";
import { parseGithubPath } from "../github/paths";
import type { GithubConnection } from "../github/client";
import type { BuildImageArgs } from "./build-args";
import {
    type BuildInputs,
    buildCommandLine,
    buildHash,
    buildOutputPath,
    buildProxyEnvironment,
    DEFAULT_DISK_GROWTH,
    imageName,
    imageProperties,
    scriptDigest,
} from "./build-plan";

export interface ImageBuildPlan {
    hash: string;
    /** The first 12 hex of the hash: in the Glance name and the resource name. */
    key: string;
    name: string;
    runnerVersion: string;
    /** The qcow2 the build writes, relative to the project (the program's working directory) when cacheDir is. */
    outputPath: string;
    cacheDir: string;
    /** The shell command that builds it. */
    command: string;
    /** Secret: the proxies written into the image. */
    environment: Record<string, string>;
    properties: Record<string, string>;
}

export class ImageBuildError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ImageBuildError";
    }
}

export async function resolveImageBuild(args: BuildImageArgs, connection: GithubConnection): Promise<ImageBuildPlan> {
    const githubPath = parseGithubPath(args.github.path);
    if (githubPath === undefined) {
        throw new ImageBuildError(`image build: github.path must be "org", "owner/repo" or "enterprise:slug", got "${args.github.path}"`);
    }
    const request = { arch: args.arch, version: args.runnerVersion, sha256: args.runnerSha256 };
    const runner = args.runnerLookup
        ? await args.runnerLookup(connection, args.github.path, request)
        : await findRunnerDownload(createGithubClient(connection), githubPath, request);
    const inputs: BuildInputs = {
        base: args.base,
        arch: args.arch,
        runner,
        extraPackages: args.extraPackages,
        proxy: args.proxy ?? {},
        baseImageUrl: args.baseImageUrl,
        baseImageSha256: args.baseImageSha256,
        yq: args.yq,
        diskGrowth: args.diskGrowth ?? DEFAULT_DISK_GROWTH,
        scriptDigest: scriptDigest(),
    };
    const hash = buildHash(inputs);
    const name = imageName(inputs, hash);
    const outputPath = buildOutputPath(args.cacheDir, name);
    return {
        hash,
        key: hash.slice(0, 12),
        name,
        runnerVersion: runner.version,
        outputPath,
        cacheDir: args.cacheDir,
        command: buildCommandLine(inputs, args.cacheDir, outputPath),
        environment: buildProxyEnvironment(inputs.proxy),
        properties: imageProperties(inputs, hash),
    };
}
