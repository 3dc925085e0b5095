/**
 * The prod example stack (an org, a GitHub App, a runner group, an existing network and flavor,
 * a built image) previewed through Pulumi's cmd/run against the recording monitor.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { EngineRun } from "./harness/engine-run";
import {
    assertCleanExit,
    assertFleetTree,
    assertPoolsAndSlots,
    assertSecretsNotShown,
    assertSecretsStaySecret,
    assertSerializedProviders,
    only,
} from "./harness/fleet-assertions";
import { childrenOf, diagnostics, GithubWorld, poolsOf, PROJECT, runStack, stackConfig, TYPES, type PoolConfig } from "./harness/fleet-stack";

const STACK = "prod";

describe("prod stack preview through Pulumi's cmd/run", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const secrets = {
        [`${PROJECT}:githubAppPrivateKey`]: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
        "openstack:password": `pw-${randomBytes(12).toString("hex")}`,
    };
    let world: GithubWorld;
    let run: EngineRun;
    let pools: PoolConfig[];

    before(async () => {
        world = await GithubWorld.start();
        const config = stackConfig(STACK, secrets, world.apiUrl);
        const github = JSON.parse(config.config[`${PROJECT}:github`] ?? "{}") as {
            path: string;
            runnerGroup: string;
            app: { appId: number; installationId: number };
        };
        world.fake.addOrg(github.path);
        world.fake.addRunnerGroup(github.path, github.runnerGroup);
        world.fake.addApp({
            appId: String(github.app.appId),
            installationId: github.app.installationId,
            publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
        });
        pools = poolsOf(config);
        run = await runStack(world, STACK, config);
    });
    after(() => world.stop());

    test("the program exits 0 after signalling shutdown, with no error logged", () => {
        assertCleanExit(run, diagnostics(run));
    });

    test("the fleet has one pool component per configured pool, with their slots", () => {
        assertFleetTree(run, pools);
        assertPoolsAndSlots(run, pools);
    });

    test("an existing network is looked up, not created", () => {
        const network = only(run.monitor.registrationsOfType(TYPES.network), "network component");
        assert.deepEqual(childrenOf(run, network, TYPES.osNetwork), []);
        assert.deepEqual(run.monitor.registrationsOfType(TYPES.subnet), []);
        assert.ok(run.monitor.invokes.some((invoke) => invoke.token === "openstack:networking/getNetwork:getNetwork"));
    });

    test("dynamic resources carry their serialized provider, and the App key stays secret", () => {
        assertSerializedProviders(run);
        assertSecretsStaySecret(run, secrets);
        assertSecretsNotShown(run, secrets);
    });

    test("every data-source call the program made was one the fixtures know", () => {
        assert.deepEqual(run.monitor.invokes.filter((invoke) => !invoke.answered).map((invoke) => invoke.token), []);
    });

    test("preview mints no runner credential and changes nothing on GitHub", () => {
        // An App can read nothing without an installation token, so the token exchange is the one
        // POST a preview that reads (here: the runner downloads for the image build) may make.
        const changes = world.fake.writes().filter((request) => request.operationId !== "apps/create-installation-access-token");
        assert.deepEqual(changes, []);
        assert.deepEqual(world.front.writes().filter((request) => !/^\/app\/installations\/\d+\/access_tokens$/.test(request.path)), []);
        world.fake.assertNoContractViolations();
    });
});
