import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import { minimumAt } from "../components/pool-sizing";

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
    test("never prints a proxy password or a value set with --secret in any userdata block, text or JSON", async () => {
        const dir = mkdtempSync(join(tmpdir(), "plan-"));
        try {
            const stack = readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8")
                .replace("http: http://proxy.cloud.example.net:3128", "http: http://ci:pr0xy-pa55@proxy.cloud.example.net:3128")
                .concat("  openstack-github-runners:preJobScript:\n    secure: v1:PLACEHOLDER:hook\n");
            writeFileSync(join(dir, "Pulumi.dev.yaml"), stack);
            for (const format of [[], ["--json"]]) {
                const { code, stdout } = await plan(dir, "--stack", "dev", ...format);
                assert.equal(code, 0);
                assert.ok(stdout.includes("ci:***@proxy.cloud.example.net"), "the proxy shows with its password masked");
                assert.ok(!stdout.includes("pr0xy-pa55"), "the proxy password is never printed");
                assert.ok(stdout.includes("<secret: preJobScript>"), "a secret pre-job script shows as a mask");
            }
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test("shows the dev stack's resources, key properties and masked userdata", async () => {
        const { code, stdout } = await plan(ROOT, "--stack", "dev");
        assert.equal(code, 0);
        assert.match(stdout, /Offline plan for stack "dev": 23 resources to create/);
        assert.match(stdout, /\+ openstack:compute\/instance:Instance {2}fleet-small-1/);
        assert.match(stdout, /remoteIpPrefix: "10\.0\.0\.0\/16"/);
        assert.ok(!stdout.includes("github:"), "no GitHub connection among any resource's properties");
        assert.match(stdout, /Stack outputs .*\n {2}pools: \{"small":\{"desired":2,/s);
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
            // The large pool is sized by demand, with more warm runners in office hours: its size depends on when the plan runs.
            const large = minimumAt({ kind: "demand", min: 0, max: 4, schedules: [{ cron: "* 8-17 * * 1-5", timezone: "Europe/Berlin", min: 2 }] }, new Date());
            assert.equal(parsed.resources.filter((r) => r.type === "openstack:compute/instance:Instance").length, 6 + large);
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
            assert.match(stderr, /openstack-github-runners:github\.path: got "acme\/widgets\/x"; expected an enterprise .*, an organization/);
            assert.match(stderr, /openstack-github-runners:image: got nothing \(the key is missing\); expected the image settings/);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
