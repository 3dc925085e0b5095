/**
 * A HarnessStack's state between operations: a StackReference reads the stack's last outputs,
 * the state saved to a file is picked up by another process, and the checkpoint (and the file)
 * hold every secret encrypted the way Pulumi does.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { FixtureStack, FIXTURE_PROJECT, type FixtureEvent } from "./harness/fixture-stack";
import type { OperationResult } from "./harness/harness-stack";
import { SECRET_SIG, SIG_KEY, type WireObject } from "./harness/pulumi-values";
import { isSecret } from "./harness/secret-values";

const TIME_LIMIT = { timeout: 600_000 };
const run = promisify(execFile);

describe("a StackReference to the stack itself", TIME_LIMIT, () => {
    const token = `tok-${randomBytes(8).toString("hex")}`;
    let fixture: FixtureStack;
    let first: OperationResult;
    let second: OperationResult;

    before(async () => {
        fixture = await FixtureStack.open({ scenario: "stackReference", config: { token }, secret: ["token"] });
        first = await fixture.stack.up();
        second = await fixture.stack.up();
    });
    after(() => fixture?.dispose());

    test("reads the outputs of the stack's last deployment", () => {
        assert.equal(first.error, undefined, first.error);
        assert.equal(second.error, undefined, second.error);
        assert.equal(first.outputs["counter"], 1);
        assert.equal(second.outputs["counter"], 2);
    });

    test("keeps a secret output secret, and the read names it among secretOutputNames", () => {
        assert.ok(isSecret(second.outputs["secretNote"]));
        const reference = [...fixture.stack.state.resources.values()].find((resource) => resource.type === "pulumi:pulumi:StackReference");
        assert.equal(reference?.external, true);
        assert.deepEqual(reference?.outputs["secretOutputNames"], ["secretNote"]);
    });
});

describe("a stack kept in a state file", TIME_LIMIT, () => {
    const token = `tok-${randomBytes(12).toString("hex")}`;
    const config = { [`${FIXTURE_PROJECT}:scenario`]: "dynamic", [`${FIXTURE_PROJECT}:value`]: "one", [`${FIXTURE_PROJECT}:token`]: token };
    const secretKeys = [`${FIXTURE_PROJECT}:token`];
    let fixture: FixtureStack;
    let up: OperationResult;
    let stateAfterUp: string;
    let otherProcess: { error: string | null; steps: { op: string; urn: string }[] };
    let destroyed: OperationResult;
    let destroyEvents: FixtureEvent[];

    before(async () => {
        fixture = await FixtureStack.open({ scenario: "dynamic", config: { value: "one", token }, secret: ["token"], persistent: true });
        up = await fixture.stack.up();
        stateAfterUp = readFileSync(fixture.stateFile, "utf8");
        const script = path.join(__dirname, "harness", "fixtures", "operate.ts");
        const { stdout } = await run(process.execPath, ["--import", "tsx", script, fixture.stateFile, "preview", JSON.stringify(config), JSON.stringify(secretKeys)], {
            cwd: path.join(__dirname, ".."),
            timeout: 240_000,
            env: { ...process.env, NODE_OPTIONS: "" },
        });
        otherProcess = JSON.parse(stdout.trim().split("\n").pop()!) as typeof otherProcess;
        // The config changes after the last up: a destroy must still use the config the stack was deployed with.
        fixture.configure({ token: "a-newer-token" });
        const before = fixture.events().length;
        destroyed = await fixture.stack.destroy();
        destroyEvents = fixture.events().slice(before);
    });
    after(() => fixture?.dispose());

    test("is picked up by another process: its preview finds every resource unchanged", () => {
        assert.equal(up.error, undefined, up.error);
        assert.equal(otherProcess.error, null);
        assert.deepEqual([...new Set(otherProcess.steps.map((step) => step.op))], ["same"]);
        assert.ok(otherProcess.steps.some((step) => step.urn.endsWith("::recorder")));
    });

    test("a destroy without the program configures the provider from the state (the last run's config) and empties it", () => {
        assert.equal(destroyed.error, undefined, destroyed.error);
        assert.deepEqual(destroyEvents.map((event) => [event.op, event["tokenSha256"] ?? event["name"]]), [
            ["configure", createHash("sha256").update(token).digest("hex")],
            ["delete", "recorder"],
        ]);
        assert.equal(fixture.stack.state.resources.size, 0);
        const saved = JSON.parse(readFileSync(fixture.stateFile, "utf8")) as { checkpoint: { deployment: { resources: unknown[] } } };
        assert.deepEqual(saved.checkpoint.deployment.resources, []);
    });

    test("holds the secrets only encrypted: the token appears nowhere in the file, its envelopes decrypt to it", () => {
        assert.ok(!stateAfterUp.includes(token), "the token is in clear in the state file");
        const saved = JSON.parse(stateAfterUp) as { checkpoint: unknown };
        const envelopes: WireObject[] = [];
        const walk = (value: unknown): void => {
            if (Array.isArray(value)) value.forEach(walk);
            else if (value !== null && typeof value === "object") {
                const object = value as WireObject;
                if (object[SIG_KEY] === SECRET_SIG) envelopes.push(object);
                else Object.values(object).forEach(walk);
            }
        };
        walk(saved.checkpoint);
        assert.ok(envelopes.length >= 3, "the config, the provider inputs and the resource's secret input are secrets");
        for (const envelope of envelopes) {
            assert.deepEqual(Object.keys(envelope).sort(), ["4dabf18193072939515e22adb298388d", "ciphertext"]);
            assert.match(String(envelope["ciphertext"]), /^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/=]+$/);
        }
        const decrypted = envelopes.map((envelope) => fixture.stack.crypter.decrypt(String(envelope["ciphertext"])));
        assert.ok(decrypted.includes(JSON.stringify(token)));
    });
});
