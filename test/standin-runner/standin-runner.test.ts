import { execFile, spawn, spawnSync } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { promisify } from "node:util";
import { buildStandinRunnerTarball } from "./tarball";
import { StandinEventSink } from "./event-sink";

const execFileAsync = promisify(execFile);
const canSwitchUser = process.getuid?.() === 0 && spawnSync("runuser", ["--help"]).status === 0;
const skipReason = canSwitchUser ? false : "needs root and runuser to run the stand-in as an unprivileged user";

let workDir: string;
let sink: StandinEventSink;

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), "standin-runner-"));
  await chmod(workDir, 0o755);
  sink = await StandinEventSink.start();
});

after(async () => {
  await sink.stop();
  await rm(workDir, { recursive: true, force: true });
});

/** Unpacks a fresh runner directory owned by `nobody`, like /home/ubuntu/actions-runner. */
async function unpackRunner(name: string, dotEnv?: string): Promise<string> {
  const tarball = await buildStandinRunnerTarball(join(workDir, `${name}-dist`));
  const dir = join(workDir, name);
  await execFileAsync("mkdir", ["-p", dir]);
  await execFileAsync("tar", ["-xzf", tarball.path, "-C", dir]);
  if (dotEnv !== undefined) await writeFile(join(dir, ".env"), dotEnv);
  await execFileAsync("chown", ["-R", "nobody:nogroup", dir]);
  return dir;
}

/** Async on purpose: the event sink runs in this process and must keep answering. */
function runAsNobody(dir: string, argv: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      "runuser",
      ["-u", "nobody", "--", "env", "-i", "PATH=/usr/bin:/bin", "HOME=/nonexistent", ...argv],
      { cwd: dir, timeout: 60_000 },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

function githubShapedJitConfig(name: string, url: string): string {
  const runner = Buffer.from(JSON.stringify({ AgentId: 7, AgentName: name, GitHubUrl: url, WorkFolder: "_work" }));
  return Buffer.from(
    JSON.stringify({ ".runner": runner.toString("base64"), ".credentials": "c2VjcmV0", ".credentials_rsaparams": "cnNh" }),
  ).toString("base64");
}

async function readRecord(dir: string, command: string): Promise<Record<string, unknown>> {
  const path = join(dir, "_diag", `standin-${command}.json`);
  assert.equal((await stat(path)).mode & 0o777, 0o600, "the record holds secrets: owner-only");
  return JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
}

test("the tarball is laid out like the runner's and is reproducible", async () => {
  const first = await buildStandinRunnerTarball(join(workDir, "repro-a"));
  const second = await buildStandinRunnerTarball(join(workDir, "repro-b"));
  assert.equal(first.sha256, second.sha256);
  assert.match(first.sha256, /^[0-9a-f]{64}$/);
  const { stdout } = await execFileAsync("tar", ["-tvzf", first.path]);
  for (const entry of ["./run.sh", "./config.sh", "./bin/installdependencies.sh", "./bin/Runner.Listener"]) {
    const line = stdout.split("\n").find((l) => l.endsWith(` ${entry}`));
    assert.ok(line, `${entry} in the tarball`);
    assert.match(line, /^-rwx/, `${entry} is executable`);
  }
});

test("JIT mode: records args, .env, user and cwd; reports online, one job, exits", { skip: skipReason }, async () => {
  const dotEnv = "PATH=/home/ubuntu/.local/bin:/usr/bin:/bin\nHTTP_PROXY=http://proxy.invalid:3128\nQUOTED=\"kept as is\"\nWITH_EQUALS=a=b\n\nLANG=C.UTF-8\n";
  const dir = await unpackRunner("jit", dotEnv);
  const jit = githubShapedJitConfig("runner-jit-1", sink.url);
  const before = sink.events.length;
  const result = await runAsNobody(dir, ["./run.sh", "--jitconfig", jit]);
  assert.equal(result.status, 0, result.stderr);
  assert.ok(!result.stdout.includes(jit) && !result.stderr.includes(jit), "the JIT config is never printed");

  const events = sink.events.slice(before);
  assert.deepEqual(events.map((e) => e.event), ["online", "busy", "done"]);
  assert.ok(events.every((e) => e.name === "runner-jit-1"));
  const online = events[0];
  assert.equal(online.mode, "jit");
  assert.equal(online.user, "nobody");
  assert.equal(online.cwd, dir);
  assert.deepEqual(online.dotEnvKeys, ["HTTP_PROXY", "LANG", "PATH", "QUOTED", "WITH_EQUALS"]);

  const record = await readRecord(dir, "run");
  assert.deepEqual(record.argv, ["--jitconfig", jit]);
  assert.equal(record.user, "nobody");
  assert.equal(record.cwd, dir);
  assert.deepEqual(record.dotEnv, {
    PATH: "/home/ubuntu/.local/bin:/usr/bin:/bin",
    HTTP_PROXY: "http://proxy.invalid:3128",
    QUOTED: '"kept as is"',
    WITH_EQUALS: "a=b",
    LANG: "C.UTF-8",
  });
  const environ = record.environ as Record<string, string>;
  assert.equal(environ.WITH_EQUALS, "a=b", ".env is applied to the runner's environment");
});

test("token mode: config.sh registers with its flags, run.sh runs from .runner", { skip: skipReason }, async () => {
  const dir = await unpackRunner("token");
  const before = sink.events.length;
  const token = "AABBCCDDEEFF-registration-token";
  const configArgs = [
    "--url", `${sink.url}/my-org`, "--token", token, "--ephemeral", "--unattended",
    "--labels", "pool-a,jammy,x64", "--name", "runner-token-1", "--runnergroup", "ci group",
  ];
  const configured = await runAsNobody(dir, ["./config.sh", ...configArgs]);
  assert.equal(configured.status, 0, configured.stderr);
  assert.ok(!configured.stdout.includes(token), "the token is never printed");
  const again = await runAsNobody(dir, ["./config.sh", ...configArgs]);
  assert.notEqual(again.status, 0, "a configured runner refuses a second configuration");
  assert.match(again.stderr, /already configured/);

  const ran = await runAsNobody(dir, ["./run.sh"]);
  assert.equal(ran.status, 0, ran.stderr);
  const events = sink.events.slice(before);
  assert.deepEqual(events.map((e) => e.event), ["configured", "online", "busy", "done"]);
  assert.deepEqual(events[0].labels, ["pool-a", "jammy", "x64"]);
  assert.equal(events[0].runnerGroup, "ci group");
  assert.equal(events[0].ephemeral, true);
  assert.equal(events[1].mode, "token");
  assert.deepEqual((await readRecord(dir, "configure")).argv, configArgs);
});

test("the job-started hook from .env runs before the job", { skip: skipReason }, async () => {
  const dir = join(workDir, "hook");
  const hook = join(dir, "hook.sh");
  const marker = join(dir, "hook-ran");
  await unpackRunner("hook", `ACTIONS_RUNNER_HOOK_JOB_STARTED=${hook}\n`);
  await writeFile(hook, `touch ${marker}\n`);
  const before = sink.events.length;
  const result = await runAsNobody(dir, ["./run.sh", "--jitconfig", githubShapedJitConfig("runner-hook", sink.url)]);
  assert.equal(result.status, 0, result.stderr);
  const done = sink.events.slice(before).find((e) => e.event === "done");
  assert.equal(done?.hookExitCode, 0);
  await stat(marker);
});

test("run.sh and config.sh refuse root; installdependencies.sh needs root", { skip: skipReason }, async () => {
  const dir = await unpackRunner("root");
  const asRoot = spawnSync("./run.sh", ["--jitconfig", "x"], { cwd: dir, encoding: "utf8", env: { PATH: "/usr/bin:/bin" } });
  assert.equal(asRoot.status, 1);
  assert.match(asRoot.stderr, /Must not run interactively with sudo/);
  const configAsRoot = spawnSync("./config.sh", [], { cwd: dir, encoding: "utf8", env: { PATH: "/usr/bin:/bin" } });
  assert.match(configAsRoot.stderr, /Must not run with sudo/);

  const unprivileged = await runAsNobody(dir, ["./bin/installdependencies.sh"]);
  assert.equal(unprivileged.status, 1);
  const privileged = spawnSync("./bin/installdependencies.sh", [], { cwd: dir, encoding: "utf8" });
  assert.equal(privileged.status, 0, privileged.stderr);
  await stat(join(dir, "_diag", "installdependencies.ran"));
});

test("a JIT config that is not base64 JSON fails clearly", { skip: skipReason }, async () => {
  const dir = await unpackRunner("badjit");
  const result = await runAsNobody(dir, ["./run.sh", "--jitconfig", "not-a-config"]);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /not valid base64 JSON/);
});
