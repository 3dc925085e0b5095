/**
 * The drain guard (RunnerDeregistration): create touches nothing on GitHub;
 * delete deregisters the runner (404 counts as done, 422 busy fails clearly);
 * diff replaces it for a new runner or VM; with `drain` (a retiring slot) its
 * update deregisters an idle runner and waits, without failing, on a busy one.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { GithubConnection } from "../components/github/client";
import { RunnerDeregistration } from "../components/github/deregistration";
import { drainGuardProvider } from "../components/github/deregistration/provider";
import { GithubRunnerBusyError, RegistrationInputError } from "../components/github/errors";
import { forgetSharedRunnerListings } from "../components/github/runners";
import { setSharedClientTuning } from "../components/github/shared-client";
import { providerLoader } from "../components/providers/loader";
import { setProviderSettings } from "../components/providers/settings";
import { FakeGithub } from "./fake-github";

const TOKEN = "ghp_drain_guard_test_token_abcdef";

let fake: FakeGithub;
let github: GithubConnection;

before(async () => {
    setSharedClientTuning({ retries: 1, retryAfterBaseMs: 1, writeSpacingMs: 0 });
    fake = await FakeGithub.start({});
    fake.addToken(TOKEN);
    fake.addOrg("acme");
    fake.addRepo("acme", "app");
    github = { apiUrl: fake.apiUrl, auth: { kind: "token", token: TOKEN } };
});

beforeEach(() => {
    forgetSharedRunnerListings();
    setProviderSettings({ connection: github, bootstrapTimeoutSeconds: 900 });
});

after(async () => {
    setProviderSettings(undefined);
    fake.assertNoContractViolations();
    await fake.stop();
});

type Props = Record<string, unknown>;

function guardInputs(runner: { id?: number; name: string }, overrides: Props = {}): Props {
    const inputs: Props = { path: "acme", runnerName: runner.name, instanceId: "instance-1", drain: false, ...overrides };
    if (runner.id !== undefined) inputs.runnerId = runner.id;
    return inputs;
}

const writes = (mark: number) => fake.requests.slice(mark).filter((r) => r.method !== "GET");

test("create does nothing on GitHub and keeps its inputs", async () => {
    const [runner] = fake.addRunners("acme", 1, "create-only");
    const mark = fake.requests.length;
    const inputs = guardInputs(runner);
    assert.deepEqual((await drainGuardProvider.check!({}, inputs)).failures, []);
    const created = await drainGuardProvider.create(inputs);
    assert.equal(created.id, "acme/create-only-1");
    assert.deepEqual(created.outs, inputs);
    assert.equal(fake.requests.length, mark);
});

test("delete deregisters the runner by id; an already removed runner counts as done, with no write", async () => {
    const [runner] = fake.addRunners("acme", 1, "delete-by-id");
    await drainGuardProvider.delete!("acme/delete-by-id-1", guardInputs(runner));
    assert.equal(fake.runner("acme", runner.name), undefined);
    const mark = fake.requests.length;
    await drainGuardProvider.delete!("acme/delete-by-id-1", guardInputs(runner));
    assert.deepEqual(writes(mark), []);
});

test("delete without a runner id finds the runner by name (token mode), in a repository", async () => {
    const [runner] = fake.addRunners("acme/app", 1, "by-name");
    await drainGuardProvider.delete!("x", guardInputs({ name: runner.name }, { path: "acme/app" }));
    assert.equal(fake.runner("acme/app", runner.name), undefined);
});

test("delete of a busy runner fails, naming the runner and what to do, so the VM is not deleted", async () => {
    const [runner] = fake.addRunners("acme", 1, "busy", { status: "online", busy: true });
    await assert.rejects(drainGuardProvider.delete!("x", guardInputs(runner)), (error: unknown) => {
        assert.ok(error instanceof GithubRunnerBusyError);
        assert.match(error.message, /busy running a job/);
        return true;
    });
    assert.ok(fake.runner("acme", runner.name));
});

test("diff: a new runner or VM replaces the guard; an unknown one too (preview); nothing else changes it", async () => {
    const [runner] = fake.addRunners("acme", 1, "diff");
    const olds = guardInputs(runner);
    const mark = fake.requests.length;
    assert.deepEqual(await drainGuardProvider.diff!("x", olds, guardInputs(runner)), { changes: false });
    assert.deepEqual(await drainGuardProvider.diff!("x", olds, guardInputs(runner, { instanceId: "instance-2" })), { changes: true, replaces: ["instanceId"] });
    assert.deepEqual(await drainGuardProvider.diff!("x", olds, guardInputs(runner, { runnerName: unknownValue })), { changes: true, replaces: ["runnerName"] });
    assert.equal(fake.requests.length, mark, "diff calls GitHub only for a drained slot");
});

test("drain: an idle runner of a retiring slot is deregistered by the update; the next run finds it gone", async () => {
    const [runner] = fake.addRunners("acme", 1, "drain-idle", { status: "online" });
    const olds = guardInputs(runner);
    const news = guardInputs(runner, { drain: true });
    assert.deepEqual(await drainGuardProvider.diff!("x", olds, news), { changes: true });
    const updated = (await drainGuardProvider.update!("x", olds, news)) as { outs: Props };
    assert.equal(updated.outs.drained, true);
    assert.equal(fake.runner("acme", runner.name), undefined, "the runner can take no new job");
    forgetSharedRunnerListings();
    assert.deepEqual(await drainGuardProvider.diff!("x", updated.outs, news), { changes: false }, "drained and gone: nothing more to do");
});

test("drain: a busy runner is left alone and the update does not fail; a later run drains it once idle", async () => {
    const [runner] = fake.addRunners("acme", 1, "drain-busy", { status: "online", busy: true });
    const news = guardInputs(runner, { drain: true });
    const updated = (await drainGuardProvider.update!("x", guardInputs(runner), news)) as { outs: Props };
    assert.equal(updated.outs.drained, false);
    assert.ok(fake.runner("acme", runner.name), "the job goes on");
    fake.setRunner("acme", runner.name, { busy: false });
    assert.deepEqual(await drainGuardProvider.diff!("x", updated.outs, news), { changes: true });
    const again = (await drainGuardProvider.update!("x", updated.outs, news)) as { outs: Props };
    assert.equal(again.outs.drained, true);
    assert.equal(fake.runner("acme", runner.name), undefined);
});

test("drain: a token-mode runner that registered after its drain is found by name and drained again", async () => {
    const drained = { ...guardInputs({ name: "late-runner" }, { drain: true }), drained: true };
    assert.deepEqual(await drainGuardProvider.diff!("x", drained, guardInputs({ name: "late-runner" }, { drain: true })), { changes: false });
    fake.addRunners("acme", 1, "late", { status: "online" });
    forgetSharedRunnerListings();
    const late = { ...guardInputs({ name: "late-1" }, { drain: true }), drained: true };
    assert.deepEqual(await drainGuardProvider.diff!("x", late, guardInputs({ name: "late-1" }, { drain: true })), { changes: true });
});

test("read reports GitHub's view of the runner", async () => {
    const [runner] = fake.addRunners("acme", 1, "read", { status: "online", busy: true });
    assert.equal(((await drainGuardProvider.read!("x", guardInputs(runner))).props as Props).githubStatus, "busy");
    fake.removeRunner("acme", runner.name);
    forgetSharedRunnerListings();
    assert.equal(((await drainGuardProvider.read!("x", guardInputs(runner))).props as Props).githubStatus, "absent");
});

test("check and delete name every bad input", async () => {
    const bad = { path: "a/b/c", runnerName: "", runnerId: -1, instanceId: 7, drain: "yes" };
    const { failures } = await drainGuardProvider.check!({}, bad);
    assert.deepEqual((failures ?? []).map((f) => f.property), ["path", "runnerName", "runnerId", "instanceId", "drain"]);
    await assert.rejects(drainGuardProvider.delete!("x", bad), (error: unknown) => error instanceof RegistrationInputError && /^invalid RunnerDeregistration inputs: path: got "a\/b\/c"/.test(error.message));
});

test("RunnerDeregistration: a one-line provider loader, no credential among its inputs", async () => {
    const seen: Props[] = [];
    await pulumi.runtime.setMocks({
        newResource: (args) => {
            seen.push(args.inputs as Props);
            return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
    });
    const guard = new RunnerDeregistration("slot-0-drain", { path: "acme", runnerName: "r", instanceId: "i", drain: false });
    await new Promise<void>((resolve) => guard.urn.apply(() => resolve()));
    assert.equal(seen[0]?.__provider, providerLoader("drainGuard"));
    assert.equal(seen[0]?.github, undefined);
});
