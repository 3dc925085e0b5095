/**
 * The reconciler end to end: `scripts/reconcile/main.ts` as a process, the
 * Automation API inside it running the `pulumi` double (first on PATH), which
 * runs this repository's program on the engine harness with the stack's state
 * in a file, against the fake GitHub, whose `workflow_job` webhooks reach the
 * reconciler's receiver. One pool sized by demand (min 1, max 4).
 *
 * The steps build on each other, in order: start; a burst of queued jobs grows
 * the pool to max in one up; events during an up give exactly one more; a
 * forged webhook changes nothing; completed jobs shrink the pool back to min
 * without touching the busy runner; a failed up is retried; a lock held by
 * someone else is waited for, not broken; a restart rebuilds the queue. Every
 * log line is JSON and none carries a secret.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { webhookSignature256 } from "./fake-github/webhook-deliveries";
import { FLEET_PROJECT, FleetWorld, REPO_SCOPE } from "./pulumi-cli-double/fleet-world";
import { ReconcilerProcess, type LogLine } from "./pulumi-cli-double/reconciler-process";
import type { Invocation } from "./pulumi-cli-double/invocations";

const STACK = "reconciled";
const WEBHOOK_SECRET = `whsec-${randomUUID()}`;
const JOB_LABELS = ["self-hosted", "small"];
const POOL = { name: "small", min: 1, max: 4, flavor: { vcpus: 2, ramMb: 4096, diskGb: 30 }, labels: ["small", "dev"] };
const UP_TIMEOUT_MS = 180_000;

const started = (line: LogLine) => line.msg === "up started";
const succeeded = (line: LogLine) => line.msg === "up succeeded";

interface Health {
    status: string;
    state: string;
    pendingReasons: string[];
    consecutiveFailures: number;
}

describe("the reconciler process with the pulumi double, the real program and the fake GitHub", { timeout: 1_800_000 }, () => {
    let world: FleetWorld;
    let reconciler: ReconcilerProcess;
    let statusUrl = "";
    let webhookUrl = "";
    const processes: ReconcilerProcess[] = [];

    function startReconciler(): ReconcilerProcess {
        const process = ReconcilerProcess.start(
            [
                "--stack", STACK,
                "--cwd", world.double.projectDir,
                "--webhook-port", "0",
                "--metrics-port", "0",
                "--debounce", "1s",
                "--supply-interval", "2s",
                "--backoff-base", "2s",
                "--backoff-max", "8s",
                "--lock-retry", "3s",
                "--safety-interval", "20m",
                "--max-up-age", "30m",
            ],
            world.env({ RECONCILER_WEBHOOK_SECRET: WEBHOOK_SECRET, STATE_DIRECTORY: path.join(world.double.root, "state") }),
        );
        processes.push(process);
        return process;
    }

    async function connect(process: ReconcilerProcess): Promise<void> {
        const ready = await process.waitFor((line) => line.msg === "reconciler started", { timeoutMs: 120_000, what: "the reconciler to start" });
        statusUrl = String(ready["statusUrl"]);
        webhookUrl = /webhook receiver at (\S+)$/.exec(String(ready["demand"]))?.[1] ?? "";
        assert.notEqual(webhookUrl, "", JSON.stringify(ready));
        await world.github.fake.actions.addWebhook({ scope: REPO_SCOPE, url: webhookUrl, secret: WEBHOOK_SECRET });
    }

    async function health(): Promise<Health> {
        return (await (await fetch(`${statusUrl}/healthz`)).json()) as Health;
    }

    async function metrics(): Promise<string> {
        return (await fetch(`${statusUrl}/metrics`)).text();
    }

    /** Waits until no up runs or waits, and GitHub has `runners` runners. */
    async function settled(runners: number, what: string): Promise<void> {
        const deadline = Date.now() + UP_TIMEOUT_MS;
        let quietSince = 0;
        for (;;) {
            const now = await health();
            const quiet = now.state === "idle" && world.runnerNames().length === runners;
            quietSince = quiet ? quietSince || Date.now() : 0;
            if (quiet && Date.now() - quietSince >= 3000) return;
            if (Date.now() > deadline) throw new Error(`not settled at ${runners} runners (${what}): ${JSON.stringify(now)} runners ${world.runnerNames().length}\n${reconciler.tail()}`);
            await new Promise((resolve) => setTimeout(resolve, 500));
        }
    }

    function ups(): Invocation[] {
        return world.double.invocations().filter((invocation) => invocation.argv[0] === "up");
    }

    function queuedIn(invocation: Invocation | undefined): number {
        const text = invocation?.captured["RUNNER_DEMAND_FILE"];
        if (text === undefined || text === null) return -1;
        return (JSON.parse(text) as { queued: { count: number }[] }).queued.reduce((sum, group) => sum + group.count, 0);
    }

    async function queue(count: number): Promise<number[]> {
        const jobs = await world.github.fake.actions.queueJobs({ repo: REPO_SCOPE, labels: JOB_LABELS, count });
        return jobs.map((job) => job.id);
    }

    before(async () => {
        world = await FleetWorld.start({ stack: STACK, pools: [POOL] });
        reconciler = startReconciler();
        await connect(reconciler);
    });

    after(async () => {
        for (const process of processes) await process.stop(10_000).catch(() => undefined);
        await world.stop();
    });

    test("at start it runs one up, which keeps the pool's min warm", async () => {
        await reconciler.waitFor(succeeded, { timeoutMs: UP_TIMEOUT_MS, what: "the first up" });
        await settled(1, "the start");
        assert.deepEqual(reconciler.lines.filter(started).map((line) => line.reasons), [["start"]]);
        const now = await health();
        assert.equal(now.status, "ok");
        assert.equal(ups().length, 1);
        assert.equal(queuedIn(ups()[0]), 0, "the demand file is written before the up, with the (empty) queue");
    });

    test("a burst of queued jobs grows the pool up to max in one up", async () => {
        const from = reconciler.lines.length;
        const upsBefore = ups().length;
        await queue(6);
        const finished = await reconciler.waitFor(succeeded, { timeoutMs: UP_TIMEOUT_MS, from, what: "the up after the burst" });
        assert.deepEqual(finished["reasons"], ["demand"]);
        assert.equal(world.runnerNames().length, 4, "min 1 + 6 queued, capped at max 4, after the first up");
        assert.deepEqual(finished["registrations"], ["small=3"]);
        const burstUp = ups()[upsBefore];
        assert.equal(queuedIn(burstUp), 6, "the up saw the whole burst in its demand file");
        await settled(4, "the burst");
        assert.equal(ups().length, upsBefore + 1, "one up, not one per job");
        const text = await metrics();
        assert.ok(text.includes('runner_reconciler_queued_jobs{pool="small"} 6'), text);
        assert.ok(text.includes('runner_reconciler_registrations_total{pool="small"} 4'), text);
        assert.ok(text.includes('runner_reconciler_pool_desired_runners{pool="small"} 4'), text);
    });

    test("events that arrive during an up trigger exactly one more up", async () => {
        const from = reconciler.lines.length;
        const [first] = await queue(1);
        const running = await reconciler.waitFor(started, { timeoutMs: 60_000, from, what: "an up for the new job" });
        // While it runs: more jobs, and one cancelled (each a webhook delivery and a demand change).
        await queue(2);
        await world.github.fake.actions.cancelJob(first as number);
        await queue(1);
        const firstDone = await reconciler.waitFor(succeeded, { timeoutMs: UP_TIMEOUT_MS, from, what: "the running up to end" });
        const next = await reconciler.waitFor(started, { timeoutMs: 60_000, from, nth: 2, what: "the one more up" });
        assert.ok(Date.parse(next.time) >= Date.parse(firstDone.time), "the second up starts after the first ended");
        assert.ok(Date.parse(running.time) < Date.parse(firstDone.time));
        await reconciler.waitFor(succeeded, { timeoutMs: UP_TIMEOUT_MS, from, nth: 2, what: "the one more up to end" });
        await settled(4, "after the events");
        await new Promise((resolve) => setTimeout(resolve, 4000));
        assert.equal(reconciler.lines.slice(from).filter(started).length, 2, "exactly one more, whatever the number of events");
        const coalesced = /runner_reconciler_up_requests_coalesced_total (\d+)/.exec(await metrics());
        assert.ok(Number(coalesced?.[1]) >= 2, "the later events were folded into that one more up");
    });

    test("a forged webhook is refused with 401 and changes nothing", async () => {
        const from = reconciler.lines.length;
        const queuedBefore = /runner_reconciler_queued_jobs\{pool="small"\} (\d+)/.exec(await metrics())?.[1];
        const genuine = [...world.github.fake.actions.deliveries].reverse().find((delivery) => delivery.event === "workflow_job" && delivery.action === "queued");
        assert.ok(genuine !== undefined);
        const payload = JSON.parse(genuine.body) as { workflow_job: { id: number; run_id: number } };
        payload.workflow_job.id = 987_654_321;
        const body = JSON.stringify(payload);
        const answer = await fetch(webhookUrl, {
            method: "POST",
            headers: {
                "content-type": "application/json",
                "x-github-event": "workflow_job",
                "x-github-delivery": randomUUID(),
                "x-hub-signature-256": webhookSignature256("not-the-secret", body),
            },
            body,
        });
        assert.equal(answer.status, 401);
        await new Promise((resolve) => setTimeout(resolve, 5000));
        assert.deepEqual(reconciler.lines.slice(from).filter(started), [], "no up");
        assert.equal(/runner_reconciler_queued_jobs\{pool="small"\} (\d+)/.exec(await metrics())?.[1], queuedBefore);
    });

    test("completed jobs shrink the pool back to min without touching the busy runner", async () => {
        const fake = world.github.fake;
        for (const name of world.runnerNames()) fake.setRunner(REPO_SCOPE, name, { status: "online" });
        const running = await fake.actions.dispatchQueuedJobs();
        assert.equal(running.length, 4, "every runner took a job");
        for (const job of fake.actions.jobs(REPO_SCOPE).filter((candidate) => candidate.status === "queued")) await fake.actions.cancelJob(job.id);
        const [keep, ...done] = running;
        assert.ok(keep !== undefined);
        for (const job of done) await fake.actions.completeJob(job.jobId);
        // 0 queued + 1 busy + min 1.
        await settled(2, "three jobs done, one still running");
        assert.ok(world.runnerNames().includes(keep.runnerName), "the busy runner is still there");
        assert.equal(fake.runner(REPO_SCOPE, keep.runnerName)?.busy, true);
        await fake.actions.completeJob(keep.jobId);
        await settled(1, "every job done");
        assert.ok(!world.runnerNames().includes(keep.runnerName), "its slot went once its job was done (GitHub removed the ephemeral runner)");
        const text = await metrics();
        assert.ok(text.includes('runner_reconciler_queued_jobs{pool="small"} 0'), text);
        assert.match(text, /runner_reconciler_job_wait_seconds_count\{pool="small"\} 4/);
    });

    test("a failed up is retried with backoff, and the log says why", async () => {
        const from = reconciler.lines.length;
        world.github.fake.failNext({ method: "POST", path: /generate-jitconfig$/ }, { status: 401, message: "Bad credentials" }, 1);
        await queue(1);
        const failed = await reconciler.waitFor((line) => line.msg === "up failed; retrying with backoff", { timeoutMs: UP_TIMEOUT_MS, from, what: "the failed up" });
        assert.equal(failed.level, "error");
        assert.match(String(failed["reason"]), /^error: .*(401|Bad credentials)/, JSON.stringify(failed));
        assert.ok(Number(failed["retryInSeconds"]) >= 1 && Number(failed["retryInSeconds"]) <= 2, JSON.stringify(failed));
        assert.equal(failed["consecutiveFailures"], 1);
        const retried = await reconciler.waitFor(succeeded, { timeoutMs: UP_TIMEOUT_MS, from, what: "the retry" });
        assert.ok(Date.parse(retried.time) > Date.parse(failed.time));
        await settled(2, "after the retry");
        assert.equal((await health()).consecutiveFailures, 0);
        assert.match(await metrics(), /runner_reconciler_ups_total\{outcome="failed"\} 1/);
    });

    test("a stack lock held by someone else is waited for, never broken", async () => {
        const from = reconciler.lines.length;
        const lockDir = path.join(world.double.backendDir, ".pulumi", "locks", "organization", FLEET_PROJECT, STACK);
        mkdirSync(lockDir, { recursive: true });
        const lock = path.join(lockDir, "0f0e0d0c-0000-4000-8000-00000000beef.json");
        writeFileSync(lock, JSON.stringify({ pid: 31337, username: "operator", hostname: "laptop", timestamp: new Date().toISOString() }));
        try {
            await queue(1);
            await reconciler.waitFor((line) => line.msg.startsWith("another update holds the stack lock"), { timeoutMs: UP_TIMEOUT_MS, from, nth: 2, what: "two lock waits" });
            assert.ok(existsSync(lock), "the lock is still there");
            assert.equal((await health()).state, "waiting-for-lock");
        } finally {
            rmSync(lock, { force: true });
        }
        await reconciler.waitFor(succeeded, { timeoutMs: UP_TIMEOUT_MS, from, what: "the up once the lock is gone" });
        assert.deepEqual(world.double.invocations().filter((invocation) => invocation.argv[0] === "cancel"), [], "pulumi cancel never ran");
        const waits = reconciler.lines.slice(from).filter((line) => line.msg.startsWith("another update holds the stack lock"));
        assert.match(String(waits[0]?.["reason"]), /^error: the stack is currently locked by 1 lock\(s\)/);
        assert.equal(waits[0]?.level, "warn");
        await settled(3, "after the lock");
    });

    test("a restart rebuilds the queue from GitHub and the first up follows it", async () => {
        assert.equal(await reconciler.stop(), 0);
        assert.ok(reconciler.lines.some((line) => line.msg === "reconciler stopped"));
        // While nothing listens: these deliveries are lost, as GitHub's are while a receiver is down.
        await queue(1);
        const upsBefore = ups().length;
        reconciler = startReconciler();
        await connect(reconciler);
        const first = await reconciler.waitFor(succeeded, { timeoutMs: UP_TIMEOUT_MS, what: "the first up after the restart" });
        assert.deepEqual(first["reasons"], ["start"]);
        assert.equal(queuedIn(ups()[upsBefore]), 3, "the two jobs queued before the stop and the one queued while it was down");
        await settled(4, "after the restart");
    });

    test("every log line is one JSON object; no secret in any log line, on stderr or in the metrics", async () => {
        const everything = [
            ...processes.flatMap((process) => [...process.lines.map((line) => JSON.stringify(line)), ...process.malformed, process.stderr]),
            await metrics(),
        ].join("\n");
        assert.deepEqual(processes.flatMap((process) => process.malformed), []);
        for (const secret of [world.token, world.openstackPassword, world.double.passphrase, WEBHOOK_SECRET]) {
            assert.ok(!everything.includes(secret), "a secret leaked into the reconciler's output");
        }
    });
});
