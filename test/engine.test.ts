/**
 * The real program (index.ts) run through @pulumi/pulumi's own cmd/run, launched the way the
 * Pulumi CLI's Node.js language host launches it, against a recording gRPC resource monitor:
 * what `pulumi preview` of the dev stack registers, with nothing written to (the fake) GitHub.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { EngineRun } from "./harness/engine-run";
import {
    assertCleanExit,
    assertFleetTree,
    assertPoolsAndSlots,
    assertProjectTypeScript,
    assertSecretsNotShown,
    assertSecretsStaySecret,
    assertSerializedProviders,
    only,
} from "./harness/fleet-assertions";
import { childrenOf, diagnostics, GithubWorld, poolsOf, PROJECT, runStack, stackConfig, TYPES, type PoolConfig } from "./harness/fleet-stack";
import { ROOT_STACK_TYPE } from "./harness/urn";

const STACK = "dev";
/** cmd/run type-checks the whole program with ts-node first (as `pulumi up` does): about 15 s of CPU, minutes on a loaded 2-core machine. */
const TYPE_CHECKED_RUN = { timeoutMs: 300_000 };
const GITHUB_TOKEN_KEY = `${PROJECT}:githubToken`;

/** Test plaintexts for the stack file's `secure:` values: random, so a leak cannot be a coincidence. */
function devSecrets(): Record<string, string> {
    return {
        [GITHUB_TOKEN_KEY]: `ghp_${randomBytes(18).toString("hex")}`,
        "openstack:password": `pw-${randomBytes(12).toString("hex")}`,
    };
}

async function devWorld(token: string): Promise<GithubWorld> {
    const world = await GithubWorld.start();
    world.fake.addToken(token);
    world.fake.addRepo("acme", "widgets");
    return world;
}

describe("dev stack preview through Pulumi's cmd/run", () => {
    const secrets = devSecrets();
    let world: GithubWorld;
    let run: EngineRun;
    let pools: PoolConfig[];

    before(async () => {
        world = await devWorld(secrets[GITHUB_TOKEN_KEY]!);
        const config = stackConfig(STACK, secrets, world.apiUrl);
        pools = poolsOf(config);
        run = await runStack(world, STACK, config, TYPE_CHECKED_RUN);
    });
    after(() => world.stop());

    test("the program exits 0 after signalling shutdown, with no error logged", () => {
        assertCleanExit(run, diagnostics(run));
    });

    test("cmd/run compiles the program with the project's TypeScript and ts-node, not the SDK's vendored 3.8", () => {
        assertProjectTypeScript(run);
    });

    test("the stack registers the fleet, its image, network and one component per configured pool", () => {
        assertFleetTree(run, pools);
    });

    test("the created network has a network, subnet, router, router interface and security group", () => {
        const network = only(run.monitor.registrationsOfType(TYPES.network), "network component");
        for (const type of [TYPES.osNetwork, TYPES.subnet, TYPES.router, TYPES.routerInterface, TYPES.secGroup]) {
            only(childrenOf(run, network, type), type);
        }
    });

    test("each pool has its flavor and as many slots as configured, each a registration, an instance and a drain guard", () => {
        assertPoolsAndSlots(run, pools);
    });

    test("dynamic resources carry their serialized provider in __provider", () => {
        assertSerializedProviders(run);
    });

    test("secret config reaches resources only as secrets, and is never shown", () => {
        assertSecretsStaySecret(run, secrets);
        assertSecretsNotShown(run, secrets);
    });

    test("every data-source call the program made was one the fixtures know", () => {
        assert.deepEqual(run.monitor.invokes.filter((invoke) => !invoke.answered).map((invoke) => invoke.token), []);
    });

    test("preview writes nothing to GitHub, and what it reads keeps to GitHub's contract", () => {
        assert.deepEqual(world.front.writes(), []);
        assert.deepEqual(world.fake.writes(), []);
        world.fake.assertNoContractViolations();
    });
});

describe("a bad config value under Pulumi's cmd/run", () => {
    const secrets = devSecrets();
    let world: GithubWorld;
    let run: EngineRun;

    before(async () => {
        world = await devWorld(secrets[GITHUB_TOKEN_KEY]!);
        const config = stackConfig(STACK, secrets, world.apiUrl, (values) => {
            values[`${PROJECT}:dockerhubMirror`] = "http://registry-mirror.example.net";
        });
        run = await runStack(world, STACK, config, TYPE_CHECKED_RUN);
    });
    after(() => world.stop());

    test("fails the program with one error naming the key, the value and what is expected", () => {
        // 32: cmd/run's "already reported to the user" exit; the language host then bails without adding noise.
        assert.equal(run.exit.code, 32, diagnostics(run));
        assert.equal(run.exit.timedOut, false);
        const errors = run.monitor.logs.filter((log) => log.severity === "error").map((log) => log.message);
        assert.equal(errors.length, 1, errors.join("\n---\n"));
        assert.match(errors[0]!, /dockerhubMirror/);
        assert.match(errors[0]!, /http:\/\/registry-mirror\.example\.net/);
        assert.match(errors[0]!, /https/);
        assertSecretsNotShown(run, secrets);
    });

    test("registers no resource but the stack and calls nothing on GitHub", () => {
        assert.deepEqual(run.monitor.registrations.map((registration) => registration.type), [ROOT_STACK_TYPE]);
        assert.deepEqual(world.front.requests, []);
    });
});
