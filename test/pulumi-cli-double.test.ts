/**
 * The `pulumi` test double, driven by the Automation API exactly as the
 * reconciler drives it (LocalWorkspace on a project directory, the double first
 * on PATH), on a small program of its own (test/pulumi-cli-double/fixtures/tiny)
 * run by the engine harness with the state in a file between CLI runs. Each
 * case checks what the Automation API parses: the version, errors it turns into
 * StackNotFoundError and ConcurrentUpdateError, engine events over its gRPC
 * event stream, outputs with secrets, the history summary, the export; and the
 * diy backend's lock, history and passphrase secrets.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { ConcurrentUpdateError, LocalWorkspace, StackNotFoundError, type EngineEvent, type Stack } from "@pulumi/pulumi/automation";
import { DOUBLE_DIR, DoubleWorld, TINY_FIXTURE_DIR } from "./pulumi-cli-double/test-world";

const STACK = "test";
const TOKEN = "s3cret-token-0123456789";
const PROJECT = "cli-double-fixture";

function select(world: DoubleWorld, env: Record<string, string> = {}): Promise<Stack> {
    return LocalWorkspace.selectStack({ stackName: STACK, workDir: world.projectDir }, { envVars: world.env(env) });
}

/** Writes a lock file as another `pulumi up` holding the stack would (pkg/backend/diy/lock.go). */
function foreignLock(world: DoubleWorld): string {
    const dir = path.join(world.backendDir, ".pulumi", "locks", "organization", PROJECT, STACK);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "7d3f2b8e-0000-4000-8000-000000000001.json");
    writeFileSync(file, JSON.stringify({ pid: 4242, username: "ci", hostname: "other-host", timestamp: "2025-01-02T03:04:05.123456789Z" }));
    return file;
}

describe("the pulumi CLI double under the Automation API", { timeout: 600_000 }, () => {
    let world: DoubleWorld;
    const originalPath = process.env["PATH"];

    before(() => {
        // PulumiCommand.get() finds `pulumi` on this process's PATH (automation/cmd.js).
        process.env["PATH"] = `${DOUBLE_DIR}${path.delimiter}${originalPath ?? ""}`;
        world = DoubleWorld.create(TINY_FIXTURE_DIR);
        world.initStack(STACK, { count: { value: "2" }, token: { value: TOKEN, secret: true } });
    });
    after(() => {
        process.env["PATH"] = originalPath;
        world.dispose();
    });

    test("a missing stack is the Automation API's StackNotFoundError (the CLI's text and exit code 6)", async () => {
        const error = await LocalWorkspace.selectStack({ stackName: "nope", workDir: world.projectDir }, { envVars: world.env() }).then(
            () => undefined,
            (caught: unknown) => caught,
        );
        assert.ok(error instanceof StackNotFoundError, `expected StackNotFoundError, got ${String(error)}`);
        // A failed command reaches the caller as execa's error: "Command failed with exit code N: ..." (automation/cmd.js exec).
        assert.match(error.message, /Command failed with exit code 6: pulumi stack select --stack nope/);
        assert.match(error.message, /error: no stack named 'nope' found/);
    });

    test("up runs the program on the harness, streams engine events, and returns outputs and the history summary", async () => {
        const stack = await select(world);
        const events: EngineEvent[] = [];
        const result = await stack.up({ onEvent: (event) => events.push(event) });

        assert.match(result.stdout, /^Updating \(test\):/);
        assert.deepEqual(result.outputs["labels"], { value: ["item-0", "item-1"], secret: false });
        assert.deepEqual(result.outputs["token"], { value: TOKEN, secret: true });
        assert.equal(result.summary.kind, "update");
        assert.equal(result.summary.result, "succeeded");
        assert.deepEqual(result.summary.resourceChanges, { create: 3 });
        assert.deepEqual(result.summary.config[`${PROJECT}:token`], { value: TOKEN, secret: true });

        const created = events.filter((event) => event.resOutputsEvent?.metadata.op === "create").map((event) => event.resOutputsEvent?.metadata.urn.split("::").pop());
        assert.deepEqual(created.sort(), ["cli-double-fixture-test", "item-0", "item-1"]);
        assert.deepEqual(events.map((event) => event.sequence), events.map((_, index) => index));
        assert.deepEqual(events[0]?.preludeEvent?.config, { [`${PROJECT}:count`]: "2", [`${PROJECT}:token`]: "[secret]" });
        const summary = events.find((event) => event.summaryEvent !== undefined)?.summaryEvent;
        assert.deepEqual(summary?.resourceChanges, { create: 3 });
        assert.ok(events.at(-1)?.cancelEvent !== undefined, "the event stream ends with a cancel event, as the engine's does");
        assert.ok(!JSON.stringify(events).includes(TOKEN), "no event carries the secret in clear");
        // The checkpoint in the backend is the exported deployment; no secret in clear there either.
        const checkpoint = readFileSync(path.join(world.backendDir, ".pulumi", "stacks", PROJECT, `${STACK}.json`), "utf8");
        assert.ok(checkpoint.includes("pulumi-nodejs:dynamic/cli-double:Item"));
        assert.ok(!checkpoint.includes(TOKEN));
    });

    test("state is kept between CLI runs: a second up changes nothing, a preview plans nothing", async () => {
        const stack = await select(world);
        const again = await stack.up();
        assert.deepEqual(again.summary.resourceChanges, { same: 3 });
        const preview = await stack.preview();
        assert.deepEqual(preview.changeSummary, { same: 3 });
        const history = await stack.history();
        assert.deepEqual(history.map((update) => update.kind), ["update", "update"], "a preview adds no history entry");
    });

    test("exportStack gives the checkpoint with secrets in the plaintext envelope (--show-secrets)", async () => {
        const stack = await select(world);
        const exported = await stack.exportStack();
        assert.equal(exported.version, 3);
        const resources = (exported.deployment as { resources: { type: string; outputs?: Record<string, unknown> }[] }).resources;
        const root = resources.find((resource) => resource.type === "pulumi:pulumi:Stack");
        assert.deepEqual(root?.outputs?.["token"], { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", plaintext: JSON.stringify(TOKEN) });
    });

    test("a stack locked by another update fails up with ConcurrentUpdateError and the diy backend's message; the lock is left alone", async () => {
        const lock = foreignLock(world);
        try {
            const stack = await select(world);
            const error = await stack.up().then(() => undefined, (caught: unknown) => caught);
            assert.ok(error instanceof ConcurrentUpdateError, `expected ConcurrentUpdateError, got ${String(error)}`);
            assert.match(error.message, /error: the stack is currently locked by 1 lock\(s\)\. Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`\./);
            assert.match(error.message, /: created by ci@other-host \(pid 4242\) at 2025-01-02T03:04:05Z/);
            assert.ok(existsSync(lock), "a failed up never removes someone else's lock");
            const preview = await stack.preview();
            assert.deepEqual(preview.changeSummary, { same: 3 }, "a preview takes no lock, so it runs while the stack is locked");
            // `pulumi cancel` is what breaks a lock (backend.go CancelCurrentUpdate: every lock file goes).
            await stack.cancel();
            assert.ok(!existsSync(lock));
        } finally {
            if (existsSync(lock)) writeFileSync(lock, "");
        }
    });

    test("two ups at once: the second is refused while the first holds the lock, and the first releases it", async () => {
        const slow = await select(world, { CLI_DOUBLE_FIXTURE_DELAY_MS: "6000" });
        await slow.setConfig("count", { value: "3" });
        const lockDir = path.join(world.backendDir, ".pulumi", "locks", "organization", PROJECT, STACK);
        const first = slow.up();
        const deadline = Date.now() + 60_000;
        while (!(existsSync(lockDir) && readdirSync(lockDir).length > 0)) {
            if (Date.now() > deadline) throw new Error("the first up never took the lock");
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const second = await (await select(world)).up().then(() => undefined, (caught: unknown) => caught);
        assert.ok(second instanceof ConcurrentUpdateError, `expected ConcurrentUpdateError, got ${String(second)}`);
        const result = await first;
        assert.deepEqual(result.summary.resourceChanges, { create: 1, same: 3 });
        assert.deepEqual(readdirSync(lockDir), [], "the first up released its lock");
    });

    test("an up aborted through the Automation API's signal (SIGINT) finishes its steps, exits 8 'update cancelled' and releases the lock", async () => {
        const stack = await select(world, { CLI_DOUBLE_FIXTURE_DELAY_MS: "4000" });
        await stack.setConfig("count", { value: "4" });
        const lockDir = path.join(world.backendDir, ".pulumi", "locks", "organization", PROJECT, STACK);
        const abort = new AbortController();
        const up = stack.up({ signal: abort.signal }).then(() => undefined, (caught: unknown) => caught);
        const deadline = Date.now() + 60_000;
        while (!(existsSync(lockDir) && readdirSync(lockDir).length > 0)) {
            if (Date.now() > deadline) throw new Error("the up never took the lock");
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        abort.abort();
        const error = await up;
        assert.ok(error instanceof Error, `expected a CommandError, got ${String(error)}`);
        assert.match(error.message, /Command failed with exit code 8/);
        assert.match(error.message, /error: update cancelled/);
        assert.deepEqual(readdirSync(lockDir), [], "the lock is released");
        const [latest] = await stack.history(1, 1);
        assert.equal(latest?.result, "failed", "a cancelled update is recorded as failed");
    });

    test("a failed up exits 1 with the provider's error in the Diagnostics on stdout, records a failed update and unlocks", async () => {
        const stack = await select(world, { CLI_DOUBLE_FIXTURE_FAIL: "the cloud said no" });
        await stack.setConfig("count", { value: "5" });
        try {
            const error = await stack.up().then(() => undefined, (caught: unknown) => caught);
            assert.ok(error instanceof Error && !(error instanceof ConcurrentUpdateError), `expected a CommandError, got ${String(error)}`);
            assert.match(error.message, /Command failed with exit code 1: pulumi up/);
            assert.match(error.message, /Diagnostics:\n  pulumi-nodejs:dynamic\/cli-double:Item \(item-4\):\n    error: the cloud said no\n/);
            const [latest] = await stack.history(1, 1);
            assert.equal(latest?.kind, "update");
            assert.equal(latest?.result, "failed");
            const lockDir = path.join(world.backendDir, ".pulumi", "locks", "organization", PROJECT, STACK);
            assert.deepEqual(readdirSync(lockDir), []);
        } finally {
            await stack.setConfig("count", { value: "2" });
        }
    });

    test("getAllConfig decrypts with the passphrase; a wrong or missing passphrase fails as the CLI does", async () => {
        const stack = await select(world);
        const config = await stack.getAllConfig();
        assert.deepEqual(config[`${PROJECT}:token`], { value: TOKEN, secret: true });
        const wrong = await select(world, { PULUMI_CONFIG_PASSPHRASE: "not-the-passphrase" });
        await assert.rejects(wrong.getAllConfig(), /error: incorrect passphrase/);
        const env = world.env();
        delete env["PULUMI_CONFIG_PASSPHRASE"];
        assert.equal(process.env["PULUMI_CONFIG_PASSPHRASE"], undefined, "this test process has no passphrase of its own");
        const none = await LocalWorkspace.selectStack({ stackName: STACK, workDir: world.projectDir }, { envVars: env });
        await assert.rejects(none.getAllConfig(), /error: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables/);
    });

    test("refresh and destroy: destroy deletes every resource and leaves no outputs; history lists each operation", async () => {
        const stack = await select(world);
        const refreshed = await stack.refresh();
        assert.equal(refreshed.summary.kind, "refresh");
        assert.equal(refreshed.summary.result, "succeeded");
        const destroyed = await stack.destroy();
        assert.equal(destroyed.summary.kind, "destroy");
        assert.ok((destroyed.summary.resourceChanges?.["delete"] ?? 0) >= 3, JSON.stringify(destroyed.summary.resourceChanges));
        assert.deepEqual(await stack.outputs(), {});
        const kinds = (await stack.history()).map((update) => update.kind);
        assert.deepEqual(kinds.slice(0, 2), ["destroy", "refresh"], "newest first");
    });

    test("stack init and config set --secret through the CLI make a stack the double can run", async () => {
        const workspace = await LocalWorkspace.create({ workDir: world.projectDir, envVars: world.env() });
        await workspace.createStack("second");
        await workspace.setConfig("second", "token", { value: "another-secret-value", secret: true });
        const file = readFileSync(path.join(world.projectDir, "Pulumi.second.yaml"), "utf8");
        assert.match(file, /encryptionsalt: v1:/);
        assert.match(file, /secure: v1:/);
        assert.ok(!file.includes("another-secret-value"));
        const stacks = await workspace.listStacks();
        assert.deepEqual(stacks.map((summary) => [summary.name, summary.current]).sort(), [["second", true], ["test", false]]);
        assert.deepEqual(await workspace.getConfig("second", "token"), { value: "another-secret-value", secret: true });
    });
});
