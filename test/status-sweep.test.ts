/**
 * Carrying out a sweep plan against the fake GitHub and the fake OpenStack, including what
 * changed between the listing and the act: a runner that took a job in between keeps itself
 * and its VM; one that appeared idle is deregistered before its VM goes; a refusal by Nova is
 * reported and the other steps still run.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, beforeEach, describe, test } from "node:test";
import type { Connections } from "../scripts/status/gather";
import { executeSweep } from "../scripts/status/sweep";
import type { SweepStep } from "../scripts/status/sweep-plan";
import type { FakeGithub } from "./fake-github";
import type { FakeOpenstack } from "./fake-openstack";
import { type Fakes, SCOPE, startFakes, TENANT } from "./status/fakes";

describe("executing a sweep", { timeout: 120_000 }, () => {
    let github: FakeGithub;
    let openstack: FakeOpenstack;
    let connections: Connections;
    let fakes: Fakes;

    before(async () => {
        fakes = await startFakes();
        ({ github, openstack, connections } = fakes);
    });
    after(() => fakes?.stop());
    beforeEach(() => {
        for (const runner of github.runners(SCOPE)) github.removeRunner(SCOPE, runner.name);
    });

    function addRunner(status: "online" | "offline", busy: boolean): { id: number; name: string } {
        const runner = github.addRunners(SCOPE, 1, `gh-dev-small-0-${randomBytes(6).toString("hex")}`, { status, busy })[0]!;
        return { id: runner.id, name: runner.name };
    }

    function addServer(runner: string): string {
        return openstack.addServer({ name: runner, project: TENANT, metadata: { "github-runners:stack": "dev", "github-runners:runner": runner } }).id;
    }

    const deregister = (runner: { id: number; name: string }): SweepStep => ({ kind: "deregister", path: SCOPE, runnerId: runner.id, runner: runner.name, reason: "test" });
    const deleteServer = (serverId: string, runner: string): SweepStep => ({ kind: "delete-server", serverId, server: runner, runner, runnerPath: SCOPE, reason: "test" });

    test("a runner that took a job after the listing is left, GitHub's 422 reported", async () => {
        const runner = addRunner("online", false);
        github.setRunner(SCOPE, runner.name, { busy: true });
        const [outcome] = await executeSweep([deregister(runner)], connections, github.apiUrl);
        assert.equal(outcome?.result, "left");
        assert.match(outcome?.detail ?? "", /422 busy/);
        assert.equal(github.runner(SCOPE, runner.name)?.busy, true);
    });

    test("a server whose runner became busy is left, and its runner is not even asked to go", async () => {
        const runner = addRunner("online", false);
        const serverId = addServer(runner.name);
        github.setRunner(SCOPE, runner.name, { busy: true });
        const writes = github.writes().length;
        const [outcome] = await executeSweep([deleteServer(serverId, runner.name)], connections, github.apiUrl);
        assert.equal(outcome?.result, "left");
        assert.ok(openstack.server(serverId), "the VM of a busy runner was deleted");
        assert.equal(github.writes().length, writes);
    });

    test("a server whose runner (re)appeared idle: the runner is deregistered first, then the server deleted", async () => {
        const runner = addRunner("online", false);
        const serverId = addServer(runner.name);
        const [outcome] = await executeSweep([deleteServer(serverId, runner.name)], connections, github.apiUrl);
        assert.equal(outcome?.result, "done");
        assert.match(outcome?.detail ?? "", /after deregistering its runner/);
        assert.equal(github.runner(SCOPE, runner.name), undefined);
        assert.equal(openstack.server(serverId), undefined);
    });

    test("a runner and server gone already count as gone, not as failures", async () => {
        const runner = addRunner("offline", false);
        github.removeRunner(SCOPE, runner.name);
        const outcomes = await executeSweep([deregister(runner), deleteServer("00000000-0000-4000-8000-000000000000", runner.name)], connections, github.apiUrl);
        assert.deepEqual(outcomes.map((outcome) => outcome.result), ["already-gone", "already-gone"]);
    });

    test("Nova refusing a delete (a locked server) is reported as failed, and the next step still runs", async () => {
        const locked = addServer(addRunner("offline", false).name);
        openstack.setServer(locked, { locked: true });
        for (const runner of github.runners(SCOPE)) github.removeRunner(SCOPE, runner.name);
        const other = addRunner("offline", false);
        const outcomes = await executeSweep([deleteServer(locked, "gone"), deregister(other)], connections, github.apiUrl);
        assert.deepEqual(outcomes.map((outcome) => outcome.result), ["failed", "done"]);
        assert.match(outcomes[0]?.detail ?? "", /locked/);
        assert.ok(openstack.server(locked));
        assert.equal(github.runner(SCOPE, other.name), undefined);
        openstack.assertNoContractViolations();
        github.assertNoContractViolations();
    });
});
