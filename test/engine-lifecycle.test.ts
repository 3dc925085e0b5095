/**
 * The dev stack through the engine harness: the program runs through Pulumi's cmd/run, its
 * dynamic resources in the SDK's own cmd/dynamic-provider host (configured with the stack's
 * config, as the engine configures `pulumi-nodejs`), its OpenStack resources in the harness's
 * in-memory cloud, with state kept between runs: first preview, up, preview and up with no
 * changes, destroy.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startDevFleet, type Deployment, type DevFleet } from "./harness/fleet-deployment";
import { assertNoSecretInClear, assertSucceeded, changes, indexOf, servers, slotRunners, TYPES } from "./engine-support";

const REPO_SCOPE = "acme/widgets";
/** GitHub's page size for runner listings. */
const PAGE = 100;

describe("dev stack lifecycle", () => {
    let fleet: DevFleet;
    let firstPreview: Deployment;
    let first: Deployment;
    let secondPreview: Deployment;
    let second: Deployment;
    let destroyed: Awaited<ReturnType<DevFleet["deployments"]["destroy"]>>;
    let runnersAfterUp: string[];
    let serversAfterUp: Map<string, { id: string; status: string | undefined }>;
    let runnersOfSlots: Map<number, string>;
    const slotBytes: number[] = [];

    before(async () => {
        fleet = await startDevFleet(2);
        const { deployments, pool } = fleet;
        firstPreview = await deployments.deploy(true, pool.count);
        first = await deployments.deploy(false, pool.count);
        runnersAfterUp = fleet.world.fake.runners(REPO_SCOPE).map((runner) => runner.name);
        serversAfterUp = servers(fleet);
        runnersOfSlots = slotRunners(fleet);
        for (const slot of [...deployments.state.resources.values()].filter((resource) => resource.type === TYPES.slot)) {
            slotBytes.push(deployments.stack.bytesUnder(slot.urn));
        }
        secondPreview = await deployments.deploy(true, pool.count);
        second = await deployments.deploy(false, pool.count);
        destroyed = await deployments.destroy();
    });
    after(() => fleet.world.stop());

    test("a first preview plans only creates and writes nothing to GitHub", () => {
        assertSucceeded(firstPreview);
        assert.ok(firstPreview.steps.length > 0);
        assert.deepEqual(firstPreview.steps.filter((step) => step.kind !== "create"), []);
        assert.deepEqual(firstPreview.requests.filter((request) => request.method !== "GET"), []);
    });

    test("up registers one runner per slot and boots one VM per runner, named after it", () => {
        assertSucceeded(first);
        assert.deepEqual(first.steps.filter((step) => step.kind !== "create"), []);
        const runners = runnersOfSlots;
        assert.equal(runners.size, fleet.pool.count);
        assert.deepEqual([...runnersAfterUp].sort(), [...runners.values()].sort());
        for (const runner of runners.values()) assert.equal(serversAfterUp.get(runner)?.status, "ACTIVE", `a VM named ${runner}`);
        assert.equal(first.requests.filter((request) => request.operationId === "actions/generate-runner-jitconfig-for-repo").length, fleet.pool.count);
        fleet.world.fake.assertNoContractViolations();
    });

    test("no credential or JIT config is ever in clear: not in the checkpoint, an input, a log or the provider's output", () => {
        const jitRequests = first.requests.filter((request) => request.operationId === "actions/generate-runner-jitconfig-for-repo");
        assert.ok(jitRequests.length > 0);
        assertNoSecretInClear(fleet, [firstPreview, first, secondPreview, second], fleet.secrets);
        const checkpoint = JSON.stringify(fleet.deployments.stack.exportDeployment());
        assert.ok(!checkpoint.includes("encoded_jit_config") && !/"jitConfig"/.test(checkpoint));
    });

    test("a second preview and a second up change nothing and cost one runner listing per process (program and provider)", () => {
        for (const deployment of [secondPreview, second]) {
            assertSucceeded(deployment);
            assert.deepEqual(changes(deployment), [], deployment.result.operation);
            assert.deepEqual(deployment.requests.filter((request) => request.method !== "GET"), []);
            const listings = deployment.requests.filter((request) => request.operationId === "actions/list-self-hosted-runners-for-repo");
            assert.ok(listings.length <= 2 * Math.ceil(fleet.pool.count / PAGE), `runner listings: ${listings.length}`);
        }
    });

    test(`each slot's state stays small (printed for the record)`, () => {
        console.log(`per-slot checkpoint bytes after up: ${slotBytes.join(", ")}`);
        for (const bytes of slotBytes) assert.ok(bytes < 30_000, `${bytes} bytes`);
    });

    test("destroy deregisters every runner before deleting its VM and leaves nothing on GitHub, in the cloud or in the state", () => {
        assert.equal(destroyed.deleteError, undefined, destroyed.providerStderr);
        for (let index = 0; index < fleet.pool.count; index++) {
            const slot = `fleet-${fleet.pool.name}-${index}`;
            const guard = indexOf(destroyed.steps, "delete", TYPES.drainGuard, `${slot}-drain`);
            const instance = indexOf(destroyed.steps, "delete", TYPES.instance, slot);
            const registration = indexOf(destroyed.steps, "delete", TYPES.registration, slot);
            assert.ok(guard >= 0 && guard < instance && instance < registration, `delete order of ${slot}`);
        }
        assert.equal(fleet.deployments.state.resources.size, 0);
        assert.deepEqual(fleet.world.fake.runners(REPO_SCOPE), []);
        assert.equal(servers(fleet).size, 0);
        fleet.world.fake.assertNoContractViolations();
    });
});
