/**
 * The checkpoint as Pulumi writes it, on states built by hand: ResourceV3 fields, secrets
 * encrypted in the envelope Pulumi uses, a resource's share of the state, and what the engine
 * derives from the config and the SDK's requests.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { SourcePosition } from "@pulumi/pulumi/proto/source_pb.js";
import { checkpointBytesUnder, deserializeDeployment, serializeDeployment, serializeResource } from "./harness/checkpoint/checkpoint";
import { SymmetricCrypter } from "./harness/checkpoint/crypter";
import { DeploymentState, withInputs, withOutputs, type StoredResource } from "./harness/deployment-state";
import { applyReplaceOnChanges, processIgnoreChanges, requiresReplacement } from "./harness/engine/diff";
import { defaultProviderName, packageConfig } from "./harness/engine/package-config";
import { SECRET_SIG, SIG_KEY, type WireObject } from "./harness/pulumi-values";
import { makeSecret } from "./harness/secret-values";
import { sourcePositionOf } from "./harness/source-positions";
import { loadStateFile, saveStateFile } from "./harness/state-file";

function resource(urn: string, parent: string, inputs: WireObject, outputs: WireObject): StoredResource {
    const stored: StoredResource = {
        urn,
        type: urn.split("::")[2]!.split("$").pop()!,
        name: urn.split("::").pop()!,
        id: parent === "" ? "" : `${urn.split("::").pop()}-id`,
        custom: parent !== "",
        parent,
        inputs: {},
        outputs: {},
        secretInputs: [],
        secretOutputs: [],
        provider: "",
        dependencies: [],
        propertyDependencies: {},
        deletedWith: "",
        replaceWith: [],
        additionalSecretOutputs: [],
        ignoreChanges: [],
        replaceOnChanges: [],
        protect: false,
        retainOnDelete: false,
        external: false,
        pendingReplacement: false,
        importId: "",
        hooks: {},
        created: "2025-01-01T00:00:00.000Z",
        modified: "2025-01-01T00:00:00.000Z",
        sourcePosition: "",
        stackTrace: [],
    };
    withInputs(stored, inputs);
    withOutputs(stored, outputs);
    return stored;
}

const STACK = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev";
const SLOT_0 = "urn:pulumi:dev::p::p:index:Slot::slot-0";
const SLOT_1 = "urn:pulumi:dev::p::p:index:Slot::slot-1";

function twoSlots(secret: string): DeploymentState {
    const state = new DeploymentState();
    for (const [urn, parent, inputs, outputs] of [
        [STACK, "", {}, {}],
        [SLOT_0, STACK, {}, {}],
        [`urn:pulumi:dev::p::p:index:Slot$openstack:compute/instance:Instance::slot-0`, SLOT_0, { userData: makeSecret(secret) }, { name: "runner-0" }],
        [SLOT_1, STACK, {}, {}],
        [`urn:pulumi:dev::p::p:index:Slot$openstack:compute/instance:Instance::slot-1`, SLOT_1, { userData: makeSecret(`${secret}-but-much-longer`) }, { name: "runner-1" }],
    ] as [string, string, WireObject, WireObject][]) {
        state.resources.set(urn, resource(urn, parent, inputs, outputs));
    }
    return state;
}

describe("the checkpoint", () => {
    const crypter = SymmetricCrypter.random();
    const secret = "jit-config-abcdef0123456789";

    test("stores a secret as the envelope {sig, ciphertext: v1:<12-byte nonce>:<AES-256-GCM>} of the value's JSON", () => {
        const state = twoSlots(secret);
        const instance = serializeResource(state.resources.get(`urn:pulumi:dev::p::p:index:Slot$openstack:compute/instance:Instance::slot-0`)!, crypter);
        const envelope = instance.inputs?.["userData"] as Record<string, string>;
        assert.deepEqual(Object.keys(envelope), [SIG_KEY, "ciphertext"]);
        assert.equal(envelope[SIG_KEY], SECRET_SIG);
        const [version, nonce] = envelope["ciphertext"]!.split(":");
        assert.equal(version, "v1");
        assert.equal(Buffer.from(nonce!, "base64").length, 12);
        assert.equal(crypter.decrypt(envelope["ciphertext"]!), JSON.stringify(secret));
        assert.ok(!JSON.stringify(serializeDeployment(state, crypter)).includes(secret));
    });

    test("keeps ResourceV3's fields and drops empty ones; a pending delete is `delete: true`", () => {
        const state = twoSlots(secret);
        state.pendingDeletes.push(resource(`urn:pulumi:dev::p::p:index:Slot$openstack:compute/instance:Instance::slot-1`, SLOT_1, {}, { name: "old" }));
        const serialized = serializeDeployment(state, crypter).deployment.resources;
        assert.deepEqual(Object.keys(serialized[2]!), ["urn", "custom", "id", "type", "inputs", "outputs", "parent", "created", "modified"]);
        assert.equal(serialized[5]?.delete, true);
        const back = deserializeDeployment(serializeDeployment(state, crypter), crypter);
        assert.deepEqual([...back.resources.values()], [...state.resources.values()]);
        assert.deepEqual(back.pendingDeletes, state.pendingDeletes);
    });

    test("counts a slot's bytes: the slot and what is under it, not its siblings", () => {
        const state = twoSlots(secret);
        const slot0 = checkpointBytesUnder(state, SLOT_0, crypter);
        const slot1 = checkpointBytesUnder(state, SLOT_1, crypter);
        const expected = Buffer.byteLength(
            JSON.stringify([state.resources.get(SLOT_0)!, state.resources.get(`urn:pulumi:dev::p::p:index:Slot$openstack:compute/instance:Instance::slot-0`)!].map((r) => serializeResource(r, crypter))),
        );
        // Ciphertexts of the same length plaintext have the same length, so the sizes are exact.
        assert.equal(slot0, expected);
        assert.ok(slot1 > slot0, "slot-1's longer secret makes its state larger");
    });

    test("a state file holds the checkpoint and the last config with secrets encrypted, and loads back the same", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "harness-checkpoint-"));
        try {
            const file = path.join(dir, "state.json");
            const state = twoSlots(secret);
            state.lastConfig = { config: { "p:token": "tok-very-secret", "p:region": "R1" }, secretKeys: ["p:token"] };
            const identity = { project: "p", stack: "dev", organization: "o" };
            saveStateFile(file, identity, { state, crypter, cloud: undefined });
            const text = readFileSync(file, "utf8");
            assert.ok(!text.includes(secret) && !text.includes("tok-very-secret"));
            const loaded = loadStateFile(file, identity);
            assert.deepEqual([...loaded.state.resources.values()], [...state.resources.values()]);
            assert.deepEqual(loaded.state.lastConfig, state.lastConfig);
            assert.throws(() => loadStateFile(file, { ...identity, stack: "prod" }), /holds stack "dev", not "prod"/);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("what the engine derives", () => {
    test("a dynamic provider gets the whole config, namespaced, secrets as secrets; another provider its own namespace", () => {
        const config = { config: { "app:token": "t", "app:count": "3", "openstack:region": "R1" }, secretKeys: ["app:token"] };
        assert.deepEqual(packageConfig("pulumi-nodejs", config, ""), { "app:token": makeSecret("t"), "app:count": "3", "openstack:region": "R1" });
        assert.deepEqual(packageConfig("openstack", config, "3.15.2"), { region: "R1", version: "3.15.2" });
        assert.equal(defaultProviderName("3.15.2"), "default_3_15_2");
        assert.equal(defaultProviderName(""), "default");
    });

    test("ignoreChanges puts the old value back at the path (and drops one the old inputs lack)", () => {
        const old = { spec: { image: "a", flavor: "f" }, tags: ["x"] };
        const next = { spec: { image: "b", flavor: "g" }, tags: ["y"], extra: 1 };
        assert.deepEqual(processIgnoreChanges(next, old, ["spec.image", "extra"]).inputs, { spec: { image: "a", flavor: "g" }, tags: ["y"] });
        assert.deepEqual(processIgnoreChanges(next, old, ["tags[*]"]).inputs.tags, ["x"]);
    });

    test("replaceOnChanges turns a change under its path into a replacement (`triggers[*]` covers triggers[0])", () => {
        const diff = { changes: "some" as const, replaceKeys: [], changedKeys: ["triggers"], detailedDiff: [{ path: "triggers[0]", replace: false }], deleteBeforeReplace: false };
        assert.equal(requiresReplacement(applyReplaceOnChanges(diff, ["triggers[*]"])), true);
        assert.equal(requiresReplacement(applyReplaceOnChanges(diff, ["other"])), false);
        assert.equal(requiresReplacement(applyReplaceOnChanges({ ...diff, detailedDiff: undefined }, ["triggers"])), true);
    });

    test("source positions are kept relative to the project root", () => {
        const position = new SourcePosition().setUri("file:///src/app/components/runner.ts").setLine(42).setColumn(7);
        assert.equal(sourcePositionOf(position, "/src/app"), "project:///components/runner.ts#42,7");
        assert.equal(sourcePositionOf(new SourcePosition().setUri("relative.ts").setLine(1), "/src/app"), "");
    });
});
