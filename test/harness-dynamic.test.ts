/**
 * Dynamic resources under the simulated engine, in the SDK's own dynamic-provider host, through
 * the harness's program (test/harness/fixtures/tiny): the host is configured with the stack's
 * whole config, a preview gets only the new inputs of an update, delete-before-replace cascades to
 * dependents, and resource hooks run the engine's way.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { FixtureStack, type FixtureEvent } from "./harness/fixture-stack";
import type { OperationResult } from "./harness/harness-stack";
import { UNKNOWN_VALUE, type WireObject } from "./harness/pulumi-values";

const TIME_LIMIT = { timeout: 600_000 };

function rootOutputs(result: OperationResult): WireObject {
    const monitor = result.run?.monitor;
    return monitor?.registeredOutputs.get(monitor.rootResourceUrn) ?? {};
}

function ops(events: FixtureEvent[]): string[] {
    return events.filter((event) => event.op !== "configure").map((event) => `${event.op}${event["name"] !== undefined ? ` ${String(event["name"])}` : ""}`);
}

describe("a dynamic resource's provider host", TIME_LIMIT, () => {
    const token = `tok-${randomBytes(12).toString("hex")}`;
    let fixture: FixtureStack;
    let up: OperationResult;
    let preview: OperationResult;
    let eventsAfterUp: FixtureEvent[];
    let eventsOfPreview: FixtureEvent[];

    before(async () => {
        fixture = await FixtureStack.open({
            scenario: "dynamic",
            config: { value: "one", token, greeting: "hello", "openstack:region": "RegionTwo" },
            secret: ["token"],
        });
        up = await fixture.stack.up();
        eventsAfterUp = fixture.events();
        fixture.configure({ value: "two" });
        preview = await fixture.stack.preview();
        eventsOfPreview = fixture.events().slice(eventsAfterUp.length);
    });
    after(() => fixture?.dispose());

    test("is configured with the stack's whole config: every namespace, keys namespaced, secrets as their plain value", () => {
        assert.equal(up.error, undefined, up.error);
        const configure = eventsAfterUp.filter((event) => event.op === "configure");
        assert.equal(configure.length, 1, JSON.stringify(eventsAfterUp));
        assert.equal(configure[0]!["greeting"], "hello");
        assert.equal(configure[0]!["openstackRegion"], "RegionTwo");
        assert.equal(configure[0]!["tokenSha256"], createHash("sha256").update(token).digest("hex"));
    });

    test("up creates through the host; its outputs reach the program", () => {
        assert.deepEqual(ops(eventsAfterUp), ["create recorder"]);
        assert.equal(rootOutputs(up)["computed"], "c-one");
    });

    test("a preview of an update calls no Create or Update and answers only the new inputs: what the provider computes is unknown", () => {
        assert.equal(preview.error, undefined, preview.error);
        assert.deepEqual(ops(eventsOfPreview), []);
        assert.deepEqual(preview.steps.filter((step) => step.custom).map((step) => step.op), ["update"]);
        assert.equal(rootOutputs(preview)["value"], "two");
        assert.equal(rootOutputs(preview)["computed"], UNKNOWN_VALUE);
    });
});

describe("delete-before-replace of a dynamic resource", TIME_LIMIT, () => {
    let fixture: FixtureStack;
    let replaced: OperationResult;
    let events: FixtureEvent[];

    before(async () => {
        fixture = await FixtureStack.open({ scenario: "cascade", config: { value: "1" } });
        const first = await fixture.stack.up();
        assert.equal(first.error, undefined, first.error);
        const before = fixture.events().length;
        fixture.configure({ value: "2" });
        replaced = await fixture.stack.up();
        events = fixture.events().slice(before);
    });
    after(() => fixture?.dispose());

    test("deletes first the dependent whose replacing input depends on the root, then the root; creates the root, then the dependent", () => {
        assert.equal(replaced.error, undefined, replaced.error);
        const steps = replaced.steps.filter((step) => step.custom).map((step) => `${step.op} ${step.urn.split("::").pop()}`);
        // The dependent and the bystander both wait for the root only, so the program registers them in either order.
        assert.deepEqual(steps.slice(0, 3), ["delete-replaced dependent", "delete-replaced root", "replace root"]);
        assert.deepEqual(steps.slice(3).sort(), ["replace dependent", "update bystander"]);
        const happened = ops(events);
        assert.deepEqual(happened.slice(0, 3), ["delete dependent", "delete root", "create root"]);
        assert.deepEqual(happened.slice(3).sort(), ["create dependent", "update bystander"]);
    });

    test("leaves a dependent whose provider does not replace it on the unknown input (it is updated afterwards)", () => {
        assert.ok(!events.some((event) => event.op === "delete" && event["name"] === "bystander"));
    });
});

describe("resource hooks", TIME_LIMIT, () => {
    let plain: FixtureStack;
    let failing: FixtureStack;
    let onDryRun: FixtureStack;
    const results: Record<string, OperationResult> = {};
    const events: Record<string, FixtureEvent[]> = {};

    before(async () => {
        plain = await FixtureStack.open({ scenario: "hooks" });
        results["preview"] = await plain.stack.preview();
        events["preview"] = plain.events();
        results["up"] = await plain.stack.up();
        events["up"] = plain.events().slice(events["preview"].length);
        failing = await FixtureStack.open({ scenario: "hooks", config: { failHook: "true" } });
        results["failing"] = await failing.stack.up();
        events["failing"] = failing.events();
        onDryRun = await FixtureStack.open({ scenario: "hooks", config: { hookOnDryRun: "true" } });
        results["onDryRun"] = await onDryRun.stack.preview();
        events["onDryRun"] = onDryRun.events();
    });
    after(() => {
        for (const fixture of [plain, failing, onDryRun]) fixture?.dispose();
    });

    test("a before-create hook does not run in a preview", () => {
        assert.equal(results["preview"]?.error, undefined, results["preview"]?.error);
        assert.deepEqual(ops(events["preview"]!), []);
    });

    test("runs in the program before the provider's Create", () => {
        assert.equal(results["up"]?.error, undefined, results["up"]?.error);
        assert.deepEqual(ops(events["up"]!), ["hook", "create hooked"]);
        assert.deepEqual(results["up"]?.hookCalls.map((call) => [call.hook, call.type]), [["record-before-create", "BeforeCreate"]]);
    });

    test("a hook's error fails the create with the engine's message, and nothing is created", () => {
        assert.match(results["failing"]?.error ?? "", /before hook "record-before-create" failed: the hook says no/);
        assert.deepEqual(ops(events["failing"]!), ["hook"]);
        assert.ok(![...failing.stack.state.resources.values()].some((resource) => resource.type.includes("Recorder")));
    });

    test("a hook registered onDryRun runs in a preview too", () => {
        assert.deepEqual(ops(events["onDryRun"]!), ["hook"]);
    });
});

describe("a delete hook", TIME_LIMIT, () => {
    let fixture: FixtureStack;
    let withoutProgram: OperationResult;
    let withProgram: OperationResult;
    let events: FixtureEvent[];

    before(async () => {
        fixture = await FixtureStack.open({ scenario: "deleteHook" });
        const up = await fixture.stack.up();
        assert.equal(up.error, undefined, up.error);
        withoutProgram = await fixture.stack.destroy();
        const before = fixture.events().length;
        withProgram = await fixture.stack.destroy({ runProgram: true });
        events = fixture.events().slice(before);
    });
    after(() => fixture?.dispose());

    test("stops a destroy that does not run the program: the engine does not know the hook", () => {
        assert.match(withoutProgram.error ?? "", /hook "record-before-delete" was not registered/);
    });

    test("runs before the delete when the destroy runs the program, and the stack ends empty", () => {
        assert.equal(withProgram.error, undefined, withProgram.error);
        assert.deepEqual(ops(events), ["delete-hook", "delete guarded"]);
        assert.equal(fixture.stack.state.resources.size, 0);
    });
});

describe("the import option on a dynamic resource", TIME_LIMIT, () => {
    let fixture: FixtureStack;
    let result: OperationResult;

    before(async () => {
        fixture = await FixtureStack.open({ scenario: "importDynamic", config: { value: "v", importId: "existing-1" } });
        result = await fixture.stack.up();
    });
    after(() => fixture?.dispose());

    // The engine's ImportStep reads with neither inputs nor state (pulumi/pulumi v3.259
    // pkg/resource/deploy/step.go ImportStep.Apply), so the SDK's dynamic-provider host has no
    // `__provider` to load (@pulumi/pulumi cmd/dynamic-provider read, getProvider): the import
    // fails, as users report (pulumi/pulumi#16175, #3550). The harness must fail it the same way.
    test("fails in the provider host, which gets no __provider, and adopts nothing", () => {
        assert.ok(result.error !== undefined, "the import succeeded; the engine's cannot");
        assert.match(`${result.error}\n${result.providerStderr}`, /code must be a string|__provider/);
        assert.deepEqual([...fixture.stack.state.resources.values()].filter((resource) => resource.custom && !resource.type.startsWith("pulumi:providers:")), []);
    });
});

describe("a program that declares one URN twice", TIME_LIMIT, () => {
    let fixture: FixtureStack;
    let result: OperationResult;

    before(async () => {
        fixture = await FixtureStack.open({ scenario: "duplicateUrn", config: { value: "v" } });
        result = await fixture.stack.up();
    });
    after(() => fixture?.dispose());

    // The engine bails out of the deployment at the second registration (pulumi/pulumi v3.259
    // pkg/resource/deploy/step_generator.go generateURN, bailDiag): an error on the URN, the up fails.
    test("fails the up with the engine's error on that URN, not a time-out", () => {
        assert.match(result.error ?? "", /Duplicate resource URN '.*::twin'; try giving it a unique name/);
        assert.ok(
            result.diagnostics.some((diagnostic) => diagnostic.severity === "error" && diagnostic.message.startsWith("Duplicate resource URN") && diagnostic.urn.endsWith("::twin")),
            `no error diagnostic on the duplicate URN in ${JSON.stringify(result.diagnostics)}`,
        );
    });
});
