/**
 * What the status command reads, against the fake GitHub and the fake OpenStack through the
 * project's clients: the runners of the config's scope and of every scope a slot registered
 * in, every server of the project, and Glance names only for images the stack outputs do not
 * name (once per image).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { gatherSnapshot, type StackRead } from "../scripts/status/gather";
import { devConfig, poolsOutput, slot, state } from "./status/snapshot-builder";
import { type Fakes, SCOPE, startFakes, TENANT } from "./status/fakes";

describe("gathering a status snapshot", { timeout: 120_000 }, () => {
    let fakes: Fakes;

    before(async () => {
        fakes = await startFakes();
    });
    after(() => fakes?.stop());

    test("lists each scope once, every server, and looks up only unnamed images", async () => {
        const { github, openstack, connections } = fakes;
        github.addRepo("acme", "old");
        github.addRunners(SCOPE, 2, "gh-dev-small-x");
        github.addRunners("acme/old", 1, "gh-dev-small-y");
        const built = openstack.addImage({ name: "github-runner-jammy-x64-2024", project: TENANT });
        const moved = slot({ index: 1, runner: "gh-dev-small-1-00000000000b" });
        moved.registration!.path = "acme/old";
        moved.registration!.appliedImageId = built.id;
        const slots = [slot({ index: 0, runner: "gh-dev-small-0-00000000000a" }), slot({ index: 2, runner: "gh-dev-small-2-00000000000c" }), moved];
        slots[1]!.registration!.appliedImageId = built.id;
        const servers = [openstack.addServer({ name: "a", project: TENANT }).id, openstack.addServer({ name: "b", project: TENANT, status: "SHUTOFF" }).id];
        const read: StackRead = {
            stack: "dev",
            project: "openstack-github-runners",
            config: { fleet: devConfig([{ name: "small", count: 3 }], { github: JSON.stringify({ path: SCOPE, apiUrl: github.apiUrl }) }), openstack: {}, secretValues: [] },
            state: state(slots, { pools: poolsOutput({ small: { desired: 3, slots } }) }),
        };
        const glanceBefore = openstack.requests.filter((request) => request.service === "image").length;
        const now = new Date("2030-01-01T00:00:00Z");
        const snapshot = await gatherSnapshot(read, connections, () => now);
        assert.deepEqual(Object.keys(snapshot.runners).sort(), ["acme/old", SCOPE]);
        assert.deepEqual(snapshot.runners[SCOPE]?.map((runner) => runner.name).sort(), ["gh-dev-small-x-1", "gh-dev-small-x-2"]);
        assert.deepEqual(snapshot.runners["acme/old"]?.map((runner) => runner.name), ["gh-dev-small-y-1"]);
        assert.deepEqual(snapshot.servers.map((server) => [server.id, server.status]).sort(), [[servers[0], "ACTIVE"], [servers[1], "SHUTOFF"]].sort());
        assert.deepEqual(snapshot.imageNames, { [built.id]: "github-runner-jammy-x64-2024" });
        const glance = openstack.requests.filter((request) => request.service === "image").slice(glanceBefore);
        assert.deepEqual(glance.map((request) => request.path), [`/images/${built.id}`], "one Glance call for the one image the outputs do not name");
        assert.equal(snapshot.now, now);
        openstack.assertNoContractViolations();
        github.assertNoContractViolations();
    });
});
