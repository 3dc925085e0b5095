import assert from "node:assert/strict";
import { createServer, type AddressInfo } from "node:net";
import { after, before, beforeEach, test } from "node:test";
import { createGithubClient, type GithubClient } from "../components/github/client";
import { GithubRegistrationError, GithubRunnerBusyError, GithubRunnerGroupNotFoundError } from "../components/github/errors";
import type { GithubPath } from "../components/github/paths";
import {
    findRunnerByName,
    getRunner,
    forgetSharedRunnerListings,
    listRunners,
    removeRunner,
    runnerGroupId,
    sharedRunnerListing,
} from "../components/github/runners";
import { FakeGithub } from "./fake-github";

const TOKEN = "ghp_runners_test_token";
const ORG: GithubPath = { kind: "org", org: "acme" };
const REPO: GithubPath = { kind: "repo", owner: "acme", repo: "app" };

let fake: FakeGithub;
let client: GithubClient;

before(async () => {
    fake = await FakeGithub.start({});
    fake.addToken(TOKEN);
    client = createGithubClient({ apiUrl: fake.apiUrl, auth: { kind: "token", token: TOKEN } }, { retries: 1, retryAfterBaseMs: 1, writeSpacingMs: 0 });
});

after(async () => {
    fake.assertNoContractViolations();
    await fake.stop();
});

let scopeCounter = 0;
/** A fresh org per test, so tests do not see each other's runners. */
function freshOrg(): GithubPath & { kind: "org" } {
    scopeCounter += 1;
    const org = `acme${scopeCounter}`;
    fake.addOrg(org);
    return { kind: "org", org };
}

function requestsSince(mark: number) {
    return fake.requests.slice(mark);
}

beforeEach(() => forgetSharedRunnerListings());

test("listRunners reads every page, 100 runners a page", async () => {
    const path = freshOrg();
    fake.addRunners(path.org, 250, "bulk");
    const mark = fake.requests.length;
    const runners = await listRunners(client, fake.apiUrl, path);
    assert.equal(runners.length, 250);
    assert.deepEqual(new Set(runners.map((r) => r.name)).size, 250);
    const calls = requestsSince(mark);
    assert.deepEqual(
        calls.map((r) => [r.method, r.path, r.query.per_page, r.query.page ?? "1"]),
        [
            ["GET", `/orgs/${path.org}/actions/runners`, "100", "1"],
            ["GET", `/orgs/${path.org}/actions/runners`, "100", "2"],
            ["GET", `/orgs/${path.org}/actions/runners`, "100", "3"],
        ],
    );
});

test("listRunners works for a repository", async () => {
    fake.addOrg("acme");
    fake.addRepo("acme", "app");
    fake.addRunners("acme/app", 3, "repo-runner", { status: "online", busy: true });
    const runners = await listRunners(client, fake.apiUrl, REPO);
    assert.deepEqual(
        runners.map((r) => [r.name, r.status, r.busy]),
        [
            ["repo-runner-1", "online", true],
            ["repo-runner-2", "online", true],
            ["repo-runner-3", "online", true],
        ],
    );
});

test("sharedRunnerListing: 150 concurrent and later callers share one listing (2 pages, no per-runner calls)", async () => {
    const path = freshOrg();
    fake.addRunners(path.org, 150, "slot");
    const mark = fake.requests.length;
    const concurrent = await Promise.all(Array.from({ length: 150 }, () => sharedRunnerListing(client, fake.apiUrl, path)));
    const later = await sharedRunnerListing(client, fake.apiUrl, path);
    assert.equal(later.length, 150);
    assert.ok(concurrent.every((listing) => listing === later));
    const calls = requestsSince(mark);
    assert.equal(calls.length, 2);
    assert.ok(calls.every((r) => r.method === "GET" && r.path === `/orgs/${path.org}/actions/runners`));
});

test("sharedRunnerListing keeps one listing per (apiUrl, path)", async () => {
    const first = freshOrg();
    const second = freshOrg();
    fake.addRunners(first.org, 2, "first");
    fake.addRunners(second.org, 1, "second");
    const mark = fake.requests.length;
    const [a, b] = await Promise.all([sharedRunnerListing(client, fake.apiUrl, first), sharedRunnerListing(client, `${fake.apiUrl}/`, second)]);
    await sharedRunnerListing(client, `${fake.apiUrl}/`, first);
    assert.deepEqual(a.map((r) => r.name), ["first-1", "first-2"]);
    assert.deepEqual(b.map((r) => r.name), ["second-1"]);
    assert.equal(requestsSince(mark).length, 2);
});

test("a failed shared listing is reported with its cause and fix, then forgotten so a later call retries", async () => {
    const path = freshOrg();
    fake.failNext({ method: "GET", path: `/orgs/${path.org}/actions/runners` }, { status: 401 });
    await assert.rejects(sharedRunnerListing(client, fake.apiUrl, path), (error: unknown) => {
        assert.ok(error instanceof GithubRegistrationError);
        assert.equal(error.status, 401);
        assert.equal(
            error.message,
            `listing the runners of org "${path.org}" failed: HTTP 401 "Bad credentials"; fix: check the GitHub credentials: the token is invalid or expired (for a GitHub App: the app id, installation id and private key)`,
        );
        assert.ok(!error.message.includes(TOKEN));
        return true;
    });
    assert.deepEqual(await sharedRunnerListing(client, fake.apiUrl, path), []);
});

test("findRunnerByName asks GitHub for that name and matches exactly", async () => {
    const path = freshOrg();
    fake.addRunners(path.org, 12, "named");
    const mark = fake.requests.length;
    const found = await findRunnerByName(client, fake.apiUrl, path, "named-1");
    assert.equal(found?.name, "named-1");
    assert.equal(requestsSince(mark)[0].query.name, "named-1");
    assert.equal(await findRunnerByName(client, fake.apiUrl, path, "named-99"), undefined);
});

test("removeRunner removes, then reports an already removed runner as gone (404)", async () => {
    const path = freshOrg();
    const [runner] = fake.addRunners(path.org, 1, "remove-me");
    assert.equal(await removeRunner(client, fake.apiUrl, path, runner), "removed");
    assert.equal(fake.runner(path.org, "remove-me-1"), undefined);
    assert.equal(await removeRunner(client, fake.apiUrl, path, runner), "already-gone");
});

test("removeRunner refuses a busy runner with a message naming it and what to do", async () => {
    const path = freshOrg();
    const [runner] = fake.addRunners(path.org, 1, "busy", { status: "online", busy: true });
    await assert.rejects(removeRunner(client, fake.apiUrl, path, runner), (error: unknown) => {
        assert.ok(error instanceof GithubRunnerBusyError);
        assert.equal(error.status, 422);
        assert.match(error.message, new RegExp(`^runner "busy-1" \\(id ${runner.id}\\) in org "${path.org}" is busy running a job`));
        assert.match(error.message, /fix: wait for the job to finish \(or cancel it in GitHub Actions\), then run `pulumi up` or `pulumi destroy` again/);
        return true;
    });
    assert.ok(fake.runner(path.org, "busy-1"), "the busy runner is still registered");
});

test("removeRunner on a repository, and a server error after retries", async () => {
    fake.addOrg("acme");
    fake.addRepo("acme", "app");
    const [runner] = fake.addRunners("acme/app", 1, "repo-remove");
    fake.failNext({ method: "DELETE" }, { status: 503 }, 2);
    await assert.rejects(removeRunner(client, fake.apiUrl, REPO, runner), (error: unknown) => {
        assert.ok(error instanceof GithubRegistrationError);
        assert.equal(
            error.message,
            `removing runner "repo-remove-1" (id ${runner.id}) from repo "acme/app" failed: HTTP 503 "Service Unavailable"; fix: GitHub had a server error (retried already); run again later`,
        );
        return true;
    });
    assert.equal(await removeRunner(client, fake.apiUrl, REPO, runner), "removed");
});

test("runnerGroupId: repositories and orgs without a group use group 1 without asking GitHub", async () => {
    const mark = fake.requests.length;
    assert.equal(await runnerGroupId(client, fake.apiUrl, REPO, undefined), 1);
    assert.equal(await runnerGroupId(client, fake.apiUrl, ORG, undefined), 1);
    assert.equal(requestsSince(mark).length, 0);
});

test("runnerGroupId finds an org group by its exact name", async () => {
    const path = freshOrg();
    fake.addRunnerGroup(path.org, "gpu");
    const linux = fake.addRunnerGroup(path.org, "linux");
    assert.equal(await runnerGroupId(client, fake.apiUrl, path, "linux"), linux);
    assert.equal(await runnerGroupId(client, fake.apiUrl, path, "Default"), 1);
});

test("runnerGroupId: one look-up per process for all slots of a group; a failed look-up is retried", async () => {
    const path = freshOrg();
    const linux = fake.addRunnerGroup(path.org, "linux");
    fake.failNext({ path: `/orgs/${path.org}/actions/runner-groups` }, { status: 403 });
    await assert.rejects(runnerGroupId(client, fake.apiUrl, path, "linux"));
    const mark = fake.requests.length;
    const ids = await Promise.all(Array.from({ length: 8 }, () => runnerGroupId(client, fake.apiUrl, path, "linux")));
    assert.deepEqual(new Set(ids), new Set([linux]));
    assert.equal(requestsSince(mark).filter((r) => r.path.endsWith("/runner-groups")).length, 1);
});

test("runnerGroupId: an unknown group names the group, the org and the groups there", async () => {
    const path = freshOrg();
    fake.addRunnerGroup(path.org, "linux");
    await assert.rejects(runnerGroupId(client, fake.apiUrl, path, "Linux"), (error: unknown) => {
        assert.ok(error instanceof GithubRunnerGroupNotFoundError);
        assert.equal(
            error.message,
            `runner group "Linux" not found in org "${path.org}" (groups there: "Default", "linux"); fix: create the group in the organization's Actions settings, or correct the runner group name in the stack config`,
        );
        return true;
    });
});

test("runnerGroupId: missing permission (403) says which permission", async () => {
    const path = freshOrg();
    fake.failNext({ path: `/orgs/${path.org}/actions/runner-groups` }, { status: 403 });
    await assert.rejects(runnerGroupId(client, fake.apiUrl, path, "linux"), (error: unknown) => {
        assert.ok(error instanceof GithubRegistrationError);
        assert.match(error.message, new RegExp(`^looking up runner group "linux" in org "${path.org}" failed: HTTP 403 "Resource not accessible by integration"; fix: the credentials lack permission`));
        assert.match(error.message, /"Self-hosted runners: write" \(organization\) or "Administration: write" \(repository\)/);
        return true;
    });
});

test("an unknown org (404) says to check the path and the credentials", async () => {
    await assert.rejects(listRunners(client, fake.apiUrl, { kind: "org", org: "nobody-here" }), (error: unknown) => {
        assert.ok(error instanceof GithubRegistrationError);
        assert.match(error.message, /^listing the runners of org "nobody-here" failed: HTTP 404 "Not Found"; fix: check that the organization or repository exists/);
        return true;
    });
});

async function closedPortUrl(): Promise<string> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return `http://127.0.0.1:${port}`;
}

test("an unreachable API names the URL and the network error", async () => {
    const url = await closedPortUrl();
    const closed = createGithubClient({ apiUrl: url, auth: { kind: "token", token: TOKEN } }, { retries: 0 });
    await assert.rejects(listRunners(closed, url, ORG), (error: unknown) => {
        assert.ok(error instanceof GithubRegistrationError);
        assert.equal(error.status, undefined);
        assert.equal(error.message, `listing the runners of org "acme" failed: no HTTP response (ECONNREFUSED); fix: check that ${url} is reachable from here`);
        return true;
    });
});

test("an unreadable GitHub App private key fails before any request, saying what the key must be", async () => {
    const path = freshOrg();
    const badKey = "-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----";
    const appClient = createGithubClient({ apiUrl: fake.apiUrl, auth: { kind: "app", appId: "1", installationId: 2, privateKey: badKey } }, { retries: 0 });
    const mark = fake.requests.length;
    await assert.rejects(listRunners(appClient, fake.apiUrl, path), (error: unknown) => {
        assert.ok(error instanceof GithubRegistrationError);
        assert.match(error.message, new RegExp(`^listing the runners of org "${path.org}" failed: the request could not be prepared \\(ERR_OSSL_[A-Z_]+: .*\\); fix: check the GitHub connection settings: a GitHub App needs its PEM private key`));
        assert.ok(!error.message.includes("bm90IGEga2V5"));
        return true;
    });
    assert.equal(fake.requests.length, mark);
});

test("getRunner reads one runner, reports a removed one as undefined, and explains other failures", async () => {
    const path = freshOrg();
    const [runner] = fake.addRunners(path.org, 1, "read-me", { status: "online", busy: true });
    assert.deepEqual(await getRunner(client, fake.apiUrl, path, runner), { id: runner.id, name: "read-me-1", status: "online", busy: true });
    fake.removeRunner(path.org, "read-me-1");
    assert.equal(await getRunner(client, fake.apiUrl, path, runner), undefined);
    fake.failNext({ method: "GET", path: `/orgs/${path.org}/actions/runners/${runner.id}` }, { status: 401 });
    await assert.rejects(getRunner(client, fake.apiUrl, path, runner), {
        message: `reading runner "read-me-1" (id ${runner.id}) of org "${path.org}" failed: HTTP 401 "Bad credentials"; fix: check the GitHub credentials: the token is invalid or expired (for a GitHub App: the app id, installation id and private key)`,
    });
});
