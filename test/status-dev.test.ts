/**
 * `npm run status` and its orphan sweep on the dev example, deployed for real by the engine
 * harness against the fake GitHub and the fake OpenStack, read back through the Automation API
 * and the `pulumi` CLI test double, as an operator runs it (a child process).
 * The scenario (test/status/scenarios.ts): slot 0 busy, slot 1 used up (gone from GitHub, VM
 * SHUTOFF), slot 2 booting, slot 3 retiring and drained; orphans on both sides.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { StatusReport, SlotReport } from "../scripts/status/report";
import type { SweepOutcome } from "../scripts/status/sweep";
import type { SweepStep } from "../scripts/status/sweep-plan";
import { deployDevScenario, type DevScenario } from "./status/scenarios";

const TIME_LIMIT = { timeout: 900_000 };

function assertNoSecret(scenario: DevScenario, text: string): void {
    for (const secret of Object.values(scenario.world.secrets)) assert.ok(!text.includes(secret), "a secret of the stack was printed");
}

function slotOf(report: StatusReport, index: number): SlotReport {
    const slot = report.pools[0]?.slots.find((candidate) => candidate.index === index);
    assert.ok(slot, `no slot ${index} in the report`);
    return slot;
}

describe("status and sweep of the dev example after real deployments", TIME_LIMIT, () => {
    let scenario: DevScenario;

    before(async () => {
        scenario = await deployDevScenario();
    });
    after(() => scenario?.world.dispose());

    describe("status", () => {
        let report: StatusReport;
        let text: string;
        let stderr: string;

        before(async () => {
            const json = await scenario.world.status(["--json"]);
            assert.equal(json.code, 0, json.stderr);
            report = JSON.parse(json.stdout) as StatusReport;
            const plain = await scenario.world.status([]);
            assert.equal(plain.code, 0, plain.stderr);
            text = plain.stdout;
            stderr = json.stderr + plain.stderr;
        });

        test("every slot the state holds is shown with its runner and its VM", () => {
            assert.equal(report.stack, "dev");
            assert.equal(report.github.path, "acme/widgets");
            assert.deepEqual(report.pools.map((pool) => [pool.name, pool.configured, pool.desired]), [["small", true, 3]]);
            assert.deepEqual(report.pools[0]!.slots.map((slot) => slot.index), [0, 1, 2, 3]);
            for (const index of [0, 1, 2, 3]) {
                const slot = slotOf(report, index);
                assert.equal(slot.slot, `fleet-small-${index}`);
                assert.equal(slot.runner?.name, scenario.slotRunners[index]);
                assert.equal(slot.vm.serverId, scenario.slotServers[index]);
                assert.equal(slot.image?.name, "github-runner-jammy-x64");
                assert.ok(slot.ageSeconds !== null && slot.ageSeconds >= 0 && slot.ageSeconds < 900, `age ${slot.ageSeconds}`);
            }
        });

        test("a busy runner: online and busy in GitHub, ACTIVE in Nova, kept", () => {
            const slot = slotOf(report, 0);
            assert.deepEqual([slot.runner?.github, slot.vm.nova, slot.next.action, slot.next.reason], ["busy", "ACTIVE", "keep", "the runner is busy"]);
        });

        test("a used-up runner: absent from GitHub, VM SHUTOFF, replaced by the next up", () => {
            const slot = slotOf(report, 1);
            assert.deepEqual([slot.runner?.github, slot.vm.nova, slot.next.action], ["absent", "SHUTOFF", "replace"]);
            assert.match(slot.next.reason, /gone from GitHub/);
        });

        test("a booting runner: registered, offline, within the bootstrap timeout, kept", () => {
            const slot = slotOf(report, 2);
            assert.deepEqual([slot.runner?.github, slot.vm.nova, slot.next.action], ["offline", "ACTIVE", "keep"]);
            assert.match(slot.next.reason, /within the bootstrap timeout/);
        });

        test("a retiring slot whose idle runner the shrink drained: the next up removes it", () => {
            const slot = slotOf(report, 3);
            assert.equal(slot.retiring, true);
            assert.deepEqual([slot.runner?.github, slot.vm.nova, slot.next.action], ["absent", "ACTIVE", "remove"]);
            assert.match(slot.next.reason, /^retiring: drained/);
        });

        test("orphan runners: this stack's names that no slot owns (an interrupted create among them), with their state", () => {
            const orphans = report.orphans.runners.map((runner) => [runner.name, runner.github, runner.serverIds]);
            assert.deepEqual(
                orphans.sort(),
                [
                    [scenario.crashedRunner, "offline", []],
                    [scenario.idleOrphan.runner, "idle", [scenario.idleOrphan.server]],
                    [scenario.busyOrphan.runner, "busy", [scenario.busyOrphan.server]],
                ].sort(),
            );
            assert.ok(!report.orphans.runners.some((runner) => runner.name === scenario.foreign.runner), "a runner of another name prefix was listed");
        });

        test("orphan servers: this stack's metadata and naming, no slot holds their id", () => {
            const orphans = report.orphans.servers.map((server) => [server.id, server.runnerGithub, server.runnerOwner]);
            assert.deepEqual(
                orphans.sort(),
                [
                    [scenario.goneRunnerServer, "absent", null],
                    [scenario.idleOrphan.server, "idle", null],
                    [scenario.busyOrphan.server, "busy", null],
                    [scenario.strayCopyServer, "offline", "fleet-small-2"],
                ].sort(),
            );
            for (const foreign of scenario.foreign.servers) assert.ok(!report.orphans.servers.some((server) => server.id === foreign), `foreign server ${foreign} listed`);
        });

        test("the summary counts pools, runners by state, VMs, next-up actions and orphans", () => {
            assert.deepEqual(report.summary, {
                pools: 1,
                slots: 4,
                runners: { idle: 0, busy: 1, offline: 1, absent: 2 },
                vms: { ACTIVE: 3, SHUTOFF: 1 },
                next: { keep: 2, replace: 1, remove: 1 },
                orphanRunners: 3,
                orphanServers: 4,
            });
        });

        test("the text output has a row per slot and the summary line, and no secret anywhere", () => {
            for (const runner of scenario.slotRunners) assert.match(text, new RegExp(`\\n  \\d +${runner} `));
            assert.match(text, /Summary: 1 pool, 4 slots; runners: 1 busy, 1 offline, 2 absent; VMs: 3 ACTIVE, 1 SHUTOFF; next up: 2 keep, 1 replace, 1 remove; orphans: 3 runners, 4 servers/);
            assertNoSecret(scenario, text + stderr + JSON.stringify(report));
        });
    });

    describe("the orphan sweep, after the status tests", () => {
        let dryRun: { dryRun: boolean; steps: SweepStep[] };
        let writesAfterDryRun: number;
        let writesBefore: number;
        let deletesDuringSweep: number[];
        let serversBeforeDryRun: string[];
        let serversAfterDryRun: string[];
        let swept: { code: number; outcomes: SweepOutcome[] };
        let afterSweep: StatusReport;

        before(async () => {
            const { world } = scenario;
            writesBefore = world.github.writes().length;
            serversBeforeDryRun = world.openstack.servers().map((server) => server.id).sort();
            const planned = await world.status(["--sweep", "--json"]);
            assert.equal(planned.code, 0, planned.stderr);
            dryRun = JSON.parse(planned.stdout) as typeof dryRun;
            writesAfterDryRun = world.github.writes().length;
            serversAfterDryRun = world.openstack.servers().map((server) => server.id).sort();
            const acted = await world.status(["--sweep", "--yes", "--json"]);
            swept = { code: acted.code, outcomes: (JSON.parse(acted.stdout) as { outcomes: SweepOutcome[] }).outcomes };
            deletesDuringSweep = world.github.writes().slice(writesBefore).filter((request) => request.method === "DELETE").map((request) => request.status);
            assertNoSecret(scenario, planned.stdout + planned.stderr + acted.stdout + acted.stderr);
            const again = await world.status(["--json"]);
            assert.equal(again.code, 0, again.stderr);
            afterSweep = JSON.parse(again.stdout) as StatusReport;
        });

        test("a dry run lists what it would do and changes nothing", () => {
            assert.equal(dryRun.dryRun, true);
            const planned = dryRun.steps.map((step) => (step.kind === "deregister" ? [step.kind, step.runner] : step.kind === "delete-server" ? [step.kind, step.serverId] : [step.kind, step.id]));
            assert.deepEqual(
                planned.sort(),
                [
                    ["deregister", scenario.crashedRunner],
                    ["deregister", scenario.idleOrphan.runner],
                    ["delete-server", scenario.goneRunnerServer],
                    ["delete-server", scenario.idleOrphan.server],
                    ["leave", String(scenario.world.github.runner(scenario.world.scope, scenario.busyOrphan.runner)?.id)],
                    ["leave", scenario.busyOrphan.server],
                    ["leave", scenario.strayCopyServer],
                ].sort(),
            );
            assert.equal(writesAfterDryRun, writesBefore, "the dry run wrote to GitHub");
            assert.deepEqual(serversAfterDryRun, serversBeforeDryRun);
        });

        test("--yes removes exactly the idle and offline orphans and the servers of gone or idle orphan runners", () => {
            const { world } = scenario;
            assert.equal(swept.code, 0, JSON.stringify(swept.outcomes));
            assert.equal(world.github.runner(world.scope, scenario.crashedRunner), undefined, "the runner of the interrupted create is still registered");
            assert.equal(world.github.runner(world.scope, scenario.idleOrphan.runner), undefined);
            assert.equal(world.openstack.server(scenario.goneRunnerServer), undefined, "the server whose state write was lost is still there");
            assert.equal(world.openstack.server(scenario.idleOrphan.server), undefined);
            assert.deepEqual(deletesDuringSweep, [204, 204]);
            world.github.assertNoContractViolations();
            world.openstack.assertNoContractViolations();
        });

        test("--yes never touches a busy runner, its server, or anything a slot owns", () => {
            const { world } = scenario;
            assert.equal(world.github.runner(world.scope, scenario.busyOrphan.runner)?.busy, true);
            assert.ok(world.openstack.server(scenario.busyOrphan.server), "the busy orphan's server was deleted");
            assert.ok(world.openstack.server(scenario.strayCopyServer), "a server naming a slot's runner was deleted");
            for (const runner of scenario.slotRunners.slice(0, 3).filter((name) => name !== scenario.slotRunners[1])) {
                assert.ok(world.github.runner(world.scope, runner), `slot runner ${runner} was removed`);
            }
            for (const server of scenario.slotServers) assert.ok(world.openstack.server(server), `slot server ${server} was deleted`);
            assert.ok(world.github.runner(world.scope, scenario.foreign.runner), "a runner of another prefix was removed");
            for (const server of scenario.foreign.servers) assert.ok(world.openstack.server(server), `foreign server ${server} was deleted`);
        });

        test("status afterwards lists only what the sweep left alone", () => {
            assert.deepEqual(afterSweep.orphans.runners.map((runner) => runner.name), [scenario.busyOrphan.runner]);
            assert.deepEqual(afterSweep.orphans.servers.map((server) => server.id).sort(), [scenario.busyOrphan.server, scenario.strayCopyServer].sort());
            assert.deepEqual(afterSweep.summary.next, { keep: 2, replace: 1, remove: 1 });
        });
    });
});
