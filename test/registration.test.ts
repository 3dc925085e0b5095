/**
 * The runner registration provider against the fake GitHub: create (JIT for
 * org with group and repo, token mode) with the userdata it renders, 409
 * retry, error paths, diff decisions read from GitHub (never a write, and a
 * failed read never counts as "absent"), the shared listing, credentials and
 * timeout from the stack config (a rotation changes no slot), read (refresh),
 * delete; then the resource class, and its one-line provider loader run the
 * way Pulumi's dynamic-provider host runs it.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
import { after, before, beforeEach, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { encodeBootSettings, type RunnerBootSettings } from "../components/boot-settings";
import type { GithubConnection } from "../components/github/client";
import { GithubRegistrationError, GithubRunnerBusyError, GithubRunnerGroupNotFoundError, RegistrationInputError } from "../components/github/errors";
import { RunnerRegistration } from "../components/github/registration";
import { identityDigests } from "../components/github/registration/identity";
import { createRegistration, registrationProvider } from "../components/github/registration/provider";
import { toPlainOutputs } from "../components/github/registration/state";
import { forgetSharedRegistrationTokens } from "../components/github/runner-credentials";
import { forgetSharedRunnerListings } from "../components/github/runners";
import { setSharedClientTuning } from "../components/github/shared-client";
import { PROVIDER_ENTRY, providerLoader } from "../components/providers/loader";
import { setProviderSettings } from "../components/providers/settings";
import { UserdataTooLargeError } from "../components/userdata";
import { decodeUserdata } from "../components/userdata/encode";
import { decodeJitConfig, FakeGithub } from "./fake-github";
import { DynamicProviderHost } from "./harness/dynamic-provider-host";
import type { WireObject } from "./harness/pulumi-values";
import { RecordingMonitor } from "./harness/recording-monitor";

const TOKEN = "ghp_registration_test_token_0123456789";
const ROTATED_TOKEN = "ghp_registration_rotated_token_9876543210";
const PROJECT_DIR = path.resolve(__dirname, "..");
const NAMESPACE = "openstack-github-runners";
/** The SDK's own dependency that cmd/dynamic-provider loads serialized providers with. */
const REQUIRE_FROM_STRING = createRequire(require.resolve("@pulumi/pulumi/cmd/dynamic-provider")).resolve("require-from-string");

let fake: FakeGithub;
let github: GithubConnection;
let linuxGroupId: number;

const useSettings = (connection: GithubConnection, bootstrapTimeoutSeconds = 900) => setProviderSettings({ connection, bootstrapTimeoutSeconds });

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
    setProviderSettings(undefined);
    fake.assertNoContractViolations();
    await fake.stop();
});

beforeEach(() => {
    forgetSharedRunnerListings();
    forgetSharedRegistrationTokens();
    useSettings(github);
});

type Props = Record<string, unknown>;

const BOOT: RunnerBootSettings = { labels: ["small", "jammy", "x64"], ephemeral: true, runnerGroup: "linux", dockerhubMirror: "https://mirror.example.net" };

function orgJitInputs(overrides: Props = {}): Props {
    return {
        path: "acme",
        runnerGroup: "linux",
        mode: "jit",
        namePrefix: "ci-small-0",
        labels: ["small", "jammy", "x64"],
        ephemeral: true,
        instance: { imageId: "img-1", flavorId: "flavor-1", networkId: "net-1", securityGroup: "sg" },
        boot: encodeBootSettings(BOOT),
        template: "0123456789abcdef0123456789abcdef",
        retiring: false,
        ...overrides,
    };
}

async function create(inputs: Props): Promise<Props> {
    const result = await registrationProvider.create(inputs);
    assert.equal(result.id, (result.outs as Props).runnerName);
    return result.outs as Props;
}

const diff = (olds: Props, news: Props) => registrationProvider.diff!("id", olds, news);
const scriptOf = (outs: Props) => decodeUserdata(outs.userData as string);
/** The credential the boot script installs for the runner service. */
function credentialIn(script: string, file: "jitconfig" | "registration-token"): string {
    const match = new RegExp(`put_file 0600 root:root /etc/github-runner/${file} '([^']*)'`).exec(script);
    assert.ok(match, `the boot script installs /etc/github-runner/${file}`);
    return match[1];
}
const writesSince = (mark: number) => fake.requests.slice(mark).filter((r) => r.method !== "GET");

// ---- create ---------------------------------------------------------------

test("create, JIT in an org with a runner group: the runner exists offline, its VM's userdata carries its JIT config", async () => {
    const mark = fake.requests.length;
    const outs = await create(orgJitInputs());
    const name = outs.runnerName as string;
    assert.match(name, /^ci-small-0-[0-9a-f]{12}$/);
    assert.deepEqual([outs.stateVersion, outs.path, outs.mode], [2, "acme", "jit"]);
    assert.deepEqual(outs.instance, orgJitInputs().instance);
    assert.deepEqual(outs.digests, identityDigests(orgJitInputs() as never));
    assert.ok(!Number.isNaN(Date.parse(outs.createdAt as string)));
    const runner = fake.runner("acme", name);
    assert.ok(runner);
    assert.equal(outs.runnerId, runner.id);
    assert.deepEqual([runner.status, runner.busy, runner.runnerGroupId, runner.labels], ["offline", false, linuxGroupId, ["small", "jammy", "x64"]]);
    const script = scriptOf(outs);
    assert.ok(script.includes(`hostnamectl set-hostname '${name}'`));
    assert.ok(script.includes("https://mirror.example.net"));
    const jit = decodeJitConfig(credentialIn(script, "jitconfig"));
    assert.deepEqual([jit?.runner_name, jit?.runner_id, jit?.scope, jit?.runner_group_id], [name, runner.id, "acme", linuxGroupId]);
    assert.deepEqual(
        fake.requests.slice(mark).map((r) => `${r.method} ${r.path} ${r.status}`),
        ["GET /orgs/acme/actions/runner-groups 200", "POST /orgs/acme/actions/runners/generate-jitconfig 201"],
    );
    assert.deepEqual(JSON.parse(JSON.stringify(outs)), outs, "every value is plain JSON the engine can store");
    for (const key of ["jitConfig", "registrationToken", "github", "appliedSpec"]) assert.equal(outs[key], undefined, `${key} is not kept apart from the userdata`);
});

test("create, JIT for a repository: group 1, no group lookup", async () => {
    const mark = fake.requests.length;
    const outs = await create(orgJitInputs({ path: "acme/app", runnerGroup: undefined, namePrefix: "app-pool-3" }));
    assert.equal(fake.runner("acme/app", outs.runnerName as string)?.runnerGroupId, 1);
    assert.deepEqual(fake.requests.slice(mark).map((r) => `${r.method} ${r.path}`), ["POST /repos/acme/app/actions/runners/generate-jitconfig"]);
});

test("create, token mode: a registration token in the userdata, config.sh with the repository URL, no runner on GitHub yet", async () => {
    const before = fake.runners("acme").length;
    const mark = fake.requests.length;
    const outs = await create(orgJitInputs({ mode: "token", ephemeral: false, runnerGroup: undefined, boot: encodeBootSettings({ ...BOOT, ephemeral: false, runnerGroup: undefined }) }));
    const script = scriptOf(outs);
    assert.ok(credentialIn(script, "registration-token").length > 0);
    // The start script is itself single-quoted inside the boot script: its quotes appear as '\''.
    assert.ok(script.includes(`--url '\\''${fake.apiUrl}/acme'\\''`), script);
    assert.equal(outs.runnerId, undefined);
    assert.equal(fake.runners("acme").length, before);
    assert.deepEqual(fake.requests.slice(mark).map((r) => `${r.method} ${r.path}`), ["POST /orgs/acme/actions/runners/registration-token"]);
});

test("create, token mode: every slot of a run shares one registration token (GitHub's write budget)", async () => {
    const inputs = orgJitInputs({ mode: "token", ephemeral: false, runnerGroup: undefined, boot: encodeBootSettings({ ...BOOT, ephemeral: false, runnerGroup: undefined }) });
    const mark = fake.requests.length;
    const slots = await Promise.all([create(inputs), create(inputs), create({ ...inputs, namePrefix: "ci-small-1" })]);
    const tokens = new Set(slots.map((outs) => credentialIn(scriptOf(outs), "registration-token")));
    assert.equal(tokens.size, 1);
    assert.deepEqual(fake.requests.slice(mark).map((r) => `${r.method} ${r.path}`), ["POST /orgs/acme/actions/runners/registration-token"]);
});

test("create: a long name prefix is cut so the runner name fits GitHub's 64 characters", async () => {
    const outs = await create(orgJitInputs({ namePrefix: "p".repeat(80) }));
    assert.equal((outs.runnerName as string).length, 64);
});

test("create: a runner name clash (409) retries once with a new suffix; a second clash fails naming both and the fix", async () => {
    const inputs = orgJitInputs({ runnerGroup: undefined }) as never;
    await createRegistration(inputs, { suffix: () => "aaaaaaaaaaaa" });
    const suffixes = ["aaaaaaaaaaaa", "bbbbbbbbbbbb"];
    const mark = fake.requests.length;
    const second = await createRegistration(inputs, { suffix: () => suffixes.shift() as string });
    assert.equal(second.runnerName, "ci-small-0-bbbbbbbbbbbb");
    assert.deepEqual(fake.requests.slice(mark).filter((r) => r.method === "POST").map((r) => r.status), [409, 201], "the 409 itself is not retried");
    const again = ["aaaaaaaaaaaa", "bbbbbbbbbbbb"];
    await assert.rejects(createRegistration(inputs, { suffix: () => again.shift() as string }), (error: unknown) => {
        assert.ok(error instanceof GithubRegistrationError);
        assert.equal(error.status, 409);
        assert.match(error.message, /runner names "ci-small-0-bbbbbbbbbbbb" and one before it already exist \(HTTP 409\); fix: remove stale runners/);
        return true;
    });
});

test("create: userdata too large for Nova fails after removing the JIT registration it made (nothing left on GitHub)", async () => {
    const huge = Array.from({ length: 60_000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join("");
    const before = fake.runners("acme").length;
    await assert.rejects(create(orgJitInputs({ boot: encodeBootSettings({ ...BOOT, preJobScript: huge }) })), UserdataTooLargeError);
    assert.equal(fake.runners("acme").length, before);
});

test("create: bad credentials (401) name the runner, the org, the cause and the fix, never the token", async () => {
    useSettings({ apiUrl: fake.apiUrl, auth: { kind: "token", token: "ghp_wrong_token" } });
    await assert.rejects(registrationProvider.create(orgJitInputs({ runnerGroup: undefined })), (error: unknown) => {
        assert.ok(error instanceof GithubRegistrationError);
        assert.match(error.message, /^creating a JIT runner config for runner "ci-small-0-[0-9a-f]{12}" \(group id 1\) in org "acme" failed: HTTP 401 "Bad credentials"; fix: check the GitHub credentials/);
        assert.ok(!error.message.includes("ghp_wrong_token"));
        return true;
    });
});

test("create: missing permission, an exhausted rate limit, server errors, an unknown org or group are each clear", async () => {
    fake.failNext({ method: "POST", path: /generate-jitconfig$/ }, { status: 403 });
    await assert.rejects(registrationProvider.create(orgJitInputs({ path: "acme/app", runnerGroup: undefined })), /in repo "acme\/app" failed: HTTP 403 .*"Administration: write" \(repository\)/);
    fake.failNext({ method: "POST", path: /registration-token$/ }, { status: 403, rateLimit: "primary", retryAfterSeconds: 3600 });
    await assert.rejects(registrationProvider.create(orgJitInputs({ mode: "token", ephemeral: false })), /the API rate limit is exhausted; run again after \d{4}-\d\d-\d\dT/);
    fake.failNext({ method: "POST", path: /generate-jitconfig$/ }, { status: 502 });
    assert.ok(fake.runner("acme", (await create(orgJitInputs({ runnerGroup: undefined }))).runnerName as string), "one 502 is retried");
    fake.failNext({ method: "POST", path: /generate-jitconfig$/ }, { status: 503 }, 2);
    await assert.rejects(registrationProvider.create(orgJitInputs({ runnerGroup: undefined })), /HTTP 503 "Service Unavailable"; fix: GitHub had a server error \(retried already\); run again later$/);
    await assert.rejects(registrationProvider.create(orgJitInputs({ path: "no-such-org", runnerGroup: undefined })), /in org "no-such-org" failed: HTTP 404 "Not Found"/);
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
        useSettings({ apiUrl: ghes.apiUrl, auth: { kind: "token", token: TOKEN } });
        const inputs = orgJitInputs({ path: "corp/svc", runnerGroup: undefined });
        const outs = await create(inputs);
        assert.ok(ghes.runner("corp/svc", outs.runnerName as string));
        assert.deepEqual(await diff(outs, inputs), { changes: false });
        await registrationProvider.delete!("id", outs);
        assert.equal(ghes.runner("corp/svc", outs.runnerName as string), undefined);
        ghes.assertNoContractViolations();
    } finally {
        await ghes.stop();
    }
});

test("create refuses bad or unknown inputs with one error naming each; the boot settings are never echoed", async () => {
    await assert.rejects(registrationProvider.create(orgJitInputs({ mode: "sometimes", labels: [], boot: "not json s3cret" })), (error: unknown) => {
        assert.ok(error instanceof RegistrationInputError);
        assert.equal(
            error.message,
            'invalid RunnerRegistration inputs: mode: got "sometimes", expected "jit" or "token"; labels: got [], expected a list of 1 to 100 labels; boot: expected the boot settings as JSON object text (value not shown)',
        );
        return true;
    });
    await assert.rejects(registrationProvider.create(orgJitInputs({ instance: unknownValue })), /some inputs are still unknown/);
});

// ---- diff -----------------------------------------------------------------

test("diff reads GitHub and never writes: keep, label set, change, busy defers, found again, gone", async () => {
    const outs = await create(orgJitInputs());
    const name = outs.runnerName as string;
    const news = orgJitInputs();
    const newImage = orgJitInputs({ instance: { ...(news.instance as Props), imageId: "img-2" } });
    const mark = fake.requests.length;
    const replace = (keys: string[]) => ({ changes: true, replaces: keys, deleteBeforeReplace: true });

    assert.deepEqual(await diff(outs, news), { changes: false });
    assert.deepEqual(await diff(outs, orgJitInputs({ labels: ["x64", "small", "jammy"] })), { changes: false }, "labels are a set");
    assert.deepEqual(await diff(outs, orgJitInputs({ labels: ["x64", "small"] })), replace(["labels"]));
    assert.deepEqual(await diff(outs, newImage), replace(["instance"]));
    assert.deepEqual(await diff(outs, orgJitInputs({ template: "f".repeat(32) })), replace(["template"]), "a userdata code change is a desired change");
    assert.deepEqual(await diff(outs, orgJitInputs({ boot: encodeBootSettings({ ...BOOT, dockerhubMirror: "https://other.example.net" }) })), { changes: false }, "boot settings count through the template digest only");

    fake.setRunner("acme", name, { status: "online", busy: true });
    forgetSharedRunnerListings();
    assert.deepEqual(await diff(outs, newImage), { changes: false }, "a busy runner defers the change");
    fake.setRunner("acme", name, { busy: false });
    forgetSharedRunnerListings();
    assert.deepEqual(await diff(outs, newImage), replace(["instance"]), "the deferred change is found again");

    fake.removeRunner("acme", name);
    forgetSharedRunnerListings();
    assert.deepEqual(await diff(outs, news), replace(["runnerName"]), "an ephemeral runner whose job is done is replaced");
    assert.deepEqual(await diff(outs, orgJitInputs({ retiring: true })), { changes: false }, "a retiring slot is never recycled");

    assert.deepEqual(writesSince(mark), [], "diff made no POST, PUT, PATCH or DELETE");
    assert.ok(fake.requests.slice(mark).every((r) => r.path === "/orgs/acme/actions/runners"), "diff only lists runners");
});

test("diff: a failed runner listing stops the run with a clear error; it never counts as 'runner absent'", async () => {
    const outs = await create(orgJitInputs());
    forgetSharedRunnerListings();
    fake.failNext({ method: "GET", path: /\/orgs\/acme\/actions\/runners$/ }, { status: 503 }, 2);
    await assert.rejects(diff(outs, orgJitInputs()), (error: unknown) => {
        assert.ok(error instanceof GithubRegistrationError);
        assert.match(error.message, /^listing the runners of org "acme" failed: HTTP 503/);
        return true;
    });
    forgetSharedRunnerListings();
    fake.failNext({ method: "GET", path: /\/orgs\/acme\/actions\/runners$/ }, { status: 401 });
    await assert.rejects(diff(outs, orgJitInputs()), /HTTP 401/);
});

test("diff: the bootstrap timeout comes from the stack config; changing it changes no input", async () => {
    const hourAgo = new Date(Date.now() - 3600_000);
    const old = toPlainOutputs(await createRegistration(orgJitInputs() as never, { now: () => hourAgo }));
    useSettings(github, 7200);
    assert.deepEqual(await diff(old, orgJitInputs()), { changes: false }, "offline but within a 2-hour timeout");
    useSettings(github, 600);
    assert.deepEqual(await diff(old, orgJitInputs()), { changes: true, replaces: ["runnerName"], deleteBeforeReplace: true });
    fake.setRunner("acme", old.runnerName as string, { status: "online" });
    forgetSharedRunnerListings();
    assert.deepEqual(await diff(old, orgJitInputs()), { changes: false });
});

test("a token rotation changes no slot: diff, read and delete use the credentials of the current config", async () => {
    const outs = await create(orgJitInputs());
    useSettings({ apiUrl: fake.apiUrl, auth: { kind: "token", token: ROTATED_TOKEN } });
    forgetSharedRunnerListings();
    assert.deepEqual(await diff(outs, orgJitInputs()), { changes: false });
    const read = await registrationProvider.read!("id", outs);
    assert.deepEqual({ ...read.props, githubStatus: undefined }, { ...outs, githubStatus: undefined });
    await registrationProvider.delete!("id", outs);
    assert.equal(fake.runner("acme", outs.runnerName as string), undefined);
});

test("diff: a token-mode runner is found by name once its VM registered it", async () => {
    const inputs = orgJitInputs({ mode: "token", ephemeral: false, boot: encodeBootSettings({ ...BOOT, ephemeral: false }) });
    const outs = await create(inputs);
    const registered = await fetch(`${fake.sideChannelUrl}/runners/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ registration_token: credentialIn(scriptOf(outs), "registration-token"), name: outs.runnerName, labels: ["small"], ephemeral: false, runner_group_id: linuxGroupId }),
    });
    assert.equal(registered.status, 201, await registered.text());
    fake.setRunner("acme", outs.runnerName as string, { status: "online", busy: true });
    const changed = { ...inputs, template: "e".repeat(32) };
    assert.deepEqual(await diff(outs, changed), { changes: false }, "busy: deferred");
    fake.setRunner("acme", outs.runnerName as string, { busy: false });
    forgetSharedRunnerListings();
    assert.deepEqual(await diff(outs, changed), { changes: true, replaces: ["template"], deleteBeforeReplace: true });
});

test("diff during preview: an unknown desired value is a change for an idle runner", async () => {
    const outs = await create(orgJitInputs());
    const preview = orgJitInputs({ instance: { imageId: unknownValue, flavorId: "flavor-1", networkId: "net-1", securityGroup: "sg" } });
    assert.deepEqual(await diff(outs, preview), { changes: true, replaces: ["instance"], deleteBeforeReplace: true });
});

test("150 slots: all diffs of one run share one listing (2 list pages, no per-runner call, no write)", async () => {
    fake.addOrg("bigorg");
    const inputs = orgJitInputs({ path: "bigorg", runnerGroup: undefined, namePrefix: "pool-0" });
    const slots = await Promise.all(Array.from({ length: 150 }, () => create(inputs)));
    assert.equal(new Set(slots.map((outs) => outs.runnerName)).size, 150);
    forgetSharedRunnerListings();
    const mark = fake.requests.length;
    const results = await Promise.all(slots.map((outs) => diff(outs, inputs)));
    assert.ok(results.every((result) => result.changes === false));
    assert.deepEqual(
        fake.requests.slice(mark).map((r) => `${r.method} ${r.path} page=${r.query.page ?? "1"}`),
        ["GET /orgs/bigorg/actions/runners page=1", "GET /orgs/bigorg/actions/runners page=2"],
    );
    const usedUp = slots[77].runnerName as string;
    fake.removeRunner("bigorg", usedUp);
    forgetSharedRunnerListings();
    const next = await Promise.all(slots.map((outs) => diff(outs, inputs)));
    assert.deepEqual(next.flatMap((result, index) => (result.replaces !== undefined ? [slots[index].runnerName] : [])), [usedUp]);
    assert.equal(fake.requests.length - mark, 4);
});

test("GitHub App auth: one installation token serves every create, diff and delete of the process", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    fake.addApp({ appId: "4242", installationId: 777, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() });
    useSettings({ apiUrl: fake.apiUrl, auth: { kind: "app", appId: "4242", installationId: 777, privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString() } });
    const mark = fake.requests.length;
    const first = await create(orgJitInputs({ namePrefix: "app-a" }));
    const second = await create(orgJitInputs({ namePrefix: "app-b" }));
    forgetSharedRunnerListings();
    assert.deepEqual(await diff(first, orgJitInputs({ namePrefix: "app-a" })), { changes: false });
    assert.deepEqual(await diff(second, orgJitInputs({ namePrefix: "app-b" })), { changes: false });
    await registrationProvider.delete!("id", first);
    await registrationProvider.delete!("id", second);
    const calls = fake.requests.slice(mark).map((r) => `${r.method} ${r.path} ${r.status}`);
    assert.deepEqual(calls.filter((c) => c.includes("/app/installations")), ["POST /app/installations/777/access_tokens 201"]);
    // token + one group lookup shared by both creates + 2 JIT configs + one listing + 2 x (read, remove)
    assert.equal(calls.length, 1 + 1 + 2 + 1 + 2 * 2, calls.join("\n"));
});

// ---- read and delete -------------------------------------------------------

test("read (refresh) reports GitHub's view of the runner and keeps what the slot applied", async () => {
    const outs = await create(orgJitInputs());
    const status = async () => {
        forgetSharedRunnerListings();
        const result = await registrationProvider.read!("id", outs);
        assert.equal(result.id, "id");
        return (result.props as Props).githubStatus;
    };
    assert.equal(await status(), "offline");
    fake.setRunner("acme", outs.runnerName as string, { status: "online", busy: true });
    assert.equal(await status(), "busy");
    fake.removeRunner("acme", outs.runnerName as string);
    assert.equal(await status(), "absent", "refresh shows a runner GitHub no longer has");
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
    const raced = await create(orgJitInputs());
    fake.failNext({ method: "DELETE" }, { status: 404 });
    await registrationProvider.delete!("id", raced);
});

test("delete: a busy runner fails with a message naming it and what to do, and stays registered", async () => {
    const outs = await create(orgJitInputs({ path: "acme/app", runnerGroup: undefined }));
    fake.setRunner("acme/app", outs.runnerName as string, { status: "online", busy: true });
    await assert.rejects(registrationProvider.delete!("id", outs), (error: unknown) => {
        assert.ok(error instanceof GithubRunnerBusyError);
        assert.match(error.message, /is busy running a job, so GitHub refuses to remove it \(HTTP 422\); fix: wait for the job to finish/);
        return true;
    });
    assert.ok(fake.runner("acme/app", outs.runnerName as string));
});

test("state of another format (version 0.1 of this project) is refused with what to do, not misread", async () => {
    const legacy = { github: github, appliedSettings: {}, appliedSpec: {}, runnerName: "old-runner", createdAt: "2026-01-01T00:00:00Z", jitConfig: "x" };
    for (const call of [() => registrationProvider.delete!("id", legacy), () => diff(legacy, orgJitInputs())]) {
        await assert.rejects(call(), (error: unknown) => {
            assert.ok(error instanceof RegistrationInputError);
            assert.match(error.message, /^runner registration "old-runner" was written in the format of version 0\.1 of this project, not format 2: .*fix: drain the fleet with the version that created it/);
            return true;
        });
    }
});

// ---- the resource class and its provider loader -----------------------------

interface RegisteredRequest {
    type: string;
    object: Props;
    additionalSecretOutputs: string[];
    deleteBeforeReplace: boolean;
}

/** Runs `body` under Pulumi mocks and returns what the SDK sent to the monitor for each resource. */
async function registeredUnderMocks(body: () => pulumi.CustomResource): Promise<RegisteredRequest[]> {
    const seen: RegisteredRequest[] = [];
    await pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: () => ({}) });
    const settings: typeof import("@pulumi/pulumi/runtime/settings") = require("@pulumi/pulumi/runtime/settings");
    // The mock monitor drops resource options; record the raw requests before it does.
    const monitor = settings.getMonitor() as unknown as { registerResource: (req: unknown, cb: unknown) => void };
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: unknown, callback: unknown) => {
        const request = req as { getType(): string; getObject(): { toJavaScript(): Props }; getAdditionalsecretoutputsList(): string[]; getDeletebeforereplace(): boolean };
        seen.push({
            type: request.getType(),
            object: request.getObject().toJavaScript(),
            additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
            deleteBeforeReplace: request.getDeletebeforereplace(),
        });
        original(req, callback);
    };
    const resource = body();
    await new Promise<void>((resolve) => resource.urn.apply(() => resolve()));
    return seen;
}

const registrationArgs = () => ({
    path: "acme",
    runnerGroup: "linux",
    mode: "jit" as const,
    namePrefix: "ci-small-0",
    labels: ["small"],
    ephemeral: true,
    instance: { imageId: pulumi.output("img-1"), flavorId: "fl", networkId: "net", securityGroup: "sg" },
    boot: encodeBootSettings(BOOT),
    template: "0".repeat(32),
    retiring: false,
    hold: false,
    poweredOff: false,
});

test("RunnerRegistration: no credential among its inputs, userData always a secret output, settings too when sensitive; delete before replace", async () => {
    const [plainSlot] = await registeredUnderMocks(() => new RunnerRegistration("slot-0", registrationArgs()));
    assert.equal(plainSlot.type, "pulumi-nodejs:dynamic/github-runners:RunnerRegistration");
    assert.deepEqual(plainSlot.additionalSecretOutputs, ["userData"]);
    assert.equal(plainSlot.deleteBeforeReplace, true, "a recycled slot's old VM goes before the new one boots");
    assert.equal(plainSlot.object.__provider, providerLoader("registration"));
    assert.equal(plainSlot.object.github, undefined);
    const [sensitive] = await registeredUnderMocks(() => new RunnerRegistration("slot-1", registrationArgs(), { sensitiveSettings: true }));
    assert.deepEqual([...sensitive.additionalSecretOutputs].sort(), ["digests", "instance", "userData"]);
});

test("the loader is one line that requires the stable entry module by its path in the project", () => {
    const text = providerLoader("registration");
    assert.equal(text, `exports.handler = () => require(require("path").resolve(${JSON.stringify(PROVIDER_ENTRY)})).registration;\n`);
    assert.ok(text.length < 120);
});

test("the loader runs in a plain node process (no tsx preloaded), configured from the stack config, against the fake GitHub", async () => {
    const inputs = orgJitInputs({ namePrefix: "child-0" });
    const config = { [`${NAMESPACE}:githubToken`]: TOKEN, [`${NAMESPACE}:github`]: JSON.stringify({ path: "acme", apiUrl: fake.apiUrl }) };
    // The child does what cmd/dynamic-provider does: require-from-string of the text, handler(), configure({ config }).
    const childScript = `
        const requireFromString = require(${JSON.stringify(REQUIRE_FROM_STRING)});
        let input = "";
        process.stdin.on("data", (chunk) => (input += chunk));
        process.stdin.on("end", async () => {
            const { text, inputs, config } = JSON.parse(input);
            const provider = requireFromString(text).handler();
            await provider.configure({ config: { get: (key) => config[key] } });
            const created = await provider.create(inputs);
            const diffed = await provider.diff(created.id, created.outs, inputs);
            process.stdout.write(JSON.stringify({ id: created.id, runnerId: created.outs.runnerId, diffed }) + "\\n");
            await provider.delete(created.id, created.outs);
            process.stdout.write("deleted\\n");
        });`;
    const child = spawn(process.execPath, ["-e", childScript], { cwd: PROJECT_DIR, env: { PATH: process.env.PATH ?? "" }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdin.end(JSON.stringify({ text: providerLoader("registration"), inputs, config }));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 0, stderr);
    const [first, second] = stdout.trim().split("\n");
    const report = JSON.parse(first) as { id: string; runnerId: number; diffed: unknown };
    assert.match(report.id, /^child-0-[0-9a-f]{12}$/);
    assert.deepEqual(report.diffed, { changes: false });
    assert.equal(second, "deleted");
    assert.equal(fake.runner("acme", report.id), undefined);
    assert.ok(!stderr.includes(TOKEN));
});

test("through the SDK's own cmd/dynamic-provider host: configure with the stack config, create, diff, replace decision, delete", async () => {
    const monitor = new RecordingMonitor({ project: NAMESPACE, stack: "s", organization: "o", dryRun: false, parallel: 1 });
    const engineAddress = await monitor.start();
    const type = "pulumi-nodejs:dynamic/github-runners:RunnerRegistration";
    const resource = { urn: `urn:pulumi:s::${NAMESPACE}::${type}::slot`, name: "slot", type };
    const inputs = { ...orgJitInputs({ namePrefix: "host-0" }), __provider: providerLoader("registration") } as WireObject;
    const configure: WireObject = { [`${NAMESPACE}:githubToken`]: TOKEN, [`${NAMESPACE}:github`]: JSON.stringify({ path: "acme", apiUrl: fake.apiUrl }) };
    const run = async <T>(body: (host: DynamicProviderHost) => Promise<T>): Promise<T> => {
        const host = await DynamicProviderHost.start({ programDir: PROJECT_DIR, engineAddress, project: NAMESPACE, configure });
        try {
            return await body(host);
        } finally {
            await host.stop();
            assert.ok(!host.stderr.includes(TOKEN));
        }
    };
    try {
        const created = await run(async (host) => {
            const created = await host.create(resource, inputs);
            assert.deepEqual(await host.diff(resource, created.id, inputs, created.outputs, inputs), { changes: "none", replaces: [], deleteBeforeReplace: false });
            return created;
        });
        assert.match(created.id, /^host-0-[0-9a-f]{12}$/);
        assert.equal(created.outputs.__provider, providerLoader("registration"));
        fake.removeRunner("acme", created.id);
        await run(async (host) => {
            assert.deepEqual(await host.diff(resource, created.id, inputs, created.outputs, inputs), { changes: "some", replaces: ["runnerName"], deleteBeforeReplace: true });
            const mark = fake.requests.length;
            await host.delete(resource, created.id, inputs, created.outputs);
            assert.deepEqual(fake.requests.slice(mark).map((r) => `${r.method} ${r.status}`), ["GET 404"]);
        });
    } finally {
        await monitor.stop();
    }
});
