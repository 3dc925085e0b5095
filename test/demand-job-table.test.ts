/** The job table both demand sources keep: forward-only moves, events, REST listings, bounded memory. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { GITHUB_JOB_LIMITS_MS, JobTable, type JobObservation } from "../scripts/reconcile/demand/job-table";

const TIMEOUT = { timeout: 10_000 };

function table(startMs = 1_000_000) {
    const clock = { now: startMs };
    return { clock, jobs: new JobTable({ now: () => clock.now }) };
}

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 12, minute));
const obs = (jobId: number, status: JobObservation["status"], extra: Partial<JobObservation> = {}): JobObservation => ({
    jobId,
    status,
    labels: ["self-hosted", "Linux"],
    at: at(status === "queued" ? 0 : status === "in_progress" ? 2 : 5),
    ...extra,
});

test("a job moves forward only; each move is one event with GitHub's time; the queue groups canonical labels", TIMEOUT, () => {
    const { jobs } = table();
    const queued = jobs.observe(obs(1, "queued"));
    assert.deepEqual(queued, { queueChanged: true, event: { jobId: 1, action: "queued", at: at(0), labels: ["linux", "self-hosted"] } });
    assert.deepEqual(jobs.observe(obs(1, "queued")), { queueChanged: false }, "a repeat changes nothing");
    jobs.observe(obs(2, "queued", { labels: ["LINUX", "self-hosted", "linux"] }));
    assert.deepEqual(jobs.queuedGroups(), [{ labels: ["linux", "self-hosted"], count: 2 }]);
    const started = jobs.observe(obs(1, "in_progress", { runnerName: "r-1" }));
    assert.deepEqual(started, { queueChanged: true, event: { jobId: 1, action: "in_progress", at: at(2), labels: ["linux", "self-hosted"], runnerName: "r-1" } });
    assert.deepEqual(jobs.observe(obs(1, "queued")), { queueChanged: false }, "a late queued delivery does not move it back");
    assert.deepEqual(jobs.queuedGroups(), [{ labels: ["linux", "self-hosted"], count: 1 }]);
    assert.equal(jobs.observe(obs(1, "completed")).event?.action, "completed");
    assert.equal(jobs.count(), 1);
});

test("completed before queued: the job never counts as queued", TIMEOUT, () => {
    const { jobs } = table();
    assert.deepEqual(jobs.observe(obs(7, "completed")).queueChanged, false);
    assert.deepEqual(jobs.observe(obs(7, "in_progress")), { queueChanged: false });
    assert.deepEqual(jobs.observe(obs(7, "queued")), { queueChanged: false });
    assert.deepEqual(jobs.queuedGroups(), []);
});

test("waiting jobs (environment approval) are tracked but not queued, and give no event", TIMEOUT, () => {
    const { jobs } = table();
    assert.deepEqual(jobs.observe(obs(3, "waiting")), { queueChanged: false });
    assert.deepEqual(jobs.queuedGroups(), []);
    assert.equal(jobs.observe(obs(3, "queued")).queueChanged, true);
});

test("a REST listing drops jobs it no longer shows, unless they changed after the listing began", TIMEOUT, () => {
    const { clock, jobs } = table();
    jobs.observe(obs(1, "queued"));
    jobs.observe(obs(2, "in_progress"));
    jobs.observe(obs(3, "queued"));
    clock.now += 1000;
    const listingStartedMs = clock.now;
    jobs.observe(obs(4, "queued")); // a delivery during the listing
    const result = jobs.applyListing([obs(3, "in_progress"), obs(5, "queued")], listingStartedMs);
    assert.deepEqual(result.dropped.sort(), [1, 2]);
    assert.equal(result.queueChanged, true);
    assert.deepEqual(result.events.map((e) => [e.jobId, e.action]), [[3, "in_progress"], [5, "queued"]]);
    assert.deepEqual(jobs.queuedGroups(), [{ labels: ["linux", "self-hosted"], count: 2 }], "jobs 4 and 5");
});

test("jobs past GitHub's own limits expire; finished ids are remembered up to a bound", TIMEOUT, () => {
    const { clock, jobs } = table();
    jobs.observe(obs(1, "queued"));
    jobs.observe(obs(2, "in_progress"));
    clock.now += GITHUB_JOB_LIMITS_MS.queued + 1;
    assert.equal(jobs.expire(), true);
    assert.equal(jobs.get(1), undefined);
    assert.equal(jobs.get(2)?.status, "in_progress", "a job may run 5 days");
    clock.now += GITHUB_JOB_LIMITS_MS.in_progress;
    assert.equal(jobs.expire(), false);
    assert.equal(jobs.count(), 0);

    const bounded = new JobTable({ now: () => 0, maxFinishedJobs: 2 });
    for (const id of [10, 11, 12]) bounded.observe(obs(id, "completed"));
    assert.equal(bounded.finishedRemembered, 2);
    assert.equal(bounded.observe(obs(10, "queued")).queueChanged, true, "the oldest finished id was forgotten");
    assert.equal(bounded.observe(obs(12, "queued")).queueChanged, false, "a recent one is still known");
});
