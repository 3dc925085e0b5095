/**
 * A config change reaches runners only when they are idle: through Pulumi's cmd/run and the
 * SDK's dynamic-provider host, changing a pool's labels replaces the idle slots now, defers the
 * busy one, and replaces that one on a later run once its job is done.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { assertCleanExit } from "./harness/fleet-assertions";
import { FleetDeployments, resourceName, type Deployment } from "./harness/fleet-deployment";
import { diagnostics, GithubWorld, poolsOf, PROJECT, stackConfig, TYPES, type PoolConfig } from "./harness/fleet-stack";
import type { Step } from "./harness/simulated-engine";

const STACK = "dev";
const REPO_SCOPE = "acme/widgets";

/** [kind, type, name] of every step that is not "same", sorted. */
function changes(deployment: Deployment): [Step["kind"], string, string][] {
    return deployment.steps
        .filter((step) => step.kind !== "same")
        .map((step): [Step["kind"], string, string] => [step.kind, step.type, resourceName(step.urn)])
        .sort();
}

function slotReplacement(slot: string): [Step["kind"], string, string][] {
    return [
        ["replace", TYPES.drainGuard, `${slot}-drain`],
        ["replace", TYPES.instance, slot],
        ["replace", TYPES.registration, slot],
    ];
}

describe("a label change under cmd/run and the SDK's dynamic-provider host", () => {
    const token = `ghp_${randomBytes(18).toString("hex")}`;
    const secrets = { [`${PROJECT}:githubToken`]: token, "openstack:password": `pw-${randomBytes(12).toString("hex")}` };
    const addLabel = (pools: PoolConfig[]): void => {
        pools[0]!.labels = [...pools[0]!.labels, "extra-label"];
    };
    let world: GithubWorld;
    let deployments: FleetDeployments;
    let poolName: string;
    let slots: number;
    let busyRunner: string;
    let whileBusy: Deployment;
    let busyRunnerAfterChange: { id: number; busy: boolean } | undefined;
    let afterJob: Deployment;

    before(async () => {
        world = await GithubWorld.start();
        world.fake.addToken(token);
        world.fake.addRepo("acme", "widgets");
        const pool = poolsOf(stackConfig(STACK, secrets, world.apiUrl))[0];
        assert.ok(pool !== undefined && pool.count >= 2, "the dev stack needs a pool of at least two runners");
        poolName = pool.name;
        slots = pool.count;
        deployments = new FleetDeployments(world, STACK, secrets);
        const initial = await deployments.deploy(false, slots);
        assertCleanExit(initial.run, `${diagnostics(initial.run)}\n${initial.providerStderr}`);

        const lastSlot = `fleet-${poolName}-${slots - 1}`;
        const registration = [...deployments.state.resources.values()].find(
            (resource) => resource.type === TYPES.registration && resourceName(resource.urn) === lastSlot,
        );
        busyRunner = String(registration?.outputs["runnerName"]);
        world.fake.setRunner(REPO_SCOPE, busyRunner, { status: "online", busy: true });
        whileBusy = await deployments.deployWith(false, addLabel);
        busyRunnerAfterChange = world.fake.runner(REPO_SCOPE, busyRunner);

        world.fake.setRunner(REPO_SCOPE, busyRunner, { busy: false });
        afterJob = await deployments.deployWith(true, addLabel);
    });
    after(() => world.stop());

    test("up replaces every idle slot and leaves the busy one, its runner untouched", () => {
        assertCleanExit(whileBusy.run, `${diagnostics(whileBusy.run)}\n${whileBusy.providerStderr}`);
        assert.equal(whileBusy.deleteError, undefined);
        const replaced = changes(whileBusy).filter(([kind]) => kind === "replace");
        const expected = Array.from({ length: slots - 1 }, (_, index) => slotReplacement(`fleet-${poolName}-${index}`)).flat().sort();
        assert.deepEqual(replaced, expected);
        assert.equal(busyRunnerAfterChange?.busy, true, "the busy runner left GitHub");
        const busyPath = `/repos/${REPO_SCOPE}/actions/runners/${busyRunnerAfterChange.id}`;
        assert.ok(!whileBusy.requests.some((request) => request.method === "DELETE" && request.path === busyPath));
        world.fake.assertNoContractViolations();
    });

    test("once its job is done, the deferred slot is replaced, and only it", () => {
        assertCleanExit(afterJob.run, `${diagnostics(afterJob.run)}\n${afterJob.providerStderr}`);
        assert.deepEqual(changes(afterJob), slotReplacement(`fleet-${poolName}-${slots - 1}`).sort());
        assert.deepEqual(afterJob.requests.filter((request) => request.method !== "GET"), []);
    });
});
