/**
 * The status command's edges without a stack: its command line, the reading of an exported
 * deployment (clear errors for what it cannot use), the naming rule that decides which runners
 * and servers are this stack's, the age format, and that an error never prints a secret.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runnerName } from "../components/naming";
import { parseStatusArgs, UsageError } from "../scripts/status/args";
import { isPoolRunnerName, poolOfRunnerName, serverMarks } from "../scripts/status/ownership";
import { formatAge } from "../scripts/status/render";
import { runStatus } from "../scripts/status/run";
import { readStackState, StackStateError } from "../scripts/status/stack-state";

const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

describe("command line", { timeout: 30_000 }, () => {
    test("--stack is required; --yes only with --sweep; unknown flags are named", () => {
        assert.deepEqual(parseStatusArgs(["--stack", "dev"], "/p"), { stack: "dev", cwd: "/p", json: false, sweep: false, yes: false });
        assert.deepEqual(parseStatusArgs(["-s", "prod", "--json", "--sweep", "--yes", "--cwd", "/x"], "/p"), { stack: "prod", cwd: "/x", json: true, sweep: true, yes: true });
        assert.equal(parseStatusArgs(["--help"], "/p"), "help");
        assert.throws(() => parseStatusArgs([], "/p"), (error: unknown) => error instanceof UsageError && /--stack is required/.test(error.message));
        assert.throws(() => parseStatusArgs(["--stack", "dev", "--yes"], "/p"), /--yes only goes with --sweep/);
        assert.throws(() => parseStatusArgs(["--stack", "dev", "--force"], "/p"), /--force.*see --help/);
        assert.throws(() => parseStatusArgs(["--stack", "dev", "extra"], "/p"), /extra/);
    });

    test("bad usage exits 2 with one line on stderr; --help prints the usage", async () => {
        const out: string[] = [];
        const err: string[] = [];
        const io = { out: (text: string) => out.push(text), err: (text: string) => err.push(text) };
        assert.equal(await runStatus(["--yes", "--stack", "dev"], { env: {}, io }), 2);
        assert.match(err.join(""), /^status: --yes only goes with --sweep/);
        assert.equal(await runStatus(["-h"], { env: {}, io }), 0);
        assert.match(out.join(""), /^Usage: npm run status -- --stack <name>/);
    });

    test("an error never prints the passphrase or a secret-looking value", async () => {
        const passphrase = "correct-horse-battery-staple";
        const err: string[] = [];
        const code = await runStatus(["--stack", "dev"], {
            env: { PULUMI_CONFIG_PASSPHRASE: passphrase },
            io: { out: () => {}, err: (text) => err.push(text) },
            openSource: async () => {
                throw new Error(`command failed: pulumi stack select (passphrase ${passphrase}, token ghp_${"a".repeat(36)})`);
            },
        });
        assert.equal(code, 1);
        assert.match(err.join(""), /^status: command failed: pulumi stack select/);
        assert.ok(!err.join("").includes(passphrase));
        assert.ok(!err.join("").includes("a".repeat(36)));
    });
});

describe("reading an exported deployment", { timeout: 30_000 }, () => {
    test("only version 3 deployments are read", () => {
        assert.throws(() => readStackState({ version: 2, deployment: {} }), (error: unknown) => error instanceof StackStateError && /version 2; expected 3/.test(error.message));
        assert.throws(() => readStackState({ version: 3, deployment: { resources: [{ type: "x" }] } }), /resource 0 .* no urn/);
    });

    test("a secret exported without --show-secrets is refused, naming where it is", () => {
        const stack = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev";
        const deployment = { version: 3, deployment: { resources: [{ urn: stack, type: "pulumi:pulumi:Stack", custom: false, outputs: { pools: { ...SECRET_SIG, ciphertext: "v1:abc" } } }] } };
        assert.throws(() => readStackState(deployment), /the stack outputs\.pools is an encrypted secret: .*--show-secrets/);
        const revealed = { version: 3, deployment: { resources: [{ urn: stack, type: "pulumi:pulumi:Stack", custom: false, outputs: { pools: { ...SECRET_SIG, plaintext: '{"small":{"desired":1}}' } } }] } };
        assert.deepEqual(readStackState(revealed).outputs, { pools: { small: { desired: 1 } } });
    });

    test("slots are found under their pool and fleet, old resources and interrupted operations listed", () => {
        const u = (type: string, name: string) => `urn:pulumi:dev::p::${type}::${name}`;
        const fleet = u("github-runners:index:RunnerFleet", "fleet");
        const pool = u("github-runners:index:RunnerFleet$github-runners:index:RunnerPool", "fleet-gpu-large");
        const slotUrn = u("github-runners:index:RunnerFleet$github-runners:index:RunnerPool$github-runners:index:RunnerSlot", "fleet-gpu-large-12");
        const instance = { urn: u("openstack:compute/instance:Instance", "fleet-gpu-large-12"), type: "openstack:compute/instance:Instance", custom: true, id: "srv-new", parent: slotUrn };
        const deployment = {
            version: 3,
            deployment: {
                resources: [
                    { urn: fleet, type: "github-runners:index:RunnerFleet", custom: false },
                    { urn: pool, type: "github-runners:index:RunnerPool", custom: false, parent: fleet },
                    { urn: slotUrn, type: "github-runners:index:RunnerSlot", custom: false, parent: pool },
                    instance,
                    { ...instance, id: "srv-old", delete: true },
                ],
                pending_operations: [{ type: "creating", resource: { urn: u("pulumi-nodejs:dynamic/github-runners:RunnerRegistration", "fleet-gpu-large-13"), type: "pulumi-nodejs:dynamic/github-runners:RunnerRegistration" } }],
            },
        };
        const read = readStackState(deployment);
        assert.deepEqual(read.slots.map((slot) => [slot.name, slot.pool, slot.index, slot.serverId]), [["fleet-gpu-large-12", "gpu-large", 12, "srv-new"]]);
        assert.deepEqual(read.pendingDeletes, [{ slot: "fleet-gpu-large-12", type: "openstack:compute/instance:Instance", serverId: "srv-old" }]);
        assert.deepEqual(read.pendingOperations, [{ type: "creating", resourceType: "pulumi-nodejs:dynamic/github-runners:RunnerRegistration", name: "fleet-gpu-large-13" }]);
    });
});

describe("this stack's runners and servers", { timeout: 30_000 }, () => {
    test("a runner name is a pool's only as the program names it: prefix, pool, slot index, 12 hex", () => {
        assert.equal(isPoolRunnerName("gh-dev-gpu-3-0123456789ab", "gh-dev", "gpu"), true);
        assert.equal(isPoolRunnerName("gh-dev-gpu-large-3-0123456789ab", "gh-dev", "gpu"), false, "pool gpu must not claim pool gpu-large's runners");
        assert.equal(poolOfRunnerName("gh-dev-gpu-large-3-0123456789ab", "gh-dev", ["gpu", "gpu-large"]), "gpu-large");
        assert.equal(isPoolRunnerName("gh-dev-gpu-3-0123456789AB", "gh-dev", "gpu"), false);
        assert.equal(isPoolRunnerName("gh-dev-gpu-x-0123456789ab", "gh-dev", "gpu"), false);
        assert.equal(isPoolRunnerName("gh-devx-gpu-3-0123456789ab", "gh-dev", "gpu"), false);
        // A prefix long enough for runnerName to cut (the rule applies to any prefix it is given).
        const long = "p".repeat(45);
        const cut = runnerName(`${long}-pool-7`, "0123456789ab");
        assert.ok(!cut.includes("pool-7"), cut);
        assert.equal(isPoolRunnerName(cut, long, "pool"), true);
        assert.equal(isPoolRunnerName(cut, long, "other"), false);
    });

    test("a server is this stack's when it carries the stack's mark and a runner of the stack's naming", () => {
        const marks = { "github-runners:stack": "dev", "github-runners:pool": "small", "github-runners:slot": "2", "github-runners:runner": "gh-dev-small-2-0123456789ab" };
        assert.deepEqual(serverMarks(marks, "dev", "gh-dev"), { pool: "small", slot: "2", runner: "gh-dev-small-2-0123456789ab" });
        assert.equal(serverMarks(marks, "prod", "gh-dev"), undefined);
        assert.equal(serverMarks(marks, "dev", "gh-other"), undefined, "another project's stack of the same name");
        assert.equal(serverMarks({ "github-runners:stack": "dev" }, "dev", "gh-dev"), undefined);
    });
});

test("ages read at a glance", { timeout: 30_000 }, () => {
    assert.deepEqual([formatAge(null), formatAge(42), formatAge(125), formatAge(3 * 3600 + 5 * 60), formatAge(50 * 3600)], ["-", "42s", "2m", "3h05m", "2d2h"]);
});
