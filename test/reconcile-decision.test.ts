import assert from "node:assert/strict";
import { test } from "node:test";
import {
    changedIdentityKeys,
    decideRegistration,
    RUNNER_STATE_KEY,
    type DecisionInput,
    type RegistrationIdentity,
    type RunnerObservation,
} from "../components/github/registration/decision";
import { diffResultOf } from "../components/github/registration/provider";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";

const UNKNOWN = unknownValue;

const applied: RegistrationIdentity = {
    path: "acme",
    runnerGroup: "linux",
    mode: "jit",
    namePrefix: "ci-small",
    labels: ["small", "jammy", "x64"],
    ephemeral: true,
    spec: { imageId: "img-1", flavorId: "fl-1", boot: "hash-1" },
};

const createdAt = "2026-01-01T00:00:00.000Z";
const minutesAfterCreate = (minutes: number) => new Date(Date.parse(createdAt) + minutes * 60_000);

const idleOnline: RunnerObservation = { kind: "present", status: "online", busy: false };
const busyOnline: RunnerObservation = { kind: "present", status: "online", busy: true };
const idleOffline: RunnerObservation = { kind: "present", status: "offline", busy: false };
const absent: RunnerObservation = { kind: "absent" };

function input(overrides: Partial<DecisionInput> = {}): DecisionInput {
    return {
        applied,
        desired: structuredClone(applied),
        registeredAtCreate: true,
        createdAt,
        bootstrapTimeoutSeconds: 900,
        settingsChanged: false,
        observed: idleOnline,
        now: minutesAfterCreate(60),
        ...overrides,
    };
}

const newImage = { ...applied, spec: { imageId: "img-2", flavorId: "fl-1", boot: "hash-1" } };

test("an unchanged, idle, online runner is kept", () => {
    assert.deepEqual(decideRegistration(input()), { action: "keep", deferred: [] });
    assert.deepEqual(diffResultOf(decideRegistration(input())), { changes: false });
});

test("key order and a missing runner group compare by value, not by text", () => {
    const reordered = { ...applied, spec: { boot: "hash-1", flavorId: "fl-1", imageId: "img-1" } };
    assert.deepEqual(changedIdentityKeys(applied, reordered), []);
    const noGroup = { ...applied, runnerGroup: undefined };
    assert.deepEqual(changedIdentityKeys(noGroup, { ...noGroup }), []);
});

test("a JIT runner gone from GitHub (ephemeral job done) is replaced", () => {
    const decision = decideRegistration(input({ observed: absent }));
    assert.equal(decision.action, "replace");
    assert.deepEqual(decision.action === "replace" && decision.replaceKeys, [RUNNER_STATE_KEY]);
    assert.match(decision.action === "replace" ? decision.reason : "", /gone from GitHub/);
    assert.deepEqual(diffResultOf(decision), { changes: true, replaces: [RUNNER_STATE_KEY] });
});

test("a gone runner with a pending spec change reports both keys", () => {
    const decision = decideRegistration(input({ observed: absent, desired: newImage }));
    assert.deepEqual(decision.action === "replace" && decision.replaceKeys, [RUNNER_STATE_KEY, "spec"]);
});

test("a token-mode runner not yet registered is kept while within the bootstrap timeout", () => {
    const decision = decideRegistration(input({ registeredAtCreate: false, observed: absent, now: minutesAfterCreate(5) }));
    assert.deepEqual(decision, { action: "keep", deferred: [] });
});

test("a token-mode runner that never registered within the bootstrap timeout is replaced", () => {
    const decision = decideRegistration(input({ registeredAtCreate: false, observed: absent, now: minutesAfterCreate(16) }));
    assert.equal(decision.action, "replace");
    assert.match(decision.action === "replace" ? decision.reason : "", /never registered within the bootstrap timeout/);
});

test("a token-mode runner still booting takes a spec change at once (it cannot be busy)", () => {
    const decision = decideRegistration(input({ registeredAtCreate: false, observed: absent, now: minutesAfterCreate(5), desired: newImage }));
    assert.deepEqual(decision.action === "replace" && decision.replaceKeys, ["spec"]);
});

test("a token-mode runner still booting updates in place for a rotated connection", () => {
    const decision = decideRegistration(input({ registeredAtCreate: false, observed: absent, now: minutesAfterCreate(5), settingsChanged: true }));
    assert.deepEqual(decision, { action: "update", deferred: [] });
});

test("an offline runner older than the bootstrap timeout is replaced (never came online, or its VM is off)", () => {
    const decision = decideRegistration(input({ observed: idleOffline, now: minutesAfterCreate(16) }));
    assert.equal(decision.action, "replace");
    assert.match(decision.action === "replace" ? decision.reason : "", /offline and older than the bootstrap timeout/);
});

test("an offline runner within the bootstrap timeout is kept (still booting)", () => {
    assert.deepEqual(decideRegistration(input({ observed: idleOffline, now: minutesAfterCreate(14) })), { action: "keep", deferred: [] });
});

test("the bootstrap timeout boundary: exactly the timeout is still booting", () => {
    assert.equal(decideRegistration(input({ observed: idleOffline, now: minutesAfterCreate(15) })).action, "keep");
    assert.equal(decideRegistration(input({ observed: idleOffline, now: new Date(minutesAfterCreate(15).getTime() + 1000) })).action, "replace");
});

test("an unreadable createdAt counts as old", () => {
    assert.equal(decideRegistration(input({ observed: idleOffline, createdAt: "not a date", now: minutesAfterCreate(1) })).action, "replace");
});

for (const key of ["path", "runnerGroup", "mode", "namePrefix", "labels", "ephemeral", "spec"] as const) {
    test(`a change of ${key} replaces an idle runner`, () => {
        const changedValue: Record<typeof key, unknown> = {
            path: "acme/app",
            runnerGroup: "gpu",
            mode: "token",
            namePrefix: "ci-large",
            labels: ["small", "noble", "x64"],
            ephemeral: false,
            spec: newImage.spec,
        };
        const decision = decideRegistration(input({ desired: { ...applied, [key]: changedValue[key] } }));
        assert.deepEqual(decision.action === "replace" && decision.replaceKeys, [key]);
        assert.deepEqual(diffResultOf(decision), { changes: true, replaces: [key] });
    });
}

test("a busy runner defers every change and is not replaced", () => {
    const desired = { ...newImage, labels: ["small"], namePrefix: "other" };
    const decision = decideRegistration(input({ observed: busyOnline, desired }));
    assert.deepEqual(decision, { action: "keep", deferred: ["namePrefix", "labels", "spec"] });
    assert.deepEqual(diffResultOf(decision), { changes: false });
});

test("a busy runner past the bootstrap timeout is still not replaced", () => {
    const decision = decideRegistration(input({ observed: { kind: "present", status: "offline", busy: true }, now: minutesAfterCreate(600) }));
    assert.equal(decision.action, "keep");
});

test("a busy runner still takes a rotated connection in place", () => {
    const decision = decideRegistration(input({ observed: busyOnline, desired: newImage, settingsChanged: true }));
    assert.deepEqual(decision, { action: "update", deferred: ["spec"] });
    assert.deepEqual(diffResultOf(decision), { changes: true });
});

test("a deferred change is found again once the runner is idle (compared with the applied spec, not old inputs)", () => {
    // Run 1: busy, the engine records the new inputs but keeps the outputs, whose applied spec is unchanged.
    assert.equal(decideRegistration(input({ observed: busyOnline, desired: newImage })).action, "keep");
    // Run 2: same desired inputs (now also the "old inputs"), the runner is idle: the change is still seen.
    const later = decideRegistration(input({ observed: idleOnline, desired: newImage }));
    assert.deepEqual(later.action === "replace" && later.replaceKeys, ["spec"]);
});

test("a rotated connection alone updates in place without replacement", () => {
    const decision = decideRegistration(input({ settingsChanged: true }));
    assert.deepEqual(decision, { action: "update", deferred: [] });
    assert.deepEqual(diffResultOf(decision), { changes: true });
});

test("a value unknown during preview counts as a change for an idle runner and is deferred for a busy one", () => {
    const desired = { ...applied, spec: { ...(applied.spec as Record<string, string>), imageId: UNKNOWN } };
    assert.deepEqual(diffResultOf(decideRegistration(input({ desired }))), { changes: true, replaces: ["spec"] });
    assert.deepEqual(decideRegistration(input({ desired: { ...applied, spec: UNKNOWN }, observed: busyOnline })), { action: "keep", deferred: ["spec"] });
});
