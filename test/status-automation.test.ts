/**
 * The status command's Automation API binding (scripts/status/automation.ts) against the
 * `pulumi` CLI test double: the stack selected in the project directory, its config with the
 * passphrase-encrypted secrets decrypted (`pulumi config --show-secrets --json`), its state
 * (`pulumi stack export --show-secrets`), and a clear error for a stack that does not exist.
 * (A deployed stack read the same way: status-dev.test.ts.)
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { openStack, type StackSource } from "../scripts/status/automation";
import { statusConfigOf } from "../scripts/status/stack-config";
import { readStackState } from "../scripts/status/stack-state";
import { DOUBLE_DIR, DoubleWorld, PROGRAM_ENTRIES, REPO_DIR } from "./pulumi-cli-double/test-world";

const PROJECT = "openstack-github-runners";

describe("the Automation API binding through the pulumi CLI double", { timeout: 300_000 }, () => {
    const token = `ghp_${randomBytes(18).toString("hex")}`;
    const password = `pw-${randomBytes(10).toString("hex")}`;
    let world: DoubleWorld;
    let savedPath: string | undefined;
    let source: StackSource;

    before(async () => {
        world = DoubleWorld.create(REPO_DIR, PROGRAM_ENTRIES);
        world.initStack("dev", {
            [`${PROJECT}:githubToken`]: { value: token, secret: true },
            "openstack:password": { value: password, secret: true },
            "openstack:authUrl": { value: "https://keystone.example.net:5000/v3" },
            [`${PROJECT}:github`]: { value: { path: "acme/widgets" } },
            [`${PROJECT}:image`]: { value: { base: "jammy", name: "github-runner-jammy-x64" } },
            [`${PROJECT}:network`]: { value: { existing: "ci" } },
            [`${PROJECT}:pools`]: { value: [{ name: "small", count: 1, flavor: { existing: "m1.small" }, labels: ["small"] }] },
        });
        // The Automation API runs `pulumi` from this process's PATH.
        savedPath = process.env["PATH"];
        process.env["PATH"] = `${DOUBLE_DIR}${path.delimiter}${savedPath ?? ""}`;
        source = await openStack({ stackName: "dev", workDir: world.projectDir, envVars: world.env() });
    });
    after(() => {
        if (savedPath === undefined) delete process.env["PATH"];
        else process.env["PATH"] = savedPath;
        world?.dispose();
    });

    test("selects the stack and names the project", () => {
        assert.equal(source.stackName, "dev");
        assert.equal(source.project, PROJECT);
    });

    test("reads the config with its secrets decrypted, as the program's schema takes it", async () => {
        const config = await source.config();
        assert.deepEqual(config[`${PROJECT}:githubToken`], { value: token, secret: true });
        assert.equal(config["openstack:password"]?.value, password);
        const parsed = statusConfigOf(source.project, source.stackName, config);
        assert.deepEqual(parsed.fleet.github.auth, { kind: "token", token });
        assert.deepEqual(parsed.fleet.pools.map((pool) => pool.name), ["small"]);
        assert.equal(parsed.fleet.namePrefix, "gh-dev");
        assert.deepEqual(parsed.openstack, { "openstack:password": password, "openstack:authUrl": "https://keystone.example.net:5000/v3" });
        assert.ok(parsed.secretValues.includes(token) && parsed.secretValues.includes(password));
    });

    test("exports the state of a stack never deployed: no slots, no outputs", async () => {
        const state = readStackState(await source.exportDeployment());
        assert.deepEqual(state, { slots: [], pendingDeletes: [], pendingOperations: [], outputs: {} });
    });

    test("a stack that does not exist is an error naming it", async () => {
        await assert.rejects(openStack({ stackName: "nope", workDir: world.projectDir, envVars: world.env() }), /no stack named 'nope' found/);
    });
});
