/**
 * The fake GitHub's Actions side: the REST endpoints the demand sources read
 * (checked against @octokit/openapi like every other operation), the job
 * lifecycle, and workflow_job webhook deliveries (checked against
 * @octokit/openapi-webhooks before they are sent, and signed as GitHub signs).
 */
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { createGithubClient, type GithubClient } from "../components/github/client";
import { FakeGithub, webhookSignature256 } from "./fake-github";

const TOKEN = "ghp_fake_actions_test_token";
const TIMEOUT = { timeout: 30_000 };

let fake: FakeGithub;
let client: GithubClient;
let receiver: Receiver;

interface Received {
    headers: IncomingHttpHeaders;
    body: string;
}

interface Receiver {
    url: string;
    received: Received[];
    /** The status the receiver answers with. */
    status: number;
    server: Server;
}

async function startReceiver(): Promise<Receiver> {
    const receiver: Receiver = { url: "", received: [], status: 200, server: createServer() };
    receiver.server.on("request", (req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            receiver.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
            res.writeHead(receiver.status).end();
        });
    });
    await new Promise<void>((resolve) => receiver.server.listen(0, "127.0.0.1", resolve));
    receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hook`;
    return receiver;
}

before(async () => {
    fake = await FakeGithub.start();
    fake.addToken(TOKEN);
    client = createGithubClient({ apiUrl: fake.apiUrl, auth: { kind: "token", token: TOKEN } }, { retries: 0, retryAfterBaseMs: 1, writeSpacingMs: 0 });
    receiver = await startReceiver();
});

after(async () => {
    receiver.server.closeAllConnections();
    await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
    await fake.stop();
});

let worlds = 0;
function freshWorld(): { org: string; repo: string; scope: string } {
    worlds++;
    const org = `acme${worlds}`;
    fake.addOrg(org);
    fake.addRepo(org, "app");
    return { org, repo: "app", scope: `${org}/app` };
}

test("workflow runs are listed by status and their jobs with runner fields null while queued", TIMEOUT, async () => {
    const w = freshWorld();
    const [first] = await fake.actions.queueJobs({ repo: w.scope, labels: ["self-hosted", "linux"], count: 2 });
    const [other] = await fake.actions.queueJobs({ repo: w.scope, labels: ["self-hosted", "gpu"] });
    fake.addRunners(w.org, 1, "r", { labels: ["self-hosted", "linux", "x64"], status: "online" });
    await fake.actions.startJob(first.id, "r-1");

    const queued = await client.rest.actions.listWorkflowRunsForRepo({ owner: w.org, repo: w.repo, status: "queued" });
    assert.deepEqual(queued.data.workflow_runs.map((r) => r.id), [other.runId]);
    const running = await client.rest.actions.listWorkflowRunsForRepo({ owner: w.org, repo: w.repo, status: "in_progress" });
    assert.deepEqual(running.data.workflow_runs.map((r) => [r.id, r.status]), [[first.runId, "in_progress"]]);

    const jobs = await client.rest.actions.listJobsForWorkflowRun({ owner: w.org, repo: w.repo, run_id: first.runId, filter: "latest" });
    assert.deepEqual(
        jobs.data.jobs.map((j) => [j.status, j.runner_name, j.runner_group_name, j.labels]),
        [
            ["in_progress", "r-1", "Default", ["self-hosted", "linux"]],
            ["queued", null, null, ["self-hosted", "linux"]],
        ],
    );
    const one = await client.rest.actions.getJobForWorkflowRun({ owner: w.org, repo: w.repo, job_id: other.id });
    assert.equal(one.data.status, "queued");
    assert.equal(fake.runner(w.org, "r-1")?.busy, true);
    fake.assertNoContractViolations();
});

test("job listings page by 100 with Link headers, and unknown runs and repositories are 404", TIMEOUT, async () => {
    const w = freshWorld();
    const [job] = await fake.actions.queueJobs({ repo: w.scope, labels: ["self-hosted"], count: 150 });
    const pages: number[] = [];
    for await (const page of client.paginate.iterator(client.rest.actions.listJobsForWorkflowRun, { owner: w.org, repo: w.repo, run_id: job.runId, per_page: 100 })) {
        pages.push(page.data.length);
    }
    assert.deepEqual(pages, [100, 50]);
    await assert.rejects(client.rest.actions.listJobsForWorkflowRun({ owner: w.org, repo: w.repo, run_id: 1 }), (e: { status?: number }) => e.status === 404);
    await assert.rejects(client.rest.actions.listWorkflowRunsForRepo({ owner: w.org, repo: "nope" }), (e: { status?: number }) => e.status === 404);
    fake.assertNoContractViolations();
});

test("an organization lists its repositories", TIMEOUT, async () => {
    const w = freshWorld();
    fake.addRepo(w.org, "lib");
    const repos = await client.paginate(client.rest.repos.listForOrg, { org: w.org, type: "all", per_page: 100 });
    assert.deepEqual(repos.map((r) => r.full_name).sort(), [`${w.org}/app`, `${w.org}/lib`]);
    fake.assertNoContractViolations();
});

test("a wrong workflow-run response is caught by the contract check", TIMEOUT, async () => {
    const w = freshWorld();
    await fake.actions.queueJobs({ repo: w.scope, labels: ["self-hosted"] });
    fake.corruptNextResponse((body) => ({ ...(body as object), workflow_runs: [{ id: "not a number" }] }));
    await assert.rejects(client.rest.actions.listWorkflowRunsForRepo({ owner: w.org, repo: w.repo }), (e: { status?: number }) => e.status === 500);
    assert.equal(fake.contractViolations.length, 1);
    assert.equal(fake.contractViolations[0].operationId, "actions/list-workflow-runs-for-repo");
    fake.clearContractViolations();
});

test("the fake signs as GitHub documents (its own test vector)", TIMEOUT, () => {
    // docs.github.com webhooks/using-webhooks/validating-webhook-deliveries, "Testing the webhook payload validation".
    assert.equal(
        webhookSignature256("It's a Secret to Everybody", "Hello, World!"),
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    );
});

test("a new webhook is pinged, and each job transition is one signed workflow_job delivery", TIMEOUT, async () => {
    const w = freshWorld();
    receiver.received.length = 0;
    const secret = "webhook-secret-1";
    const { hookId, ping } = await fake.actions.addWebhook({ scope: w.org, url: receiver.url, secret });
    assert.equal(ping.attempts[0].status, 200);
    fake.addRunners(w.scope, 1, "eph", { labels: ["self-hosted", "Linux"], status: "online", ephemeral: true });
    const [job] = await fake.actions.queueJobs({ repo: w.scope, labels: ["self-hosted", "linux"] });
    await fake.actions.startJob(job.id, "eph-1");
    await fake.actions.completeJob(job.id, "success");

    const { Webhooks } = await import("@octokit/webhooks");
    const verifier = new Webhooks({ secret });
    const events = [];
    for (const r of receiver.received) {
        assert.equal(await verifier.verify(r.body, String(r.headers["x-hub-signature-256"])), true, "signature checks with @octokit/webhooks");
        assert.match(String(r.headers["user-agent"]), /^GitHub-Hookshot\//);
        assert.equal(r.headers["x-github-hook-id"], String(hookId));
        assert.equal(r.headers["x-github-hook-installation-target-type"], "organization");
        assert.match(String(r.headers["x-github-delivery"]), /^[0-9a-f-]{36}$/);
        const payload = JSON.parse(r.body) as { action?: string; workflow_job?: { id: number; runner_name: string | null; status: string } };
        events.push([r.headers["x-github-event"], payload.action, payload.workflow_job?.status, payload.workflow_job?.runner_name]);
    }
    assert.deepEqual(events, [
        ["ping", undefined, undefined, undefined],
        ["workflow_job", "queued", "queued", null],
        ["workflow_job", "in_progress", "in_progress", "eph-1"],
        ["workflow_job", "completed", "completed", "eph-1"],
    ]);
    assert.equal(fake.runner(w.scope, "eph-1"), undefined, "an ephemeral runner is removed after its job");
    assert.equal(new Set(receiver.received.map((r) => r.headers["x-github-delivery"])).size, 4);
    fake.assertNoContractViolations();
});

test("held deliveries go out in reverse or are dropped; a redelivery keeps its id", TIMEOUT, async () => {
    const w = freshWorld();
    await fake.actions.addWebhook({ scope: w.scope, url: receiver.url, secret: "s2" });
    receiver.received.length = 0;
    fake.actions.pauseDeliveries();
    const [job] = await fake.actions.queueJobs({ repo: w.scope, labels: ["self-hosted"] });
    await fake.actions.cancelJob(job.id);
    assert.equal(receiver.received.length, 0, "held, not sent");
    await fake.actions.releaseDeliveries("reverse");
    assert.deepEqual(receiver.received.map((r) => (JSON.parse(r.body) as { action: string }).action), ["completed", "queued"]);

    const firstId = String(receiver.received[1].headers["x-github-delivery"]);
    const attempt = await fake.actions.redeliver(firstId);
    assert.equal(attempt.redelivery, true);
    assert.equal(receiver.received[2].headers["x-github-delivery"], firstId);
    assert.equal(receiver.received[2].body, receiver.received[1].body);

    fake.actions.pauseDeliveries();
    await fake.actions.queueJobs({ repo: w.scope, labels: ["self-hosted"] });
    assert.equal(fake.actions.dropDeliveries().length, 1);
    assert.equal(receiver.received.length, 3);
    fake.assertNoContractViolations();
});

test("a webhook payload that breaks GitHub's description is not sent and fails the call", TIMEOUT, async () => {
    const w = freshWorld();
    await fake.actions.addWebhook({ scope: w.scope, url: receiver.url, secret: "s3" });
    receiver.received.length = 0;
    fake.actions.corruptNextWebhookPayload((payload) => ({ ...payload, workflow_job: { ...(payload.workflow_job as object), labels: "self-hosted" } }));
    await assert.rejects(fake.actions.queueJobs({ repo: w.scope, labels: ["self-hosted"] }), /does not match GitHub's webhook description: payload\/workflow_job\/labels must be array/);
    assert.equal(receiver.received.length, 0);
    assert.equal(fake.contractViolations.length, 1);
    assert.equal(fake.contractViolations[0].operationId, "webhook workflow_job.queued");
    fake.clearContractViolations();
});

test("GitHub's scheduling rules: labels (case-insensitive), online and idle; waiting jobs wait for approval", TIMEOUT, async () => {
    const w = freshWorld();
    fake.addRunners(w.scope, 1, "small", { labels: ["self-hosted", "linux"], status: "online" });
    fake.addRunners(w.scope, 1, "gpu", { labels: ["self-hosted", "linux", "GPU"], status: "online", ephemeral: false });
    fake.addRunners(w.scope, 1, "off", { labels: ["self-hosted", "linux", "gpu"], status: "offline" });
    const [gpuJob] = await fake.actions.queueJobs({ repo: w.scope, labels: ["self-hosted", "gpu"] });
    await assert.rejects(fake.actions.startJob(gpuJob.id, "small-1"), /lacks the label\(s\) gpu/);
    await assert.rejects(fake.actions.startJob(gpuJob.id, "off-1"), /offline/);
    const [held] = await fake.actions.queueJobs({ repo: w.scope, labels: ["self-hosted"], status: "waiting" });
    const started = await fake.actions.dispatchQueuedJobs();
    assert.deepEqual(started, [{ jobId: gpuJob.id, runnerName: "gpu-1" }]);
    await assert.rejects(fake.actions.startJob(held.id, "small-1"), /is waiting; expected queued/);
    await fake.actions.approveJob(held.id);
    assert.deepEqual(await fake.actions.dispatchQueuedJobs(), [{ jobId: held.id, runnerName: "small-1" }]);
    await assert.rejects(fake.actions.completeJob(gpuJob.id, "failure").then(() => fake.actions.startJob(gpuJob.id, "gpu-1")), /is completed/);
    assert.equal(fake.runner(w.scope, "gpu-1")?.busy, false, "a persistent runner is idle again after its job");
    fake.assertNoContractViolations();
});
