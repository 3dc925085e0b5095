/**
 * The reconciler's Prometheus metrics (prom-client), on a registry of its own.
 * Names follow Prometheus' naming practice (prometheus.io/docs/practices/naming:
 * a unit suffix, `_total` for counters, base units such as seconds).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { UpOutcome } from "./scheduler";

const PREFIX = "runner_reconciler_";

export type RunnerState = "idle" | "busy" | "offline" | "absent";
export const RUNNER_STATES: readonly RunnerState[] = ["idle", "busy", "offline", "absent"];

export class ReconcilerMetrics {
    readonly registry = new Registry();
    private readonly runners: Gauge<"pool" | "state">;
    private readonly desired: Gauge<"pool">;
    private readonly current: Gauge<"pool">;
    private readonly queued: Gauge<"pool">;
    private readonly unmatchedQueued: Gauge;
    private readonly jobWait: Histogram<"pool">;
    private readonly upDuration: Histogram<"outcome">;
    private readonly ups: Counter<"outcome">;
    private readonly coalesced: Counter;
    private readonly plannedRegistrations: Gauge;
    private readonly registrations: Counter<"pool">;
    private readonly lastSuccess: Gauge;
    private readonly demandStats: Gauge<"stat">;
    private readonly supplyChecks: Counter<"outcome">;

    constructor(options: { defaultMetrics?: boolean } = {}) {
        const registers = [this.registry];
        if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
        this.runners = new Gauge({
            name: `${PREFIX}runners`,
            help: "Runners of the stack's slots by pool and state (GitHub's view; absent: the slot's runner is gone from GitHub)",
            labelNames: ["pool", "state"],
            registers,
        });
        this.desired = new Gauge({ name: `${PREFIX}pool_desired_runners`, help: "Runners the last up wanted per pool (stack output)", labelNames: ["pool"], registers });
        this.current = new Gauge({ name: `${PREFIX}pool_current_runners`, help: "Runners GitHub knew per pool when the last up started (stack output)", labelNames: ["pool"], registers });
        this.queued = new Gauge({ name: `${PREFIX}queued_jobs`, help: "Queued jobs per pool that can run them (first pool in config order)", labelNames: ["pool"], registers });
        this.unmatchedQueued = new Gauge({ name: `${PREFIX}unmatched_queued_jobs`, help: "Queued jobs no pool's labels can run", registers });
        this.jobWait = new Histogram({
            name: `${PREFIX}job_wait_seconds`,
            help: "Time from a job being queued to it starting on a runner",
            labelNames: ["pool"],
            buckets: [5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200, 1800, 3600],
            registers,
        });
        this.upDuration = new Histogram({
            name: `${PREFIX}up_duration_seconds`,
            help: "Duration of pulumi up runs by outcome",
            labelNames: ["outcome"],
            buckets: [1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200],
            registers,
        });
        this.ups = new Counter({ name: `${PREFIX}ups_total`, help: "pulumi up runs by outcome (succeeded, failed, locked)", labelNames: ["outcome"], registers });
        this.coalesced = new Counter({ name: `${PREFIX}up_requests_coalesced_total`, help: "Requests for an up folded into one already running or waiting", registers });
        this.plannedRegistrations = new Gauge({
            name: `${PREFIX}planned_registrations`,
            help: "Runner registrations the next up would make (pools' desired minus live runners, from the last outputs and GitHub)",
            registers,
        });
        this.registrations = new Counter({ name: `${PREFIX}registrations_total`, help: "Runner registrations (created or replaced) made by ups", labelNames: ["pool"], registers });
        this.lastSuccess = new Gauge({ name: `${PREFIX}last_successful_up_timestamp_seconds`, help: "Unix time the last successful up finished", registers });
        this.demandStats = new Gauge({ name: `${PREFIX}demand_source`, help: "Counters the demand source reports (deliveries, API calls, budget)", labelNames: ["stat"], registers });
        this.supplyChecks = new Counter({ name: `${PREFIX}supply_checks_total`, help: "Runner listings read from GitHub to notice supply changes", labelNames: ["outcome"], registers });
        for (const outcome of ["succeeded", "failed", "locked"] satisfies UpOutcome[]) this.ups.inc({ outcome }, 0);
    }

    setRunnerCounts(counts: Record<string, Record<RunnerState, number>>): void {
        this.runners.reset();
        for (const [pool, byState] of Object.entries(counts)) {
            for (const state of RUNNER_STATES) this.runners.set({ pool, state }, byState[state]);
        }
    }

    setPoolSizes(pools: Record<string, { desired: number; current: number }>): void {
        this.desired.reset();
        this.current.reset();
        for (const [pool, size] of Object.entries(pools)) {
            this.desired.set({ pool }, size.desired);
            this.current.set({ pool }, size.current);
        }
    }

    setQueuedJobs(perPool: Record<string, number>, unmatched: number): void {
        this.queued.reset();
        for (const [pool, count] of Object.entries(perPool)) this.queued.set({ pool }, count);
        this.unmatchedQueued.set(unmatched);
    }

    observeJobWait(pool: string, seconds: number): void {
        this.jobWait.observe({ pool }, seconds);
    }

    observeUp(outcome: UpOutcome, seconds: number, finishedAtMs: number): void {
        this.upDuration.observe({ outcome }, seconds);
        this.ups.inc({ outcome });
        if (outcome === "succeeded") this.lastSuccess.set(finishedAtMs / 1000);
    }

    countCoalesced(): void {
        this.coalesced.inc();
    }

    setPlannedRegistrations(count: number): void {
        this.plannedRegistrations.set(count);
    }

    countRegistrations(pool: string, count: number): void {
        if (count > 0) this.registrations.inc({ pool }, count);
    }

    setDemandStats(stats: Record<string, number>): void {
        for (const [stat, value] of Object.entries(stats)) if (Number.isFinite(value)) this.demandStats.set({ stat }, value);
    }

    countSupplyCheck(outcome: "succeeded" | "failed"): void {
        this.supplyChecks.inc({ outcome });
    }

    async text(): Promise<{ contentType: string; body: string }> {
        return { contentType: this.registry.contentType, body: await this.registry.metrics() };
    }
}
