/**
 * The runner registration provider against the fake GitHub: create (JIT for
 * org with group and repo, token mode), 409 retry, error paths, diff
 * decisions read from GitHub (and never a write), the shared listing, update,
 * delete; then the resource class's secrets, and the serialized provider run
 * in a separate node process the way Pulumi's dynamic-provider host runs it.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, beforeEach, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { GithubConnection } from "../components/github/client";
import { GithubRegistrationError, GithubRunnerBusyError, GithubRunnerGroupNotFoundError, RegistrationInputError } from "../components/github/errors";
import { loadProvider, providerLocation, serializableProvider } from "../components/github/provider-shim";
import { RunnerRegistration } from "../components/github/registration";
import { createRegistration, registrationProvider } from "../components/github/registration/provider";
import { toPlainOutputs } from "../components/github/registration/state";
import { forgetSharedRunnerListings } from "../components/github/runners";
import { setSharedClientTuning } from "../components/github/shared-client";
import { decodeJitConfig, FakeGithub } from "./fake-github";
import { DynamicProviderHost } from "./harness/dynamic-provider-host";
import type { WireObject } from "./harness/pulumi-values";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { RecordingMonitor } from "./harness/recording-monitor";

const TOKEN = "ghp_registration_test_token_0123456789";
const ROTATED_TOKEN = "ghp_registration_rotated_token_9876543210";
const PROJECT_DIR = path.resolve(__dirname, "..");
/** The SDK's own dependency that cmd/dynamic-provider loads serialized providers with. */
const REQUIRE_FROM_STRING = createRequire(require.resolve("@pulumi/pulumi/cmd/dynamic-provider")).resolve("require-from-string");

let fake: FakeGithub;
let github: GithubConnection;
let linuxGroupId: number;

before(async () => {
    setSharedClientTuning({ retries: 1, retryAfterBaseMs: 1, writeSpacingMs: 0 });
    fake = await FakeGithub.start({});
    fake.addToken(TOKEN);
    fake.addToken(ROTATED_TOKEN);
    fake.addOrg("acme");
    fake.addRepo("acme", "app");
    linuxGroupId = fake.addRunnerGroup("acme", "linux");
    github = { apiUrl: fake.apiUrl, auth: { kind: "token", token: TOKEN } };
});

after(async () => {
    fake.assertNoContractViolations();
    await fake.stop();
});

beforeEach(() => forgetSharedRunnerListings());

type Props = Record<string, unknown>;

function orgJitInputs(overrides: Props = {}): Props {
    return {
        github,
        path: "acme",
        runnerGroup: "linux",
        mode: "jit",
        namePrefix: "ci-small",
        labels: ["small", "jammy", "x64"],
        ephemeral: true,
        bootstrapTimeoutSeconds: 900,
        spec: { imageId: "img-1", flavorId: "flavor-1", boot: "boot-hash-1" },
        ...overrides,
    };
}

async function create(inputs: Props): Promise<Props> {
    const checked = await registrationProvider.check!({}, inputs);
    assert.deepEqual(checked.failures, []);
    const result = await registrationProvider.create(inputs);
    assert.equal(result.id, (result.outs as Props).runnerName);
    return result.outs as Props;
}

const diff = (olds: Props, news: Props) => registrationProvider.diff!("id", olds, news);

function writesSince(mark: number) {
    return fake.requests.slice(mark).filter((r) => r.method !== "GET");
}

// ---- create ---------------------------------------------------------------

test("create, JIT in an org with a runner group: one group lookup, one JIT config, the runner exists offline", async () => {
    const mark = fake.requests.length;
    const outs = await create(orgJitInputs());
    const name = outs.runnerName as string;
    assert.match(name, /^ci-small-[0-9a-f]{12}$/);
    assert.equal(outs.hostname, name);
    assert.equal(outs.runnerGroupId, linuxGroupId);
    assert.equal(outs.registrationUrl, `${fake.apiUrl}/acme`);
    assert.deepEqual(outs.appliedSpec, { imageId: "img-1", flavorId: "flavor-1", boot: "boot-hash-1" });
    assert.equal(outs.registrationToken, undefined);
    assert.ok(!Number.isNaN(Date.parse(outs.createdAt as string)));
    const runner = fake.runner("acme", name);
    assert.ok(runner);
    assert.equal(outs.runnerId, runner.id);
    assert.deepEqual([runner.status, runner.busy, runner.runnerGroupId, runner.labels], ["offline", false, linuxGroupId, ["small", "jammy", "x64"]]);
    const jit = decodeJitConfig(outs.jitConfig as string);
    assert.deepEqual([jit?.runner_name, jit?.runner_id, jit?.scope, jit?.runner_group_id], [name, runner.id, "acme", linuxGroupId]);
    assert.deepEqual(
        fake.requests.slice(mark).map((r) => `${r.method} ${r.path} ${r.status}`),
        ["GET /orgs/acme/actions/runner-groups 200", "POST /orgs/acme/actions/runners/generate-jitconfig 201"],
    );
    // Every value is plain JSON the engine can store: no undefined anywhere.
    assert.deepEqual(JSON.parse(JSON.stringify(outs)), outs);
    assert.ok(!Object.values(outs).includes(undefined));
});

test("create, JIT for a repository: group 1, no group lookup, repository URL", async () => {
    const mark = fake.requests.length;
    const outs = await create(orgJitInputs({ path: "acme/app", runnerGroup: undefined, namePrefix: "app-pool" }));
    assert.equal(outs.runnerGroupId, 1);
    assert.equal(outs.registrationUrl, `${fake.apiUrl}/acme/app`);
    const runner = fake.runner("acme/app", outs.runnerName as string);
    assert.equal(runner?.runnerGroupId, 1);
    assert.deepEqual(fake.requests.slice(mark).map((r) => `${r.method} ${r.path}`), ["POST /repos/acme/app/actions/runners/generate-jitconfig"]);
});

test("create, token mode: a registration token, no runner on GitHub yet, no runner id", async () => {
    const before = fake.runners("acme").length;
    const mark = fake.requests.length;
    const outs = await create(orgJitInputs({ mode: "token", ephemeral: false, runnerGroup: undefined }));
    assert.equal(typeof outs.registrationToken, "string");
    assert.ok((outs.registrationToken as string).length > 0);
    assert.equal(typeof outs.registrationTokenExpiresAt, "string");
    assert.equal(outs.runnerId, undefined);
    assert.equal(outs.jitConfig, undefined);
    assert.equal(fake.runners("acme").length, before);
    assert.deepEqual(fake.requests.slice(mark).map((r) => `${r.method} ${r.path}`), ["POST /orgs/acme/actions/runners/registration-token"]);
});

test("create: a long name prefix is cut so the runner name fits GitHub's 64 characters", async () => {
    const outs = await create(orgJitInputs({ namePrefix: "p".repeat(80) }));
    assert.equal((outs.runnerName as string).length, 64);
    assert.ok(fake.runner("acme", outs.runnerName as string));
});

test("create: a runner name clash (409) retries once with a new suffix", async () => {
    const first = await createRegistration(orgJitInputs() as never, { suffix: () => "aaaaaaaaaaaa" });
    assert.equal(first.runnerName, "ci-small-aaaaaaaaaaaa");
    const suffixes = ["aaaaaaaaaaaa", "bbbbbbbbbbbb"];
    const mark = fake.requests.length;
    const second = await createRegistration(orgJitInputs() as never, { suffix: () => suffixes.shift() as string });
    assert.equal(second.runnerName, "ci-small-bbbbbbbbbbbb");
    // No retry of the 409 itself: the next attempt is a new name.
    const jitCalls = fake.requests.slice(mark).filter((r) => r.method === "POST");
    assert.deepEqual(jitCalls.map((r) => r.status), [409, 201]);
    assert.ok(fake.runner("acme", "ci-small-bbbbbbbbbbbb"));
});

test("create: a second clash fails with a message naming the names and the fix", async () => {
    await createRegistration(orgJitInputs() as never, { suffix: () => "cccccccccccc" });
    await createRegistration(orgJitInputs() as never, { suffix: () => "dddddddddddd" });
    const suffixes = ["cccccccccccc", "dddddddddddd"];
    await assert.rejects(createRegistration(orgJitInputs() as never, { suffix: () => suffixes.shift() as string }), (error: unknown) => {
        assert.ok(error instanceof GithubRegistrationError);
        assert.equal(error.status, 409);
        assert.equal(
            error.message,
            'creating a JIT runner config in org "acme" failed: runner names "ci-small-dddddddddddd" and one before it already exist (HTTP 409); fix: remove stale runners with this name prefix in GitHub\'s runner settings, or change the name prefix',
        );
        return true;
    });
});

test("create: bad credentials (401) name the runner, the org, the cause and the fix, never the token", async () => {
    const bad = { apiUrl: fake.apiUrl, auth: { kind: "token", token: "ghp_wrong_token" } };
    await assert.rejects(registrationProvider.create(orgJitInputs({ github: bad, runnerGroup: undefined })), (error: unknown) => {
        assert.ok(error instanceof GithubRegistrationError);
        assert.match(
            error.message,
            /^creating a JIT runner config for runner "ci-small-[0-9a-f]{12}" \(group id 1\) in org "acme" failed: HTTP 401 "Bad credentials"; fix: check the GitHub credentials: the token is invalid or expired/,
        );
        assert.ok(!error.message.includes("ghp_wrong_token"));
        return true;
    });
});

test("create: missing permission (403) names the permissions to grant", async () => {
    fake.failNext({ method: "POST", path: /generate-jitconfig$/ }, { status: 403 });
    await assert.rejects(registrationProvider.create(orgJitInputs({ path: "acme/app", runnerGroup: undefined })), (error: unknown) => {
        assert.ok(error instanceof GithubRegistrationError);
        assert.match(error.message, /in repo "acme\/app" failed: HTTP 403 "Resource not accessible by integration"; fix: the credentials lack permission/);
        assert.match(error.message, /"Administration: write" \(repository\)/);
        return true;
    });
});

test("create: an exhausted rate limit (403) says when to run again", async () => {
    fake.failNext({ method: "POST", path: /registration-token$/ }, { status: 403, rateLimit: "primary", retryAfterSeconds: 3600 });
    await assert.rejects(registrationProvider.create(orgJitInputs({ mode: "token", ephemeral: false })), (error: unknown) => {
        assert.ok(error instanceof GithubRegistrationError);
        assert.match(error.message, /^creating a registration token for runner "ci-small-[0-9a-f]{12}" in org "acme" failed: HTTP 403 .*; fix: the API rate limit is exhausted; run again after \d{4}-\d\d-\d\dT/);
        return true;
    });
});

test("create: a server error is retried, and reported after the retries", async () => {
    fake.failNext({ method: "POST", path: /generate-jitconfig$/ }, { status: 502 });
    const recovered = await create(orgJitInputs({ runnerGroup: undefined }));
    assert.ok(fake.runner("acme", recovered.runnerName as string));
    fake.failNext({ method: "POST", path: /generate-jitconfig$/ }, { status: 503 }, 2);
    await assert.rejects(registrationProvider.create(orgJitInputs({ runnerGroup: undefined })), (error: unknown) => {
        assert.ok(error instanceof GithubRegistrationError);
        assert.match(error.message, /failed: HTTP 503 "Service Unavailable"; fix: GitHub had a server error \(retried already\); run again later$/);
        return true;
    });
});

test("create: an unknown org (404) and an unknown runner group are clear", async () => {
    await assert.rejects(registrationProvider.create(orgJitInputs({ path: "no-such-org", runnerGroup: undefined })), (error: unknown) => {
        assert.ok(error instanceof GithubRegistrationError);
        assert.match(error.message, /in org "no-such-org" failed: HTTP 404 "Not Found"; fix: check that the organization or repository exists/);
        return true;
    });
    await assert.rejects(registrationProvider.create(orgJitInputs({ runnerGroup: "gpu" })), (error: unknown) => {
        assert.ok(error instanceof GithubRunnerGroupNotFoundError);
        assert.match(error.message, /^runner group "gpu" not found in org "acme" \(groups there: "Default", "linux"\)/);
        return true;
    });
});

test("create against a GitHub Enterprise Server API (/api/v3, checked against its OpenAPI description)", async () => {
    const ghes = await FakeGithub.start({ basePath: "/api/v3" });
    try {
        ghes.addToken(TOKEN);
        ghes.addOrg("corp");
        ghes.addRepo("corp", "svc");
        const connection = { apiUrl: ghes.apiUrl, auth: { kind: "token", token: TOKEN } };
        assert.match(ghes.apiUrl, /\/api\/v3$/);
        const outs = await create(orgJitInputs({ github: connection, path: "corp/svc", runnerGroup: undefined }));
        assert.equal(outs.registrationUrl, `${new URL(ghes.apiUrl).origin}/corp/svc`);
        assert.ok(ghes.runner("corp/svc", outs.runnerName as string));
        assert.deepEqual(await diff(outs, orgJitInputs({ github: connection, path: "corp/svc", runnerGroup: undefined })), { changes: false });
        await registrationProvider.delete!("id", outs);
        assert.equal(ghes.runner("corp/svc", outs.runnerName as string), undefined);
        ghes.assertNoContractViolations();
    } finally {
        await ghes.stop();
    }
});

// ---- check ----------------------------------------------------------------

test("check: every bad input is named with its value and what is expected; credentials are never echoed", async () => {
    const { failures } = await registrationProvider.check!(
        {},
        orgJitInputs({
            github: { apiUrl: "ftp://example.com", auth: { kind: "token", token: "" } },
            path: "acme/app/extra",
            mode: "jit",
            ephemeral: false,
            namePrefix: "-bad",
            labels: ["ok", "has space"],
            bootstrapTimeoutSeconds: 0,
            spec: { imageId: 7 },
        }),
    );
    assert.deepEqual(failures, [
        { property: "github.apiUrl", reason: 'got "ftp://example.com", expected an http(s) URL such as https://api.github.com' },
        { property: "github.auth.token", reason: "the token is missing or empty; expected a GitHub token (secret)" },
        { property: "path", reason: 'got "acme/app/extra", expected an organization "org" or a repository "owner/repo"' },
        { property: "namePrefix", reason: "got \"-bad\", expected letters, digits, '.', '_' or '-', starting with a letter or digit" },
        { property: "labels[1]", reason: "got \"has space\", expected letters, digits, '_' or '-' only" },
        { property: "mode", reason: 'a JIT runner is always ephemeral; use mode "token" for persistent runners' },
        { property: "bootstrapTimeoutSeconds", reason: "got 0, expected a whole number of seconds greater than 0" },
        { property: "spec.imageId", reason: "got 7, expected a string" },
    ]);
    const repoGroup = await registrationProvider.check!({}, orgJitInputs({ path: "acme/app", runnerGroup: "linux" }));
    assert.deepEqual(repoGroup.failures, [
        { property: "runnerGroup", reason: 'got "linux", expected no runner group for repository "acme/app": repository runners always join the default group' },
    ]);
    const badApp = await registrationProvider.check!({}, orgJitInputs({ github: { apiUrl: fake.apiUrl, auth: { kind: "app", appId: "1", privateKey: "-----BEGIN KEY-----secret" } } }));
    assert.deepEqual(badApp.failures, [{ property: "github.auth", reason: "a GitHub App needs appId, an integer installationId and a non-empty privateKey (secret)" }]);
    assert.ok(!JSON.stringify(badApp.failures).includes("secret\""));
});

test("check: values unknown during preview are not judged; create refuses them with one clear error", async () => {
    const inputs = orgJitInputs({ spec: unknownValue, labels: [unknownValue] });
    assert.deepEqual((await registrationProvider.check!({}, inputs)).failures, []);
    await assert.rejects(registrationProvider.create(orgJitInputs({ mode: "sometimes", labels: [] })), (error: unknown) => {
        assert.ok(error instanceof RegistrationInputError);
        assert.equal(error.message, 'invalid RunnerRegistration inputs: mode: got "sometimes", expected "jit" or "token"; labels: got [], expected a list of 1 to 100 labels');
        return true;
    });
});

// ---- diff -----------------------------------------------------------------

test("diff reads GitHub and never writes: keep, spec change, busy defers, gone, rotated token", async () => {
    const outs = await create(orgJitInputs());
    const name = outs.runnerName as string;
    const news = orgJitInputs();
    const newSpec = orgJitInputs({ spec: { imageId: "img-2", flavorId: "flavor-1", boot: "boot-hash-1" } });
    const mark = fake.requests.length;

    assert.deepEqual(await diff(outs, news), { changes: false });
    assert.deepEqual(await diff(outs, orgJitInputs({ labels: ["x64", "small", "jammy"] })), { changes: false }, "labels are a set");
    assert.deepEqual(await diff(outs, orgJitInputs({ labels: ["x64", "small"] })), { changes: true, replaces: ["labels"] });
    forgetSharedRunnerListings();
    assert.deepEqual(await diff(outs, newSpec), { changes: true, replaces: ["spec"] });

    fake.setRunner("acme", name, { status: "online", busy: true });
    forgetSharedRunnerListings();
    assert.deepEqual(await diff(outs, newSpec), { changes: false }, "a busy runner defers the change");
    // The engine kept the old outputs and recorded the new inputs; next run the runner is idle.
    fake.setRunner("acme", name, { busy: false });
    forgetSharedRunnerListings();
    assert.deepEqual(await diff(outs, newSpec), { changes: true, replaces: ["spec"] }, "the deferred change is found again");

    const rotated = orgJitInputs({ github: { apiUrl: fake.apiUrl, auth: { kind: "token", token: ROTATED_TOKEN } } });
    forgetSharedRunnerListings();
    assert.deepEqual(await diff(outs, rotated), { changes: true }, "a rotated token updates in place");

    fake.removeRunner("acme", name);
    forgetSharedRunnerListings();
    assert.deepEqual(await diff(outs, news), { changes: true, replaces: ["runnerName"] }, "an ephemeral runner whose job is done is replaced");

    assert.deepEqual(writesSince(mark), [], "diff made no POST, PUT, PATCH or DELETE");
    assert.ok(fake.requests.slice(mark).every((r) => r.path === "/orgs/acme/actions/runners"), "diff only lists runners");
});

test("diff: an offline runner older than the bootstrap timeout is replaced; an online one is kept", async () => {
    const hourAgo = new Date(Date.now() - 3600_000);
    const old = toPlainOutputs(await createRegistration(orgJitInputs({ bootstrapTimeoutSeconds: 600 }) as never, { now: () => hourAgo }));
    assert.deepEqual(await diff(old, orgJitInputs({ bootstrapTimeoutSeconds: 600 })), { changes: true, replaces: ["runnerName"] });
    fake.setRunner("acme", old.runnerName as string, { status: "online" });
    forgetSharedRunnerListings();
    assert.deepEqual(await diff(old, orgJitInputs({ bootstrapTimeoutSeconds: 600 })), { changes: false });
});

test("diff: a token-mode runner is found by name once its VM registered it", async () => {
    const outs = await create(orgJitInputs({ mode: "token", ephemeral: false }));
    const news = orgJitInputs({ mode: "token", ephemeral: false });
    const newSpec = { ...news, spec: { imageId: "img-9", flavorId: "flavor-1", boot: "boot-hash-1" } };
    const registered = await fetch(`${fake.sideChannelUrl}/runners/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ registration_token: outs.registrationToken, name: outs.runnerName, labels: ["small"], ephemeral: false, runner_group_id: linuxGroupId }),
    });
    assert.equal(registered.status, 201, await registered.text());
    fake.setRunner("acme", outs.runnerName as string, { status: "online", busy: true });
    assert.deepEqual(await diff(outs, newSpec), { changes: false }, "busy: deferred");
    fake.setRunner("acme", outs.runnerName as string, { busy: false });
    forgetSharedRunnerListings();
    assert.deepEqual(await diff(outs, newSpec), { changes: true, replaces: ["spec"] });
});

test("diff during preview: an unknown spec value is a change for an idle runner", async () => {
    const outs = await create(orgJitInputs());
    const preview = orgJitInputs({ spec: { imageId: unknownValue, flavorId: "flavor-1", boot: "boot-hash-1" } });
    assert.deepEqual(await diff(outs, preview), { changes: true, replaces: ["spec"] });
});

test("150 slots: all diffs of one run share one listing (2 list pages, no per-runner call, no write)", async () => {
    fake.addOrg("bigorg");
    const inputs = orgJitInputs({ path: "bigorg", runnerGroup: undefined, namePrefix: "pool" });
    const slots = await Promise.all(Array.from({ length: 150 }, () => create(inputs)));
    assert.equal(new Set(slots.map((outs) => outs.runnerName)).size, 150);
    forgetSharedRunnerListings();
    const mark = fake.requests.length;
    const results = await Promise.all(slots.map((outs) => diff(outs, inputs)));
    assert.equal(results.length, 150);
    assert.ok(results.every((result) => result.changes === false));
    const calls = fake.requests.slice(mark);
    assert.deepEqual(
        calls.map((r) => `${r.method} ${r.path} page=${r.query.page ?? "1"}`),
        ["GET /orgs/bigorg/actions/runners page=1", "GET /orgs/bigorg/actions/runners page=2"],
    );
    // The same listing also sees a used-up runner: exactly that slot is replaced.
    const usedUp = slots[77].runnerName as string;
    fake.removeRunner("bigorg", usedUp);
    forgetSharedRunnerListings();
    const next = await Promise.all(slots.map((outs) => diff(outs, inputs)));
    const replaced = next.flatMap((result, index) => (result.replaces !== undefined ? [slots[index].runnerName] : []));
    assert.deepEqual(replaced, [usedUp]);
    assert.equal(fake.requests.length - mark, 4);
});

test("GitHub App auth: one installation token serves every create, diff and delete of the process", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    fake.addApp({ appId: "4242", installationId: 777, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() });
    const app = { apiUrl: fake.apiUrl, auth: { kind: "app", appId: "4242", installationId: 777, privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString() } };
    const mark = fake.requests.length;
    const first = await create(orgJitInputs({ github: app, namePrefix: "app-a" }));
    const second = await create(orgJitInputs({ github: app, namePrefix: "app-b" }));
    forgetSharedRunnerListings();
    assert.deepEqual(await diff(first, orgJitInputs({ github: app, namePrefix: "app-a" })), { changes: false });
    assert.deepEqual(await diff(second, orgJitInputs({ github: app, namePrefix: "app-b" })), { changes: false });
    await registrationProvider.delete!("id", first);
    await registrationProvider.delete!("id", second);
    const calls = fake.requests.slice(mark).map((r) => `${r.method} ${r.path} ${r.status}`);
    assert.deepEqual(calls.filter((c) => c.includes("/app/installations")), ["POST /app/installations/777/access_tokens 201"]);
    // token + one group lookup shared by both creates + 2 JIT configs + one listing + 2 x (read, remove)
    assert.equal(calls.length, 1 + 1 + 2 + 1 + 2 * 2, calls.join("\n"));
});

// ---- update and delete ----------------------------------------------------

test("update keeps the runner, its credentials and applied spec, and stores the new connection", async () => {
    const outs = await create(orgJitInputs());
    const rotated = { apiUrl: fake.apiUrl, auth: { kind: "token", token: ROTATED_TOKEN } };
    const news = orgJitInputs({ github: rotated, bootstrapTimeoutSeconds: 1200, spec: { imageId: "img-deferred" } });
    const mark = fake.requests.length;
    const { outs: updated } = (await registrationProvider.update!("id", outs, news)) as { outs: Props };
    assert.deepEqual(fake.requests.slice(mark), []);
    assert.deepEqual(updated, { ...outs, github: rotated, bootstrapTimeoutSeconds: 1200 });
    // The deferred spec change is still pending against the applied spec.
    assert.deepEqual(await diff(updated, news), { changes: true, replaces: ["spec"] });
    // The new connection is the one used from now on: delete works with the rotated token.
    await registrationProvider.delete!("id", updated);
    assert.equal(fake.runner("acme", outs.runnerName as string), undefined);
    assert.ok(fake.requests.slice(mark).some((r) => r.method === "DELETE" && r.status === 204));
});

test("delete: JIT runner read then removed by id; already gone costs one read and no write", async () => {
    const outs = await create(orgJitInputs());
    let mark = fake.requests.length;
    await registrationProvider.delete!("id", outs);
    assert.equal(fake.runner("acme", outs.runnerName as string), undefined);
    const path = `/orgs/acme/actions/runners/${outs.runnerId as number}`;
    assert.deepEqual(fake.requests.slice(mark).map((r) => `${r.method} ${r.path} ${r.status}`), [`GET ${path} 200`, `DELETE ${path} 204`]);
    mark = fake.requests.length;
    await registrationProvider.delete!("id", outs);
    assert.deepEqual(fake.requests.slice(mark).map((r) => `${r.method} ${r.path} ${r.status}`), [`GET ${path} 404`]);
});

test("delete: removed between the read and the delete still counts as done", async () => {
    const outs = await create(orgJitInputs());
    fake.failNext({ method: "DELETE" }, { status: 404 });
    await registrationProvider.delete!("id", outs);
});

test("delete: a busy runner fails with a message naming it and what to do, and stays registered", async () => {
    const outs = await create(orgJitInputs({ path: "acme/app", runnerGroup: undefined }));
    fake.setRunner("acme/app", outs.runnerName as string, { status: "online", busy: true });
    await assert.rejects(registrationProvider.delete!("id", outs), (error: unknown) => {
        assert.ok(error instanceof GithubRunnerBusyError);
        assert.match(error.message, new RegExp(`^runner "${outs.runnerName as string}" \\(id ${outs.runnerId as number}\\) in repo "acme/app" is busy running a job`));
        assert.match(error.message, /fix: wait for the job to finish/);
        return true;
    });
    assert.ok(fake.runner("acme/app", outs.runnerName as string));
});

test("delete: a token-mode runner is found by name; one that never registered needs no call but the lookup", async () => {
    const never = await create(orgJitInputs({ mode: "token", ephemeral: false }));
    let mark = fake.requests.length;
    await registrationProvider.delete!("id", never);
    assert.deepEqual(fake.requests.slice(mark).map((r) => `${r.method} ${r.path} name=${r.query.name}`), [`GET /orgs/acme/actions/runners name=${never.runnerName as string}`]);

    const outs = await create(orgJitInputs({ mode: "token", ephemeral: false }));
    const registered = await fetch(`${fake.sideChannelUrl}/runners/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ registration_token: outs.registrationToken, name: outs.runnerName, ephemeral: false }),
    });
    assert.equal(registered.status, 201);
    mark = fake.requests.length;
    await registrationProvider.delete!("id", outs);
    assert.equal(fake.runner("acme", outs.runnerName as string), undefined);
    assert.deepEqual(fake.requests.slice(mark).map((r) => `${r.method} ${r.status}`), ["GET 200", "DELETE 204"]);
});

test("delete: state without the fields this provider writes fails clearly", async () => {
    await assert.rejects(registrationProvider.delete!("id", { runnerName: "x" }), (error: unknown) => {
        assert.ok(error instanceof RegistrationInputError);
        assert.match(error.message, /^runner registration state lacks github, appliedSettings, appliedSpec, createdAt;/);
        return true;
    });
});

// ---- the resource class and its serialized provider -------------------------


interface RegisteredRequest {
    type: string;
    object: Props;
    additionalSecretOutputs: string[];
}

/** Runs `body` under Pulumi mocks and returns what the SDK sent to the monitor for each resource. */
async function registeredUnderMocks(body: () => pulumi.CustomResource): Promise<RegisteredRequest[]> {
    const seen: RegisteredRequest[] = [];
    await pulumi.runtime.setMocks({
        newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
        call: () => ({}),
    });
    const settings: typeof import("@pulumi/pulumi/runtime/settings") = require("@pulumi/pulumi/runtime/settings");
    // The mock monitor drops additionalSecretOutputs; record the raw requests before it does.
    const monitor = settings.getMonitor() as unknown as { registerResource: (req: unknown, cb: unknown) => void };
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: unknown, callback: unknown) => {
        const request = req as { getType(): string; getObject(): { toJavaScript(): Props }; getAdditionalsecretoutputsList(): string[] };
        seen.push({ type: request.getType(), object: request.getObject().toJavaScript(), additionalSecretOutputs: request.getAdditionalsecretoutputsList() });
        original(req, callback);
    };
    const resource = body();
    // The URN resolves once the monitor answered the registration.
    await new Promise<void>((resolve) => resource.urn.apply(() => resolve()));
    return seen;
}

test("RunnerRegistration: the connection is a secret input, JIT config/token/connection are secret outputs, the provider text holds no secret", async () => {
    const requests = await registeredUnderMocks(
        () =>
            new RunnerRegistration("slot-0", {
            github: { apiUrl: "https://api.github.com", auth: { kind: "token", token: TOKEN } },
            path: "acme",
            runnerGroup: "linux",
            mode: "jit",
            namePrefix: "ci-small",
            labels: ["small"],
            ephemeral: true,
            bootstrapTimeoutSeconds: 900,
            spec: { imageId: pulumi.output("img-1") },
        }),
    );
    const registration = requests.find((r) => r.type === "pulumi-nodejs:dynamic/github-runners:RunnerRegistration");
    assert.ok(registration, `registered: ${requests.map((r) => r.type).join(", ")}`);
    assert.deepEqual([...registration.additionalSecretOutputs].sort(), ["github", "jitConfig", "registrationToken"]);
    const githubInput = registration.object.github as Props;
    assert.equal(githubInput[specialSigKey], specialSecretSig);
    const plain = JSON.stringify({ ...registration.object, github: undefined });
    assert.ok(!plain.includes(TOKEN), "the token appears only inside the secret-wrapped connection");
    const providerText = registration.object.__provider as string;
    assert.match(providerText, /exports\.handler = /);
    assert.ok(!providerText.includes(TOKEN));
});

test("the serialized providers hold no secret and run in a plain node process (no tsx) against the fake GitHub", async () => {
    const { serializeFunction } = pulumi.runtime;
    const registrationShim = serializableProvider(providerLocation(require.resolve("../components/github/registration/provider"), "registrationProvider"));
    const serialized = await serializeFunction(() => registrationShim, { allowSecrets: false });
    assert.equal(serialized.containsSecrets, false);
    assert.ok(!serialized.text.includes(TOKEN));
    assert.ok(serialized.text.length < 10_000, `the shim is small (${serialized.text.length} characters)`);

    const inputs = orgJitInputs({ namePrefix: "child" });
    // The child does what cmd/dynamic-provider does: require-from-string of the text, then handler().
    const childScript = `
        const requireFromString = require(${JSON.stringify(REQUIRE_FROM_STRING)});
        let input = "";
        process.stdin.on("data", (chunk) => (input += chunk));
        process.stdin.on("end", async () => {
            const { text, inputs } = JSON.parse(input);
            const provider = requireFromString(text).handler();
            const checked = await provider.check({}, inputs);
            const created = await provider.create(inputs);
            const diffed = await provider.diff(created.id, created.outs, inputs);
            process.stdout.write(JSON.stringify({
                failures: checked.failures, id: created.id, runnerId: created.outs.runnerId, hasJitConfig: typeof created.outs.jitConfig === "string",
                diffed, tsLoader: typeof require.extensions[".ts"],
            }) + "\\n");
            await provider.delete(created.id, created.outs);
            process.stdout.write("deleted\\n");
        });`;
    const child = spawn(process.execPath, ["-e", childScript], { cwd: PROJECT_DIR, env: { PATH: process.env.PATH ?? "" }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdin.end(JSON.stringify({ text: serialized.text, inputs }));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 0, stderr);
    const [first, second] = stdout.trim().split("\n");
    const report = JSON.parse(first) as { failures: unknown[]; id: string; runnerId: number; hasJitConfig: boolean; diffed: unknown; tsLoader: string };
    assert.deepEqual(report.failures, []);
    assert.match(report.id, /^child-[0-9a-f]{12}$/);
    assert.equal(report.hasJitConfig, true);
    assert.deepEqual(report.diffed, { changes: false });
    assert.equal(report.tsLoader, "function", "the shim registered a TypeScript loader in the plain node process");
    assert.equal(second, "deleted");
    assert.ok(fake.requests.some((r) => r.method === "DELETE" && r.path === `/orgs/acme/actions/runners/${report.runnerId}` && r.status === 204));
    assert.equal(fake.runner("acme", report.id), undefined);
    assert.ok(!stderr.includes(TOKEN));
});

test("through the SDK's own cmd/dynamic-provider host: check, create, diff, replace decision, delete", async () => {
    const shim = serializableProvider(providerLocation(require.resolve("../components/github/registration/provider"), "registrationProvider"));
    const serialized = await pulumi.runtime.serializeFunction(() => shim, { allowSecrets: false });
    const monitor = new RecordingMonitor({ project: "p", stack: "s", organization: "o", dryRun: false, parallel: 1 });
    const engineAddress = await monitor.start();
    const type = "pulumi-nodejs:dynamic/github-runners:RunnerRegistration";
    const resource = { urn: `urn:pulumi:s::p::${type}::slot`, name: "slot", type };
    const inputs = { ...orgJitInputs({ namePrefix: "host" }), __provider: serialized.text } as WireObject;
    // Each run of the engine starts its own provider process; the shared listing lives as long as one.
    const run = async <T>(body: (host: DynamicProviderHost) => Promise<T>): Promise<T> => {
        const host = await DynamicProviderHost.start(PROJECT_DIR, engineAddress);
        try {
            return await body(host);
        } finally {
            await host.stop();
            assert.ok(!host.stderr.includes(TOKEN));
        }
    };
    try {
        const { checked, created } = await run(async (host) => {
            const checked = await host.check(resource, {}, inputs);
            assert.deepEqual(checked.failures, []);
            const created = await host.create(resource, checked.inputs);
            assert.deepEqual(await host.diff(resource, created.id, checked.inputs, created.outputs, checked.inputs), { changes: "none", replaces: [], deleteBeforeReplace: false });
            return { checked, created };
        });
        assert.match(created.id, /^host-[0-9a-f]{12}$/);
        assert.equal(created.outputs.__provider, serialized.text);
        assert.equal(created.outputs.runnerName, created.id);
        assert.ok(fake.runner("acme", created.id));

        fake.removeRunner("acme", created.id); // the ephemeral runner did its job
        await run(async (host) => {
            assert.deepEqual(await host.diff(resource, created.id, checked.inputs, created.outputs, checked.inputs), { changes: "some", replaces: ["runnerName"], deleteBeforeReplace: false });
            const mark = fake.requests.length;
            await host.delete(resource, created.id, checked.inputs, created.outputs);
            assert.deepEqual(fake.requests.slice(mark).map((r) => `${r.method} ${r.status}`), ["GET 404"]);
        });
    } finally {
        await monitor.stop();
    }
});

test("the provider shim loads the module from the program directory when the checkout has moved", async () => {
    const location = {
        absolutePath: "/nonexistent/old-checkout/components/github/registration/provider.ts",
        relativePath: path.relative(process.cwd(), require.resolve("../components/github/registration/provider")),
        exportName: "registrationProvider",
    };
    assert.equal(loadProvider(location), registrationProvider);
});

test("the provider shim fails clearly without a TypeScript loader, or without the export", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "shim-"));
    try {
        const file = path.join(dir, "provider.ts");
        writeFileSync(file, "export const p = {};\n");
        const location = { absolutePath: file, relativePath: "provider.ts", exportName: "p" };
        // This process has tsx registered, so the module loads and lacks a provider.
        assert.throws(() => loadProvider(location), { message: `dynamic provider module ${file} has no provider export "p"` });
        // A plain node process outside any project finds neither tsx nor ts-node from the module's directory.
        const shim = serializableProvider(location);
        const text = (await pulumi.runtime.serializeFunction(() => shim, { allowSecrets: false })).text;
        const script = `
            const provider = require(${JSON.stringify(REQUIRE_FROM_STRING)})(${JSON.stringify(text)}).handler();
            provider.create({}).then(() => process.stdout.write("loaded?!"), (error) => process.stdout.write(error.message));`;
        const child = spawn(process.execPath, ["-e", script], { cwd: dir, env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        child.stdout.on("data", (chunk) => (out += chunk));
        await new Promise((resolve) => child.on("close", resolve));
        assert.match(out, new RegExp(`^cannot load the dynamic provider module ${file.replace(/[.]/g, "\\.")}: no TypeScript loader \\(Cannot find module 'tsx/cjs/api'.*; Cannot find module 'ts-node'.*\\); fix: run \`npm install\` in the Pulumi project so tsx or ts-node is present$`));
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
