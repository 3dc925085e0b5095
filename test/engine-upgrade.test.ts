/**
 * Upgrading this project between two runs, on a copy of it: a change of the userdata renderer is
 * an ordinary desired change (the idle runner's slot is recycled, the busy runner keeps its VM
 * until its job is done, no VM is recreated under a runner that stays), and a refactor that moves
 * a provider's internal module leaves existing slots deletable, because the state names only the
 * stable entry module (components/providers/entry.js).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startDevFleet, type Deployment, type DevFleet } from "./harness/fleet-deployment";
import { assertSucceeded, changes, copyProject, editProjectFile, moveModule, servers, slotRunners, TYPES, warnings } from "./engine-support";

const REPO_SCOPE = "acme/widgets";
const RENDERER = "components/userdata/boot-script.ts";

describe("a project upgrade between two runs, with one busy and one idle runner", () => {
    let project: ReturnType<typeof copyProject>;
    let fleet: DevFleet;
    let slot0: string;
    let slot1: string;
    let initial: { runners: Map<number, string>; servers: Map<string, { id: string; status: string | undefined }> };
    let busyRunner: string;
    let preview: Deployment;
    let upgraded: Deployment;
    let serversAfterUpgrade: Map<string, { id: string; status: string | undefined }>;
    let runnersAfterUpgrade: Map<number, string>;
    let afterJob: Deployment;
    let userDataOfSlot1: { before: unknown; afterJob: unknown };
    let destroyed: Awaited<ReturnType<DevFleet["deployments"]["destroy"]>>;

    const userDataOf = (slot: string): unknown =>
        [...fleet.deployments.state.resources.values()].find((resource) => resource.type === TYPES.instance && resource.urn.endsWith(`::${slot}`))?.inputs["userData"];

    before(async () => {
        project = copyProject();
        fleet = await startDevFleet(2, { programDir: project.dir });
        const { world, deployments, pool } = fleet;
        slot0 = `fleet-${pool.name}-0`;
        slot1 = `fleet-${pool.name}-1`;
        assertSucceeded(await deployments.deploy(false, 2));
        initial = { runners: slotRunners(fleet), servers: servers(fleet) };
        for (const runner of initial.runners.values()) world.fake.setRunner(REPO_SCOPE, runner, { status: "online" });
        busyRunner = initial.runners.get(1)!;
        world.fake.setRunner(REPO_SCOPE, busyRunner, { status: "online", busy: true });
        const slot1UserData = userDataOf(slot1);

        // The upgrade: the boot script renders differently.
        editProjectFile(project.dir, RENDERER, 'echo "runner boot: done"', 'echo "runner boot: finished"');
        preview = await deployments.deploy(true, 2);
        upgraded = await deployments.deploy(false, 2);
        serversAfterUpgrade = servers(fleet);
        runnersAfterUpgrade = slotRunners(fleet);

        // The busy runner's job ends (GitHub removes the ephemeral runner): its slot takes the new code.
        world.fake.removeRunner(REPO_SCOPE, busyRunner);
        afterJob = await deployments.deploy(false, 2);
        userDataOfSlot1 = { before: slot1UserData, afterJob: userDataOf(slot1) };

        // A refactor moves the registration provider's implementation; the state keeps naming entry.js.
        moveModule(project.dir, "components/github/registration/provider.ts", "components/github/registration/registration-provider.ts");
        destroyed = await deployments.destroy();
    });
    after(async () => {
        await fleet?.world.stop();
        project?.dispose();
    });

    test("the preview after the upgrade recycles only the idle slot and says the busy runner's change waits", () => {
        assertSucceeded(preview);
        assert.deepEqual(changes(preview).sort(), [`replace guard ${slot0}-drain`, `replace instance ${slot0}`, `replace registration ${slot0}`]);
        assert.ok(warnings(preview).some((message) => message.includes(busyRunner) && message.includes("template")), warnings(preview).join("\n"));
        assert.deepEqual(preview.requests.filter((request) => request.method !== "GET"), []);
    });

    test("up after the upgrade: a new runner and VM for the idle slot, the busy runner's VM untouched, no VM recreated under a kept runner", () => {
        assertSucceeded(upgraded);
        assert.deepEqual(changes(upgraded).sort(), [`replace guard ${slot0}-drain`, `replace instance ${slot0}`, `replace registration ${slot0}`]);
        // An instance is only ever replaced together with its registration: a new runner, never a reused JIT config.
        for (const step of upgraded.steps.filter((candidate) => candidate.type === TYPES.instance && candidate.kind === "replace")) {
            const name = step.urn.split("::").pop();
            assert.ok(upgraded.steps.some((other) => other.type === TYPES.registration && other.kind === "replace" && other.urn.endsWith(`::${name}`)), `${name}'s VM was recreated under its old runner`);
        }
        assert.equal(serversAfterUpgrade.get(busyRunner)?.id, initial.servers.get(busyRunner)?.id, "the busy runner's VM was recreated");
        assert.notEqual(runnersAfterUpgrade.get(0), initial.runners.get(0));
        assert.equal(runnersAfterUpgrade.get(1), busyRunner);
        assert.equal(serversAfterUpgrade.size, 2);
    });

    test("once its job is done, the busy runner's slot takes the new code", () => {
        assertSucceeded(afterJob);
        assert.deepEqual(changes(afterJob).sort(), [`replace guard ${slot1}-drain`, `replace instance ${slot1}`, `replace registration ${slot1}`]);
        assert.notDeepEqual(userDataOfSlot1.afterJob, userDataOfSlot1.before);
    });

    test("after a provider module moved, destroy still deregisters every runner and deletes every VM", () => {
        assert.equal(destroyed.deleteError, undefined, destroyed.providerStderr);
        assert.equal(fleet.deployments.state.resources.size, 0);
        assert.deepEqual(fleet.world.fake.runners(REPO_SCOPE), []);
        assert.equal(servers(fleet).size, 0);
        const deregistrations = destroyed.requests.filter((request) => request.method === "DELETE");
        assert.ok(deregistrations.length >= 1 && deregistrations.every((request) => request.status === 204), JSON.stringify(deregistrations.map((r) => r.status)));
    });
});
