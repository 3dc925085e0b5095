/**
 * The offline plan's command line (scripts/plan.ts), run as a child process
 * the way `npm run plan` runs it: help, flags, missing and unusable stack
 * files, Pulumi ESC environments, and a piped plan that must arrive whole.
 * What the plan contains is test/plan.test.ts's concern.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import yaml from "js-yaml";

const ROOT = resolve(__dirname, "..");
const PLAN = join(ROOT, "scripts/plan.ts");
const CHILD_TIMEOUT_MS = 120_000;
const TEST_TIMEOUT = { timeout: 180_000 };

interface Finished {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
}

/** No cloud, GitHub or Pulumi credentials reach the child: the plan must not need them. */
function credentialFreeEnv(): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(OS_|GITHUB_|GH_|PULUMI_)/.test(key)));
}

function startPlan(args: string[]): ChildProcess {
    return spawn(process.execPath, ["--import", "tsx", PLAN, ...args], { cwd: ROOT, env: credentialFreeEnv(), stdio: ["ignore", "pipe", "pipe"] });
}

/** Children started in their own process group. */
const PROCESS_GROUPS = new WeakSet<ChildProcess>();

/**
 * `plan ... | consumer` through a real OS pipe (64 KiB), as a shell runs it; the exit status is the plan's.
 * Node's own child stdio is a socket pair with a larger buffer, which would hide an early exit.
 */
function startPlanPiped(args: string[], consumer: string): ChildProcess {
    const script = `"$@" | ${consumer}; exit "\${PIPESTATUS[0]}"`;
    const child = spawn("bash", ["-c", script, "bash", process.execPath, "--import", "tsx", PLAN, ...args], {
        cwd: ROOT,
        env: credentialFreeEnv(),
        stdio: ["ignore", "pipe", "pipe"],
        detached: true, // its own process group, so a time-out kills the plan and the consumer too
    });
    PROCESS_GROUPS.add(child);
    return child;
}

/** Reads stdin chunk by chunk with a pause after each, like a consumer busy with what it got. */
const SLOW_READER = `"${process.execPath}" -e 'const { setTimeout: sleep } = require("node:timers/promises");
(async () => { for await (const chunk of process.stdin) { process.stdout.write(chunk); await sleep(50); } })();'`;

/** Collects the child's output; `readStdout` decides how (and how fast) stdout is consumed. Kills the child after the time limit. */
async function finish(child: ChildProcess, readStdout: (stdout: NodeJS.ReadableStream) => Promise<string>): Promise<Finished> {
    const kill = () => {
        if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
        // A piped plan runs in its own process group (detached): kill the shell, the plan and the consumer together.
        if (PROCESS_GROUPS.has(child)) process.kill(-child.pid, "SIGKILL");
        else child.kill("SIGKILL");
    };
    const killer = setTimeout(kill, CHILD_TIMEOUT_MS);
    try {
        let stderr = "";
        child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        const exited = new Promise<[number | null, NodeJS.Signals | null]>((done) => child.once("close", (code, signal) => done([code, signal])));
        const stdout = await readStdout(child.stdout as NodeJS.ReadableStream);
        const [code, signal] = await exited;
        return { code, signal, stdout, stderr };
    } finally {
        clearTimeout(killer);
        kill();
    }
}

async function readAll(stdout: NodeJS.ReadableStream): Promise<string> {
    let text = "";
    for await (const chunk of stdout) text += String(chunk);
    return text;
}

function plan(...args: string[]): Promise<Finished> {
    return finish(startPlan(args), readAll);
}

function assertUsageError(result: Finished, message: RegExp): void {
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, "", "nothing is planned");
    assert.match(result.stderr, message);
    assert.match(result.stderr, /Run with --help for usage\./);
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, "no stack trace");
}

describe("offline plan command line (scripts/plan.ts)", { concurrency: 2 }, () => {
    let dir: string;
    before(() => {
        dir = mkdtempSync(join(tmpdir(), "plan-cli-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** A project directory with the given stack files (name -> YAML text). */
    function project(name: string, files: Record<string, string>): string {
        const path = join(dir, name);
        mkdirSync(path);
        for (const [file, text] of Object.entries(files)) writeFileSync(join(path, file), text);
        return path;
    }
    const devStack = () => readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8");
    /** The dev stack with 30 slots: a plan that fills a pipe several times over (about 200 KB of JSON). */
    let large: string | undefined;
    function largeProject(): string {
        if (large !== undefined) return large;
        const stack = yaml.load(devStack()) as { config: Record<string, unknown> };
        const pools = stack.config["openstack-github-runners:pools"] as Array<{ count: number }>;
        pools[0].count = 30;
        large = project("large", { "Pulumi.large.yaml": yaml.dump(stack) });
        return large;
    }

    test("--help and -h print the usage on stdout and exit 0", TEST_TIMEOUT, async () => {
        for (const flag of ["--help", "-h"]) {
            const result = await plan(flag);
            assert.equal(result.code, 0, result.stderr);
            assert.equal(result.stderr, "");
            assert.match(result.stdout, /^Usage: npm run plan -- --stack <name>/);
            for (const option of ["-s, --stack <name>", "-d, --dir <path>", "--json", "--no-userdata", "--without-environment", "-h, --help"]) {
                assert.ok(result.stdout.includes(option), `usage lists ${option}`);
            }
        }
    });

    test("without --stack it plans nothing (no silent default to dev) and says why", TEST_TIMEOUT, async () => {
        assertUsageError(await plan("--json"), /name the stack to plan with --stack <name> .*cannot ask the Pulumi CLI which stack is selected/);
    });

    test("bad flags each get their own message and exit status 2", TEST_TIMEOUT, async () => {
        const cases: Array<[string[], RegExp]> = [
            [["--stack"], /plan: -s\/--stack needs a value\n/],
            [["-s", "--json"], /plan: -s\/--stack needs a value; got the option --json/],
            [["--stack="], /plan: -s\/--stack needs a value\n/],
            [["--dir"], /plan: -d\/--dir needs a value/],
            [["-s", "dev", "--bogus"], /plan: unknown option --bogus\n/],
            [["-s", "dev", "-x"], /plan: unknown option -x\n/],
            [["dev"], /plan: unexpected argument "dev"; name the stack with --stack dev/],
            [["-s", "dev", "--json=yes"], /plan: --json takes no value \(got "yes"\)/],
            [["-s", "acme/dev"], /--stack takes the stack's own name, as in Pulumi\.<name>\.yaml \(got "acme\/dev"\); .* --stack dev/],
            [["-s", "../dev"], /--stack takes the stack's own name/],
            [["-s", "dev prod"], /--stack "dev prod" is not a stack name: expected 1 to 100 letters, digits, "-", "_" or "\."/],
            [["-s", "dev", "-d", join(tmpdir(), "no-such-project-dir")], /--dir .*no-such-project-dir: no such directory/],
        ];
        for (const [args, message] of cases) {
            const result = await plan(...args);
            assertUsageError(result, message);
        }
    });

    test("-s is --stack, and -d is --dir", TEST_TIMEOUT, async () => {
        const path = project("short-flags", { "Pulumi.dev.yaml": devStack() });
        const long = await plan("--stack", "dev", "--dir", path, "--json");
        const short = await plan("-s", "dev", "-d", path, "--json");
        assert.equal(long.code, 0, long.stderr);
        assert.equal(short.code, 0, short.stderr);
        assert.match(short.stdout, /"stack": "dev"/);
        assert.equal(short.stdout, long.stdout);
    });

    test("a stack without a file names the file and the stacks that have one, not a raw ENOENT", TEST_TIMEOUT, async () => {
        const path = project("two-stacks", { "Pulumi.yaml": "name: openstack-github-runners\n", "Pulumi.alpha.yaml": "config: {}\n", "Pulumi.beta.yaml": "config: {}\n" });
        const result = await plan("-s", "gamma", "-d", path);
        assert.equal(result.code, 2);
        assert.equal(result.stdout, "");
        assert.equal(
            result.stderr,
            `plan: no stack file for stack "gamma": ${join(path, "Pulumi.gamma.yaml")} does not exist. Stacks with a file there: alpha, beta.\n`,
        );

        const empty = project("no-stacks", {});
        const none = await plan("-s", "dev", "-d", empty);
        assert.equal(none.code, 2);
        assert.match(none.stderr, /There is no Pulumi\.<stack>\.yaml in .*no-stacks; is it the project directory \(the one with Pulumi\.yaml\)\? Pass it with --dir\./);
    });

    test("a stack file that cannot be read or is not YAML gets one line, without echoing the file", TEST_TIMEOUT, async () => {
        const path = project("unusable", {
            "Pulumi.broken.yaml": "config:\n  openstack-github-runners:githubToken: ghp_plaintextNotMeantForLogs\n  pools: [1,\n",
            "Pulumi.list.yaml": "- config\n",
        });
        mkdirSync(join(path, "Pulumi.folder.yaml"));

        const broken = await plan("-s", "broken", "-d", path);
        assert.equal(broken.code, 2);
        assert.match(broken.stderr, /Pulumi\.broken\.yaml: not valid YAML: .* \(line 4, column 1\)\n$/);
        assert.ok(!broken.stderr.includes("ghp_plaintextNotMeantForLogs"), "no YAML snippet with values in the error");

        const list = await plan("-s", "list", "-d", path);
        assert.equal(list.code, 2);
        assert.match(list.stderr, /Pulumi\.list\.yaml: expected a mapping at the top level \(with a config: section\), got a list/);

        const folder = await plan("-s", "folder", "-d", path);
        assert.equal(folder.code, 2);
        assert.match(folder.stderr, /plan: cannot read the stack file .*Pulumi\.folder\.yaml \(EISDIR\)/);
    });

    test("a stack that imports Pulumi ESC environments is refused by name, or planned from its own config with --without-environment", TEST_TIMEOUT, async () => {
        const listed = `environment:\n  - acme/runners-dev\n  - shared/openstack-creds\n${devStack()}`;
        const inline = `environment:\n  imports:\n    - acme/runners-dev\n  values:\n    pulumiConfig:\n      namePrefix: gh-esc\n${devStack()}`;
        const path = project("esc", { "Pulumi.listed.yaml": listed, "Pulumi.inline.yaml": inline });

        const refused = await plan("-s", "listed", "-d", path, "--json");
        assert.equal(refused.code, 2);
        assert.equal(refused.stdout, "");
        assert.match(refused.stderr, /Pulumi\.listed\.yaml: the stack imports Pulumi ESC environments \(environment: acme\/runners-dev, shared\/openstack-creds\), and the offline plan cannot open them/);
        assert.match(refused.stderr, /--without-environment/);
        assert.ok(!refused.stderr.includes("v1:PLACEHOLDER"), "no secure value in the message");

        const refusedInline = await plan("-s", "inline", "-d", path);
        assert.equal(refusedInline.code, 2);
        assert.match(refusedInline.stderr, /\(environment: acme\/runners-dev, inline values\)/);

        const planned = await plan("-s", "listed", "-d", path, "--json", "--without-environment");
        assert.equal(planned.code, 0, planned.stderr);
        assert.match(planned.stderr, /Pulumi\.listed\.yaml: planning without its environment: section/);
        assert.equal((JSON.parse(planned.stdout) as { stack: string }).stack, "listed");
    });

    test("a piped plan arrives whole even when the reader is slow, and the exit status waits for it", TEST_TIMEOUT, async () => {
        const path = largeProject();
        const result = await finish(startPlanPiped(["-s", "large", "-d", path, "--json"], SLOW_READER), readAll);
        assert.equal(result.code, 0, result.stderr);
        assert.ok(result.stdout.length > 2 * 65_536, `the plan is larger than a pipe buffer (${result.stdout.length} bytes)`);
        const parsed = JSON.parse(result.stdout) as { resources: Array<{ type: string }> };
        assert.equal(parsed.resources.filter((resource) => resource.type === "openstack:compute/instance:Instance").length, 30);
    });

    test("a reader that stops early (| head) ends the plan quietly", TEST_TIMEOUT, async () => {
        const path = largeProject();
        const result = await finish(startPlanPiped(["-s", "large", "-d", path], "head -c 200"), readAll);
        assert.match(result.stdout, /^Offline plan for stack "large"/);
        assert.equal(result.stderr, "");
        assert.equal(result.code, 0);
    });
});
