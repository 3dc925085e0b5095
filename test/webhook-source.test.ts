/**
 * The webhook demand source against the fake GitHub: deliveries signed and
 * sent as GitHub sends them (payloads checked against @octokit/openapi-webhooks),
 * forged ones refused, redeliveries de-duplicated, any order of arrival, a
 * restart rebuilt from REST, missed deliveries repaired by the re-sync.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { after, before, test } from "node:test";
import { createGithubClient, type GithubClient } from "../components/github/client";
import { ManualClock, WebhookDemandSource, type JobEvent, type WebhookDemandSourceOptions } from "../scripts/reconcile/demand";
import { FakeGithub, webhookSignature256 } from "./fake-github";

const TOKEN = "ghp_webhook_source_test_token";
const SECRET = "correct horse battery staple";
const TIMEOUT = { timeout: 60_000 };

let fake: FakeGithub;
let client: GithubClient;

before(async () => {
    fake = await FakeGithub.start();
    fake.addToken(TOKEN);
    client = createGithubClient({ apiUrl: fake.apiUrl, auth: { kind: "token", token: TOKEN } }, { retries: 0, retryAfterBaseMs: 1, maxRateLimitWaitSeconds: 0 });
});

after(async () => {
    fake.assertNoContractViolations();
    await fake.stop();
});

let worlds = 0;
function freshRepo(): { org: string; scope: string } {
    worlds++;
    const org = `hooks${worlds}`;
    fake.addOrg(org);
    fake.addRepo(org, "app");
    return { org, scope: `${org}/app` };
}

/** A started source for `scope`'s organization, with everything it saw recorded; stopped by the test. */
async function started(org: string, options: Partial<WebhookDemandSourceOptions> = {}) {
    const source = new WebhookDemandSource({
        secret: SECRET,
        client,
        apiUrl: fake.apiUrl,
        path: { kind: "org", org },
        clock: new ManualClock(),
        resyncIntervalMs: 0,
        ...options,
    });
    const events: JobEvent[] = [];
    let changes = 0;
    source.onJobEvent((e) => events.push(e));
    source.onChange(() => changes++);
    await source.start();
    return { source, events, changes: () => changes };
}

async function post(url: string, body: string, headers: Record<string, string>, method = "POST") {
    const response = await fetch(url, { method, body: method === "GET" ? undefined : body, headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function signedHeaders(body: string, extra: Record<string, string> = {}, secret = SECRET): Record<string, string> {
    return {
        "content-type": "application/json",
        "x-github-event": "workflow_job",
        "x-github-delivery": crypto.randomUUID(),
        "x-hub-signature-256": webhookSignature256(secret, body),
        ...extra,
    };
}

const queuedCount = (source: WebhookDemandSource) => source.snapshot().queued.reduce((sum, g) => sum + g.count, 0);

test("signed deliveries are applied; bad, missing or wrong-secret signatures get 401 and change nothing", TIMEOUT, async () => {
    const { org, scope } = freshRepo();
    const { source, events, changes } = await started(org);
    try {
        const { ping } = await fake.actions.addWebhook({ scope: org, url: source.url, secret: SECRET });
        assert.equal(ping.attempts[0].status, 200);
        assert.equal(source.stats().pings, 1);
        const [job] = await fake.actions.queueJobs({ repo: scope, labels: ["self-hosted", "Linux"] });
        assert.deepEqual(source.snapshot().queued, [{ labels: ["linux", "self-hosted"], count: 1 }]);
        assert.equal(changes(), 1);

        const genuine = fake.actions.deliveries.at(-1);
        assert.ok(genuine);
        const forgedBody = genuine.body.replace(String(job.id), String(job.id + 1000));
        const forgedId = crypto.randomUUID();
        const attempts = [
            signedHeaders(forgedBody, { "x-github-delivery": forgedId, "x-hub-signature-256": "" }),
            signedHeaders(forgedBody, { "x-github-delivery": forgedId }, "a wrong secret"),
            signedHeaders(forgedBody, { "x-github-delivery": forgedId, "x-hub-signature-256": genuine.headers["x-hub-signature-256"] }),
            signedHeaders(forgedBody, { "x-github-delivery": forgedId, "x-hub-signature-256": "sha256=zz" }),
        ];
        delete attempts[0]["x-hub-signature-256"];
        for (const headers of attempts) {
            const answer = await post(source.url, forgedBody, headers);
            assert.equal(answer.status, 401, JSON.stringify(answer.body));
        }
        const { hookId } = await fake.actions.addWebhook({ scope: org, url: source.url, secret: "not the receiver's secret" });
        await fake.actions.queueJobs({ repo: scope, labels: ["self-hosted", "linux"] });
        const wrongSecret = fake.actions.deliveries.filter((d) => d.hookId === hookId);
        assert.deepEqual(wrongSecret.map((d) => d.attempts[0].status), [401, 401], "ping and job from a hook with another secret");
        fake.actions.removeWebhook(hookId);

        assert.equal(queuedCount(source), 2, "the second job arrived through the hook with the right secret; nothing forged counted");
        const stats = source.stats();
        assert.equal(stats.deliveriesRejected, 6);
        assert.equal(stats.deliveriesAccepted, 2);

        // The forged delivery's id was not remembered: a genuine delivery may still use it.
        const answer = await post(source.url, forgedBody, signedHeaders(forgedBody, { "x-github-delivery": forgedId }));
        assert.deepEqual(answer, { status: 200, body: { accepted: forgedId } });
        assert.equal(queuedCount(source), 3);
        assert.deepEqual(events.map((e) => e.action), ["queued", "queued", "queued"]);
    } finally {
        await source.stop();
    }
});

test("a redelivery is a duplicate by its delivery id; a forgotten id still cannot move a job back", TIMEOUT, async () => {
    const { org, scope } = freshRepo();
    const { source, events } = await started(org, { rememberedDeliveries: 2 });
    try {
        await fake.actions.addWebhook({ scope: scope, url: source.url, secret: SECRET });
        fake.addRunners(scope, 1, "r", { labels: ["self-hosted"], status: "online" });
        const [job] = await fake.actions.queueJobs({ repo: scope, labels: ["self-hosted"] });
        const queuedDelivery = fake.actions.deliveries.at(-1);
        assert.ok(queuedDelivery);
        const again = await fake.actions.redeliver(queuedDelivery.id);
        assert.equal(again.status, 200);
        assert.equal(source.stats().deliveriesDuplicate, 1);
        assert.equal(events.length, 1);

        await fake.actions.startJob(job.id, "r-1");
        await fake.actions.queueJobs({ repo: scope, labels: ["self-hosted"] });
        // Only 2 ids are remembered: the first queued delivery's id is forgotten by now.
        await fake.actions.redeliver(queuedDelivery.id);
        assert.equal(source.stats().deliveriesDuplicate, 1);
        assert.equal(source.stats().rememberedDeliveries, 2);
        assert.equal(queuedCount(source), 1, "the started job stays started");
        assert.deepEqual(events.map((e) => [e.jobId, e.action, e.runnerName]), [
            [job.id, "queued", undefined],
            [job.id, "in_progress", "r-1"],
            [job.id + 1, "queued", undefined],
        ]);
    } finally {
        await source.stop();
    }
});

test("the queue is right whatever order deliveries arrive in (completed before queued)", TIMEOUT, async () => {
    const { org, scope } = freshRepo();
    const { source } = await started(org);
    try {
        await fake.actions.addWebhook({ scope: org, url: source.url, secret: SECRET });
        fake.addRunners(scope, 1, "r", { labels: ["self-hosted", "linux"], status: "online" });
        fake.actions.pauseDeliveries();
        const [a, b, c] = await fake.actions.queueJobs({ repo: scope, labels: ["self-hosted", "linux"], count: 3 });
        await fake.actions.startJob(a.id, "r-1");
        await fake.actions.completeJob(a.id);
        await fake.actions.cancelJob(b.id);
        const released = await fake.actions.releaseDeliveries("reverse");
        assert.deepEqual(released.map((d) => d.action), ["completed", "completed", "in_progress", "queued", "queued", "queued"]);
        assert.deepEqual(source.snapshot().queued, [{ labels: ["linux", "self-hosted"], count: 1 }]);
        for (const delivery of released.reverse()) await fake.actions.redeliver(delivery.id);
        assert.deepEqual(source.snapshot().queued, [{ labels: ["linux", "self-hosted"], count: 1 }], "only job c is queued");
        assert.equal(source.stats().deliveriesDuplicate, 6);
        assert.equal(fake.actions.job(c.id)?.status, "queued");
    } finally {
        await source.stop();
    }
});

test("ping is answered, other events are ignored with 2xx, malformed requests get a clear 4xx", TIMEOUT, async () => {
    const { org } = freshRepo();
    const { source } = await started(org, { maxBodyBytes: 64 * 1024 });
    try {
        const push = JSON.stringify({ ref: "refs/heads/main" });
        assert.deepEqual(await post(source.url, push, signedHeaders(push, { "x-github-event": "push" })), { status: 200, body: { ignored: "event push" } });
        const unknownAction = JSON.stringify({ action: "archived", workflow_job: { id: 1, labels: [] } });
        assert.equal((await post(source.url, unknownAction, signedHeaders(unknownAction))).status, 200);
        assert.equal((await post(source.url, "", {}, "GET")).status, 405);
        assert.equal((await post(source.url.replace(/\/webhook$/, "/other"), push, signedHeaders(push))).status, 404);
        assert.equal((await post(source.url, push, signedHeaders(push, { "content-type": "application/x-www-form-urlencoded" }))).status, 415);
        const noEvent = signedHeaders(push);
        delete noEvent["x-github-event"];
        assert.equal((await post(source.url, push, noEvent)).status, 400);
        const noJob = JSON.stringify({ action: "queued" });
        const answer = await post(source.url, noJob, signedHeaders(noJob));
        assert.equal(answer.status, 400);
        assert.match(String(answer.body.error), /workflow_job payload: workflow_job: /);
        const huge = JSON.stringify({ action: "queued", pad: "x".repeat(70 * 1024) });
        assert.equal((await post(source.url, huge, signedHeaders(huge))).status, 413);
        assert.equal(queuedCount(source), 0);
        assert.deepEqual(
            [source.stats().deliveriesIgnored, source.stats().deliveriesMalformed, source.stats().deliveriesRejected],
            [2, 3, 1],
        );
    } finally {
        await source.stop();
    }
});

test("a restart rebuilds the queue from REST, including what happened while it was down", TIMEOUT, async () => {
    const { org, scope } = freshRepo();
    const first = await started(org);
    const port = new URL(first.source.url).port;
    let jobs;
    try {
        await fake.actions.addWebhook({ scope: org, url: first.source.url, secret: SECRET });
        fake.addRunners(scope, 1, "r", { labels: ["self-hosted"], status: "online" });
        jobs = await fake.actions.queueJobs({ repo: scope, labels: ["self-hosted"], count: 4 });
        assert.equal(queuedCount(first.source), 4);
    } finally {
        await first.source.stop();
    }

    // Down: these deliveries fail (connection refused) and GitHub does not send them again.
    await fake.actions.startJob(jobs[0].id, "r-1");
    await fake.actions.cancelJob(jobs[1].id);
    await fake.actions.queueJobs({ repo: scope, labels: ["self-hosted", "gpu"], count: 2 });
    const missed = fake.actions.deliveries.slice(-4);
    assert.ok(missed.every((d) => d.attempts.length === 1 && d.attempts[0].status === undefined && d.attempts[0].error !== undefined), JSON.stringify(missed.map((d) => d.attempts)));

    const second = await started(org, { port: Number(port) });
    try {
        assert.deepEqual(second.source.snapshot().queued, [
            { labels: ["gpu", "self-hosted"], count: 2 },
            { labels: ["self-hosted"], count: 2 },
        ]);
        assert.ok(second.source.stats().apiCalls >= 4, "runs and jobs were read through REST");
        assert.deepEqual(second.events.filter((e) => e.action === "in_progress").map((e) => e.runnerName), ["r-1"]);
        await fake.actions.cancelJob(jobs[2].id);
        assert.equal(queuedCount(second.source), 3, "deliveries reach the restarted receiver");
    } finally {
        await second.source.stop();
    }
});

test("the periodic re-sync drops a job whose completion was never delivered", TIMEOUT, async () => {
    const { org, scope } = freshRepo();
    const clock = new ManualClock();
    const { source, changes } = await started(org, { clock, resyncIntervalMs: 10 * 60_000 });
    try {
        await fake.actions.addWebhook({ scope: org, url: source.url, secret: SECRET });
        // Two runs: once its only job is cancelled, run A is completed and REST no longer lists it at all.
        const [job] = await fake.actions.queueJobs({ repo: scope, labels: ["self-hosted"] });
        await fake.actions.queueJobs({ repo: scope, labels: ["self-hosted"] });
        fake.actions.pauseDeliveries();
        await fake.actions.cancelJob(job.id);
        assert.equal(fake.actions.dropDeliveries().length, 1);
        assert.equal(queuedCount(source), 2, "the cancellation was missed");
        await clock.advance(10 * 60_000);
        assert.equal(queuedCount(source), 1);
        assert.equal(source.stats().resyncs, 2);
        assert.equal(changes(), 3);
    } finally {
        await source.stop();
    }
});

test("during a secret rotation both secrets are accepted", TIMEOUT, async () => {
    const { org, scope } = freshRepo();
    const { source } = await started(org, { secret: "the new secret", additionalSecrets: ["the old secret"] });
    try {
        const { hookId } = await fake.actions.addWebhook({ scope, url: source.url, secret: "the old secret" });
        await fake.actions.queueJobs({ repo: scope, labels: ["self-hosted"] });
        fake.actions.setWebhookSecret(hookId, "the new secret");
        await fake.actions.queueJobs({ repo: scope, labels: ["self-hosted"] });
        fake.actions.setWebhookSecret(hookId, "some other secret");
        await fake.actions.queueJobs({ repo: scope, labels: ["self-hosted"] });
        assert.deepEqual(fake.actions.deliveries.filter((d) => d.hookId === hookId).map((d) => d.attempts[0].status), [200, 200, 200, 401]);
        assert.equal(queuedCount(source), 2);
    } finally {
        await source.stop();
    }
});

test("start fails, and stops listening, when GitHub cannot be read; settings are checked", TIMEOUT, async () => {
    const port = await freePort();
    const source = new WebhookDemandSource({ secret: SECRET, client, apiUrl: fake.apiUrl, path: { kind: "repo", owner: "nobody", repo: "x" }, port, clock: new ManualClock() });
    await assert.rejects(source.start(), /listing the queued workflow runs of nobody\/x failed: HTTP 404/);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/webhook`, { method: "POST" }), /fetch failed/);
    await assert.rejects(new WebhookDemandSource({ secret: "", client, apiUrl: fake.apiUrl, path: { kind: "org", org: "a" } }).start(), /webhook secret #1 is empty/);
    assert.throws(() => new WebhookDemandSource({ secret: SECRET, client, apiUrl: fake.apiUrl, path: { kind: "org", org: "a" }, webhookPath: "hook" }), /webhookPath must start with "\/"/);
});

async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}
