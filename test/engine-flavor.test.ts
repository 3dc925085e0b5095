/**
 * A created flavor's size changes while one runner is busy: vcpus, ram and disk force a new
 * flavor (terraform-provider-openstack v1.54.1 compute_flavor_v2 ForceNew), and Nova flavor names
 * are unique cloud-wide. The up must complete: the flavor is replaced (its name carries the size),
 * the idle slot is recycled onto it, and the busy runner keeps its VM (Nova lets a flavor that
 * servers use be deleted: each server keeps its own copy).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startDevFleet, type Deployment, type DevFleet } from "./harness/fleet-deployment";
import type { PoolConfig } from "./harness/fleet-stack";
import { assertSucceeded, changes, cloudOf, servers, slotRunners, warnings } from "./engine-support";

const REPO_SCOPE = "acme/widgets";
const FLAVOR = "openstack:compute/flavor:Flavor";

describe("a created flavor's size changes with one runner busy", () => {
    let fleet: DevFleet;
    let slot0: string;
    let busyRunner: string;
    let flavorsBefore: { id: string; name: string }[];
    let busyServerBefore: string | undefined;
    let resized: Deployment;
    let flavorsAfter: { id: string; name: string }[];
    let serverFlavors: Map<string, string>;

    const biggerFlavor = (pools: PoolConfig[]): void => {
        pools[0]!.flavor = { ...pools[0]!.flavor, vcpus: (pools[0]!.flavor.vcpus ?? 2) * 2 };
    };
    const flavors = (): { id: string; name: string }[] => cloudOf(fleet).objects("flavor").filter((flavor) => !flavor.preexisting).map((flavor) => ({ id: flavor.id, name: flavor.name }));

    before(async () => {
        fleet = await startDevFleet(2);
        const { world, deployments, pool } = fleet;
        slot0 = `fleet-${pool.name}-0`;
        assertSucceeded(await deployments.deploy(false, 2));
        const runners = slotRunners(fleet);
        for (const runner of runners.values()) world.fake.setRunner(REPO_SCOPE, runner, { status: "online" });
        busyRunner = runners.get(1)!;
        world.fake.setRunner(REPO_SCOPE, busyRunner, { status: "online", busy: true });
        flavorsBefore = flavors();
        busyServerBefore = servers(fleet).get(busyRunner)?.id;
        resized = await deployments.deployWith(false, biggerFlavor);
        flavorsAfter = flavors();
        serverFlavors = new Map(cloudOf(fleet).objects("server").map((server) => [server.name, String(server.attributes["flavorId"])]));
    });
    after(() => fleet.world.stop());

    test("the up completes: one new flavor, named for its size, in place of the old", () => {
        assertSucceeded(resized);
        assert.ok(changes(resized).some((line) => line.startsWith(`replace ${FLAVOR}`)), changes(resized).join("\n"));
        assert.equal(flavorsBefore.length, 1);
        assert.equal(flavorsAfter.length, 1);
        assert.notEqual(flavorsAfter[0]!.id, flavorsBefore[0]!.id);
        assert.notEqual(flavorsAfter[0]!.name, flavorsBefore[0]!.name, "the name carries the size");
    });

    test("the idle slot is recycled onto the new flavor; the busy runner keeps its VM and says its change waits", () => {
        assert.ok(changes(resized).includes(`replace registration ${slot0}`));
        const recycled = [...serverFlavors.entries()].filter(([name]) => name !== busyRunner);
        assert.deepEqual(recycled.map(([, flavorId]) => flavorId), [flavorsAfter[0]!.id]);
        assert.equal(servers(fleet).get(busyRunner)?.id, busyServerBefore);
        assert.equal(serverFlavors.get(busyRunner), flavorsBefore[0]!.id);
        assert.ok(warnings(resized).some((message) => message.includes(busyRunner)));
    });
});
