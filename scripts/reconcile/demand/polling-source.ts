/**
 * The outbound-only demand source, for clouds GitHub cannot reach: it lists
 * GitHub's queue through REST (rest-queue.ts) again and again, within an API
 * budget. See README.md in this folder for why REST polling, and its cost.
 *
 * Pacing: a listing that cost C calls is followed by the next one C / budget
 * minutes after it began (the budget has earned C calls again), never sooner
 * than `minIntervalMs` after it began; the budget itself holds every 60-second window to at most
 * `budgetPerMinute` calls and slows down further when GitHub's rate-limit
 * headers say the hour's quota is running out. A failed listing is retried
 * with exponential backoff (and not before GitHub's own retry time).
 */
import { type DemandSnapshot } from "../../../components/demand/snapshot";
import type { GithubClient } from "../../../components/github/client";
import type { GithubPath } from "../../../components/github/paths";
import { ApiBudget, DEFAULT_API_BUDGET_PER_MINUTE } from "./api-budget";
import { type Clock, systemClock } from "./clock";
import { JobTable } from "./job-table";
import { DemandListeners } from "./listeners";
import { RestQueueLister } from "./rest-queue";
import type { DemandLog, DemandSource, JobEvent } from "./types";

/** A runner VM takes about a minute to boot here (README "Boot test and boot figures"); polling much faster buys little. */
export const DEFAULT_MIN_POLL_INTERVAL_MS = 15_000;
const MAX_BACKOFF_MS = 10 * 60_000;

export interface PollingDemandSourceOptions {
    client: GithubClient;
    apiUrl: string;
    path: GithubPath;
    /** REST calls per minute, at most; default DEFAULT_API_BUDGET_PER_MINUTE. */
    budgetPerMinute?: number;
    /** Never list more often than this; default DEFAULT_MIN_POLL_INTERVAL_MS. */
    minIntervalMs?: number;
    /** Organization only: poll these repositories instead of every repository of the organization. */
    repositories?: readonly string[];
    /** Organization only: how long the organization's repository list is reused; default 10 minutes. */
    repositoryListTtlMs?: number;
    /** Share of the token's hourly limit left to others; default 0.2. */
    rateLimitReserveFraction?: number;
    clock?: Clock;
    log?: DemandLog;
}

export class PollingDemandSource implements DemandSource {
    private readonly clock: Clock;
    private readonly budget: ApiBudget;
    private readonly lister: RestQueueLister;
    private readonly table: JobTable;
    private readonly listeners: DemandListeners;
    private readonly minIntervalMs: number;
    private readonly abort = new AbortController();
    private loop: Promise<void> | undefined;
    private observedAtMs: number | undefined;
    private lastListingCalls = 0;
    private lastListingStartedMs: number | undefined;
    private consecutiveFailures = 0;
    private readonly counters = { polls: 0, pollFailures: 0, lastPollCalls: 0, lastPollRepositories: 0, lastPollRuns: 0, queueChanges: 0 };

    constructor(private readonly options: PollingDemandSourceOptions) {
        this.clock = options.clock ?? systemClock;
        this.minIntervalMs = options.minIntervalMs ?? DEFAULT_MIN_POLL_INTERVAL_MS;
        if (!Number.isFinite(this.minIntervalMs) || this.minIntervalMs < 1000) {
            throw new Error(`minIntervalMs must be at least 1000 (one second), got ${options.minIntervalMs}`);
        }
        this.budget = new ApiBudget({
            callsPerMinute: options.budgetPerMinute ?? DEFAULT_API_BUDGET_PER_MINUTE,
            clock: this.clock,
            reserveFraction: options.rateLimitReserveFraction,
        });
        this.lister = new RestQueueLister({
            client: options.client,
            apiUrl: options.apiUrl,
            path: options.path,
            budget: this.budget,
            clock: this.clock,
            repositories: options.repositories,
            repositoryListTtlMs: options.repositoryListTtlMs,
        });
        this.table = new JobTable({ now: () => this.clock.now() });
        this.listeners = new DemandListeners(options.log);
    }

    /** Lists the queue once (failing if GitHub cannot be read), then keeps polling in the background. */
    async start(): Promise<void> {
        if (this.loop) throw new Error("this polling demand source was already started");
        if (this.abort.signal.aborted) throw new Error("this polling demand source was stopped; make a new one");
        await this.poll();
        this.loop = this.run();
    }

    async stop(): Promise<void> {
        this.abort.abort();
        await this.loop;
    }

    snapshot(): DemandSnapshot {
        if (this.table.expire()) this.counters.queueChanges++;
        return {
            version: 1,
            observedAt: new Date(this.observedAtMs ?? this.clock.now()).toISOString(),
            queued: this.table.queuedGroups(),
        };
    }

    onChange(listener: () => void): () => void {
        return this.listeners.onChange(listener);
    }

    onJobEvent(listener: (event: JobEvent) => void): () => void {
        return this.listeners.onJobEvent(listener);
    }

    stats(): Record<string, number> {
        return {
            ...this.counters,
            ...this.budget.stats(),
            queuedJobs: this.table.count("queued"),
            runningJobs: this.table.count("in_progress"),
            trackedJobs: this.table.count(),
            nextPollDelayMs: this.nextDelayMs(),
        };
    }

    /** The pause before the next listing, as the budget and the last listing's cost and start set it. */
    nextDelayMs(): number {
        if (this.consecutiveFailures > 0) return Math.min(MAX_BACKOFF_MS, this.minIntervalMs * 2 ** this.consecutiveFailures);
        const perMinute = Math.max(1, this.budget.effectiveCallsPerMinute());
        const period = Math.max(this.minIntervalMs, Math.ceil((this.lastListingCalls / perMinute) * 60_000));
        const sinceStart = this.lastListingStartedMs === undefined ? 0 : this.clock.now() - this.lastListingStartedMs;
        return Math.max(0, period - sinceStart);
    }

    private async run(): Promise<void> {
        const signal = this.abort.signal;
        while (!signal.aborted) {
            await this.clock.sleep(this.nextDelayMs(), signal);
            if (signal.aborted) return;
            try {
                await this.poll();
            } catch (error) {
                this.counters.pollFailures++;
                this.consecutiveFailures++;
                this.options.log?.("warn", "polling GitHub's job queue failed; trying again later", {
                    error: error instanceof Error ? error.message : String(error),
                    retryInMs: this.nextDelayMs(),
                });
            }
        }
    }

    private async poll(): Promise<void> {
        const listing = await this.lister.list(this.abort.signal);
        if (listing === undefined) return;
        this.counters.polls++;
        this.consecutiveFailures = 0;
        this.lastListingCalls = listing.calls;
        this.lastListingStartedMs = listing.startedAtMs;
        this.counters.lastPollCalls = listing.calls;
        this.counters.lastPollRepositories = listing.repositories;
        this.counters.lastPollRuns = listing.runs;
        this.observedAtMs = listing.startedAtMs;
        const result = this.table.applyListing(listing.jobs, listing.startedAtMs);
        const expired = this.table.expire();
        if (result.queueChanged || expired) this.counters.queueChanges++;
        this.listeners.emit(result.events, result.queueChanged || expired);
    }
}

