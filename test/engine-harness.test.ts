/**
 * The engine harness's own pure parts: URNs, how the language host passes config and flags,
 * how a stack file becomes config, and how secrets are recognised on the wire.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { languageHostArguments, languageHostConfig, type ProgramLaunch } from "./harness/language-host";
import { containsUnknown, plaintextStrings, SECRET_SIG, secretPaths, SIG_KEY, UNKNOWN_VALUE, unwrap, type WireObject } from "./harness/pulumi-values";
import { stackConfigFromYaml } from "../scripts/plan/stack-file";
import { makeUrn, typeOfUrn } from "./harness/urn";

const secret = (value: string): WireObject => ({ [SIG_KEY]: SECRET_SIG, value });

describe("URNs", () => {
    const stack = makeUrn("dev", "proj", "", "pulumi:pulumi:Stack", "proj-dev");

    test("children of the stack carry their own type only; deeper children the parent's qualified type", () => {
        const fleet = makeUrn("dev", "proj", stack, "pkg:index:Fleet", "fleet");
        assert.equal(fleet, "urn:pulumi:dev::proj::pkg:index:Fleet::fleet");
        const pool = makeUrn("dev", "proj", fleet, "pkg:index:Pool", "fleet-small");
        assert.equal(pool, "urn:pulumi:dev::proj::pkg:index:Fleet$pkg:index:Pool::fleet-small");
        assert.equal(typeOfUrn(pool), "pkg:index:Pool");
    });
});

describe("language host launch", () => {
    const launch: ProgramLaunch = {
        programDir: "/src/app",
        entryPoint: ".",
        organization: "org",
        project: "proj",
        stack: "dev",
        dryRun: true,
        parallel: 8,
        monitorAddress: "127.0.0.1:1",
        engineAddress: "127.0.0.1:2",
        config: {},
        secretKeys: [],
        typescript: true,
        timeoutMs: 1000,
    };

    test("config keys take the legacy <namespace>:config:<name> form the host still sends", () => {
        assert.deepEqual(JSON.parse(languageHostConfig({ "proj:pools": "[]", "openstack:region": "R1" })), {
            "proj:config:pools": "[]",
            "openstack:config:region": "R1",
        });
        assert.throws(() => languageHostConfig({ pools: "[]" }), /no namespace/);
    });

    test("flags come in the host's order, --dry-run only for a preview, the entry point last", () => {
        const args = languageHostArguments(launch, "/run");
        assert.deepEqual(args, [
            "/run", "--monitor", "127.0.0.1:1", "--engine", "127.0.0.1:2", "--organization", "org", "--project", "proj",
            "--root-directory", "/src/app", "--stack", "dev", "--pwd", "/src/app", "--dry-run", "--parallel", "8", ".",
        ]);
        assert.ok(!languageHostArguments({ ...launch, dryRun: false }, "/run").includes("--dry-run"));
    });
});

describe("stack file to config", () => {
    const yamlText = [
        "config:",
        "  proj:github:",
        "    path: acme/app",
        "    app:",
        "      privateKey:",
        "        secure: v1:abc",
        "  proj:count: 3",
        "  proj:token:",
        "    secure: v1:def",
        "  region: R1",
    ].join("\n");

    test("objects become JSON, scalars strings, bare keys get the project namespace; secure values mark their key secret", () => {
        const result = stackConfigFromYaml(yamlText, "proj", { "proj:github.app.privateKey": "KEY", "proj:token": "TOKEN" });
        assert.deepEqual(result.config, {
            "proj:github": JSON.stringify({ path: "acme/app", app: { privateKey: "KEY" } }),
            "proj:count": "3",
            "proj:token": "TOKEN",
            "proj:region": "R1",
        });
        assert.deepEqual(result.secretKeys, ["proj:github", "proj:token"]);
    });

    test("a secure value without a test plaintext, or a plaintext for nothing secure, is an error", () => {
        assert.throws(() => stackConfigFromYaml(yamlText, "proj", { "proj:token": "TOKEN" }), /proj:github\.app\.privateKey/);
        assert.throws(
            () => stackConfigFromYaml(yamlText, "proj", { "proj:github.app.privateKey": "K", "proj:token": "T", "proj:count": "4" }),
            /proj:count/,
        );
    });
});

describe("wire values", () => {
    const inputs: WireObject = {
        name: "runner-1",
        github: secret("ghp_token"),
        nested: { list: ["a", secret("s")], unknown: UNKNOWN_VALUE },
    };

    test("secrets are found by path and their plaintext is not counted as shown in clear", () => {
        assert.deepEqual(secretPaths(inputs), ["github", "nested.list[1]"]);
        assert.deepEqual(plaintextStrings(inputs), ["runner-1", "a", UNKNOWN_VALUE]);
        assert.ok(plaintextStrings({ leaked: "ghp_token" }).includes("ghp_token"));
    });

    test("unwrap removes secret wrappers; unknowns are detected anywhere", () => {
        assert.deepEqual(unwrap(inputs), { name: "runner-1", github: "ghp_token", nested: { list: ["a", "s"], unknown: UNKNOWN_VALUE } });
        assert.equal(containsUnknown(inputs), true);
        assert.equal(containsUnknown({ name: "x" }), false);
    });
});
