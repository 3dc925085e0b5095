/**
 * A runner that never came online within the bootstrap timeout is replaced on the next run, and
 * only that one: through Pulumi's cmd/run and the SDK's dynamic-provider host. Time passing is
 * modelled by moving the slots' recorded creation time back in the kept state. A token-mode
 * runner is not on GitHub while its VM boots, nor after its job: the powered-off VM tells them apart.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertCleanExit } from "./harness/fleet-assertions";
import { resourceName, startDevFleet, type Deployment } from "./harness/fleet-deployment";
import { diagnostics, GithubWorld, PROJECT, TYPES } from "./harness/fleet-stack";
import { assertSucceeded, changes, cloudOf, servers, slotRunners } from "./engine-support";

const REPO_SCOPE = "acme/widgets";

describe("the bootstrap timeout under cmd/run and the SDK's dynamic-provider host", () => {
    let world: GithubWorld;
    let poolName: string;
    let withinTimeout: Deployment;
    let pastTimeout: Deployment;

    before(async () => {
        const fleet = await startDevFleet(2);
        world = fleet.world;
        const { config, pool, deployments } = fleet;
        poolName = pool.name;
        const timeoutMinutes = Number(config.config[`${PROJECT}:bootstrapTimeoutMinutes`] ?? "NaN");
        assert.ok(timeoutMinutes > 0, "the dev stack sets bootstrapTimeoutMinutes");
        const initial = await deployments.deploy(false, pool.count);
        assertCleanExit(initial.run, `${diagnostics(initial.run)}\n${initial.providerStderr}`);

        // Every slot but the first boots and comes online; the first never does.
        const registrations = [...deployments.state.resources.values()].filter((resource) => resource.type === TYPES.registration);
        for (const registration of registrations) {
            if (resourceName(registration.urn) !== `fleet-${poolName}-0`) {
                world.fake.setRunner(REPO_SCOPE, String(registration.outputs["runnerName"]), { status: "online" });
            }
        }
        withinTimeout = await deployments.deploy(true, pool.count);
        const longAgo = new Date(Date.now() - (timeoutMinutes + 1) * 60_000).toISOString();
        for (const registration of registrations) registration.outputs["createdAt"] = longAgo;
        pastTimeout = await deployments.deploy(true, pool.count);
    });
    after(() => world.stop());

    test("within the timeout a runner still booting is left alone", () => {
        assertCleanExit(withinTimeout.run, `${diagnostics(withinTimeout.run)}\n${withinTimeout.providerStderr}`);
        assert.deepEqual(changes(withinTimeout), []);
    });

    test("past the timeout the runner that never came online is replaced, with its instance and drain guard, and nothing else", () => {
        assertCleanExit(pastTimeout.run, `${diagnostics(pastTimeout.run)}\n${pastTimeout.providerStderr}`);
        const slot = `fleet-${poolName}-0`;
        assert.deepEqual(changes(pastTimeout).sort(), [`replace guard ${slot}-drain`, `replace instance ${slot}`, `replace registration ${slot}`]);
        assert.deepEqual(pastTimeout.requests.filter((request) => request.method !== "GET"), []);
    });
});

describe("token-mode ephemeral runners: used up (VM powered off) or still booting", () => {
    let world: GithubWorld;
    let fleet: Awaited<ReturnType<typeof startDevFleet>>;
    let slot0: string;
    let booting: Deployment;
    let usedUpPreview: Deployment;
    let usedUp: Deployment;
    let serversAfter: Map<string, { id: string; status: string | undefined }>;
    let stoppedServer: string;

    before(async () => {
        fleet = await startDevFleet(2);
        world = fleet.world;
        const { deployments, pool } = fleet;
        slot0 = `fleet-${pool.name}-0`;
        deployments.editConfig((values) => {
            const github = JSON.parse(values[`${PROJECT}:github`] ?? "{}") as Record<string, unknown>;
            values[`${PROJECT}:github`] = JSON.stringify({ ...github, registration: "token" });
        });
        const initial = await deployments.deploy(false, pool.count);
        assertCleanExit(initial.run, `${diagnostics(initial.run)}\n${initial.providerStderr}`);
        // No VM runs here, so no runner ever registers: every slot looks like one still booting.
        booting = await deployments.deploy(true, pool.count);
        // Slot 0's runner took its job and exited; its VM powered off; GitHub removed the ephemeral runner.
        const runner0 = slotRunners(fleet).get(0)!;
        stoppedServer = servers(fleet).get(runner0)!.id;
        cloudOf(fleet).setServerStatus(stoppedServer, "SHUTOFF");
        usedUpPreview = await deployments.deploy(true, pool.count);
        usedUp = await deployments.deploy(false, pool.count);
        serversAfter = servers(fleet);
    });
    after(() => world.stop());

    test("within the bootstrap timeout, runners GitHub does not list yet are left alone", () => {
        assertSucceeded(booting);
        assert.deepEqual(changes(booting), []);
    });

    test("a slot whose VM powered off is recycled at once, and only it", () => {
        assertSucceeded(usedUpPreview);
        assert.deepEqual(changes(usedUpPreview).sort(), [`replace guard ${slot0}-drain`, `replace instance ${slot0}`, `replace registration ${slot0}`]);
        assertSucceeded(usedUp);
        assert.deepEqual(changes(usedUp).sort(), [`replace guard ${slot0}-drain`, `replace instance ${slot0}`, `replace registration ${slot0}`]);
        assert.ok(![...serversAfter.values()].some((server) => server.id === stoppedServer), "the powered-off VM is still there");
        assert.equal(serversAfter.size, 2);
        assert.ok([...serversAfter.values()].every((server) => server.status === "ACTIVE"));
    });
});
