/**
 * What a stack says about an image it builds itself. Every field here is a
 * build input: it goes into the build hash, so changing any of them rebuilds.
 */
import type { GithubConnection } from "../github/client";
import type { RunnerDownload, RunnerDownloadRequest } from "../github/downloads";

export type UbuntuBase = "jammy" | "noble";
export type RunnerArch = "x64" | "arm64";

export interface ImageProxy {
    http?: string;
    https?: string;
    noProxy?: string;
}

export interface YqPin {
    /** yq release, e.g. "v4.44.3". */
    version: string;
    /** Download URL; defaults to the GitHub release asset of that version for the arch. */
    url?: string;
    /** sha256 of the binary; required unless the version is the script's pinned default. */
    sha256?: string;
}

/** Finds the runner tarball; the default asks GitHub's downloads API through the connection. */
export type RunnerLookup = (connection: GithubConnection, path: string, request: RunnerDownloadRequest) => Promise<RunnerDownload>;

export interface BuildImageArgs {
    source: "build";
    base: UbuntuBase;
    arch: RunnerArch;
    /** "latest" or a version such as "2.321.0". */
    runnerVersion: string;
    /** Required when a pinned version is not the one GitHub's downloads API lists. */
    runnerSha256?: string;
    extraPackages: string[];
    proxy?: ImageProxy;
    /** Defaults to Ubuntu's cloud image for base and arch. */
    baseImageUrl?: string;
    /** Defaults to the entry in the image server's SHA256SUMS. */
    baseImageSha256?: string;
    yq?: YqPin;
    /** Space added to the base image's disk, as qemu-img understands it (default "1536M"). */
    diskGrowth?: string;
    /** Where the runner tarball is looked up (GitHub's "list runner applications" for this org, repo or enterprise). */
    github: { path: string };
    /** Replaces the GitHub lookup, e.g. for an offline plan that has no GitHub to ask. */
    runnerLookup?: RunnerLookup;
    /** Downloads, the apt archive cache and built images live here, on the machine running `pulumi up`. */
    cacheDir: string;
}
