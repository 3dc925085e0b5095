import assert from "node:assert/strict";
import { test } from "node:test";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { decideRegistration, RUNNER_STATE_KEY, type DecisionInput, type RunnerObservation } from "../components/github/registration/decision";
import { changedIdentityKeys, identityDigests } from "../components/github/registration/identity";
import { diffResultOf } from "../components/github/registration/provider";

const desired = {
    path: "acme",
    runnerGroup: "linux",
    mode: "jit",
    namePrefix: "ci-small-0",
    labels: ["small", "jammy", "x64"],
    ephemeral: true,
    instance: { imageId: "img-1", flavorId: "fl-1", networkId: "net", securityGroup: "sg" },
    template: "0123456789abcdef0123456789abcdef",
};
const applied = identityDigests(desired);

const createdAt = "2026-01-01T00:00:00.000Z";
const minutesAfterCreate = (minutes: number) => new Date(Date.parse(createdAt) + minutes * 60_000);

const idleOnline: RunnerObservation = { kind: "present", status: "online", busy: false };
const busyOnline: RunnerObservation = { kind: "present", status: "online", busy: true };
const idleOffline: RunnerObservation = { kind: "present", status: "offline", busy: false };
const absent: RunnerObservation = { kind: "absent" };

function input(overrides: Partial<DecisionInput> = {}): DecisionInput {
    return { changed: [], registeredAtCreate: true, createdAt, bootstrapTimeoutSeconds: 900, observed: idleOnline, now: minutesAfterCreate(60), retiring: false, ...overrides };
}

test("identity: equal values have equal digests, label order and case do not matter, key order does not matter", () => {
    assert.deepEqual(changedIdentityKeys(applied, { ...desired }), []);
    assert.deepEqual(changedIdentityKeys(applied, { ...desired, labels: ["X64", "small", "jammy"] }), []);
    assert.deepEqual(changedIdentityKeys(applied, { ...desired, instance: { securityGroup: "sg", networkId: "net", flavorId: "fl-1", imageId: "img-1" } }), []);
    const noGroup = identityDigests({ ...desired, runnerGroup: undefined });
    assert.deepEqual(changedIdentityKeys(noGroup, { ...desired, runnerGroup: undefined }), []);
    assert.deepEqual(changedIdentityKeys(noGroup, { ...desired, runnerGroup: null }), [], "a missing group and null compare equal");
});

test("identity: each key's change is named; an unknown value (preview) counts as a change", () => {
    assert.deepEqual(changedIdentityKeys(applied, { ...desired, instance: { ...desired.instance, imageId: "img-2" } }), ["instance"]);
    assert.deepEqual(changedIdentityKeys(applied, { ...desired, template: "f".repeat(32), labels: ["gpu"] }), ["labels", "template"]);
    assert.deepEqual(changedIdentityKeys(applied, { ...desired, instance: { ...desired.instance, imageId: unknownValue } }), ["instance"]);
    assert.deepEqual(changedIdentityKeys(applied, { ...desired, ephemeral: unknownValue }), ["ephemeral"]);
});

test("an unchanged, idle, online runner is kept", () => {
    const decision = decideRegistration(input());
    assert.equal(decision.action, "keep");
    assert.deepEqual(diffResultOf(decision), { changes: false });
});

test("a JIT runner gone from GitHub (ephemeral job done) is replaced, delete before create", () => {
    const decision = decideRegistration(input({ observed: absent }));
    assert.equal(decision.action, "replace");
    assert.deepEqual(decision.action === "replace" && decision.replaceKeys, [RUNNER_STATE_KEY]);
    assert.match(decision.reason, /gone from GitHub/);
    assert.deepEqual(diffResultOf(decision), { changes: true, replaces: [RUNNER_STATE_KEY], deleteBeforeReplace: true });
});

test("a gone runner with a pending change reports both", () => {
    const decision = decideRegistration(input({ observed: absent, changed: ["instance"] }));
    assert.deepEqual(decision.action === "replace" && decision.replaceKeys, [RUNNER_STATE_KEY, "instance"]);
});

test("token mode: kept while within the bootstrap timeout, replaced after it, a change applies while booting", () => {
    assert.equal(decideRegistration(input({ registeredAtCreate: false, observed: absent, now: minutesAfterCreate(5) })).action, "keep");
    const late = decideRegistration(input({ registeredAtCreate: false, observed: absent, now: minutesAfterCreate(16) }));
    assert.equal(late.action, "replace");
    assert.match(late.reason, /never registered within the bootstrap timeout/);
    const changed = decideRegistration(input({ registeredAtCreate: false, observed: absent, now: minutesAfterCreate(5), changed: ["labels"] }));
    assert.deepEqual(changed.action === "replace" && changed.replaceKeys, ["labels"]);
});

test("token mode: a runner GitHub does not list whose VM powered off is used up, within the bootstrap timeout too; JIT is unaffected", () => {
    const booting = input({ registeredAtCreate: false, observed: absent, now: minutesAfterCreate(3) });
    assert.equal(decideRegistration(booting).action, "keep");
    const usedUp = decideRegistration({ ...booting, poweredOff: true });
    assert.equal(usedUp.action, "replace");
    assert.match(usedUp.reason, /powered off/);
    assert.deepEqual(usedUp.action === "replace" ? usedUp.replaceKeys : [], [RUNNER_STATE_KEY]);
    assert.equal(decideRegistration({ ...booting, poweredOff: true, retiring: true }).action, "keep", "a retiring slot is never recycled");
    assert.equal(decideRegistration({ ...booting, poweredOff: true, observed: idleOnline }).action, "keep", "a listed runner is judged by GitHub's view");
    assert.match(decideRegistration(input({ observed: absent, poweredOff: true })).reason, /gone from GitHub/);
});

test("a busy runner defers every change, and says which", () => {
    const decision = decideRegistration(input({ observed: busyOnline, changed: ["instance", "template"] }));
    assert.deepEqual(decision, { action: "keep", deferred: ["instance", "template"], reason: "the runner is busy: the change of instance, template waits until its job is done" });
    assert.deepEqual(diffResultOf(decision), { changes: false });
});

test("an idle runner takes a change: replaced", () => {
    const decision = decideRegistration(input({ changed: ["template"] }));
    assert.deepEqual(decision.action === "replace" && decision.replaceKeys, ["template"]);
    assert.match(decision.reason, /idle/);
});

test("offline past the bootstrap timeout is replaced; offline within it is kept", () => {
    assert.equal(decideRegistration(input({ observed: idleOffline, now: minutesAfterCreate(16) })).action, "replace");
    assert.equal(decideRegistration(input({ observed: idleOffline, now: minutesAfterCreate(5) })).action, "keep");
});

test("a retiring slot is never recycled, even when its runner is gone or its settings changed", () => {
    for (const observed of [absent, idleOnline, idleOffline, busyOnline]) {
        const decision = decideRegistration(input({ retiring: true, observed, changed: ["labels"], now: minutesAfterCreate(600) }));
        assert.equal(decision.action, "keep", JSON.stringify(observed));
    }
});

test("an unreadable creation time counts as old", () => {
    assert.equal(decideRegistration(input({ createdAt: "garbage", observed: idleOffline })).action, "replace");
});

test("a held slot (GitHub's registration budget spent) is kept instead of recycled, and says why", () => {
    const decision = decideRegistration(input({ observed: absent, hold: true }));
    assert.equal(decision.action, "keep");
    assert.match(decision.reason, /gone from GitHub .*registration budget for this hour is spent: a later up recycles it/);
    assert.equal(decideRegistration(input({ hold: true })).action, "keep");
});
