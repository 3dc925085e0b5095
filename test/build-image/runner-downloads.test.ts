import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createGithubClient, type GithubClient } from "../../components/github/client";
import { findRunnerDownload, RunnerBinaryError } from "../../components/github/downloads";
import type { GithubPath } from "../../components/github/paths";
import { DEFAULT_RUNNER_VERSION, defaultRunnerDownloads, FakeGithub } from "../fake-github";

const ORG: GithubPath = { kind: "org", org: "acme" };
const REPO: GithubPath = { kind: "repo", owner: "acme", repo: "app" };
const PINNED_SHA = "ab".repeat(32);

let fake: FakeGithub;
let client: GithubClient;

before(async () => {
    fake = await FakeGithub.start();
    fake.addToken("ghp_downloads");
    fake.addOrg("acme");
    fake.addRepo("acme", "app");
    client = createGithubClient({ apiUrl: fake.apiUrl, auth: { kind: "token", token: "ghp_downloads" } }, { retries: 0, retryAfterBaseMs: 1 });
});

after(async () => {
    fake.assertNoContractViolations();
    await fake.stop();
});

const listed = (arch: string) => defaultRunnerDownloads().find((d) => d.os === "linux" && d.architecture === arch)!;

test("latest takes GitHub's linux entry for the arch, for an org and for a repo", async () => {
    for (const path of [ORG, REPO]) {
        for (const arch of ["x64", "arm64"] as const) {
            const download = await findRunnerDownload(client, path, { arch, version: "latest" });
            assert.deepEqual(download, {
                url: listed(arch).download_url,
                filename: listed(arch).filename,
                sha256: listed(arch).sha256_checksum,
                version: DEFAULT_RUNNER_VERSION,
            });
        }
    }
    const paths = fake.requests.map((r) => r.path);
    assert.ok(paths.includes("/orgs/acme/actions/runners/downloads"));
    assert.ok(paths.includes("/repos/acme/app/actions/runners/downloads"));
});

test("a pinned version GitHub lists takes GitHub's checksum", async () => {
    const download = await findRunnerDownload(client, ORG, { arch: "x64", version: DEFAULT_RUNNER_VERSION });
    assert.equal(download.sha256, listed("x64").sha256_checksum);
});

test("another pinned version needs its sha256 and then builds the release URL without asking GitHub", async () => {
    await assert.rejects(
        findRunnerDownload(client, ORG, { arch: "arm64", version: "2.300.0" }),
        (error: Error) =>
            error instanceof RunnerBinaryError &&
            error.message ===
                `runner version 2.300.0 is pinned but GitHub lists only ${DEFAULT_RUNNER_VERSION} for linux/arm64, so its sha256 cannot come from GitHub: set runnerSha256 to the checksum from the actions/runner release notes, or use runnerVersion "latest"`,
    );
    const before = fake.requests.length;
    const download = await findRunnerDownload(client, ORG, { arch: "arm64", version: "2.300.0", sha256: PINNED_SHA });
    assert.deepEqual(download, {
        url: "https://github.com/actions/runner/releases/download/v2.300.0/actions-runner-linux-arm64-2.300.0.tar.gz",
        filename: "actions-runner-linux-arm64-2.300.0.tar.gz",
        sha256: PINNED_SHA,
        version: "2.300.0",
    });
    assert.equal(fake.requests.length, before, "no GitHub call for a pinned version with its checksum");
});

test("bad requests and GitHub failures give one clear error", async () => {
    await assert.rejects(findRunnerDownload(client, ORG, { arch: "x64", version: "2.3" }), /runner version must be "latest" or a release such as 2\.321\.0, got "2\.3"/);
    await assert.rejects(findRunnerDownload(client, ORG, { arch: "x64", version: "2.300.0", sha256: "XYZ" }), /runner sha256 must be 64 lowercase hex characters, got "XYZ"/);
    await assert.rejects(findRunnerDownload(client, ORG, { arch: "x64", version: "latest", sha256: PINNED_SHA }), /a runner sha256 was given with runner version "latest"/);
    await assert.rejects(
        findRunnerDownload(client, { kind: "org", org: "nobody" }, { arch: "x64", version: "latest" }),
        /could not list runner applications for "nobody" \(HTTP 404\); check the GitHub path/,
    );
    const badToken = createGithubClient({ apiUrl: fake.apiUrl, auth: { kind: "token", token: "ghp_wrong" } }, { retries: 0 });
    await assert.rejects(findRunnerDownload(badToken, REPO, { arch: "x64", version: "latest" }), (error: Error) => {
        assert.match(error.message, /could not list runner applications for "acme\/app" \(HTTP 401\)/);
        assert.ok(!error.message.includes("ghp_wrong"), "the token is not in the message");
        return true;
    });
    fake.setDownloads(defaultRunnerDownloads().filter((d) => d.architecture !== "arm64"));
    await assert.rejects(findRunnerDownload(client, ORG, { arch: "arm64", version: "latest" }), /GitHub lists no linux\/arm64 runner for "acme"/);
    fake.setDownloads(defaultRunnerDownloads());
});
