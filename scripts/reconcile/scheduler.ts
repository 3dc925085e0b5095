/**
 * When to run `up`: never two at once; every request that arrives while one is
 * running (or already waiting) is folded into exactly one next run; a failed
 * run is retried with backoff, a run refused because another update holds the
 * stack lock is tried again later (the lock is never broken: this module has no
 * way to cancel anything); and a safety run comes when nothing asked for one in
 * a while. Time comes from a Clock, so tests and the demand benchmark drive it
 * without sleeping.
 */
import type { Clock } from "./demand/clock";
import { backoffDelayMs, lockWaitMs, type BackoffPolicy } from "./backoff";
import type { UpFailure } from "./up-failure";

export interface SchedulerOptions {
    clock: Clock;
    /** Runs one `up`; resolves when it succeeded, throws when it did not. */
    runUp: (reasons: readonly string[], signal: AbortSignal) => Promise<void>;
    /** Turns a thrown error into a lock conflict or a failure with a printable, redacted reason. */
    classify: (error: unknown) => UpFailure;
    /** A safety `up` this long after the last one finished, whatever happened since. */
    safetyIntervalMs: number;
    /** Requests are gathered this long before a run starts (a burst of events gives one run). */
    debounceMs: number;
    backoff: BackoffPolicy;
    /** Another update holds the stack lock: try again after about this long. */
    lockRetryMs: number;
    random?: () => number;
    /**
     * Extension point (GitHub's write budget): asked before each run; an answer
     * postpones the run by `delayMs` and says why. The default never postpones.
     */
    gate?: () => { delayMs: number; reason: string } | undefined;
    observer?: SchedulerObserver;
}

export type UpOutcome = "succeeded" | "failed" | "locked";

export interface SchedulerObserver {
    started?(run: { reasons: readonly string[]; attempt: number }): void;
    finished?(run: { reasons: readonly string[]; outcome: UpOutcome; durationMs: number; failure?: UpFailure; retryInMs?: number }): void;
    /** A request folded into the next run, which another request already asked for. */
    coalesced?(reason: string): void;
    postponed?(gate: { delayMs: number; reason: string }): void;
}

export type SchedulerState = "starting" | "idle" | "waiting" | "running" | "retrying" | "waiting-for-lock" | "stopped";

export interface SchedulerStatus {
    state: SchedulerState;
    /** The loop has not ended (by stop() or by a bug, see loopError). */
    alive: boolean;
    loopError?: string;
    startedAt: number;
    /** When the sleeping loop wakes next; undefined while it acts. */
    nextWakeAt: number | undefined;
    runningSince: number | undefined;
    lastSuccessAt: number | undefined;
    lastFinishedAt: number | undefined;
    /** Failed runs in a row (lock conflicts not counted). */
    consecutiveFailures: number;
    /** Since when runs have not succeeded (first failure or lock conflict of the current streak). */
    failingSince: number | undefined;
    lastFailure: UpFailure | undefined;
    /** Requests waiting for the next run. */
    pendingReasons: string[];
    /** Earliest time the next run may start (backoff, lock wait, gate). */
    notBefore: number;
    runs: number;
}

export class UpScheduler {
    private readonly pending = new Set<string>();
    private requestedAt: number | undefined;
    private wake = new AbortController();
    private readonly runAbort = new AbortController();
    private loopPromise: Promise<void> | undefined;
    private stopping = false;
    private running = false;
    private runningSince: number | undefined;
    private notBefore = 0;
    private safetyDueAt = 0;
    private startedAt = 0;
    private nextWakeAt: number | undefined;
    private lastSuccessAt: number | undefined;
    private lastFinishedAt: number | undefined;
    private consecutiveFailures = 0;
    private failingSince: number | undefined;
    private lastFailure: UpFailure | undefined;
    private lastOutcome: UpOutcome | undefined;
    private loopError: string | undefined;
    private ended = false;
    private runs = 0;

    constructor(private readonly options: SchedulerOptions) {}

    /** Starts the loop; the first run comes at once (the fleet may have drifted while nothing watched it). */
    start(): void {
        if (this.loopPromise !== undefined) throw new Error("the up scheduler is already started");
        this.startedAt = this.options.clock.now();
        this.safetyDueAt = this.startedAt + this.options.safetyIntervalMs;
        this.request("start");
        this.loopPromise = this.loop().then(
            () => {
                this.ended = true;
            },
            (error: unknown) => {
                this.ended = true;
                this.loopError = error instanceof Error ? error.message : String(error);
            },
        );
    }

    /** Asks for a run. Folded into the next run when one is already running or waiting. */
    request(reason: string): void {
        if (this.stopping) return;
        // Folded: another request already waits for the next run (a running one does not count: it cannot see this one).
        if (this.pending.size > 0) this.options.observer?.coalesced?.(reason);
        this.pending.add(reason);
        this.requestedAt ??= this.options.clock.now();
        this.wakeUp();
    }

    /**
     * Stops taking requests and waits for a running `up` to end. After
     * `abortAfterMs` the run is asked to stop (the Automation API sends the CLI
     * SIGINT, which cancels the update cleanly); the lock is the CLI's to release.
     */
    async stop(abortAfterMs = Number.POSITIVE_INFINITY): Promise<void> {
        this.stopping = true;
        this.wakeUp();
        const loop = this.loopPromise ?? Promise.resolve();
        if (Number.isFinite(abortAfterMs)) {
            const timer = setTimeout(() => this.runAbort.abort(), abortAfterMs);
            try {
                await loop;
            } finally {
                clearTimeout(timer);
            }
        } else {
            await loop;
        }
    }

    status(): SchedulerStatus {
        return {
            state: this.state(),
            alive: this.loopPromise !== undefined && !this.ended,
            ...(this.loopError !== undefined ? { loopError: this.loopError } : {}),
            startedAt: this.startedAt,
            nextWakeAt: this.nextWakeAt,
            runningSince: this.runningSince,
            lastSuccessAt: this.lastSuccessAt,
            lastFinishedAt: this.lastFinishedAt,
            consecutiveFailures: this.consecutiveFailures,
            failingSince: this.failingSince,
            lastFailure: this.lastFailure,
            pendingReasons: [...this.pending],
            notBefore: this.notBefore,
            runs: this.runs,
        };
    }

    private state(): SchedulerState {
        if (this.loopPromise === undefined) return "starting";
        if (this.ended) return "stopped";
        if (this.running) return "running";
        if (this.pending.size === 0) return "idle";
        if (this.lastOutcome === "locked") return "waiting-for-lock";
        if (this.lastOutcome === "failed") return "retrying";
        return "waiting";
    }

    private wakeUp(): void {
        this.wake.abort();
        this.wake = new AbortController();
    }

    /** When the loop must act next: a pending request after its debounce, else the safety run; never before notBefore. */
    private dueAt(): number {
        const requestDue = this.requestedAt === undefined ? Number.POSITIVE_INFINITY : this.requestedAt + this.options.debounceMs;
        return Math.max(this.notBefore, Math.min(requestDue, this.safetyDueAt));
    }

    private async loop(): Promise<void> {
        const { clock } = this.options;
        while (!this.stopping) {
            const now = clock.now();
            const due = this.dueAt();
            if (due > now) {
                this.nextWakeAt = due;
                await clock.sleep(due - now, this.wake.signal);
                continue;
            }
            this.nextWakeAt = undefined;
            const gate = this.options.gate?.();
            if (gate !== undefined && gate.delayMs > 0) {
                this.notBefore = now + gate.delayMs;
                this.options.observer?.postponed?.(gate);
                continue;
            }
            if (this.pending.size === 0) this.pending.add("safety");
            await this.attempt();
        }
    }

    private async attempt(): Promise<void> {
        const { clock, observer } = this.options;
        const reasons = [...this.pending];
        this.pending.clear();
        this.requestedAt = undefined;
        const started = clock.now();
        this.running = true;
        this.runningSince = started;
        this.runs += 1;
        observer?.started?.({ reasons, attempt: this.consecutiveFailures + 1 });
        let outcome: UpOutcome;
        let failure: UpFailure | undefined;
        let retryInMs: number | undefined;
        try {
            await this.options.runUp(reasons, this.runAbort.signal);
            outcome = "succeeded";
        } catch (error) {
            failure = this.options.classify(error);
            outcome = failure.kind === "locked" ? "locked" : "failed";
        }
        const finished = clock.now();
        this.running = false;
        this.runningSince = undefined;
        this.lastFinishedAt = finished;
        this.lastOutcome = outcome;
        this.safetyDueAt = finished + this.options.safetyIntervalMs;
        if (outcome === "succeeded") {
            this.lastSuccessAt = finished;
            this.consecutiveFailures = 0;
            this.failingSince = undefined;
            this.lastFailure = undefined;
            this.notBefore = 0;
        } else {
            this.failingSince ??= started;
            this.lastFailure = failure;
            const random = this.options.random ?? Math.random;
            if (outcome === "failed") {
                this.consecutiveFailures += 1;
                retryInMs = backoffDelayMs(this.options.backoff, this.consecutiveFailures, random);
            } else {
                retryInMs = lockWaitMs(this.options.lockRetryMs, random);
            }
            this.notBefore = finished + retryInMs;
            // The run did not happen: what it was for is still wanted.
            for (const reason of reasons) this.pending.add(reason);
            this.requestedAt ??= finished;
        }
        observer?.finished?.({ reasons, outcome, durationMs: finished - started, ...(failure ? { failure } : {}), ...(retryInMs !== undefined ? { retryInMs } : {}) });
    }
}
