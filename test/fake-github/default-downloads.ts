/**
 * The runner downloads the fake lists until a test calls `setDownloads`.
 * Shaped like GitHub's answer for one runner release; the checksums are the
 * sha256 of the file name (there is no tarball behind these URLs), so a test
 * that needs to download something must set its own list.
 */
import { createHash } from "node:crypto";
import type { RunnerDownload } from "./state";

export const DEFAULT_RUNNER_VERSION = "2.329.0";

const PLATFORMS: [os: string, architecture: string, extension: string][] = [
    ["linux", "x64", "tar.gz"],
    ["linux", "arm64", "tar.gz"],
    ["linux", "arm", "tar.gz"],
    ["osx", "x64", "tar.gz"],
    ["osx", "arm64", "tar.gz"],
    ["win", "x64", "zip"],
    ["win", "arm64", "zip"],
];

export function defaultRunnerDownloads(version = DEFAULT_RUNNER_VERSION): RunnerDownload[] {
    return PLATFORMS.map(([os, architecture, extension]) => {
        const filename = `actions-runner-${os}-${architecture}-${version}.${extension}`;
        return {
            os,
            architecture,
            download_url: `https://github.com/actions/runner/releases/download/v${version}/${filename}`,
            filename,
            sha256_checksum: createHash("sha256").update(filename).digest("hex"),
        };
    });
}
