/**
 * The status report's join, without any process: what the next up would do with each slot
 * (the program's pool plan and reconcile decision), orphans on both sides, old resources
 * waiting for their delete, and the sweep plan drawn from the report.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildStatusReport, type SlotReport, type StatusReport } from "../scripts/status/report";
import { planSweep } from "../scripts/status/sweep-plan";
import { devConfig, IMAGE_ID, NOW, poolsOutput, runner, server, slot, snapshot, state } from "./status/snapshot-builder";

function slotAt(report: StatusReport, pool: string, index: number): SlotReport {
    const found = report.pools.find((candidate) => candidate.name === pool)?.slots.find((candidate) => candidate.index === index);
    assert.ok(found, `no slot ${pool}/${index}`);
    return found;
}

const NAME = (index: number, suffix: string) => `gh-dev-small-${index}-${suffix}`;

describe("what the next up would do with a slot", { timeout: 30_000 }, () => {
    test("a config change waits for a busy runner (deferred) and replaces an idle one", () => {
        const slots = [
            slot({ index: 0, runner: NAME(0, "00000000000a"), runnerId: 1, desiredLabels: ["self-hosted", "gpu"] }),
            slot({ index: 1, runner: NAME(1, "00000000000b"), runnerId: 2, desiredLabels: ["self-hosted", "gpu"] }),
        ];
        const report = buildStatusReport(
            snapshot({
                config: devConfig([{ name: "small", count: 2 }]),
                state: state(slots, { pools: poolsOutput({ small: { desired: 2, slots } }) }),
                runners: [runner(NAME(0, "00000000000a"), "online", true, 1), runner(NAME(1, "00000000000b"), "online", false, 2)],
            }),
        );
        assert.deepEqual(slotAt(report, "small", 0).next, { action: "keep", reason: "the runner is busy: the change of labels waits until its job is done", deferred: ["labels"] });
        assert.deepEqual(slotAt(report, "small", 1).next, { action: "replace", reason: "the desired labels changed and the runner is idle", deferred: [] });
    });

    test("offline past the bootstrap timeout is replaced; a token runner not registered yet within it is booting", () => {
        const old = new Date(NOW.getTime() - 25 * 60_000).toISOString();
        const slots = [
            slot({ index: 0, runner: NAME(0, "00000000000a"), runnerId: 1, createdAt: old }),
            slot({ index: 1, runner: NAME(1, "00000000000b"), mode: "token" }),
        ];
        const report = buildStatusReport(
            snapshot({
                config: devConfig([{ name: "small", count: 2 }]),
                state: state(slots, { pools: poolsOutput({ small: { desired: 2, slots } }) }),
                runners: [runner(NAME(0, "00000000000a"), "offline", false, 1)],
            }),
        );
        assert.equal(slotAt(report, "small", 0).next.action, "replace");
        assert.match(slotAt(report, "small", 0).next.reason, /offline and older than the bootstrap timeout/);
        assert.deepEqual(slotAt(report, "small", 1).next, { action: "keep", reason: "the runner is booting (not registered yet)", deferred: [] });
        assert.equal(slotAt(report, "small", 1).runner?.github, "absent");
    });

    test("scaling in: an idle runner is drained, a busy extra one waits for its job, a gone retiring one is removed", () => {
        const slots = [
            slot({ index: 0, runner: NAME(0, "00000000000a"), runnerId: 1 }),
            slot({ index: 1, runner: NAME(1, "00000000000b"), runnerId: 2 }),
            slot({ index: 2, runner: NAME(2, "00000000000c"), runnerId: 3 }),
            slot({ index: 3, runner: NAME(3, "00000000000d"), runnerId: 4, retiring: true, drained: true }),
        ];
        // count 1 now; slots 0 and 1 busy, 2 idle, 3 retired by the last up and drained.
        const report = buildStatusReport(
            snapshot({
                config: devConfig([{ name: "small", count: 1 }]),
                state: state(slots, { pools: poolsOutput({ small: { desired: 3, slots } }) }),
                runners: [runner(NAME(0, "00000000000a"), "online", true, 1), runner(NAME(1, "00000000000b"), "online", true, 2), runner(NAME(2, "00000000000c"), "online", false, 3)],
            }),
        );
        assert.equal(report.pools[0]?.desired, 1);
        assert.deepEqual(
            [0, 1, 2, 3].map((index) => slotAt(report, "small", index).next.action),
            ["keep", "wait", "drain", "remove"],
        );
        assert.match(slotAt(report, "small", 1).next.reason, /^retiring: waits for its job/);
        assert.match(slotAt(report, "small", 2).next.reason, /^retiring: the next up deregisters its idle runner/);
        assert.match(slotAt(report, "small", 3).next.reason, /^retiring: drained/);
    });

    test("growing shows the new slots the next up creates", () => {
        const slots = [slot({ index: 0, runner: NAME(0, "00000000000a"), runnerId: 1 })];
        const report = buildStatusReport(
            snapshot({
                config: devConfig([{ name: "small", count: 3 }]),
                state: state(slots, { pools: poolsOutput({ small: { desired: 1, slots } }) }),
                runners: [runner(NAME(0, "00000000000a"), "online", false, 1)],
            }),
        );
        const created = report.pools[0]?.slots.filter((entry) => entry.next.action === "create").map((entry) => [entry.index, entry.slot, entry.runner]);
        assert.deepEqual(created, [[1, null, null], [2, null, null]]);
        assert.deepEqual(report.summary.next, { keep: 1, create: 2 });
        assert.equal(report.summary.slots, 1, "slots to create are not slots the stack has");
    });

    test("a demand pool without demand information keeps the size it wanted last time", () => {
        const slots = [slot({ index: 0, runner: NAME(0, "00000000000a"), runnerId: 1 }), slot({ index: 1, runner: NAME(1, "00000000000b"), runnerId: 2 })];
        const report = buildStatusReport(
            snapshot({
                config: devConfig([{ name: "small", min: 0, max: 4 }]),
                state: state(slots, { pools: poolsOutput({ small: { desired: 2, slots } }) }),
                runners: [runner(NAME(0, "00000000000a"), "online", false, 1), runner(NAME(1, "00000000000b"), "online", false, 2)],
            }),
        );
        assert.equal(report.pools[0]?.sizing, "demand 0..4, 0 warm now");
        assert.equal(report.pools[0]?.desired, 2);
        assert.deepEqual(report.summary.next, { keep: 2 });
    });

    test("a pool no longer in the config: every slot is removed, a busy one blocks at its drain guard", () => {
        const old = [slot({ pool: "old", index: 0, runner: "gh-dev-old-0-00000000000a", runnerId: 1 })];
        const report = buildStatusReport(
            snapshot({
                config: devConfig([{ name: "small", count: 0 }]),
                state: state(old, { pools: poolsOutput({ old: { desired: 1, slots: old } }) }),
                runners: [runner("gh-dev-old-0-00000000000a", "online", true, 1)],
            }),
        );
        const pool = report.pools.find((candidate) => candidate.name === "old");
        assert.equal(pool?.configured, false);
        assert.equal(slotAt(report, "old", 0).next.action, "remove");
        assert.match(slotAt(report, "old", 0).next.reason, /no longer in the stack config.*busy.*drain guard/);
        assert.deepEqual(report.orphans.runners, [], "the runner of a slot of a removed pool is not an orphan");
    });

    test("a registration written by an older version makes the next up fail on that slot, named", () => {
        const broken = { ...slot({ index: 0, runner: NAME(0, "00000000000a"), runnerId: 1 }), problems: ["runner registration \"x\" was written in state format 1, not format 2"] };
        delete (broken as { registration?: unknown }).registration;
        const report = buildStatusReport(
            snapshot({ config: devConfig([{ name: "small", count: 1 }]), state: state([broken], { pools: poolsOutput({ small: { desired: 1, slots: [] } }) }), runners: [] }),
        );
        assert.equal(slotAt(report, "small", 0).next.action, "fail");
        assert.match(slotAt(report, "small", 0).next.reason, /state format 1/);
    });
});

describe("VMs, images and anomalies", { timeout: 30_000 }, () => {
    test("the VM's Nova state, flavor and the image name from the outputs or Glance", () => {
        const slots = [
            slot({ index: 0, runner: NAME(0, "00000000000a"), runnerId: 1, serverId: "s0" }),
            { ...slot({ index: 1, runner: NAME(1, "00000000000b"), runnerId: 2, serverId: "s1" }) },
        ];
        slots[1]!.registration!.appliedImageId = "old-image";
        const report = buildStatusReport(
            snapshot({
                config: devConfig([{ name: "small", count: 2 }]),
                state: state(slots, { pools: poolsOutput({ small: { desired: 2, slots } }) }),
                runners: [runner(NAME(0, "00000000000a"), "online", false, 1), runner(NAME(1, "00000000000b"), "online", false, 2)],
                servers: [server("s0", "ERROR", { pool: "small", slot: 0, runner: NAME(0, "00000000000a") })],
                imageNames: { "old-image": "github-runner-jammy-x64-old" },
            }),
        );
        const [first, second] = [slotAt(report, "small", 0), slotAt(report, "small", 1)];
        assert.deepEqual([first.vm.nova, first.vm.flavor, first.image], ["ERROR", "gh-dev-small-2c-4g-30g", { id: IMAGE_ID, name: "github-runner-jammy-x64" }]);
        assert.ok(first.notes.some((note) => note.startsWith("Nova reports ERROR")), first.notes.join("; "));
        assert.deepEqual([second.vm.nova, second.image?.name], ["absent", "github-runner-jammy-x64-old"]);
        assert.ok(second.notes.some((note) => /s1 is not in Nova.*pulumi refresh/.test(note)), second.notes.join("; "));
        assert.equal(first.ageSeconds, 300);
    });
});

describe("orphans", { timeout: 30_000 }, () => {
    const slots = [slot({ index: 0, runner: NAME(0, "00000000000a"), runnerId: 1, serverId: "s0" })];
    const base = () => ({ config: devConfig([{ name: "small", count: 1 }, { name: "small-large", count: 0 }]), state: state(slots, { pools: poolsOutput({ small: { desired: 1, slots } }) }) });

    test("runners of this stack's naming that no slot owns, and servers of its metadata that no slot holds", () => {
        const report = buildStatusReport(
            snapshot({
                ...base(),
                runners: [
                    runner(NAME(0, "00000000000a"), "online", false, 1),
                    runner(NAME(0, "0000000000ff"), "offline", false, 7),
                    runner("gh-dev-small-large-0-0000000000ee", "online", true, 8),
                    runner("gh-devx-small-0-0000000000dd", "offline", false, 9),
                    runner("gh-dev-small-0-notahexsuffix", "offline", false, 10),
                    runner("gh-dev-medium-0-0000000000cc", "offline", false, 11),
                ],
                servers: [
                    server("s0", "ACTIVE", { pool: "small", slot: 0, runner: NAME(0, "00000000000a") }),
                    server("stray", "ACTIVE", { pool: "small", slot: 0, runner: NAME(0, "0000000000ff") }),
                    server("copy", "ACTIVE", { pool: "small", slot: 0, runner: NAME(0, "00000000000a") }),
                    server("prod", "ACTIVE", { stack: "prod", pool: "small", slot: 0, runner: NAME(0, "0000000000bb") }),
                    server("prefix", "ACTIVE", { pool: "small", slot: 0, runner: "gh-devx-small-0-0000000000dd" }),
                    server("plain", "ACTIVE"),
                ],
            }),
        );
        assert.deepEqual(
            report.orphans.runners.map((orphan) => [orphan.name, orphan.pool, orphan.github, orphan.serverIds]),
            [
                [NAME(0, "0000000000ff"), "small", "offline", ["stray"]],
                ["gh-dev-small-large-0-0000000000ee", "small-large", "busy", []],
            ],
        );
        assert.deepEqual(
            report.orphans.servers.map((orphan) => [orphan.id, orphan.runnerGithub, orphan.runnerOwner]),
            [
                ["copy", "idle", "fleet-small-0"],
                ["stray", "offline", null],
            ],
        );
        assert.deepEqual([report.summary.orphanRunners, report.summary.orphanServers], [2, 2]);
    });

    test("a replaced registration and VM still waiting for their delete own their runner and server", () => {
        const pendingState = state(slots, { pools: poolsOutput({ small: { desired: 1, slots } }) }, {
            pendingDeletes: [
                { slot: "fleet-small-0", type: "pulumi-nodejs:dynamic/github-runners:RunnerRegistration", runnerName: NAME(0, "0000000000aa") },
                { slot: "fleet-small-0", type: "openstack:compute/instance:Instance", serverId: "old" },
            ],
            pendingOperations: [{ type: "creating", resourceType: "openstack:compute/instance:Instance", name: "fleet-small-0" }],
        });
        const report = buildStatusReport(
            snapshot({
                config: base().config,
                state: pendingState,
                runners: [runner(NAME(0, "00000000000a"), "online", false, 1), runner(NAME(0, "0000000000aa"), "offline", false, 2)],
                servers: [server("old", "SHUTOFF", { pool: "small", slot: 0, runner: NAME(0, "0000000000aa") })],
            }),
        );
        assert.deepEqual(report.orphans, { runners: [], servers: [] });
        assert.deepEqual(report.pendingDeletes, [
            { slot: "fleet-small-0", kind: "registration", runner: NAME(0, "0000000000aa"), github: "offline", serverId: null, nova: null },
            { slot: "fleet-small-0", kind: "instance", runner: null, github: null, serverId: "old", nova: "SHUTOFF" },
        ]);
        assert.deepEqual(report.pendingOperations, [{ type: "creating", resourceType: "openstack:compute/instance:Instance", name: "fleet-small-0" }]);
    });

    test("the sweep plan: deregister idle or offline orphans, delete servers of gone or idle orphan runners, leave the rest", () => {
        const report = buildStatusReport(
            snapshot({
                ...base(),
                runners: [
                    runner(NAME(0, "00000000000a"), "online", false, 1),
                    runner(NAME(0, "0000000000f1"), "offline", false, 21),
                    runner(NAME(0, "0000000000f2"), "online", false, 22),
                    runner(NAME(0, "0000000000f3"), "online", true, 23),
                ],
                servers: [
                    server("gone", "SHUTOFF", { pool: "small", slot: 0, runner: NAME(0, "0000000000f0") }),
                    server("idle", "ACTIVE", { pool: "small", slot: 0, runner: NAME(0, "0000000000f2") }),
                    server("busy", "ACTIVE", { pool: "small", slot: 0, runner: NAME(0, "0000000000f3") }),
                    server("copy", "ACTIVE", { pool: "small", slot: 0, runner: NAME(0, "00000000000a") }),
                ],
            }),
        );
        const steps = planSweep(report).map((step) =>
            step.kind === "deregister" ? `deregister ${step.runnerId}` : step.kind === "delete-server" ? `delete ${step.serverId} (check ${step.runnerPath})` : `leave ${step.target} ${step.id}`,
        );
        assert.deepEqual(steps, [
            "deregister 21",
            "deregister 22",
            "delete gone (check acme/widgets)",
            "delete idle (check acme/widgets)",
            "leave runner 23",
            "leave server copy",
            "leave server busy",
        ]);
    });
});
