/**
 * A runner that never came online within the bootstrap timeout is replaced on the next run, and
 * only that one: through Pulumi's cmd/run and the SDK's dynamic-provider host. Time passing is
 * modelled by moving the slots' recorded creation time back in the kept state.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertCleanExit } from "./harness/fleet-assertions";
import { resourceName, startDevFleet, type Deployment } from "./harness/fleet-deployment";
import { diagnostics, GithubWorld, PROJECT, TYPES } from "./harness/fleet-stack";
import { changes } from "./engine-support";

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
