import { execFile, spawn, spawnSync } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { promisify } from "node:util";
import { buildStandinRunnerTarball } from "./tarball";
import { assignJob, assignJobsWhenOnline, type JobQueue } from "./jobs";
import { FakeGithub } from "../fake-github";

const execFileAsync = promisify(execFile);
const canSwitchUser = process.getuid?.() === 0 && spawnSync("runuser", ["--help"]).status === 0;
const skipReason = canSwitchUser ? false : "needs root and runuser to run the stand-in as an unprivileged user";

let workDir: string;
let fake: FakeGithub;
const TOKEN = "ghp_standin_test";

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), "standin-runner-"));
  await chmod(workDir, 0o755);
  fake = await FakeGithub.start();
  fake.addToken(TOKEN);
  fake.addOrg("acme");
  fake.addRepo("acme", "app");
  fake.addRunnerGroup("acme", "ci group");
});

/** Every runner that comes online during `body` gets one job at once. */
async function withJobQueue<T>(body: (queue: JobQueue) => Promise<T>): Promise<T> {
  const queue = assignJobsWhenOnline(fake);
  try {
    return await body(queue);
  } finally {
    queue.stop();
  }
}

after(async () => {
  await fake.stop();
  await rm(workDir, { recursive: true, force: true });
  fake.assertNoContractViolations();
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

/** Async on purpose: the fake GitHub runs in this process and must keep answering. */
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

async function githubApi(path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${fake.apiUrl}${path}`, {
    method: "POST",
    headers: { authorization: `token ${TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `${path}: ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

async function jitConfigFor(name: string): Promise<string> {
  const answer = await githubApi("/repos/acme/app/actions/runners/generate-jitconfig", { name, runner_group_id: 1, labels: ["x64"] });
  return answer.encoded_jit_config as string;
}

function eventsOf(name: string): string[] {
  return fake.standinEvents.filter((e) => e.name === name).map((e) => e.event);
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

test("JIT mode: records args, .env, user and cwd; comes online, takes one job, is removed", { skip: skipReason }, async () => {
  const dotEnv =
    "PATH=/home/ubuntu/.local/bin:/usr/bin:/bin\nHTTP_PROXY=http://proxy.invalid:3128\nhttp_proxy=http://proxy.invalid:3128\n" +
    "NO_PROXY=127.0.0.1\nno_proxy=127.0.0.1\nQUOTED=\"kept as is\"\nWITH_EQUALS=a=b\n\nLANG=C.UTF-8\n";
  const dir = await unpackRunner("jit", dotEnv);
  const jit = await jitConfigFor("runner-jit-1");
  const seenBusy = fake.waitForRunner("acme/app", "runner-jit-1", (r) => r?.busy === true, 30_000);
  const result = await withJobQueue(async (queue) => {
    const ran = await runAsNobody(dir, ["./run.sh", "--jitconfig", jit]);
    assert.deepEqual(queue.problems, []);
    return ran;
  });
  assert.equal(result.status, 0, result.stderr);
  assert.equal((await seenBusy)?.status, "online");
  assert.ok(!result.stdout.includes(jit) && !result.stderr.includes(jit), "the JIT config is never printed");
  assert.equal(fake.runner("acme/app", "runner-jit-1"), undefined, "an ephemeral runner is gone after its job");
  assert.deepEqual(eventsOf("runner-jit-1"), ["online", "busy", "done"]);

  const online = fake.standinEvents.find((e) => e.name === "runner-jit-1" && e.event === "online");
  assert.equal(online?.mode, "jit");
  assert.equal(online?.scope, "acme/app", "the scope is the path of the JIT config's GitHubUrl");
  assert.equal(online?.user, "nobody");
  assert.equal(online?.cwd, dir);
  assert.deepEqual(online?.dotEnvKeys, ["HTTP_PROXY", "LANG", "NO_PROXY", "PATH", "QUOTED", "WITH_EQUALS", "http_proxy", "no_proxy"]);

  const record = await readRecord(dir, "run");
  assert.deepEqual(record.argv, ["--jitconfig", jit]);
  assert.equal(record.user, "nobody");
  assert.equal(record.cwd, dir);
  assert.equal((record.dotEnv as Record<string, string>).QUOTED, '"kept as is"', ".env values are literal, quotes included");
  assert.equal((record.dotEnv as Record<string, string>).WITH_EQUALS, "a=b", ".env splits at the first =");
  assert.equal((record.environ as Record<string, string>).WITH_EQUALS, "a=b", ".env is applied to the runner's environment");
});

test("token mode: config.sh registers with its flags and group, run.sh runs from .runner", { skip: skipReason }, async () => {
  const dir = await unpackRunner("token", "NO_PROXY=127.0.0.1\n");
  const token = (await githubApi("/orgs/acme/actions/runners/registration-token")).token as string;
  const configArgs = [
    "--url", `${new URL(fake.apiUrl).origin}/acme`, "--token", token, "--ephemeral", "--unattended",
    "--labels", "pool-a,jammy,x64", "--name", "runner-token-1", "--runnergroup", "ci group",
  ];
  const configured = await runAsNobody(dir, ["./config.sh", ...configArgs]);
  assert.equal(configured.status, 0, configured.stderr);
  assert.ok(!configured.stdout.includes(token) && !configured.stderr.includes(token), "the token is never printed");
  const registered = fake.runner("acme", "runner-token-1");
  assert.deepEqual(registered?.labels, ["pool-a", "jammy", "x64"]);
  assert.equal(registered?.runnerGroupId, fake.addRunnerGroup("acme", "ci group"));
  assert.equal(registered?.ephemeral, true);
  const again = await runAsNobody(dir, ["./config.sh", ...configArgs]);
  assert.notEqual(again.status, 0, "a configured runner refuses a second configuration");
  assert.match(again.stderr, /already configured/);

  const ran = await withJobQueue(() => runAsNobody(dir, ["./run.sh"]));
  assert.equal(ran.status, 0, ran.stderr);
  assert.deepEqual(eventsOf("runner-token-1"), ["configured", "online", "busy", "done"]);
  assert.equal(fake.runner("acme", "runner-token-1"), undefined);
  assert.deepEqual((await readRecord(dir, "configure")).argv, configArgs);
});

test("config.sh with a registration token GitHub never issued fails", { skip: skipReason }, async () => {
  const dir = await unpackRunner("badtoken", "NO_PROXY=127.0.0.1\n");
  const result = await runAsNobody(dir, [
    "./config.sh", "--url", `${new URL(fake.apiUrl).origin}/acme`, "--token", "NOT-ISSUED", "--unattended", "--name", "runner-bad",
  ]);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /refused with HTTP 401/);
  assert.equal(fake.runner("acme", "runner-bad"), undefined);
});

test("the job-started hook from .env runs before the job", { skip: skipReason }, async () => {
  const dir = join(workDir, "hook");
  const hook = join(dir, "hook.sh");
  const marker = join(dir, "hook-ran");
  await unpackRunner("hook", `ACTIONS_RUNNER_HOOK_JOB_STARTED=${hook}\nno_proxy=127.0.0.1\n`);
  await writeFile(hook, `touch ${marker}\n`);
  const jit = await jitConfigFor("runner-hook");
  const result = await withJobQueue(() => runAsNobody(dir, ["./run.sh", "--jitconfig", jit]));
  assert.equal(result.status, 0, result.stderr);
  const done = fake.standinEvents.find((e) => e.name === "runner-hook" && e.event === "done");
  assert.equal(done?.hookExitCode, 0);
  assert.equal((await readRecord(dir, "job")).hookExitCode, 0);
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
  assert.match(result.stderr, /JIT configuration is not valid/);
});

test("an idle runner stays online without a job, and takes the job it is given", { skip: skipReason, timeout: 60_000 }, async () => {
  const dir = await unpackRunner("waits", "no_proxy=127.0.0.1\n");
  const jit = await jitConfigFor("runner-waits");
  const running = runAsNobody(dir, ["./run.sh", "--jitconfig", jit]);
  await fake.waitForRunner("acme/app", "runner-waits", (r) => r?.status === "online", 30_000);
  // Three job polls later, still online, idle and running.
  await new Promise((resolve) => setTimeout(resolve, 7_000));
  assert.deepEqual(eventsOf("runner-waits"), ["online"], "no job was taken without one being given");
  assert.equal(fake.runner("acme/app", "runner-waits")?.busy, false);
  assignJob(fake, "acme/app", "runner-waits");
  const result = await running;
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(eventsOf("runner-waits"), ["online", "busy", "done"]);
  assert.equal(fake.runner("acme/app", "runner-waits"), undefined);
  const online = fake.standinEvents.find((e) => e.name === "runner-waits" && e.event === "online");
  const hostMtu = Number((await readFile(`/sys/class/net/${await defaultRouteInterface()}/mtu`, "utf8")).trim());
  assert.equal(online?.defaultRouteMtu, hostMtu, "it reports the MTU of its default-route interface");
});

test("an idle runner whose registration is deleted stops with an error, as the real listener does", { skip: skipReason, timeout: 60_000 }, async () => {
  const dir = await unpackRunner("deleted", "no_proxy=127.0.0.1\n");
  const running = runAsNobody(dir, ["./run.sh", "--jitconfig", await jitConfigFor("runner-deleted")]);
  await fake.waitForRunner("acme/app", "runner-deleted", (r) => r?.status === "online", 30_000);
  fake.removeRunner("acme/app", "runner-deleted");
  const result = await running;
  assert.equal(result.status, 1);
  assert.match(result.stderr, /no longer exists on the server/);
  assert.deepEqual(eventsOf("runner-deleted"), ["online"]);
});

test("a persistent runner takes job after job, staying registered, until it is deregistered", { skip: skipReason, timeout: 90_000 }, async () => {
  const dir = await unpackRunner("persistent", "NO_PROXY=127.0.0.1\n");
  const token = (await githubApi("/orgs/acme/actions/runners/registration-token")).token as string;
  const configured = await runAsNobody(dir, [
    "./config.sh", "--url", `${new URL(fake.apiUrl).origin}/acme`, "--token", token, "--unattended", "--name", "runner-persistent",
  ]);
  assert.equal(configured.status, 0, configured.stderr);
  const running = runAsNobody(dir, ["./run.sh"]);
  for (let job = 1; job <= 2; job++) {
    await fake.waitForRunner("acme", "runner-persistent", (r) => r?.status === "online" && !r.busy, 30_000);
    assignJob(fake, "acme", "runner-persistent");
    await fake.waitForRunner("acme", "runner-persistent", () => eventsOf("runner-persistent").filter((e) => e === "done").length === job, 30_000);
  }
  assert.equal(fake.runner("acme", "runner-persistent")?.busy, false, "idle again after its second job, still registered");
  fake.removeRunner("acme", "runner-persistent");
  const result = await running;
  assert.equal(result.status, 1);
  assert.match(result.stderr, /no longer exists on the server/);
  assert.deepEqual(eventsOf("runner-persistent"), ["configured", "online", "busy", "done", "busy", "done"]);
});

test("a job cannot be given to a runner that is not online and idle", () => {
  fake.addRunners("acme/app", 1, "offline-runner");
  assert.throws(() => assignJob(fake, "acme/app", "offline-runner-1"), /cannot take a job: it is offline, not online and idle/);
  assert.throws(() => assignJob(fake, "acme/app", "no-such-runner"), /no runner "no-such-runner" in acme\/app/);
});

/** The interface of the host's IPv4 default route, from /proc/net/route. */
async function defaultRouteInterface(): Promise<string> {
  const routes = (await readFile("/proc/net/route", "utf8")).split("\n").slice(1).map((line) => line.split(/\s+/));
  const route = routes.find((fields) => fields[1] === "00000000");
  assert.ok(route?.[0], "this machine has an IPv4 default route");
  return route[0];
}
