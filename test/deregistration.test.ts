/**
 * The drain guard (RunnerDeregistration): create touches nothing on GitHub;
 * delete deregisters the runner (404 counts as done, 422 busy fails clearly);
 * diff replaces it for a new runner or VM and never calls GitHub.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { GithubConnection } from "../components/github/client";
import { RunnerDeregistration } from "../components/github/deregistration";
import { drainGuardProvider } from "../components/github/deregistration/provider";
import { GithubRunnerBusyError, RegistrationInputError } from "../components/github/errors";
import { providerLocation, serializableProvider } from "../components/github/provider-shim";
import { setSharedClientTuning } from "../components/github/shared-client";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { FakeGithub } from "./fake-github";

const TOKEN = "ghp_drain_guard_test_token_abcdef";
const ROTATED_TOKEN = "ghp_drain_guard_rotated_token_fedcba";

let fake: FakeGithub;
let github: GithubConnection;

before(async () => {
    setSharedClientTuning({ retries: 1, retryAfterBaseMs: 1, writeSpacingMs: 0 });
    fake = await FakeGithub.start({});
    fake.addToken(TOKEN);
    fake.addToken(ROTATED_TOKEN);
    fake.addOrg("acme");
    fake.addRepo("acme", "app");
    github = { apiUrl: fake.apiUrl, auth: { kind: "token", token: TOKEN } };
});

after(async () => {
    fake.assertNoContractViolations();
    await fake.stop();
});

type Props = Record<string, unknown>;

function guardInputs(runner: { id?: number; name: string }, overrides: Props = {}): Props {
    const inputs: Props = { github, path: "acme", runnerName: runner.name, instanceId: "instance-1", ...overrides };
    if (runner.id !== undefined) inputs.runnerId = runner.id;
    return inputs;
}

test("create does nothing on GitHub and keeps its inputs", async () => {
    const [runner] = fake.addRunners("acme", 1, "create-only");
    const mark = fake.requests.length;
    const inputs = guardInputs(runner);
    assert.deepEqual((await drainGuardProvider.check!({}, inputs)).failures, []);
    const created = await drainGuardProvider.create(inputs);
    assert.equal(created.id, "acme/create-only-1");
    assert.deepEqual(created.outs, inputs);
    assert.equal(fake.requests.length, mark);
    assert.ok(fake.runner("acme", "create-only-1"));
});

test("delete deregisters the runner by id; an already removed runner counts as done, with no write", async () => {
    const [runner] = fake.addRunners("acme", 1, "drain-by-id");
    const { outs } = await drainGuardProvider.create(guardInputs(runner));
    await drainGuardProvider.delete!("id", outs);
    assert.equal(fake.runner("acme", "drain-by-id-1"), undefined);
    const mark = fake.requests.length;
    await drainGuardProvider.delete!("id", outs);
    assert.deepEqual(fake.requests.slice(mark).map((r) => `${r.method} ${r.path} ${r.status}`), [`GET /orgs/acme/actions/runners/${runner.id} 404`]);
});

test("delete without a runner id finds the runner by name (token mode), in a repository", async () => {
    const [runner] = fake.addRunners("acme/app", 1, "drain-by-name");
    const { outs } = await drainGuardProvider.create(guardInputs({ name: runner.name }, { path: "acme/app" }));
    const mark = fake.requests.length;
    await drainGuardProvider.delete!("id", outs);
    assert.equal(fake.runner("acme/app", runner.name), undefined);
    assert.deepEqual(
        fake.requests.slice(mark).map((r) => `${r.method} ${r.path} ${r.status}`),
        ["GET /repos/acme/app/actions/runners 200", `DELETE /repos/acme/app/actions/runners/${runner.id} 204`],
    );
    // Gone already (or never registered): the lookup finds nothing to remove.
    const again = fake.requests.length;
    await drainGuardProvider.delete!("id", outs);
    assert.deepEqual(fake.requests.slice(again).map((r) => `${r.method} ${r.status}`), ["GET 200"]);
});

test("delete of a busy runner fails, naming the runner and what to do, so the VM is not deleted", async () => {
    const [runner] = fake.addRunners("acme", 1, "drain-busy", { status: "online", busy: true });
    const { outs } = await drainGuardProvider.create(guardInputs(runner));
    await assert.rejects(drainGuardProvider.delete!("id", outs), (error: unknown) => {
        assert.ok(error instanceof GithubRunnerBusyError);
        assert.equal(
            error.message,
            `runner "drain-busy-1" (id ${runner.id}) in org "acme" is busy running a job, so GitHub refuses to remove it (HTTP 422); fix: wait for the job to finish (or cancel it in GitHub Actions), then run \`pulumi up\` or \`pulumi destroy\` again`,
        );
        return true;
    });
    assert.ok(fake.runner("acme", "drain-busy-1"));
    fake.setRunner("acme", "drain-busy-1", { busy: false });
    await drainGuardProvider.delete!("id", outs);
    assert.equal(fake.runner("acme", "drain-busy-1"), undefined);
});

test("diff: a new runner or VM replaces the guard, a rotated token updates it, nothing calls GitHub", async () => {
    const olds = guardInputs({ id: 41, name: "slot-a" });
    const mark = fake.requests.length;
    assert.deepEqual(await drainGuardProvider.diff!("id", olds, { ...olds }), { changes: false });
    assert.deepEqual(await drainGuardProvider.diff!("id", olds, { ...olds, instanceId: "instance-2" }), { changes: true, replaces: ["instanceId"] });
    assert.deepEqual(await drainGuardProvider.diff!("id", olds, guardInputs({ id: 42, name: "slot-b" })), { changes: true, replaces: ["runnerName", "runnerId"] });
    const rotated = { ...olds, github: { apiUrl: fake.apiUrl, auth: { kind: "token", token: ROTATED_TOKEN } } };
    assert.deepEqual(await drainGuardProvider.diff!("id", olds, rotated), { changes: true });
    const { outs } = (await drainGuardProvider.update!("id", olds, rotated)) as { outs: Props };
    assert.deepEqual(outs, rotated);
    assert.equal(fake.requests.length, mark);
});

test("check and delete name every bad input", async () => {
    const bad = { github: { apiUrl: "not a url", auth: { kind: "token", token: TOKEN } }, path: "a/b/c", runnerName: "", runnerId: -1, instanceId: 5 };
    const { failures } = await drainGuardProvider.check!({}, bad);
    assert.deepEqual(
        failures?.map((f) => f.property),
        ["github", "path", "runnerName", "runnerId", "instanceId"],
    );
    assert.ok(!JSON.stringify(failures).includes(TOKEN));
    await assert.rejects(drainGuardProvider.delete!("id", bad), (error: unknown) => {
        assert.ok(error instanceof RegistrationInputError);
        assert.match(error.message, /^invalid RunnerDeregistration inputs: github: expected a GitHub connection .*; path: got "a\/b\/c", expected "org" or "owner\/repo"; runnerName: got "", expected a runner name; runnerId: got -1, expected a positive integer runner id or nothing; instanceId: got 5, expected the instance id$/);
        return true;
    });
});

test("the serialized drain guard provider holds no secret and works once loaded from its text", async () => {
    const shim = serializableProvider(providerLocation(require.resolve("../components/github/deregistration/provider"), "drainGuardProvider"));
    const serialized = await pulumi.runtime.serializeFunction(() => shim, { allowSecrets: false });
    assert.equal(serialized.containsSecrets, false);
    assert.ok(!serialized.text.includes(TOKEN));
    // The SDK's own dependency, resolved from where cmd/dynamic-provider resolves it.
    const fromSdk = createRequire(require.resolve("@pulumi/pulumi/cmd/dynamic-provider"));
    const requireFromString: (code: string) => { handler: () => pulumi.dynamic.ResourceProvider } = fromSdk("require-from-string");
    const loaded = requireFromString(serialized.text).handler();
    const [runner] = fake.addRunners("acme", 1, "loaded-from-text");
    const { outs } = await loaded.create(guardInputs(runner));
    await loaded.delete!("id", outs);
    assert.equal(fake.runner("acme", "loaded-from-text-1"), undefined);
});

test("RunnerDeregistration registers the connection as a secret input and output", async () => {
    const requests: { type: string; object: Props; secretOutputs: string[] }[] = [];
    await pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: () => ({}) });
    const settings: typeof import("@pulumi/pulumi/runtime/settings") = require("@pulumi/pulumi/runtime/settings");
    // The mock monitor drops additionalSecretOutputs; record the raw requests before it does.
    const monitor = settings.getMonitor() as unknown as { registerResource: (req: unknown, cb: unknown) => void };
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: unknown, callback: unknown) => {
        const request = req as { getType(): string; getObject(): { toJavaScript(): Props }; getAdditionalsecretoutputsList(): string[] };
        requests.push({ type: request.getType(), object: request.getObject().toJavaScript(), secretOutputs: request.getAdditionalsecretoutputsList() });
        original(req, callback);
    };
    const guard = new RunnerDeregistration("slot-0-drain", {
        github: { apiUrl: "https://api.github.com", auth: { kind: "token", token: TOKEN } },
        path: "acme",
        runnerName: "ci-small-0123456789ab",
        runnerId: pulumi.output(undefined),
        instanceId: pulumi.output("instance-1"),
    });
    await new Promise<void>((resolve) => guard.urn.apply(() => resolve()));
    const registered = requests.find((r) => r.type === "pulumi-nodejs:dynamic/github-runners:RunnerDeregistration");
    assert.ok(registered);
    assert.deepEqual(registered.secretOutputs, ["github"]);
    assert.equal((registered.object.github as Props)[specialSigKey], specialSecretSig);
    assert.ok(!JSON.stringify({ ...registered.object, github: undefined }).includes(TOKEN));
});
