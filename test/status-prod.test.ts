/**
 * `npm run status` on the prod example (an organization, a GitHub App, a runner group, a
 * fixed-size pool and a demand-sized one), deployed for real by the engine harness against the
 * fake GitHub and the fake OpenStack and read through the Automation API and the `pulumi` CLI
 * test double: a busy runner, a used-up one, a booting one, an interrupted create and a server
 * whose state write was lost (test/status/scenarios.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { StatusReport } from "../scripts/status/report";
import { deployProdScenario, type ProdScenario } from "./status/scenarios";

describe("status of the prod example after a real deployment", { timeout: 900_000 }, () => {
    let scenario: ProdScenario;
    let report: StatusReport;
    let printed: string;

    before(async () => {
        scenario = await deployProdScenario();
        const result = await scenario.world.status(["--json"]);
        assert.equal(result.code, 0, result.stderr);
        report = JSON.parse(result.stdout) as StatusReport;
        printed = result.stdout + result.stderr;
    });
    after(() => scenario?.world.dispose());

    test("both pools, in config order, with their sizing and wanted size", () => {
        assert.equal(report.github.path, "acme");
        assert.deepEqual(
            report.pools.map((pool) => [pool.name, pool.sizing, pool.desired, pool.slots.length]),
            [
                ["standard", "fixed 2", 2, 2],
                ["large", "demand 1..2, 1 warm now", 1, 1],
            ],
        );
    });

    test("busy, used up and booting runners, each with the next up's action", () => {
        const rows = report.pools.flatMap((pool) => pool.slots.map((slot) => [pool.name, slot.index, slot.runner?.name, slot.runner?.github, slot.vm.nova, slot.next.action]));
        assert.deepEqual(rows, [
            ["standard", 0, scenario.standardRunners[0], "busy", "ACTIVE", "keep"],
            ["standard", 1, scenario.standardRunners[1], "absent", "SHUTOFF", "replace"],
            ["large", 0, scenario.largeRunner, "offline", "ACTIVE", "keep"],
        ]);
        for (const slot of report.pools.flatMap((pool) => pool.slots)) assert.equal(slot.image?.name, "github-runner-noble-x64");
    });

    test("an orphan on each side: the runner of an interrupted create, a server whose runner is gone", () => {
        assert.deepEqual(report.orphans.runners.map((runner) => [runner.name, runner.pool, runner.github]), [[scenario.crashedRunner, "large", "offline"]]);
        assert.deepEqual(report.orphans.servers.map((server) => [server.id, server.pool, server.runnerGithub, server.runnerOwner]), [[scenario.goneRunnerServer, "standard", "absent", null]]);
        assert.deepEqual(report.summary, {
            pools: 2,
            slots: 3,
            runners: { idle: 0, busy: 1, offline: 1, absent: 1 },
            vms: { ACTIVE: 2, SHUTOFF: 1 },
            next: { keep: 2, replace: 1 },
            orphanRunners: 1,
            orphanServers: 1,
        });
    });

    test("the App key and the OpenStack password are never printed", () => {
        for (const secret of Object.values(scenario.world.secrets)) {
            for (const line of secret.split("\n").filter((text) => text.length > 20)) assert.ok(!printed.includes(line), "a secret was printed");
        }
    });
});
