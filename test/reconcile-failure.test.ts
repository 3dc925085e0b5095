/**
 * Why an `up` failed, said in one redacted line: lock conflicts recognised as
 * the Automation API recognises them, the first useful line of the CLI's
 * output, and no secret in anything the reconciler logs.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CommandError, ConcurrentUpdateError } from "@pulumi/pulumi/automation";
import { createJsonLogger } from "../scripts/reconcile/logger";
import { REDACTED, Redactor } from "../scripts/reconcile/redact";
import { describeUpFailure, firstUsefulLine, isLockConflict } from "../scripts/reconcile/up-failure";

// createCommandError is the SDK's own classifier (automation/errors.js); it is marked @internal, so untyped here.
const { createCommandError } = require("@pulumi/pulumi/automation/errors") as {
    createCommandError(result: { stdout: string; stderr: string; code: number; err: undefined; toString(): string }): CommandError;
};

/** A CommandError as automation/cmd.js builds one when the CLI exits non-zero (execa's message in stderr). */
function commandError(stderr: string, stdout = ""): CommandError {
    return createCommandError({ stdout, stderr, code: -2, err: undefined, toString: () => `code: -2\n stdout: ${stdout}\n stderr: ${stderr}\n` });
}

const LOCKED = [
    "Command failed with exit code 1: pulumi up --yes --skip-preview --stack dev --non-interactive",
    "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.",
    "  file:///var/lib/pulumi/.pulumi/locks/organization/openstack-github-runners/dev/0b1c.json: created by ci@runner (pid 77) at 2025-01-02T03:04:05Z",
].join("\n");

describe("up failures", { timeout: 30_000 }, () => {
    test("a lock held by another update is a lock conflict: ConcurrentUpdateError, or the diy backend's text in the CLI's stderr", () => {
        const fromSdk = commandError(LOCKED);
        assert.ok(fromSdk instanceof ConcurrentUpdateError, "the SDK itself classifies the diy text");
        assert.equal(isLockConflict(fromSdk), true);
        assert.equal(isLockConflict(commandError("error: [409] Conflict: Another update is currently in progress.")), true);
        assert.equal(isLockConflict(commandError("error: GitHub answered 503 Service Unavailable")), false);
        assert.equal(isLockConflict(new Error("socket hang up")), false);
        const redactor = new Redactor();
        assert.deepEqual(describeUpFailure(fromSdk, redactor), {
            kind: "locked",
            reason: "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.",
        });
    });

    test("the reason is the first error line that names a cause, stderr before stdout, generic wrappers skipped", () => {
        const stdout = [
            "Updating (dev):",
            "",
            "Diagnostics:",
            "  pulumi:pulumi:Stack (openstack-github-runners-dev):",
            "    error: Running program '/srv/app/index.ts' failed with an unhandled exception:",
            "    Error: failed to register new resource small-0",
            "  pulumi-nodejs:dynamic/github-runners:RunnerRegistration (fleet-small-0):",
            "    error: GitHub answered 503 for POST /repos/acme/widgets/actions/runners/generate-jitconfig",
            "",
        ].join("\n");
        assert.equal(firstUsefulLine("Command failed with exit code 1: pulumi up", stdout), "error: GitHub answered 503 for POST /repos/acme/widgets/actions/runners/generate-jitconfig");
        assert.equal(firstUsefulLine("error: update failed\nerror: could not reach Keystone", ""), "error: could not reach Keystone");
        assert.equal(firstUsefulLine("error: update failed", ""), "error: update failed", "a generic line is better than none");
        assert.equal(firstUsefulLine("", "Updating (dev):\nthe update failed badly"), "the update failed badly");
        assert.equal(firstUsefulLine("", ""), "the update failed without a message");
    });

    test("the reason never carries a secret: known values, JSON-escaped forms and credential shapes are redacted", () => {
        const redactor = new Redactor();
        const password = "hunter2-but-longer";
        redactor.addSecrets([password, 'pa"ss\\word-with-quotes']);
        const token = `ghp_${"a1B2".repeat(9)}`;
        const error = commandError(`error: provider said: login as admin:${password} failed; header Authorization: token ${token}; body {"p":"pa\\"ss\\\\word-with-quotes"}`);
        const { reason } = describeUpFailure(error, redactor);
        assert.ok(!reason.includes(password) && !reason.includes(token) && !reason.includes("word-with-quotes"), reason);
        assert.equal(reason, `error: provider said: login as admin:${REDACTED} failed; header Authorization: token ${REDACTED}; body {"p":"${REDACTED}"}`);
    });

    test("long reasons are cut", () => {
        const { reason } = describeUpFailure(commandError(`error: ${"x".repeat(2000)}`), new Redactor());
        assert.equal(reason.length, 501);
        assert.ok(reason.endsWith("…"));
    });
});

describe("redactor", { timeout: 30_000 }, () => {
    test("credential shapes are hidden whatever their source", () => {
        const redactor = new Redactor();
        const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAtest0123456789\nabcdefghijklmnopqrstuvwx\n-----END RSA PRIVATE KEY-----";
        const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxMjM0NSJ9.c2lnbmF0dXJlLXRoYXQtaXMtbG9uZw";
        const text = [
            `pat github_pat_${"A".repeat(30)}`,
            `installation ghs_${"z".repeat(36)}`,
            `key ${pem}`,
            `jwt ${jwt}`,
            `{"encoded_jit_config": "${"QUJD".repeat(10)}"}`,
        ].join("\n");
        const redacted = redactor.redact(text);
        for (const secret of [`github_pat_${"A".repeat(30)}`, `ghs_${"z".repeat(36)}`, "MIIEowIBAAKCAQEAtest0123456789", jwt, "QUJDQUJD"]) {
            assert.ok(!redacted.includes(secret), `${secret} leaked in:\n${redacted}`);
        }
        assert.match(redacted, /"encoded_jit_config": "\[secret\]"/);
    });

    test("secret-named environment variables are hidden, others are not", () => {
        const redactor = new Redactor();
        redactor.addSecretEnvironment({ PULUMI_CONFIG_PASSPHRASE: "correct horse battery", RECONCILER_WEBHOOK_SECRET: "whsec-12345", HOME: "/root", OS_PASSWORD: "cloudy-pass" });
        assert.equal(redactor.redact("phrase correct horse battery, hook whsec-12345, home /root, os cloudy-pass"), `phrase ${REDACTED}, hook ${REDACTED}, home /root, os ${REDACTED}`);
    });

    test("a multi-line secret is hidden whole and line by line; very short values are not searched for", () => {
        const redactor = new Redactor();
        const key = "line-one-of-the-key-0123\nline-two-of-the-key-4567";
        redactor.addSecrets([key, "no"]);
        assert.equal(redactor.redact(`whole ${key} / second line-two-of-the-key-4567 / no`), `whole ${REDACTED} / second ${REDACTED} / no`);
    });
});

describe("JSON log lines", { timeout: 30_000 }, () => {
    test("one JSON object per line with time, level, msg and fields; strings redacted; level filter; reserved keys kept apart", () => {
        const redactor = new Redactor();
        redactor.addSecrets(["s3cret-value"]);
        const lines: string[] = [];
        const logger = createJsonLogger({ redactor, write: (line) => lines.push(line), minLevel: "info", now: () => Date.UTC(2025, 0, 2, 3, 4, 5) });
        logger.debug("not shown");
        logger.info("up failed: s3cret-value", { reason: "token s3cret-value", reasons: ["a", "s3cret-value"], count: 3, ok: false, msg: "shadow", skipped: undefined });
        assert.equal(lines.length, 1);
        assert.ok(lines[0]?.endsWith("\n") && !lines[0].slice(0, -1).includes("\n"));
        assert.deepEqual(JSON.parse(lines[0] ?? ""), {
            time: "2025-01-02T03:04:05.000Z",
            level: "info",
            msg: `up failed: ${REDACTED}`,
            reason: `token ${REDACTED}`,
            reasons: ["a", REDACTED],
            count: 3,
            ok: false,
            field_msg: "shadow",
        });
    });
});
