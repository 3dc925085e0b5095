/**
 * What the reconciler reads of the fleet: the program's `pools` output, the
 * registrations in engine events, GitHub's view of each slot's runner, which
 * supply changes call for an up, the registrations the next up would make, and
 * job waits (queued → in progress) per pool.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { parseDemandSnapshot } from "../components/demand/snapshot";
import { writeDemandFile } from "../scripts/reconcile/demand-file";
import { stackSettingsFromConfig } from "../scripts/reconcile/stack-settings";
import { fleetStateFromOutputs, poolOfRegistration, REGISTRATION_TYPE, type FleetState } from "../scripts/reconcile/fleet-outputs";
import { JobWaitTracker, UNMATCHED_POOL } from "../scripts/reconcile/job-wait";
import { countByPool, plannedRegistrations, slotStates, supplyChangesNeedingUp } from "../scripts/reconcile/supply";

const FLEET: FleetState = {
    small: { desired: 3, current: 3, busy: 1, runners: ["gh-dev-small-0-aaa", "gh-dev-small-1-bbb", "gh-dev-small-2-ccc"] },
    "small-gpu": { desired: 1, current: 0, busy: 0, runners: ["gh-dev-small-gpu-0-ddd"] },
};

describe("fleet outputs", { timeout: 30_000 }, () => {
    test("the pools output gives each pool's desired, current and busy counts and its runners", () => {
        const read = fleetStateFromOutputs({
            pools: {
                secret: false,
                value: {
                    small: { desired: 2, current: 1, busy: 0, deferred: [], slots: [{ index: 0, runner: "r-0", retiring: false, imageId: "i" }, { index: 1, runner: "", retiring: false, imageId: "i" }] },
                },
            },
            networkId: { secret: false, value: "n" },
        });
        assert.deepEqual(read, { fleet: { small: { desired: 2, current: 1, busy: 0, runners: ["r-0"] } } });
    });

    test("a missing or malformed pools output is a problem that says where", () => {
        assert.deepEqual(fleetStateFromOutputs({}), { problem: "the stack has no `pools` output (not deployed yet, or deployed by a program that does not report its pools)" });
        const bad = fleetStateFromOutputs({ pools: { secret: false, value: { small: { desired: -1, current: 0, busy: 0, slots: [] } } } });
        assert.ok("problem" in bad && bad.problem.startsWith("the stack's `pools` output is not as expected at pools.small.desired:"), JSON.stringify(bad));
    });

    test("a registration's pool comes from its slot name; the longest matching pool wins; other types are not registrations", () => {
        const urn = (name: string) => `urn:pulumi:dev::openstack-github-runners::github-runners:index:RunnerFleet$github-runners:index:RunnerPool$github-runners:index:RunnerSlot$${REGISTRATION_TYPE}::${name}`;
        const pools = ["small", "small-gpu"];
        assert.equal(poolOfRegistration(urn("fleet-small-3"), REGISTRATION_TYPE, pools), "small");
        assert.equal(poolOfRegistration(urn("fleet-small-gpu-0"), REGISTRATION_TYPE, pools), "small-gpu");
        assert.equal(poolOfRegistration(urn("fleet-large-0"), REGISTRATION_TYPE, pools), undefined);
        assert.equal(poolOfRegistration(urn("fleet-small-0-drain"), "pulumi-nodejs:dynamic/github-runners:RunnerDeregistration", pools), undefined);
    });
});

describe("supply", { timeout: 30_000 }, () => {
    const listing = [
        { name: "gh-dev-small-0-aaa", status: "online", busy: true },
        { name: "gh-dev-small-1-bbb", status: "online", busy: false },
        { name: "gh-dev-small-gpu-0-ddd", status: "offline", busy: false },
        { name: "someone-elses-runner", status: "online", busy: false },
    ];

    test("each slot's runner is idle, busy, offline or absent (gone from GitHub); counts per pool", () => {
        const states = slotStates(FLEET, listing);
        assert.deepEqual(states["gh-dev-small-2-ccc"], { pool: "small", state: "absent" });
        assert.equal(states["someone-elses-runner"], undefined);
        assert.deepEqual(countByPool(FLEET, states), { small: { idle: 1, busy: 1, offline: 0, absent: 1 }, "small-gpu": { idle: 0, busy: 0, offline: 1, absent: 0 } });
    });

    test("an up is needed when a runner is gone or finished its job; not when one merely comes online", () => {
        const before = slotStates(FLEET, listing);
        const onlineNow = slotStates(FLEET, listing.map((runner) => (runner.name === "gh-dev-small-gpu-0-ddd" ? { ...runner, status: "online" } : runner)));
        assert.deepEqual(supplyChangesNeedingUp(before, onlineNow), []);
        const jobDone = slotStates(FLEET, listing.filter((runner) => runner.name !== "gh-dev-small-0-aaa"));
        assert.deepEqual(supplyChangesNeedingUp(before, jobDone), ["runner gh-dev-small-0-aaa of pool small is gone from GitHub"]);
        const persistentDone = slotStates(FLEET, listing.map((runner) => ({ ...runner, busy: false })));
        assert.deepEqual(supplyChangesNeedingUp(before, persistentDone), ["runner gh-dev-small-0-aaa of pool small finished its job"]);
        assert.deepEqual(supplyChangesNeedingUp(jobDone, jobDone), [], "an absent runner is reported once, not at every look");
    });

    test("planned registrations: desired minus the runners still alive on GitHub, or minus `current` without a listing", () => {
        assert.deepEqual(plannedRegistrations(FLEET, slotStates(FLEET, listing)), { small: 1, "small-gpu": 0 });
        assert.deepEqual(plannedRegistrations(FLEET, undefined), { small: 0, "small-gpu": 1 });
    });
});

describe("job waits", { timeout: 30_000 }, () => {
    const pools = [
        { pool: "small", labels: ["self-hosted", "linux", "x64", "small"] },
        { pool: "large", labels: ["self-hosted", "linux", "x64", "large"] },
    ];
    const at = (seconds: number) => new Date(Date.UTC(2025, 0, 1) + seconds * 1000);

    test("queued → in_progress is observed once, for the pool whose labels fit; unknown or completed jobs are not", () => {
        const observed: [string, number][] = [];
        const tracker = new JobWaitTracker(() => pools, (pool, seconds) => observed.push([pool, seconds]));
        tracker.handle({ jobId: 1, action: "queued", at: at(0), labels: ["large", "self-hosted"] });
        tracker.handle({ jobId: 1, action: "queued", at: at(5), labels: ["large", "self-hosted"] });
        tracker.handle({ jobId: 2, action: "queued", at: at(10), labels: ["gpu"] });
        tracker.handle({ jobId: 3, action: "queued", at: at(10), labels: ["small"] });
        tracker.handle({ jobId: 1, action: "in_progress", at: at(42), labels: ["large", "self-hosted"], runnerName: "r" });
        tracker.handle({ jobId: 1, action: "in_progress", at: at(50), labels: ["large", "self-hosted"], runnerName: "r" });
        tracker.handle({ jobId: 2, action: "in_progress", at: at(70), labels: ["gpu"] });
        tracker.handle({ jobId: 3, action: "completed", at: at(20), labels: ["small"] });
        tracker.handle({ jobId: 3, action: "in_progress", at: at(30), labels: ["small"] });
        tracker.handle({ jobId: 9, action: "in_progress", at: at(30), labels: ["small"] });
        assert.deepEqual(observed, [["large", 42], [UNMATCHED_POOL, 60]]);
        assert.equal(tracker.remembered, 0);
    });

    test("memory is bounded: the oldest queued jobs are forgotten first", () => {
        const observed: [string, number][] = [];
        const tracker = new JobWaitTracker(() => pools, (pool, seconds) => observed.push([pool, seconds]), 2);
        for (const jobId of [1, 2, 3]) tracker.handle({ jobId, action: "queued", at: at(jobId), labels: ["small"] });
        assert.equal(tracker.remembered, 2);
        for (const jobId of [1, 2, 3]) tracker.handle({ jobId, action: "in_progress", at: at(10), labels: ["small"] });
        assert.deepEqual(observed, [["small", 8], ["small", 7]]);
    });
});

describe("stack settings and the demand file", { timeout: 30_000 }, () => {
    test("the stack's config, read with the program's schema: GitHub connection, pool labels, every secret value", () => {
        const config = {
            "openstack:password": { value: "os-password-123", secret: true },
            "openstack-github-runners:github": { value: JSON.stringify({ path: "acme/widgets", apiUrl: "https://ghe.example.net/api/v3" }), secret: false },
            "openstack-github-runners:githubToken": { value: "ghp_tokenvalue0123456789", secret: true },
            "openstack-github-runners:image": { value: JSON.stringify({ base: "jammy", arch: "x64", name: "github-runner-jammy-x64" }) },
            "openstack-github-runners:network": { value: JSON.stringify({ existing: "ci-net" }) },
            "openstack-github-runners:pools": {
                value: JSON.stringify([{ name: "small", min: 1, max: 4, flavor: { existing: "m1.small" }, labels: ["small"] }]),
            },
            "openstack-github-runners:sshDebug": {
                value: JSON.stringify([{ host: "10.0.1.20", port: 10022, rsaFingerprint: `SHA256:${"r".repeat(43)}`, ed25519Fingerprint: `SHA256:${"e".repeat(43)}` }]),
                secret: true,
            },
        };
        const settings = stackSettingsFromConfig("openstack-github-runners", "dev", config);
        assert.equal(settings.github.apiUrl, "https://ghe.example.net/api/v3");
        assert.deepEqual(settings.github.path, { kind: "repo", owner: "acme", repo: "widgets" });
        assert.deepEqual(settings.github.auth, { kind: "token", token: "ghp_tokenvalue0123456789" });
        assert.equal(settings.pools[0]?.pool, "small");
        assert.ok(settings.pools[0]?.labels.includes("small") && settings.pools[0]?.labels.includes("self-hosted"), JSON.stringify(settings.pools));
        for (const secret of ["os-password-123", "ghp_tokenvalue0123456789", `SHA256:${"r".repeat(43)}`, "10.0.1.20"]) {
            assert.ok(settings.secretValues.includes(secret), `${secret} is not known as secret`);
        }
        assert.throws(() => stackSettingsFromConfig("openstack-github-runners", "dev", { ...config, "openstack-github-runners:pools": { value: "[]" } }), /pools/);
    });

    test("the demand file is written whole, readable by the program's parser, private to the reconciler", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "demand-file-"));
        try {
            const file = path.join(dir, "state", "demand.json");
            const snapshot = { version: 1 as const, observedAt: "2025-01-01T00:00:00.000Z", queued: [{ labels: ["self-hosted", "small"], count: 3 }] };
            writeDemandFile(file, snapshot);
            assert.deepEqual(parseDemandSnapshot(readFileSync(file, "utf8"), file), snapshot);
            assert.equal(statSync(file).mode & 0o777, 0o600);
            assert.deepEqual(readdirSync(path.dirname(file)), ["demand.json"], "no temporary file left behind");
            assert.throws(() => writeDemandFile(file, { ...snapshot, queued: [{ labels: ["Small"], count: 1 }] }), /labels lowercased/);
            assert.deepEqual(parseDemandSnapshot(readFileSync(file, "utf8"), file), snapshot, "a refused snapshot leaves the last good file");
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
