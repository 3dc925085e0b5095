/**
 * Which actions/runner tarball goes into the image, and its sha256.
 * GitHub's "list runner applications" API lists only the latest release, with
 * its checksum: "latest" takes that entry; a pinned version takes it when it
 * matches, and otherwise needs the checksum from the stack config.
 * https://docs.github.com/en/rest/actions/self-hosted-runners#list-runner-applications-for-an-organization
 */
import type { GithubClient } from "./client";
import { formatGithubPath, type GithubPath } from "./paths";
import { scopeEndpoint } from "./scope";

export type RunnerDownloadArch = "x64" | "arm64";

export interface RunnerDownload {
    url: string;
    filename: string;
    sha256: string;
    version: string;
}

export interface RunnerDownloadRequest {
    arch: RunnerDownloadArch;
    /** "latest" or a release such as "2.321.0". */
    version: string;
    /** Needed for a pinned version that GitHub no longer lists as latest. */
    sha256?: string;
}

/** The runner tarball cannot be chosen or verified; the message names the cause and the fix. */
export class RunnerBinaryError extends Error {
    constructor(message: string) {
        super(message);
        this.name = new.target.name;
    }
}

const VERSION = /^\d+\.\d+\.\d+$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** The release URL actions/runner publishes every version under. */
export function runnerReleaseUrl(version: string, arch: RunnerDownloadArch): { url: string; filename: string } {
    const filename = `actions-runner-linux-${arch}-${version}.tar.gz`;
    return { url: `https://github.com/actions/runner/releases/download/v${version}/${filename}`, filename };
}

/** The version in a runner tarball's file name, e.g. actions-runner-linux-x64-2.321.0.tar.gz. */
export function versionOfRunnerFilename(filename: string): string | undefined {
    return /-(\d+\.\d+\.\d+)\.tar\.gz$/.exec(filename)?.[1];
}

function validateRequest(request: RunnerDownloadRequest): void {
    if (request.version !== "latest" && !VERSION.test(request.version)) {
        throw new RunnerBinaryError(`runner version must be "latest" or a release such as 2.321.0, got "${request.version}"`);
    }
    if (request.sha256 !== undefined && !SHA256.test(request.sha256)) {
        throw new RunnerBinaryError(`runner sha256 must be 64 lowercase hex characters, got "${request.sha256}"`);
    }
    if (request.version === "latest" && request.sha256 !== undefined) {
        throw new RunnerBinaryError(
            `a runner sha256 was given with runner version "latest": the checksum of the latest release comes from GitHub; pin a version to give its checksum`,
        );
    }
}

interface ListedApplication {
    os: string;
    architecture: string;
    download_url: string;
    filename: string;
    sha256_checksum?: string;
}

async function listRunnerApplications(client: GithubClient, path: GithubPath): Promise<ListedApplication[]> {
    const { route, params } = scopeEndpoint("GET", path, "/actions/runners/downloads");
    try {
        const response = await client.request(route, params);
        return response.data as ListedApplication[];
    } catch (error) {
        const status = (error as { status?: unknown }).status;
        const cause = typeof status === "number" ? `HTTP ${status}` : (error as Error).message;
        throw new RunnerBinaryError(
            `could not list runner applications for "${formatGithubPath(path)}" (${cause}); check the GitHub path and that the token or App may read its self-hosted runners`,
        );
    }
}

function linuxEntry(applications: ListedApplication[], arch: RunnerDownloadArch, path: GithubPath): RunnerDownload {
    const entry = applications.find((application) => application.os === "linux" && application.architecture === arch);
    if (entry === undefined) {
        throw new RunnerBinaryError(`GitHub lists no linux/${arch} runner for "${formatGithubPath(path)}"`);
    }
    const version = versionOfRunnerFilename(entry.filename);
    if (version === undefined) {
        throw new RunnerBinaryError(`GitHub's linux/${arch} runner file name "${entry.filename}" carries no version`);
    }
    if (entry.sha256_checksum === undefined || !SHA256.test(entry.sha256_checksum)) {
        throw new RunnerBinaryError(
            `GitHub lists no sha256 for ${entry.filename} (a GitHub Enterprise Server too old to list checksums?); pin runnerVersion and set runnerSha256`,
        );
    }
    return { url: entry.download_url, filename: entry.filename, sha256: entry.sha256_checksum, version };
}

/**
 * The runner tarball for linux/arch: from GitHub's list for "latest" or a
 * matching pin; from the actions/runner release and the given sha256 for
 * another pin (without asking GitHub when the sha256 is given).
 */
export async function findRunnerDownload(client: GithubClient, path: GithubPath, request: RunnerDownloadRequest): Promise<RunnerDownload> {
    validateRequest(request);
    if (request.version !== "latest" && request.sha256 !== undefined) {
        return { ...runnerReleaseUrl(request.version, request.arch), sha256: request.sha256, version: request.version };
    }
    const listed = linuxEntry(await listRunnerApplications(client, path), request.arch, path);
    if (request.version === "latest" || listed.version === request.version) {
        return listed;
    }
    throw new RunnerBinaryError(
        `runner version ${request.version} is pinned but GitHub lists only ${listed.version} for linux/${request.arch}, so its sha256 cannot come from GitHub: set runnerSha256 to the checksum from the actions/runner release notes, or use runnerVersion "latest"`,
    );
}
