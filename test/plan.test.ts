import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = resolve(__dirname, "..");

/** Runs `npm run plan`'s script in `cwd` with no cloud or GitHub credentials in the environment. */
async function plan(dir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(OS_|GITHUB_|GH_|PULUMI_)/.test(key)));
    try {
        const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", join(ROOT, "scripts/plan.ts"), "--dir", dir, ...args], { cwd: ROOT, env, timeout: 120_000 });
        return { code: 0, stdout, stderr };
    } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
}

describe("offline plan (npm run plan)", () => {
    test("shows the dev stack's resources, key properties and masked userdata", async () => {
        const { code, stdout } = await plan(ROOT, "--stack", "dev");
        assert.equal(code, 0);
        assert.match(stdout, /Offline plan for stack "dev": 23 resources to create/);
        assert.match(stdout, /\+ openstack:compute\/instance:Instance {2}fleet-small-1/);
        assert.match(stdout, /remoteIpPrefix: "10\.0\.0\.0\/16"/);
        assert.match(stdout, /github: "\[secret\]"/);
        assert.equal(stdout.match(/----- userdata of fleet-small-\d \(\d+ bytes, secrets masked\) -----/g)?.length, 2);
        assert.match(stdout, /#!\/bin\/bash/);
        assert.match(stdout, /\[secret: JIT config\]/);
        assert.ok(!stdout.includes("minted by GitHub when the slot is created"), "placeholders are shown masked");
    });

    test("the prod stack plans with an existing network and two pools; --json is machine-readable", async () => {
        const dir = mkdtempSync(join(tmpdir(), "plan-"));
        try {
            cpSync(join(ROOT, "Pulumi.prod.yaml"), join(dir, "Pulumi.prod.yaml"));
            const { code, stdout } = await plan(dir, "--stack", "prod", "--json");
            assert.equal(code, 0);
            const parsed = JSON.parse(stdout) as { resources: Array<{ type: string; inputs: Record<string, unknown> }> };
            assert.equal(parsed.resources.filter((r) => r.type === "openstack:compute/instance:Instance").length, 8);
            assert.ok(!stdout.includes("offline plan placeholder"), "the placeholder private key must be masked");
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test("a bad config fails with the config error and exit code 2", async () => {
        const dir = mkdtempSync(join(tmpdir(), "plan-"));
        try {
            writeFileSync(
                join(dir, "Pulumi.bad.yaml"),
                "config:\n  openstack-github-runners:github:\n    path: acme/widgets/x\n  openstack-github-runners:githubToken:\n    secure: v1:abc\n",
            );
            const { code, stdout, stderr } = await plan(dir, "--stack", "bad");
            assert.equal(code, 2);
            assert.equal(stdout, "");
            assert.match(stderr, /Pulumi\.bad\.yaml: Invalid stack configuration/);
            assert.ok(!stderr.includes("v1:abc"));
            assert.match(stderr, /openstack-github-runners:github\.path: got "acme\/widgets\/x"; expected an organization/);
            assert.match(stderr, /openstack-github-runners:image: got nothing \(the key is missing\); expected the image settings/);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
