/**
 * What the benchmark added to the engine harness, or changed there for speed: a stack's
 * environment set between operations (HarnessStack.setEnv), the monitor's duplicate-URN check
 * (a set lookup in place of a scan), the engine's deep copy of wire values (copyWire, in place of
 * structuredClone) and the working state's copy (one deep copy).
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb.js";
import { ResourceMonitorClient } from "@pulumi/pulumi/proto/resource_grpc_pb.js";
import { RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb.js";
import { DeploymentState, type StoredResource } from "./harness/deployment-state";
import { FixtureStack } from "./harness/fixture-stack";
import { copyWire, type WireObject, type WireValue } from "./harness/pulumi-values";
import { RecordingMonitor } from "./harness/recording-monitor";

function events(file: string): { op: string; value?: string }[] {
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as { op: string; value?: string });
}

function resource(urn: string, inputs: WireObject): StoredResource {
    return {
        urn, type: "t:index:T", name: urn, id: "id", custom: true, parent: "", inputs, outputs: { nested: { list: [1, { deep: "x" }] } },
        secretInputs: [], secretOutputs: [], provider: "", dependencies: [], propertyDependencies: {}, deletedWith: "", replaceWith: [],
        additionalSecretOutputs: [], ignoreChanges: [], replaceOnChanges: [], protect: false, retainOnDelete: false, external: false,
        pendingReplacement: false, importId: "", hooks: {}, created: "c", modified: "m", sourcePosition: "", stackTrace: [],
    };
}

describe("harness additions for the benchmark", { timeout: 240_000 }, () => {
    test("setEnv: the next operation's program and dynamic-provider host get the new environment, not the old", async () => {
        // The hook runs in the program (onDryRun: in previews too), configure in the provider host.
        const fixture = await FixtureStack.open({ scenario: "hooks", config: { hookOnDryRun: "true" } });
        try {
            const first = await fixture.stack.preview();
            assert.equal(first.error, undefined, first.providerStderr);
            const firstOps = events(fixture.logFile).map((event) => event.op);
            assert.ok(firstOps.includes("hook") && firstOps.includes("configure"), firstOps.join(","));

            const otherLog = path.join(fixture.dir, "other-events.jsonl");
            fixture.stack.setEnv({ HARNESS_FIXTURE_LOG: otherLog, PULUMI_NODEJS_TRANSPILE_ONLY: "true" });
            const second = await fixture.stack.preview();
            assert.equal(second.error, undefined, second.providerStderr);
            const secondOps = events(otherLog).map((event) => event.op);
            assert.ok(secondOps.includes("hook"), `the program's hook logs to the new file: ${secondOps.join(",")}`);
            assert.ok(secondOps.includes("configure"), `the provider host logs to the new file: ${secondOps.join(",")}`);
            assert.equal(events(fixture.logFile).length, firstOps.length, "nothing more reaches the old log");
        } finally {
            fixture.dispose();
        }
    });

    test("a second registration of one URN is refused, as the engine refuses it (the monitor's duplicate check)", async () => {
        const monitor = new RecordingMonitor({ project: "p", stack: "s", organization: "o", dryRun: true, parallel: 1 });
        const client = new ResourceMonitorClient(await monitor.start(), grpc.credentials.createInsecure());
        const register = (name: string): Promise<string> =>
            new Promise((resolve, reject) => {
                const request = new RegisterResourceRequest().setType("t:index:T").setName(name).setCustom(true).setObject(Struct.fromJavaScript({}));
                client.registerResource(request, (error, response) => (error ? reject(error) : resolve(response!.getUrn())));
            });
        try {
            assert.equal(await register("twin"), "urn:pulumi:s::p::t:index:T::twin");
            assert.equal(await register("other"), "urn:pulumi:s::p::t:index:T::other");
            await assert.rejects(register("twin"), /Duplicate resource URN 'urn:pulumi:s::p::t:index:T::twin'; try giving it a unique name/);
            assert.deepEqual(monitor.registrations.map((registration) => registration.name), ["twin", "other"]);
        } finally {
            client.close();
            await monitor.stop();
        }
    });

    test("copyWire is a deep copy like structuredClone: equal, nothing shared, undefined-valued keys kept", () => {
        const value = { a: [1, "two", null, { b: true }], c: { d: { e: "f" } }, g: undefined } as unknown as WireObject;
        const copy = copyWire(value);
        assert.deepStrictEqual(copy, structuredClone(value));
        assert.ok("g" in copy);
        assert.notEqual(copy["a"], value["a"]);
        assert.notEqual((copy["a"] as WireObject[])[3], (value["a"] as WireObject[])[3]);
        assert.notEqual((copy["c"] as WireObject)["d"], (value["c"] as WireObject)["d"]);
        assert.equal(copyWire("text"), "text");
        assert.equal(copyWire(null), null);
    });

    test("a state's clone is deep and its parts share nothing, with each other or with the original", () => {
        const state = new DeploymentState();
        const shared = { same: "object" };
        state.resources.set("urn:a", resource("urn:a", { shared }));
        state.pendingDeletes.push(resource("urn:a", { shared }));
        state.lastConfig = { config: { "p:k": "v" }, secretKeys: [] };
        const clone = state.clone();
        assert.deepStrictEqual([...clone.resources.values()], [...state.resources.values()]);
        assert.deepStrictEqual(clone.pendingDeletes, state.pendingDeletes);
        assert.deepStrictEqual(clone.lastConfig, state.lastConfig);
        const cloned = clone.resources.get("urn:a")!;
        assert.notEqual(cloned, state.resources.get("urn:a"));
        assert.notEqual(cloned.inputs["shared"], shared);
        assert.notEqual(clone.pendingDeletes[0]!.inputs["shared"], cloned.inputs["shared"], "resources and pendingDeletes are copied apart, as fromJSON(toJSON()) did");
        assert.notEqual(clone.lastConfig, state.lastConfig);
        ((cloned.outputs["nested"] as WireObject)["list"] as WireValue[]).push("more");
        assert.deepStrictEqual(state.resources.get("urn:a")!.outputs, { nested: { list: [1, { deep: "x" }] } });
    });
});
