/**
 * /healthz and /metrics: the health rules (alive loop, a recent successful up
 * or one being retried, bounded failing, a stuck up, a blocked loop), the HTTP
 * answers (status code and JSON body saying why), and the Prometheus text of
 * the reconciler's metrics.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { evaluateHealth, type HealthLimits } from "../scripts/reconcile/health";
import { StatusServer } from "../scripts/reconcile/http-server";
import { ReconcilerMetrics } from "../scripts/reconcile/metrics";
import type { SchedulerStatus } from "../scripts/reconcile/scheduler";

const MINUTE = 60_000;
const LIMITS: HealthLimits = { maxUpAgeMs: 30 * MINUTE, maxFailingMs: 60 * MINUTE, maxRunMs: 20 * MINUTE, wakeSlackMs: MINUTE };
const T0 = Date.UTC(2025, 0, 1);

function status(overrides: Partial<SchedulerStatus> = {}): SchedulerStatus {
    return {
        state: "idle",
        alive: true,
        startedAt: T0,
        nextWakeAt: T0 + 10 * MINUTE,
        runningSince: undefined,
        lastSuccessAt: T0 + MINUTE,
        lastFinishedAt: T0 + MINUTE,
        consecutiveFailures: 0,
        failingSince: undefined,
        lastFailure: undefined,
        pendingReasons: [],
        notBefore: 0,
        runs: 1,
        ...overrides,
    };
}

describe("health rules", { timeout: 30_000 }, () => {
    test("healthy: a recent successful up; starting: none yet but started recently", () => {
        assert.equal(evaluateHealth(status(), T0 + 5 * MINUTE, LIMITS).httpStatus, 200);
        const starting = evaluateHealth(status({ lastSuccessAt: undefined, state: "running", runningSince: T0 }), T0 + 5 * MINUTE, LIMITS);
        assert.equal(starting.httpStatus, 200);
        assert.equal(starting.body.runningSince, new Date(T0).toISOString());
    });

    test("unhealthy: the loop ended (with its error), or it overslept (blocked event loop)", () => {
        const dead = evaluateHealth(status({ alive: false, loopError: "boom", state: "stopped" }), T0 + 2 * MINUTE, LIMITS);
        assert.equal(dead.httpStatus, 503);
        assert.deepEqual(dead.body.problems, ["the reconcile loop stopped: boom"]);
        const late = evaluateHealth(status({ nextWakeAt: T0 + 2 * MINUTE }), T0 + 4 * MINUTE, LIMITS);
        assert.equal(late.httpStatus, 503);
        assert.match(late.body.problems[0] ?? "", /should have woken 120 s ago/);
    });

    test("unhealthy: the last success is too old and nothing is due", () => {
        const stale = evaluateHealth(status({ nextWakeAt: T0 + 40 * MINUTE }), T0 + 35 * MINUTE, LIMITS);
        assert.equal(stale.httpStatus, 503);
        assert.match(stale.body.problems[0] ?? "", /the last successful up was 2040 s ago \(limit 1800 s\) and none is due/);
    });

    test("failing but being retried is healthy until maxFailing; then 503 naming the last reason", () => {
        const failing = status({
            state: "retrying",
            lastSuccessAt: T0,
            failingSince: T0 + 10 * MINUTE,
            consecutiveFailures: 4,
            lastFailure: { kind: "failed", reason: "error: GitHub answered 503" },
            pendingReasons: ["demand"],
            notBefore: T0 + 50 * MINUTE,
            nextWakeAt: T0 + 50 * MINUTE,
        });
        const retrying = evaluateHealth(failing, T0 + 45 * MINUTE, LIMITS);
        assert.equal(retrying.httpStatus, 200);
        assert.equal(retrying.body.lastFailure, "error: GitHub answered 503");
        assert.equal(retrying.body.nextAttempt, new Date(T0 + 50 * MINUTE).toISOString());
        const tooLong = evaluateHealth({ ...failing, nextWakeAt: T0 + 80 * MINUTE }, T0 + 75 * MINUTE, LIMITS);
        assert.equal(tooLong.httpStatus, 503);
        assert.match(tooLong.body.problems[0] ?? "", /ups have been failing for 3900 s \(limit 3600 s\): error: GitHub answered 503/);
    });

    test("a lock held for too long says so (a person must look: the reconciler never breaks it)", () => {
        const locked = status({
            state: "waiting-for-lock",
            lastSuccessAt: T0,
            failingSince: T0 + MINUTE,
            lastFailure: { kind: "locked", reason: "error: the stack is currently locked by 1 lock(s)." },
            pendingReasons: ["safety"],
            nextWakeAt: T0 + 70 * MINUTE,
        });
        const report = evaluateHealth(locked, T0 + 69 * MINUTE, LIMITS);
        assert.equal(report.httpStatus, 503);
        assert.match(report.body.problems[0] ?? "", /another update has held the stack lock for 4080 s/);
    });

    test("an up running longer than maxRun is unhealthy", () => {
        const report = evaluateHealth(status({ state: "running", runningSince: T0 + 2 * MINUTE, nextWakeAt: undefined }), T0 + 25 * MINUTE, LIMITS);
        assert.equal(report.httpStatus, 503);
        assert.match(report.body.problems[0] ?? "", /an up has been running for 1380 s, more than 1200 s/);
    });
});

describe("status server", { timeout: 30_000 }, () => {
    let server: StatusServer;
    let healthy = true;
    const metrics = new ReconcilerMetrics({ defaultMetrics: false });

    before(async () => {
        server = await StatusServer.start({
            host: "127.0.0.1",
            port: 0,
            health: () => evaluateHealth(healthy ? status() : status({ alive: false, state: "stopped" }), T0 + MINUTE, LIMITS),
            metrics: () => metrics.text(),
        });
    });
    after(() => server.stop());

    const get = (path: string, method = "GET") => fetch(`http://127.0.0.1:${server.port}${path}`, { method });

    test("GET /healthz: 200 with a JSON body, then 503 with the reason when unhealthy", async () => {
        healthy = true;
        const ok = await get("/healthz");
        assert.equal(ok.status, 200);
        assert.match(ok.headers.get("content-type") ?? "", /application\/json/);
        assert.deepEqual(((await ok.json()) as { status: string }).status, "ok");
        healthy = false;
        const bad = await get("/healthz");
        assert.equal(bad.status, 503);
        assert.deepEqual(((await bad.json()) as { problems: string[] }).problems, ["the reconcile loop is not running"]);
    });

    test("GET /metrics: Prometheus text with the reconciler's series", async () => {
        metrics.setRunnerCounts({ small: { idle: 2, busy: 1, offline: 0, absent: 1 } });
        metrics.setPoolSizes({ small: { desired: 4, current: 3 } });
        metrics.setQueuedJobs({ small: 5, large: 0 }, 2);
        metrics.observeJobWait("small", 42);
        metrics.observeUp("succeeded", 12.5, Date.UTC(2025, 0, 1, 0, 0, 10));
        metrics.observeUp("locked", 1, 0);
        metrics.countCoalesced();
        metrics.countCoalesced();
        metrics.setPlannedRegistrations(3);
        metrics.countRegistrations("small", 2);
        metrics.setDemandStats({ deliveriesAccepted: 7, deliveriesRejected: 1 });
        const response = await get("/metrics");
        assert.equal(response.status, 200);
        assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
        const text = await response.text();
        for (const line of [
            'runner_reconciler_runners{pool="small",state="idle"} 2',
            'runner_reconciler_runners{pool="small",state="absent"} 1',
            'runner_reconciler_pool_desired_runners{pool="small"} 4',
            'runner_reconciler_queued_jobs{pool="small"} 5',
            'runner_reconciler_queued_jobs{pool="large"} 0',
            "runner_reconciler_unmatched_queued_jobs 2",
            'runner_reconciler_job_wait_seconds_bucket{le="45",pool="small"} 1',
            'runner_reconciler_job_wait_seconds_bucket{le="30",pool="small"} 0',
            'runner_reconciler_up_duration_seconds_count{outcome="succeeded"} 1',
            'runner_reconciler_ups_total{outcome="locked"} 1',
            'runner_reconciler_ups_total{outcome="failed"} 0',
            "runner_reconciler_up_requests_coalesced_total 2",
            "runner_reconciler_planned_registrations 3",
            'runner_reconciler_registrations_total{pool="small"} 2',
            "runner_reconciler_last_successful_up_timestamp_seconds 1735689610",
            'runner_reconciler_demand_source{stat="deliveriesRejected"} 1',
        ]) {
            assert.ok(text.split("\n").includes(line), `missing ${line} in:\n${text}`);
        }
    });

    test("other paths are 404 and other methods 405, each with a JSON error", async () => {
        const missing = await get("/nope");
        assert.equal(missing.status, 404);
        assert.match(((await missing.json()) as { error: string }).error, /try \/healthz or \/metrics/);
        const post = await get("/healthz", "POST");
        assert.equal(post.status, 405);
        assert.equal(post.headers.get("allow"), "GET, HEAD");
    });
});
