/**
 * The fake GitHub, driven by the project's real client (Octokit with retry,
 * throttling and App auth) and by raw fetch where a client would never send
 * what the test needs. Every test ends by asserting the OpenAPI contract held.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { createGithubClient, type GithubClientTuning } from "../components/github/client";
import { decodeJitConfig, FakeGithub } from "./fake-github";
import { assignJobsWhenOnline } from "./standin-runner/jobs";

const TOKEN = "ghp_fake_token_for_tests";
const FAST: GithubClientTuning = { retryAfterBaseMs: 1 };
/** For answers the retry plugin would otherwise repeat (it retries 409 and 500). */
const NO_RETRY: GithubClientTuning = { retryAfterBaseMs: 1, retries: 0 };

let fake: FakeGithub;

before(async () => {
    fake = await FakeGithub.start();
});

after(async () => {
    await fake.stop();
});

let worldCount = 0;
/** A fresh org and repo per test, so tests do not see each other's runners. */
function freshWorld(): { org: string; owner: string; repo: string; scope: string } {
    worldCount++;
    const org = `acme${worldCount}`;
    fake.addToken(TOKEN);
    fake.addOrg(org);
    fake.addRepo(org, "app");
    return { org, owner: org, repo: "app", scope: `${org}/app` };
}

function client(tuning: GithubClientTuning = FAST, token = TOKEN) {
    return createGithubClient({ apiUrl: fake.apiUrl, auth: { kind: "token", token } }, tuning);
}

async function statusOf(promise: Promise<unknown>): Promise<number> {
    try {
        await promise;
    } catch (error) {
        return (error as { status: number }).status;
    }
    return assert.fail("expected the request to fail");
}

beforeEach(() => {
    fake.requests.length = 0;
});

test("generate-jitconfig registers an offline ephemeral runner and a duplicate name answers 409", async () => {
    const { owner, repo, scope } = freshWorld();
    const gh = client(NO_RETRY);
    const created = await gh.rest.actions.generateRunnerJitconfigForRepo({
        owner,
        repo,
        name: "pool-a-0001",
        runner_group_id: 1,
        labels: ["jammy", "x64"],
        work_folder: "_work",
    });
    assert.equal(created.status, 201);
    assert.equal(created.data.runner.name, "pool-a-0001");
    assert.equal(created.data.runner.status, "offline");
    assert.equal(created.data.runner.busy, false);
    assert.deepEqual(created.data.runner.labels.map((l) => l.name), ["jammy", "x64"]);

    const decoded = decodeJitConfig(created.data.encoded_jit_config);
    assert.equal(decoded?.runner_id, created.data.runner.id);
    assert.equal(decoded?.runner_name, "pool-a-0001");
    assert.equal(decoded?.scope, scope);
    assert.equal(decoded?.side_channel_url, fake.sideChannelUrl);
    assert.deepEqual(fake.runners(scope).map((r) => [r.name, r.status, r.ephemeral]), [["pool-a-0001", "offline", true]]);

    const duplicate = gh.rest.actions.generateRunnerJitconfigForRepo({ owner, repo, name: "pool-a-0001", runner_group_id: 1, labels: ["x64"] });
    assert.equal(await statusOf(duplicate), 409);
    assert.equal(fake.runners(scope).length, 1);
    fake.assertNoContractViolations();
});

test("listing 250 runners takes three pages of 100 linked by Link headers", async () => {
    const { org } = freshWorld();
    fake.addRunners(org, 250, "big");
    const runners = await client().paginate(client().rest.actions.listSelfHostedRunnersForOrg, { org, per_page: 100 });
    assert.equal(runners.length, 250);
    assert.equal(new Set(runners.map((r) => r.id)).size, 250);
    assert.deepEqual(
        fake.requests.map((r) => r.query.page ?? "1"),
        ["1", "2", "3"],
    );

    const first = await fetch(`${fake.apiUrl}/orgs/${org}/actions/runners?per_page=100`, { headers: { authorization: `token ${TOKEN}` } });
    const link = first.headers.get("link") ?? "";
    assert.match(link, /[?&]page=2>; rel="next"/);
    assert.match(link, /[?&]page=3>; rel="last"/);
    assert.doesNotMatch(link, /rel="prev"/);
    const firstBody = (await first.json()) as { total_count: number; runners: unknown[] };
    assert.equal(firstBody.total_count, 250);
    assert.equal(firstBody.runners.length, 100);

    const last = await fetch(`${fake.apiUrl}/orgs/${org}/actions/runners?per_page=100&page=3`, { headers: { authorization: `token ${TOKEN}` } });
    assert.match(last.headers.get("link") ?? "", /page=2>; rel="prev".*page=1>; rel="first"/);
    assert.equal(((await last.json()) as { runners: unknown[] }).runners.length, 50);

    // GitHub caps per_page at 100 rather than refusing larger values.
    const capped = await client().rest.actions.listSelfHostedRunnersForOrg({ org, per_page: 500 });
    assert.equal(capped.data.runners.length, 100);
    const byName = await client().rest.actions.listSelfHostedRunnersForOrg({ org, name: "big-7" });
    assert.deepEqual(byName.data.runners.map((r) => r.name), ["big-7"]);
    assert.equal(byName.data.total_count, 1);
    assert.deepEqual(fake.writes(), []);
    fake.assertNoContractViolations();
});

test("delete answers 204, then 404 for the gone runner, and 422 while a runner is busy", async () => {
    const { org, scope, owner, repo } = freshWorld();
    const [idle, busy] = fake.addRunners(scope, 2, "del", { status: "online" });
    fake.setRunner(scope, busy.name, { busy: true });
    const gh = client();
    const deleted = await gh.rest.actions.deleteSelfHostedRunnerFromRepo({ owner, repo, runner_id: idle.id });
    assert.equal(deleted.status, 204);
    assert.equal(await statusOf(gh.rest.actions.deleteSelfHostedRunnerFromRepo({ owner, repo, runner_id: idle.id })), 404);
    assert.equal(await statusOf(gh.rest.actions.deleteSelfHostedRunnerFromRepo({ owner, repo, runner_id: busy.id })), 422);
    assert.deepEqual(fake.runners(scope).map((r) => r.name), [busy.name]);
    assert.equal(await statusOf(gh.rest.actions.getSelfHostedRunnerForOrg({ org, runner_id: busy.id })), 404, "scopes do not share runners");
    const got = await gh.rest.actions.getSelfHostedRunnerForRepo({ owner, repo, runner_id: busy.id });
    assert.equal(got.data.busy, true);
    fake.assertNoContractViolations();
});

/** A fake of its own for tests that move the clock, so other tests keep the real time. */
async function withOwnFake(run: (own: FakeGithub) => Promise<void>): Promise<void> {
    const own = await FakeGithub.start();
    try {
        own.addToken(TOKEN);
        await run(own);
        own.assertNoContractViolations();
    } finally {
        await own.stop();
    }
}

test("a registration token lasts one hour and can be used more than once", () => withOwnFake(async (fake) => {
    const org = "timed";
    fake.addOrg(org);
    const gh = createGithubClient({ apiUrl: fake.apiUrl, auth: { kind: "token", token: TOKEN } }, FAST);
    const before = Date.now();
    const { data } = await gh.rest.actions.createRegistrationTokenForOrg({ org });
    const expiresIn = Date.parse(data.expires_at) - before;
    assert.ok(expiresIn > 59 * 60_000 && expiresIn <= 60 * 60_000 + 1000, `expires in ${expiresIn} ms`);
    assert.match(data.token, /^[A-Z2-7]{29}$/);

    const register = (name: string) =>
        fetch(`${fake.sideChannelUrl}/runners/register`, {
            method: "POST",
            body: JSON.stringify({ registration_token: data.token, name, labels: ["x64"] }),
        });
    assert.equal((await register("tok-1")).status, 201);
    assert.equal((await register("tok-2")).status, 201);
    assert.equal((await register("tok-2")).status, 409);
    fake.advanceTime(60 * 60_000 + 1);
    assert.equal((await register("tok-3")).status, 401);
    assert.deepEqual(fake.runners(org).map((r) => r.name), ["tok-1", "tok-2"]);

    const { data: remove } = await fetch(`${fake.apiUrl}/orgs/${org}/actions/runners/remove-token`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}` },
    }).then(async (r) => ({ data: (await r.json()) as { token: string } }));
    assert.match(remove.token, /^[A-Z2-7]{29}$/);
}));

test("offline runners expire as GitHub's do: ephemeral after a day, others after 14 days", () => withOwnFake(async (fake) => {
    fake.addOrg("aging");
    fake.addRunners("aging", 1, "never-connected");
    fake.addRunners("aging", 1, "persistent", { ephemeral: false });
    fake.addRunners("aging", 1, "online", { status: "online" });
    const names = async () => {
        const response = await fetch(`${fake.apiUrl}/orgs/aging/actions/runners`, { headers: { authorization: `token ${TOKEN}` } });
        return ((await response.json()) as { runners: { name: string }[] }).runners.map((r) => r.name);
    };
    fake.advanceTime(24 * 60 * 60_000 - 1000);
    assert.deepEqual(await names(), ["never-connected-1", "persistent-1", "online-1"]);
    fake.advanceTime(2000);
    assert.deepEqual(await names(), ["persistent-1", "online-1"]);
    fake.advanceTime(13 * 24 * 60 * 60_000);
    assert.deepEqual(await names(), ["online-1"], "a connected runner never expires");
}));

test("runner groups are listed per org, and a JIT config for an unknown group answers 404", async () => {
    const { org } = freshWorld();
    const linux = fake.addRunnerGroup(org, "linux");
    const gh = client(NO_RETRY);
    // @octokit/rest has no method for this endpoint; the registration code calls it by route.
    const { data } = await gh.request("GET /orgs/{org}/actions/runner-groups", { org });
    assert.equal(data.total_count, 2);
    assert.deepEqual(data.runner_groups.map((g) => [g.id, g.name, g.default]), [[1, "Default", true], [linux, "linux", false]]);
    fake.addRunnerGroup(org, "arm");
    const paged = await gh.paginate("GET /orgs/{org}/actions/runner-groups", { org, per_page: 2 });
    assert.deepEqual(paged.map((g) => g.name), ["Default", "linux", "arm"]);
    const unknown = gh.rest.actions.generateRunnerJitconfigForOrg({ org, name: "g-1", runner_group_id: 9999, labels: ["x"] });
    assert.equal(await statusOf(unknown), 404);
    assert.deepEqual(fake.runners(org), []);
    fake.assertNoContractViolations();
});

test("runner downloads default to one release and follow setDownloads", async () => {
    const { owner, repo } = freshWorld();
    const gh = client();
    const defaults = await gh.rest.actions.listRunnerApplicationsForRepo({ owner, repo });
    const linux = defaults.data.find((d) => d.os === "linux" && d.architecture === "x64");
    assert.match(linux?.filename ?? "", /^actions-runner-linux-x64-\d+\.\d+\.\d+\.tar\.gz$/);
    assert.match(linux?.sha256_checksum ?? "", /^[0-9a-f]{64}$/);

    const custom = [
        { os: "linux", architecture: "arm64", download_url: "http://10.0.2.2:8000/r.tar.gz", filename: "r.tar.gz", sha256_checksum: "ab".repeat(32) },
    ];
    fake.setDownloads(custom);
    const changed = await gh.rest.actions.listRunnerApplicationsForRepo({ owner, repo });
    assert.deepEqual(changed.data, custom);
    fake.setDownloads(defaults.data.map((d) => ({ ...d, sha256_checksum: d.sha256_checksum ?? "" })));
    fake.assertNoContractViolations();
});

test("an unknown token answers 401 with GitHub's error body, without retries", async () => {
    const { org } = freshWorld();
    const status = await statusOf(client(FAST, "ghp_unknown").rest.actions.listSelfHostedRunnersForOrg({ org }));
    assert.equal(status, 401);
    const raw = await fetch(`${fake.apiUrl}/orgs/${org}/actions/runners`);
    assert.equal(raw.status, 401);
    assert.deepEqual(await raw.json(), { message: "Requires authentication", documentation_url: "https://docs.github.com/rest", status: "401" });
    assert.equal(fake.requests.filter((r) => r.status === 401).length, 2);
    fake.assertNoContractViolations();
});

test("the client waits out a primary and a secondary rate limit, then succeeds", async () => {
    const { org } = freshWorld();
    fake.addRunners(org, 3, "rl");
    fake.failNext({ method: "GET", path: /\/actions\/runners$/ }, { status: 403, rateLimit: "primary" });
    fake.failNext({ method: "GET", path: /\/actions\/runners$/ }, { status: 403, rateLimit: "secondary" });
    fake.failNext({ method: "GET", path: /\/actions\/runners$/ }, { status: 429, rateLimit: "secondary" });
    const started = Date.now();
    const { data } = await client().rest.actions.listSelfHostedRunnersForOrg({ org });
    assert.equal(data.total_count, 3);
    assert.deepEqual(fake.requests.map((r) => r.status), [403, 403, 429, 200]);
    assert.ok(Date.now() - started < 5000, "retry waits are scaled down by retryAfterBaseMs");

    const raw = await fetch(`${fake.apiUrl}/orgs/${org}/actions/runners`, { headers: { authorization: `token ${TOKEN}` } });
    assert.equal(raw.headers.get("x-ratelimit-remaining"), "4999");
    fake.failNext({ path: `/orgs/${org}/actions/runners` }, { status: 403, rateLimit: "primary", retryAfterSeconds: 30 });
    const limited = await fetch(`${fake.apiUrl}/orgs/${org}/actions/runners`, { headers: { authorization: `token ${TOKEN}` } });
    assert.equal(limited.status, 403);
    assert.equal(limited.headers.get("x-ratelimit-remaining"), "0");
    assert.ok(Number(limited.headers.get("x-ratelimit-reset")) >= Math.floor(Date.now() / 1000) + 29);
    fake.assertNoContractViolations();
});

test("the client retries 5xx answers and then succeeds", async () => {
    const { org } = freshWorld();
    fake.failNext({ method: "GET", path: /\/downloads$/ }, { status: 503 });
    fake.failNext({ method: "GET", path: /\/downloads$/ }, { status: 502 });
    const { data } = await client().rest.actions.listRunnerApplicationsForOrg({ org });
    assert.ok(data.length > 0);
    assert.deepEqual(fake.requests.map((r) => r.status), [503, 502, 200]);
    assert.equal(fake.pendingFailures(), 0);

    fake.failNext({ method: "GET", path: /\/downloads$/ }, { status: 500 }, 10);
    assert.equal(await statusOf(client({ retryAfterBaseMs: 1, retries: 2 }).rest.actions.listRunnerApplicationsForOrg({ org })), 500);
    assert.equal(fake.pendingFailures(), 7, "one try and two retries");
    fake.clearFailures();
    assert.equal(fake.pendingFailures(), 0);
    fake.assertNoContractViolations();
});

test("an injected failure can wait for a number of normal answers first; a revoked token gets 401", async () => {
    const { org } = freshWorld();
    fake.failNext({ method: "GET", path: `/orgs/${org}/actions/runners` }, { status: 502 }, 1, 2);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
        statuses.push((await fetch(`${fake.apiUrl}/orgs/${org}/actions/runners`, { headers: { authorization: `token ${TOKEN}` } })).status);
    }
    assert.deepEqual(statuses, [200, 200, 502, 200]);
    const revoked = "ghp_revokedrevokedrevokedrevokedrevoked";
    fake.addToken(revoked);
    assert.equal((await fetch(`${fake.apiUrl}/orgs/${org}/actions/runners`, { headers: { authorization: `token ${revoked}` } })).status, 200);
    fake.revokeToken(revoked);
    assert.equal((await fetch(`${fake.apiUrl}/orgs/${org}/actions/runners`, { headers: { authorization: `token ${revoked}` } })).status, 401);
    fake.assertNoContractViolations();
});

test("GitHub App auth: @octokit/auth-app trades a verified JWT for an installation token", async () => {
    const { org } = freshWorld();
    const app = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const publicKeyPem = app.publicKey.export({ type: "spki", format: "pem" }).toString();
    const privateKey = app.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    fake.addApp({ appId: "4242", installationId: 77, publicKeyPem });

    const gh = createGithubClient({ apiUrl: fake.apiUrl, auth: { kind: "app", appId: "4242", installationId: 77, privateKey } }, FAST);
    const first = await gh.rest.actions.listSelfHostedRunnersForOrg({ org });
    await gh.rest.actions.listRunnerApplicationsForOrg({ org });
    assert.equal(first.status, 200);
    assert.deepEqual(
        fake.requests.map((r) => [r.method, r.path, r.status]),
        [
            ["POST", "/app/installations/77/access_tokens", 201],
            ["GET", `/orgs/${org}/actions/runners`, 200],
            ["GET", `/orgs/${org}/actions/runners/downloads`, 200],
        ],
        "the installation token is cached for the second call",
    );

    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const wrongKey = stranger.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const forged = createGithubClient({ apiUrl: fake.apiUrl, auth: { kind: "app", appId: "4242", installationId: 77, privateKey: wrongKey } }, FAST);
    assert.equal(await statusOf(forged.rest.actions.listSelfHostedRunnersForOrg({ org })), 401);
    const otherInstallation = createGithubClient({ apiUrl: fake.apiUrl, auth: { kind: "app", appId: "4242", installationId: 78, privateKey } }, FAST);
    assert.equal(await statusOf(otherInstallation.rest.actions.listSelfHostedRunnersForOrg({ org })), 404);
    fake.assertNoContractViolations();
});

test("installation tokens expire after one hour", () => withOwnFake(async (fake) => {
    const org = "timed";
    fake.addOrg(org);
    const app = generateKeyPairSync("rsa", { modulusLength: 2048 });
    fake.addApp({ appId: "99", installationId: 5, publicKeyPem: app.publicKey.export({ type: "spki", format: "pem" }).toString() });
    const privateKey = app.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const gh = createGithubClient({ apiUrl: fake.apiUrl, auth: { kind: "app", appId: "99", installationId: 5, privateKey } }, FAST);
    const token = (await gh.auth({ type: "installation" })) as { token: string; expiresAt: string };
    assert.ok(Date.parse(token.expiresAt) - Date.now() > 59 * 60_000);
    const withToken = () => fetch(`${fake.apiUrl}/orgs/${org}/actions/runners`, { headers: { authorization: `token ${token.token}` } });
    assert.equal((await withToken()).status, 200);
    fake.advanceTime(60 * 60_000 + 1);
    assert.equal((await withToken()).status, 401);
}));

test("GHES: served under /api/v3 and checked against the Enterprise Server description", async () => {
    const ghes = await FakeGithub.start({ basePath: "/api/v3" });
    try {
        assert.match(ghes.apiUrl, /^http:\/\/127\.0\.0\.1:\d+\/api\/v3$/);
        assert.equal(ghes.specName, "ghes-3.17");
        ghes.addToken(TOKEN);
        ghes.addOrg("corp");
        const gh = createGithubClient({ apiUrl: ghes.apiUrl, auth: { kind: "token", token: TOKEN } }, NO_RETRY);
        const created = await gh.rest.actions.generateRunnerJitconfigForOrg({ org: "corp", name: "e-1", runner_group_id: 1, labels: ["x64"] });
        assert.equal(decodeJitConfig(created.data.encoded_jit_config)?.github_url, `${new URL(ghes.apiUrl).origin}/corp`);
        const { data } = await gh.rest.actions.listSelfHostedRunnersForOrg({ org: "corp" });
        assert.deepEqual(data.runners.map((r) => r.name), ["e-1"]);
        const groups = await gh.request("GET /orgs/{org}/actions/runner-groups", { org: "corp" });
        assert.deepEqual(groups.data.runner_groups.map((g) => g.name), ["Default"]);
        const downloads = await gh.rest.actions.listRunnerApplicationsForOrg({ org: "corp" });
        assert.ok(downloads.data.some((d) => d.os === "linux" && d.architecture === "arm64"));
        assert.deepEqual(ghes.requests.map((r) => r.path), [
            "/orgs/corp/actions/runners/generate-jitconfig",
            "/orgs/corp/actions/runners",
            "/orgs/corp/actions/runner-groups",
            "/orgs/corp/actions/runners/downloads",
        ]);
        ghes.assertNoContractViolations();

        // A client that forgot the /api/v3 prefix is caught.
        const origin = new URL(ghes.apiUrl).origin;
        const stray = await fetch(`${origin}/orgs/corp/actions/runners`, { headers: { authorization: `token ${TOKEN}` } });
        assert.equal(stray.status, 500);
        assert.equal(ghes.contractViolations[0]?.stage, "routing");
    } finally {
        await ghes.stop();
    }
});

test("side channel: a stand-in runner goes online, takes a job, and vanishes when done", async () => {
    const { owner, repo, scope } = freshWorld();
    const gh = client(NO_RETRY);
    const { data } = await gh.rest.actions.generateRunnerJitconfigForRepo({ owner, repo, name: "vm-1", runner_group_id: 1, labels: ["x64"] });
    const report = (action: string, body: object) =>
        fetch(`${fake.sideChannelUrl}/runners/${action}`, { method: "POST", body: JSON.stringify(body) });
    const byJit = { jit_config: data.encoded_jit_config };

    const online = fake.waitForRunner(scope, "vm-1", (r) => r?.status === "online", 2000);
    assert.equal((await report("online", byJit)).status, 200);
    assert.equal((await online)?.id, data.runner.id);
    assert.equal((await gh.rest.actions.getSelfHostedRunnerForRepo({ owner, repo, runner_id: data.runner.id })).data.status, "online");
    assert.equal((await report("busy", { scope, name: "vm-1" })).status, 200);
    assert.equal(fake.runner(scope, "vm-1")?.busy, true);
    assert.equal(await statusOf(gh.rest.actions.deleteSelfHostedRunnerFromRepo({ owner, repo, runner_id: data.runner.id })), 422);
    const gone = fake.waitForRunner(scope, "vm-1", (r) => r === undefined, 2000);
    const done = await report("done", { scope, runner_id: data.runner.id });
    assert.equal(await gone, undefined);
    assert.deepEqual(await done.json(), { removed: true, id: data.runner.id, name: "vm-1", scope });
    assert.equal(await statusOf(gh.rest.actions.getSelfHostedRunnerForRepo({ owner, repo, runner_id: data.runner.id })), 404);
    assert.equal((await report("online", byJit)).status, 404, "a used JIT config names a runner that is gone");
    assert.equal((await report("online", { jit_config: "bm90IGEgY29uZmln" })).status, 404);

    await assert.rejects(fake.waitForRunner(scope, "vm-1", (r) => r !== undefined, 100), /did not reach the awaited state within 100 ms/);
    const listing = await fetch(`${fake.sideChannelUrl}/runners?scope=${encodeURIComponent(scope)}`);
    assert.deepEqual(await listing.json(), []);
    assert.ok(fake.requests.every((r) => !r.path.startsWith("/_fake")), "side channel calls stay out of the API log");
    fake.assertNoContractViolations();
});

test("contract: a wrong response, an unknown operation, bad queries and bad bodies are caught", async () => {
    const { org } = freshWorld();
    fake.addRunners(org, 1, "c");
    const auth = { authorization: `token ${TOKEN}` };

    fake.corruptNextResponse((body) => {
        const listing = body as { runners: Record<string, unknown>[] };
        delete listing.runners[0].os;
        return listing;
    });
    assert.equal(await statusOf(client(NO_RETRY).rest.actions.listSelfHostedRunnersForOrg({ org })), 500);
    fake.corruptNextResponse(() => ({ total_count: "one", runners: [] }));
    await fetch(`${fake.apiUrl}/orgs/${org}/actions/runners`, { headers: auth });
    fake.failNext({ method: "GET", path: `/orgs/${org}/actions/runners` }, { status: 409 });
    await fetch(`${fake.apiUrl}/orgs/${org}/actions/runners`, { headers: auth });
    await fetch(`${fake.apiUrl}/orgs/${org}/actions/runners/1/jobs`, { headers: auth });
    await fetch(`${fake.apiUrl}/orgs/${org}/actions/runners?per_page=many`, { headers: auth });
    await fetch(`${fake.apiUrl}/orgs/${org}/actions/runners?sort=name`, { headers: auth });
    await fetch(`${fake.apiUrl}/orgs/${org}/actions/runners/abc`, { headers: auth });
    const jit = (body: string) => fetch(`${fake.apiUrl}/orgs/${org}/actions/runners/generate-jitconfig`, { method: "POST", headers: auth, body });
    await jit(JSON.stringify({ name: "c-2", runner_group_id: 1, labels: [] }));
    await jit(JSON.stringify({ name: "c-2", runner_group_id: "1", labels: ["x"] }));
    await jit("{not json");
    await fetch(`${fake.apiUrl}/orgs/${org}/actions/runner-groups`, { method: "POST", headers: auth, body: JSON.stringify({ name: "g" }) });

    const found = fake.contractViolations.map((v) => `${v.stage}: ${v.problems.join("; ")}`);
    const expected = [
        /^response: answering 200: response body\/runners\/0 must have required property 'os'$/,
        /^response: answering 200: response body\/total_count must be integer$/,
        /^response: answering 409: status 409 is not declared by actions\/list-self-hosted-runners-for-org/,
        /^routing: api\.github\.com declares no path matching \/orgs\/acme\d+\/actions\/runners\/1\/jobs$/,
        /^request: query parameters\/per_page must be integer$/,
        /^request: query parameters must NOT have additional properties: sort$/,
        /^request: path parameters\/runner_id must be integer$/,
        /^request: request body\/labels must NOT have fewer than 1 items$/,
        /^request: request body\/runner_group_id must be integer$/,
        /^request: request body is not valid JSON$/,
        /^unimplemented: the fake does not implement actions\/create-self-hosted-runner-group-for-org$/,
    ];
    assert.equal(found.length, expected.length, found.join("\n"));
    expected.forEach((pattern, i) => assert.match(found[i], pattern));
    assert.throws(() => fake.assertNoContractViolations(), /11 contract violation/);
    assert.ok(fake.requests.slice(0, 11).every((r) => r.status === 500));
    assert.deepEqual(fake.runners(org).map((r) => r.name), ["c-1"], "no request that broke the contract changed state");
    fake.clearContractViolations();
    fake.assertNoContractViolations();
});

test("JIT configs honour org runner groups, reject other groups for repos and names over 64 characters", async () => {
    const { org, owner, repo } = freshWorld();
    const gpu = fake.addRunnerGroup(org, "gpu");
    const auth = { authorization: `token ${TOKEN}` };
    const jit = (path: string, body: object) => fetch(`${fake.apiUrl}${path}/actions/runners/generate-jitconfig`, { method: "POST", headers: auth, body: JSON.stringify(body) });

    const inGroup = await jit(`/orgs/${org}`, { name: "g-1", runner_group_id: gpu, labels: ["gpu"] });
    assert.equal(inGroup.status, 201);
    assert.equal(((await inGroup.json()) as { runner: { runner_group_id: number } }).runner.runner_group_id, gpu);
    assert.equal((await jit(`/repos/${owner}/${repo}`, { name: "g-2", runner_group_id: gpu, labels: ["x"] })).status, 404, "repo runners use group 1 only");
    const tooLong = await jit(`/orgs/${org}`, { name: "n".repeat(65), runner_group_id: 1, labels: ["x"] });
    assert.equal(tooLong.status, 422);
    assert.equal((await jit(`/orgs/${org}`, { name: "n".repeat(64), runner_group_id: 1, labels: ["x"] })).status, 201);
    assert.equal((await jit(`/orgs/nobody`, { name: "x", runner_group_id: 1, labels: ["x"] })).status, 404);
    assert.deepEqual(fake.runners(org).map((r) => r.name), ["g-1", "n".repeat(64)]);
    fake.assertNoContractViolations();
});

test("listens on all interfaces and advertises the address a VM reaches it by", async () => {
    const wide = await FakeGithub.start({ host: "0.0.0.0", advertisedOrigin: "http://10.0.2.2:{port}" });
    try {
        wide.addToken(TOKEN);
        wide.addOrg("vm");
        assert.equal(wide.apiUrl, `http://127.0.0.1:${wide.port}`);
        assert.equal(wide.sideChannelUrl, `http://10.0.2.2:${wide.port}/_fake`);
        const gh = createGithubClient({ apiUrl: wide.apiUrl, auth: { kind: "token", token: TOKEN } }, NO_RETRY);
        const { data } = await gh.rest.actions.generateRunnerJitconfigForOrg({ org: "vm", name: "vm-1", runner_group_id: 1, labels: ["x"] });
        assert.equal(decodeJitConfig(data.encoded_jit_config)?.side_channel_url, "http://10.0.2.2:" + wide.port + "/_fake");
        wide.assertNoContractViolations();
    } finally {
        await wide.stop();
    }
});

/** test/standin-runner's layout (run.sh, config.sh, bin/Runner.Listener), copied so its records stay out of the tree. */
async function standinRunnerCopy(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "fake-github-standin-"));
    await cp(join(__dirname, "standin-runner", "layout"), dir, { recursive: true });
    return dir;
}

/** A stand-in that waits for a job nobody gives would wait forever: it is killed after this long. */
const STANDIN_TIME_LIMIT_MS = 60_000;

function runStandin(dir: string, argv: string[]): Promise<{ status: number | null; output: string }> {
    return new Promise((resolve) => {
        const env = { PATH: "/usr/bin:/bin", HOME: dir, RUNNER_ALLOW_RUNASROOT: "1" };
        const child = spawn(argv[0], argv.slice(1), { cwd: dir, env });
        let output = "";
        const limit = setTimeout(() => {
            output += `\n[test] killed after ${STANDIN_TIME_LIMIT_MS} ms`;
            child.kill("SIGKILL");
        }, STANDIN_TIME_LIMIT_MS);
        child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
        child.on("close", (status) => {
            clearTimeout(limit);
            resolve({ status, output });
        });
    });
}

const standinSkip = existsSync("/usr/bin/python3") ? false : "the stand-in runner needs /usr/bin/python3";

test("the stand-in runner, given a JIT config from the fake, comes online, takes a job and is removed", { skip: standinSkip }, async () => {
    const { owner, repo, scope } = freshWorld();
    const { data } = await client(NO_RETRY).rest.actions.generateRunnerJitconfigForRepo({ owner, repo, name: "standin-jit", runner_group_id: 1, labels: ["x64"] });
    const dir = await standinRunnerCopy();
    const jobs = assignJobsWhenOnline(fake);
    try {
        const seenBusy = fake.waitForRunner(scope, "standin-jit", (r) => r?.busy === true, 20_000);
        const run = runStandin(dir, ["./run.sh", "--jitconfig", data.encoded_jit_config]);
        assert.equal((await seenBusy)?.status, "online");
        const result = await run;
        assert.equal(result.status, 0, result.output);
        assert.ok(!result.output.includes(data.encoded_jit_config), "the JIT config is never printed");
        assert.equal(fake.runner(scope, "standin-jit"), undefined, "an ephemeral runner is gone after its job");
        const events = fake.standinEvents.filter((e) => e.name === "standin-jit").map((e) => e.event);
        assert.deepEqual(events, ["online", "busy", "done"]);
        assert.deepEqual(jobs.problems, []);
    } finally {
        jobs.stop();
        await rm(dir, { recursive: true, force: true });
    }
    fake.assertNoContractViolations();
});

test("the stand-in runner registers with a registration token through config.sh", { skip: standinSkip }, async () => {
    const { org } = freshWorld();
    const group = fake.addRunnerGroup(org, "linux");
    const { data } = await client().rest.actions.createRegistrationTokenForOrg({ org });
    const dir = await standinRunnerCopy();
    try {
        const webUrl = `${new URL(fake.apiUrl).origin}/${org}`;
        const flags = ["--url", webUrl, "--token", data.token, "--name", "standin-tok", "--labels", "jammy,x64", "--runnergroup", "linux", "--ephemeral", "--unattended"];
        const configured = await runStandin(dir, ["./config.sh", ...flags]);
        assert.equal(configured.status, 0, configured.output);
        assert.ok(!configured.output.includes(data.token), "the token is never printed");
        const registered = fake.runner(org, "standin-tok");
        assert.deepEqual([registered?.status, registered?.labels, registered?.runnerGroupId, registered?.ephemeral], ["offline", ["jammy", "x64"], group, true]);
        const jobs = assignJobsWhenOnline(fake);
        const ran = await runStandin(dir, ["./run.sh"]).finally(() => jobs.stop());
        assert.equal(ran.status, 0, ran.output);
        assert.deepEqual(jobs.problems, []);
        assert.equal(fake.runner(org, "standin-tok"), undefined);
        assert.deepEqual(
            fake.standinEvents.filter((e) => e.name === "standin-tok").map((e) => e.event),
            ["configured", "online", "busy", "done"],
        );
    } finally {
        await rm(dir, { recursive: true, force: true });
    }
    fake.assertNoContractViolations();
});
