/**
 * What must not touch a single slot, through cmd/run and the SDK's dynamic-provider host: a GitHub
 * token rotation (the old token revoked) and a bootstrap-timeout change preview and apply as zero
 * changes, since the providers read both from the stack config in `configure`; and a GitHub
 * outage while the provider lists runners for its diffs stops the run with a clear error instead
 * of reading as "every runner is gone" (which would replace busy runners).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { startDevFleet, type Deployment, type DevFleet } from "./harness/fleet-deployment";
import { PROJECT } from "./harness/fleet-stack";
import { assertNoSecretInClear, assertSucceeded, changes, slotRunners } from "./engine-support";

const REPO_SCOPE = "acme/widgets";
const TOKEN_KEY = `${PROJECT}:githubToken`;
const LISTING = { method: "GET", path: `/repos/${REPO_SCOPE}/actions/runners` };

describe("credential rotation, a bootstrap-timeout change and a GitHub outage during the diffs", () => {
    let fleet: DevFleet;
    let oldToken: string;
    let newToken: string;
    let rotationPreview: Deployment;
    let rotationUp: Deployment;
    let timeoutPreview: Deployment;
    let timeoutUp: Deployment;
    let outage: Deployment;
    let afterOutage: Deployment;
    let runnersBeforeOutage: string[];
    let runnersAfterOutage: string[];

    before(async () => {
        fleet = await startDevFleet(2);
        const { world, deployments } = fleet;
        assertSucceeded(await deployments.deploy(false, 2));
        for (const runner of slotRunners(fleet).values()) world.fake.setRunner(REPO_SCOPE, runner, { status: "online" });

        oldToken = fleet.secrets[TOKEN_KEY]!;
        newToken = `ghp_${randomBytes(18).toString("hex")}`;
        world.fake.addToken(newToken);
        fleet.secrets[TOKEN_KEY] = newToken;
        world.fake.revokeToken(oldToken);
        rotationPreview = await deployments.deploy(true, 2);
        rotationUp = await deployments.deploy(false, 2);

        deployments.editConfig((values) => {
            values[`${PROJECT}:bootstrapTimeoutMinutes`] = String(Number(values[`${PROJECT}:bootstrapTimeoutMinutes`] ?? "20") + 7);
        });
        timeoutPreview = await deployments.deploy(true, 2);
        timeoutUp = await deployments.deploy(false, 2);

        // The program's own listing succeeds; every listing after it (the provider host's) fails, retries included.
        runnersBeforeOutage = world.fake.runners(REPO_SCOPE).map((runner) => runner.name);
        world.fake.failNext(LISTING, { status: 502 }, 50, 1);
        outage = await deployments.deploy(false, 2);
        world.fake.clearFailures();
        runnersAfterOutage = world.fake.runners(REPO_SCOPE).map((runner) => runner.name);
        afterOutage = await deployments.deploy(true, 2);
    });
    after(() => fleet.world.stop());

    test("a token rotation previews and applies as zero changes, with the new token only", () => {
        for (const deployment of [rotationPreview, rotationUp]) {
            assertSucceeded(deployment);
            assert.deepEqual(changes(deployment), [], deployment.result.operation);
            assert.deepEqual(deployment.requests.filter((request) => request.status === 401), [], "a request still used the revoked token");
        }
        assertNoSecretInClear(fleet, [rotationPreview, rotationUp], { old: oldToken, new: newToken });
    });

    test("a bootstrap-timeout change previews and applies as zero changes", () => {
        for (const deployment of [timeoutPreview, timeoutUp]) {
            assertSucceeded(deployment);
            assert.deepEqual(changes(deployment), [], deployment.result.operation);
        }
    });

    test("a failed runner listing during the diffs stops the up with an error naming GitHub's answer, and nothing changes", () => {
        assert.ok(outage.result.error !== undefined, "the up succeeded while GitHub could not list runners");
        const said = [outage.result.error, ...outage.result.diagnostics.map((d) => d.message)].join("\n");
        assert.match(said, /runner/i);
        assert.match(said, /502|Server Error/);
        assert.deepEqual(changes(outage).filter((line) => !line.startsWith("same ")), [], "a slot changed during the outage");
        assert.deepEqual(outage.requests.filter((request) => request.method !== "GET"), []);
        assert.deepEqual(runnersAfterOutage.sort(), runnersBeforeOutage.sort());
    });

    test("once GitHub answers again, nothing is left to do", () => {
        assertSucceeded(afterOutage);
        assert.deepEqual(changes(afterOutage), []);
    });
});
