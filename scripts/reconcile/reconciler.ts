/**
 * The reconciler: demand and supply changes become `up` requests for the
 * scheduler, each `up` gets the current demand in its file, and what comes
 * back (outputs, engine events, timings) becomes metrics and log lines. Every
 * dependency is passed in, so tests run it with a test clock, a test demand
 * source or the real ones, and the `pulumi` test double.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { assignQueuedJobs, type PoolLabels } from "../../components/demand/match";
import type { ReconcileStack } from "./automation";
import type { BackoffPolicy } from "./backoff";
import type { Clock } from "./demand/clock";
import type { DemandSource } from "./demand/types";
import { writeDemandFile } from "./demand-file";
import { CREATING_OPS, fleetStateFromOutputs, poolOfRegistration, type FleetState } from "./fleet-outputs";
import { evaluateHealth, type HealthLimits, type HealthReport } from "./health";
import { JobWaitTracker } from "./job-wait";
import type { Logger } from "./logger";
import type { ReconcilerMetrics } from "./metrics";
import { UpScheduler, type SchedulerObserver, type SchedulerOptions } from "./scheduler";
import { countByPool, plannedRegistrations, slotStates, supplyChangesNeedingUp, type ListedRunner, type SlotStates } from "./supply";
import { describeUpFailure } from "./up-failure";
import type { Redactor } from "./redact";

export interface ReconcilerTiming {
    safetyIntervalMs: number;
    debounceMs: number;
    backoff: BackoffPolicy;
    lockRetryMs: number;
    /** How often GitHub's runner listing is read for supply changes; 0: never. */
    supplyIntervalMs: number;
}

export interface ReconcilerDependencies {
    clock: Clock;
    stack: ReconcileStack;
    demand: DemandSource;
    /** GitHub's runners of the stack's org or repo; undefined: no supply check. */
    listRunners?: () => Promise<ListedRunner[]>;
    pools: readonly PoolLabels[];
    /** Where the demand file is written before each up (the stack's RUNNER_DEMAND_FILE). */
    demandFile: string;
    metrics: ReconcilerMetrics;
    logger: Logger;
    redactor: Redactor;
    timing: ReconcilerTiming;
    health: HealthLimits;
    random?: () => number;
    /** GitHub's write budget, when enforced here: see SchedulerOptions.gate (none by default). */
    gate?: SchedulerOptions["gate"];
}

export class Reconciler {
    readonly scheduler: UpScheduler;
    private readonly jobWaits: JobWaitTracker;
    private readonly unsubscribe: (() => void)[] = [];
    private readonly supplyAbort = new AbortController();
    private supplyLoop: Promise<void> | undefined;
    private fleet: FleetState = {};
    private supply: SlotStates | undefined;
    /** What the last successful up changed, for its log line. */
    private lastChanges: { changes: string[]; registrations: string[] } = { changes: [], registrations: [] };

    constructor(private readonly deps: ReconcilerDependencies) {
        this.jobWaits = new JobWaitTracker(() => deps.pools, (pool, seconds) => deps.metrics.observeJobWait(pool, seconds));
        const timing = deps.timing;
        this.scheduler = new UpScheduler({
            clock: deps.clock,
            runUp: (reasons, signal) => this.runUp(reasons, signal),
            classify: (error) => describeUpFailure(error, deps.redactor),
            safetyIntervalMs: timing.safetyIntervalMs,
            debounceMs: timing.debounceMs,
            backoff: timing.backoff,
            lockRetryMs: timing.lockRetryMs,
            ...(deps.random ? { random: deps.random } : {}),
            ...(deps.gate ? { gate: deps.gate } : {}),
            observer: this.schedulerObserver(),
        });
    }

    /** Reads the last outputs, subscribes to the demand source (already started) and starts the loops. */
    async start(): Promise<void> {
        const { demand, logger } = this.deps;
        await this.readOutputs().catch((error: unknown) => logger.warn("could not read the stack outputs", { error: this.describe(error) }));
        this.unsubscribe.push(
            demand.onChange(() => {
                this.updateQueuedMetrics();
                this.scheduler.request("demand");
            }),
            demand.onJobEvent((event) => {
                this.jobWaits.handle(event);
                // A finished job used up an ephemeral runner (GitHub removes it): its slot is free to recycle.
                if (event.action === "completed") this.scheduler.request("job completed");
            }),
        );
        this.updateQueuedMetrics();
        this.scheduler.start();
        if (this.deps.listRunners !== undefined && this.deps.timing.supplyIntervalMs > 0) this.supplyLoop = this.checkSupplyForever(this.deps.listRunners);
    }

    async stop(abortUpAfterMs?: number): Promise<void> {
        for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
        this.supplyAbort.abort();
        await Promise.all([this.scheduler.stop(abortUpAfterMs), this.supplyLoop]);
    }

    health(): HealthReport {
        return evaluateHealth(this.scheduler.status(), this.deps.clock.now(), this.deps.health);
    }

    private describe(error: unknown): string {
        return this.deps.redactor.redact(error instanceof Error ? error.message.split("\n")[0] ?? "" : String(error));
    }

    private async runUp(reasons: readonly string[], signal: AbortSignal): Promise<void> {
        const { stack, demand, demandFile, metrics } = this.deps;
        const snapshot = demand.snapshot();
        writeDemandFile(demandFile, snapshot);
        const queued = snapshot.queued.reduce((sum, group) => sum + group.count, 0);
        this.deps.logger.info("up started", { reasons, queuedJobs: queued, demandObservedAt: snapshot.observedAt });
        const pools = this.deps.pools.map((pool) => pool.pool);
        const registrations: Record<string, number> = {};
        const onEvent = (event: EngineEvent) => {
            const step = event.resOutputsEvent?.metadata;
            if (step === undefined || !CREATING_OPS.has(step.op)) return;
            const pool = poolOfRegistration(step.urn, step.type, pools);
            if (pool !== undefined) {
                registrations[pool] = (registrations[pool] ?? 0) + 1;
                metrics.countRegistrations(pool, 1);
            }
        };
        const report = await stack.up({ signal, onEvent });
        this.lastChanges = {
            changes: Object.entries(report.resourceChanges).map(([op, count]) => `${op}=${count}`),
            registrations: Object.entries(registrations).map(([pool, count]) => `${pool}=${count}`),
        };
        this.applyOutputs(report.outputs);
    }

    private async readOutputs(): Promise<void> {
        this.applyOutputs(await this.deps.stack.outputs());
    }

    private applyOutputs(outputs: Parameters<typeof fleetStateFromOutputs>[0]): void {
        const read = fleetStateFromOutputs(outputs);
        if ("problem" in read) {
            this.deps.logger.warn("pool sizes unknown", { problem: read.problem });
            return;
        }
        this.fleet = read.fleet;
        this.deps.metrics.setPoolSizes(this.fleet);
        this.updateSupplyMetrics();
    }

    private updateQueuedMetrics(): void {
        const assignment = assignQueuedJobs([...this.deps.pools], this.deps.demand.snapshot().queued);
        this.deps.metrics.setQueuedJobs(assignment.perPool, assignment.unmatched.reduce((sum, group) => sum + group.count, 0));
        this.deps.metrics.setDemandStats(this.deps.demand.stats());
    }

    private updateSupplyMetrics(): void {
        const { metrics } = this.deps;
        if (this.supply !== undefined) metrics.setRunnerCounts(countByPool(this.fleet, this.supply));
        const planned = plannedRegistrations(this.fleet, this.supply);
        metrics.setPlannedRegistrations(Object.values(planned).reduce((sum, count) => sum + count, 0));
    }

    private async checkSupplyForever(listRunners: () => Promise<ListedRunner[]>): Promise<void> {
        const { clock, timing, logger, metrics } = this.deps;
        const signal = this.supplyAbort.signal;
        while (!signal.aborted) {
            try {
                const states = slotStates(this.fleet, await listRunners());
                metrics.countSupplyCheck("succeeded");
                const reasons = this.supply === undefined ? [] : supplyChangesNeedingUp(this.supply, states);
                this.supply = states;
                this.updateSupplyMetrics();
                if (reasons.length > 0) {
                    logger.info("supply changed", { changes: reasons });
                    this.scheduler.request("supply");
                }
            } catch (error) {
                metrics.countSupplyCheck("failed");
                logger.warn("supply check failed", { error: this.describe(error) });
            }
            await clock.sleep(timing.supplyIntervalMs, signal);
        }
    }

    private schedulerObserver(): SchedulerObserver {
        const { logger, metrics, clock } = this.deps;
        return {
            coalesced: () => metrics.countCoalesced(),
            postponed: (gate) => logger.info("up postponed", { reason: gate.reason, delaySeconds: gate.delayMs / 1000 }),
            finished: ({ reasons, outcome, durationMs, failure, retryInMs }) => {
                metrics.observeUp(outcome, durationMs / 1000, clock.now());
                const fields = { reasons, durationSeconds: Math.round(durationMs / 100) / 10 };
                const retry = retryInMs === undefined ? {} : { retryInSeconds: Math.round(retryInMs / 100) / 10 };
                if (outcome === "succeeded") logger.info("up succeeded", { ...fields, ...this.lastChanges });
                else if (outcome === "locked") logger.warn("another update holds the stack lock; waiting, not breaking it", { ...fields, ...retry, reason: failure?.reason });
                else logger.error("up failed; retrying with backoff", { ...fields, ...retry, reason: failure?.reason, consecutiveFailures: this.scheduler.status().consecutiveFailures });
            },
        };
    }
}
