/**
 * The outbound-only demand source against the fake GitHub, on a manual clock:
 * it follows the queue, stays inside its API budget over a simulated hour,
 * waits out GitHub's rate limit, and walks an organization's repositories.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createGithubClient, type GithubClient } from "../components/github/client";
import type { GithubPath } from "../components/github/paths";
import { DemandApiError, ManualClock, PollingDemandSource, type JobEvent } from "../scripts/reconcile/demand";
import { FakeGithub } from "./fake-github";

const TOKEN = "ghp_demand_polling_test_token";
const MINUTE = 60_000;

let fake: FakeGithub;

before(async () => {
    fake = await FakeGithub.start();
    fake.addToken(TOKEN);
});

after(async () => {
    fake.assertNoContractViolations();
    await fake.stop();
});

let worlds = 0;
function freshOrg(repos: string[] = ["app"]): string {
    worlds++;
    const org = `poll${worlds}`;
    fake.addOrg(org);
    for (const repo of repos) fake.addRepo(org, repo);
    return org;
}

/** The project's client, failing fast (no plugin sleeps in real time), recording the manual clock time of each request. */
function clientOn(clock: ManualClock): { client: GithubClient; requestTimes: number[] } {
    const client = createGithubClient({ apiUrl: fake.apiUrl, auth: { kind: "token", token: TOKEN } }, { retries: 0, retryAfterBaseMs: 1, maxRateLimitWaitSeconds: 0 });
    const requestTimes: number[] = [];
    client.hook.before("request", () => {
        requestTimes.push(clock.now());
    });
    return { client, requestTimes };
}

/** Starts a source whose first listing may wait for its budget: the clock moves until it is done. */
async function startOn(clock: ManualClock, demand: PollingDemandSource): Promise<void> {
    let started = false;
    const starting = demand.start().finally(() => (started = true));
    // The first listing sleeps on the clock when it outruns the budget; afterwards the polling loop sleeps.
    while (!started) await clock.advance(10_000);
    await starting;
}

function source(clock: ManualClock, client: GithubClient, path: GithubPath, extra: Partial<ConstructorParameters<typeof PollingDemandSource>[0]> = {}) {
    return new PollingDemandSource({ client, apiUrl: fake.apiUrl, path, clock, budgetPerMinute: 20, minIntervalMs: 15_000, ...extra });
}

test("start lists the queue; later polls follow it; job events carry GitHub's own times", { timeout: 60_000 }, async () => {
    const org = freshOrg();
    const repo: GithubPath = { kind: "repo", owner: org, repo: "app" };
    fake.addRunners(org, 1, "r", { labels: ["self-hosted", "linux"], status: "online" });
    const linux = await fake.actions.queueJobs({ repo: `${org}/app`, labels: ["self-hosted", "Linux"], count: 3 });
    const [gpu] = await fake.actions.queueJobs({ repo: `${org}/app`, labels: ["self-hosted", "gpu"] });
    const clock = new ManualClock();
    const { client } = clientOn(clock);
    const demand = source(clock, client, repo);
    const events: JobEvent[] = [];
    let changes = 0;
    demand.onJobEvent((e) => events.push(e));
    demand.onChange(() => changes++);
    try {
        await demand.start();
        assert.deepEqual(demand.snapshot().queued, [
            { labels: ["gpu", "self-hosted"], count: 1 },
            { labels: ["linux", "self-hosted"], count: 3 },
        ]);
        assert.equal(demand.snapshot().observedAt, new Date(clock.now()).toISOString());
        assert.deepEqual(events.map((e) => e.action), ["queued", "queued", "queued", "queued"]);
        assert.equal(changes, 1);

        await fake.actions.startJob(linux[0].id, "r-1");
        await fake.actions.cancelJob(gpu.id);
        events.length = 0;
        await clock.advance(15_000);
        assert.deepEqual(demand.snapshot().queued, [{ labels: ["linux", "self-hosted"], count: 2 }]);
        const started = fake.actions.job(linux[0].id);
        assert.deepEqual(events, [
            { jobId: linux[0].id, action: "in_progress", at: new Date(Math.floor((started?.startedAtMs ?? 0) / 1000) * 1000), labels: ["linux", "self-hosted"], runnerName: "r-1" },
        ]);
        assert.equal(changes, 2);
        assert.equal(demand.stats().polls, 2);
    } finally {
        await demand.stop();
    }
});

test("over a simulated hour with many queued jobs, no minute holds more calls than the budget", { timeout: 180_000 }, async () => {
    const org = freshOrg(["a", "b", "c"]);
    const jobs = [];
    for (const repo of ["a", "b", "c"]) {
        for (let run = 0; run < 8; run++) jobs.push(...(await fake.actions.queueJobs({ repo: `${org}/${repo}`, labels: ["self-hosted", "linux"], count: 6 })));
    }
    const clock = new ManualClock();
    const { client, requestTimes } = clientOn(clock);
    const budgetPerMinute = 20;
    const demand = source(clock, client, { kind: "org", org }, { budgetPerMinute });
    try {
        const startedAt = clock.now();
        await startOn(clock, demand);
        assert.deepEqual(demand.snapshot().queued, [{ labels: ["linux", "self-hosted"], count: 144 }]);
        await clock.advance(30 * MINUTE);
        for (const job of jobs.slice(0, 50)) await fake.actions.cancelJob(job.id);
        await clock.advance(30 * MINUTE);

        assert.deepEqual(demand.snapshot().queued, [{ labels: ["linux", "self-hosted"], count: 94 }], "the queue after the cancellations was seen");
        const inHour = requestTimes.filter((t) => t < startedAt + 60 * MINUTE);
        for (const t of inHour) {
            const inWindow = inHour.filter((u) => u >= t && u < t + MINUTE).length;
            assert.ok(inWindow <= budgetPerMinute, `${inWindow} calls in the minute from ${(t - startedAt) / 1000} s; the budget is ${budgetPerMinute}`);
        }
        assert.ok(inHour.length <= budgetPerMinute * 60, `${inHour.length} calls in the hour`);
        const stats = demand.stats();
        assert.equal(stats.apiCalls, requestTimes.length, "every REST call is counted");
        // A listing costs 3 x 2 (queued and in-progress runs of each repository) + 1 per active run
        // (its jobs) + 1 when the organization's repository list (reused for 10 minutes) is read again.
        const activeRuns = new Set(jobs.slice(50).map((job) => job.runId)).size;
        assert.equal(activeRuns, 16);
        assert.ok([6 + activeRuns, 7 + activeRuns].includes(stats.lastPollCalls), `a listing cost ${stats.lastPollCalls} calls`);
        assert.ok(stats.polls >= 30, `only ${stats.polls} listings in the hour: the budget was not used`);
        assert.ok(inHour.length >= budgetPerMinute * 50, `only ${inHour.length} calls: polling slower than the budget allows`);
    } finally {
        await demand.stop();
    }
});

test("a rate-limit answer stops every call until GitHub's reset, then polling resumes", { timeout: 60_000 }, async () => {
    const org = freshOrg();
    await fake.actions.queueJobs({ repo: `${org}/app`, labels: ["self-hosted"], count: 2 });
    const clock = new ManualClock();
    const { client, requestTimes } = clientOn(clock);
    const demand = source(clock, client, { kind: "repo", owner: org, repo: "app" });
    try {
        await demand.start();
        fake.failNext({ path: `/repos/${org}/app/actions/runs` }, { status: 403, rateLimit: "primary", retryAfterSeconds: 300 });
        await clock.advance(15_000);
        assert.equal(demand.stats().pollFailures, 1);
        const failedAt = requestTimes[requestTimes.length - 1];
        const callsAtFailure = requestTimes.length;
        // GitHub's reset time (x-ratelimit-reset, about 300 s after the answer).
        const resetMs = demand.stats().rateLimitResetEpochSeconds * 1000;
        assert.ok(resetMs - failedAt > 4 * MINUTE, "the fake said to wait about five minutes");
        await clock.advance(4 * MINUTE);
        assert.equal(requestTimes.length, callsAtFailure, "no call while GitHub's limit is exhausted");
        await clock.advance(2 * MINUTE);
        assert.ok(requestTimes.length > callsAtFailure, "polling resumed after the reset");
        assert.ok(requestTimes[callsAtFailure] >= resetMs, `resumed ${(resetMs - requestTimes[callsAtFailure]) / 1000} s before GitHub's reset`);
        assert.deepEqual(demand.snapshot().queued, [{ labels: ["self-hosted"], count: 2 }], "the queue known before the failure is kept");
        assert.equal(demand.stats().pollFailures, 1);
    } finally {
        await demand.stop();
    }
});

test("a secondary rate limit's retry-after holds every call that long", { timeout: 60_000 }, async () => {
    const org = freshOrg();
    await fake.actions.queueJobs({ repo: `${org}/app`, labels: ["self-hosted"] });
    const clock = new ManualClock();
    const { client, requestTimes } = clientOn(clock);
    const demand = source(clock, client, { kind: "repo", owner: org, repo: "app" });
    try {
        await demand.start();
        fake.failNext({ path: `/repos/${org}/app/actions/runs` }, { status: 403, rateLimit: "secondary", retryAfterSeconds: 180 });
        await clock.advance(15_000);
        const failedAt = requestTimes[requestTimes.length - 1];
        const callsAtFailure = requestTimes.length;
        await clock.advance(150_000);
        assert.equal(requestTimes.length, callsAtFailure, "no call within retry-after, although the backoff alone would have polled again");
        await clock.advance(60_000);
        assert.ok(requestTimes[callsAtFailure] - failedAt >= 180_000, `polled again ${(requestTimes[callsAtFailure] - failedAt) / 1000} s after the 403`);
        assert.equal(demand.stats().pollFailures, 1);
    } finally {
        await demand.stop();
    }
});

test("an organization is read repository by repository, or only the repositories given", { timeout: 60_000 }, async () => {
    const org = freshOrg(["app", "lib"]);
    await fake.actions.queueJobs({ repo: `${org}/app`, labels: ["self-hosted"], count: 2 });
    await fake.actions.queueJobs({ repo: `${org}/lib`, labels: ["self-hosted"], count: 3 });
    const clock = new ManualClock();
    const { client } = clientOn(clock);
    for (const [repositories, expected] of [[undefined, 5], [["app"], 2], [[`${org}/lib`], 3]] as const) {
        const demand = source(clock, client, { kind: "org", org }, { repositories });
        try {
            await demand.start();
            assert.deepEqual(demand.snapshot().queued, [{ labels: ["self-hosted"], count: expected }], `repositories ${JSON.stringify(repositories)}`);
        } finally {
            await demand.stop();
        }
    }
});

test("settings GitHub cannot serve are refused with the reason", { timeout: 30_000 }, async () => {
    const clock = new ManualClock();
    const { client } = clientOn(clock);
    assert.throws(() => source(clock, client, { kind: "enterprise", enterprise: "big" }), /REST API lists neither the jobs nor the repositories of an enterprise; to read the queue of enterprise:big, pass repositories/);
    assert.throws(() => source(clock, client, { kind: "repo", owner: "a", repo: "b" }, { repositories: ["c"] }), /only be listed for an organization or enterprise; a\/b is a repository/);
    assert.throws(() => source(clock, client, { kind: "org", org: "a" }, { repositories: ["x/y/z"] }), /repositories: got "x\/y\/z"; expected a repository name \("app"\) or full name \("a\/app"\)/);
    assert.throws(() => source(clock, client, { kind: "org", org: "a" }, { minIntervalMs: 10 }), /minIntervalMs must be at least 1000/);

    const missing = source(clock, client, { kind: "repo", owner: "nobody", repo: "nothing" });
    await assert.rejects(missing.start(), (error: unknown) => {
        assert.ok(error instanceof DemandApiError);
        assert.match(error.message, /^listing the queued workflow runs of nobody\/nothing failed: HTTP 404 "Not Found"; fix: check that the organization or repository exists/);
        assert.doesNotMatch(error.message, new RegExp(TOKEN));
        return true;
    });
});
