/**
 * The benchmark's time: a virtual clock (the reconciler's `Clock`, scripts/reconcile/demand/clock.ts)
 * that stands still while real work runs and jumps from one due timer to the next once
 * everything is quiet.
 *
 * Timers are of two kinds, kept in one queue ordered by due time, then by creation:
 *   - sleeps of the code under test (the reconciler's scheduler and supply loop, the demand
 *     source's polling or re-sync loop, the API budget): `sleep(ms)` resolves when the clock
 *     reaches now + ms;
 *   - actions of the simulated world (`at(time, action)`): a job arrives, a VM finishes booting,
 *     a job ends, a scheduled `up` is due.
 * `run` fires one timer at a time. Before moving time on it waits until the system is quiet:
 * no tracked real work in flight (`track`: a real `pulumi up`, a GitHub request, a world
 * action) and a few turns of the event loop without any starting, so woken code has gone back
 * to sleep. Real work therefore takes no simulated time; what it should take in simulated time
 * (an `up`) is a sleep the caller adds.
 *
 * With `maxSpeed` the clock also never runs ahead of that many simulated seconds per real
 * second (pacing); without it, it runs as fast as the work allows.
 */
import type { Clock } from "../reconcile/demand/clock";

interface Timer {
    dueMs: number;
    seq: number;
    fire: () => Promise<void> | void;
    /** Sleeps are dropped from the queue when their signal aborts. */
    cancelled: boolean;
    label: string;
}

export interface VirtualClockOptions {
    startMs: number;
    /** Simulated seconds per real second at most; undefined: as fast as possible. */
    maxSpeed?: number;
    /** Real milliseconds one piece of tracked work may take before the run fails (a hung `up`). */
    workTimeoutMs?: number;
    /** Called before every jump of time (for integrals over time, such as idle runners). */
    onAdvance?: (fromMs: number, toMs: number) => void;
    /** Told of every timer fired and every piece of real work (--verbose). */
    verbose?: (line: string) => void;
}

export class VirtualClock implements Clock {
    private current: number;
    private readonly startMs: number;
    private readonly realStartMs = Date.now();
    private readonly timers: Timer[] = [];
    private seq = 0;
    private inFlight = 0;
    private readonly inFlightLabels = new Map<number, string>();
    private nextWorkId = 0;
    private idleWaiters: (() => void)[] = [];
    private failure: Error | undefined;
    private shutDown = false;

    constructor(private readonly options: VirtualClockOptions) {
        this.current = options.startMs;
        this.startMs = options.startMs;
        if (options.maxSpeed !== undefined && !(options.maxSpeed > 0)) throw new Error(`maxSpeed must be a positive number of simulated seconds per real second, got ${options.maxSpeed}`);
    }

    now(): number {
        return this.current;
    }

    /** Simulated milliseconds since the start. */
    elapsedMs(): number {
        return this.current - this.startMs;
    }

    sleep(ms: number, signal?: AbortSignal): Promise<void> {
        return new Promise<void>((resolve) => {
            if (signal?.aborted || this.shutDown) return resolve();
            const timer = this.add(this.current + Math.max(0, ms), () => {
                signal?.removeEventListener("abort", onAbort);
                resolve();
            }, "sleep");
            const onAbort = () => {
                timer.cancelled = true;
                resolve();
            };
            signal?.addEventListener("abort", onAbort, { once: true });
        });
    }

    /** Runs `action` (tracked as real work) when the clock reaches `atMs` (at once if that has passed). */
    at(atMs: number, label: string, action: () => Promise<void> | void): void {
        if (this.shutDown) return;
        this.add(Math.max(this.current, atMs), () => this.track(label, async () => action(), { fatal: true }), label);
    }

    /**
     * Marks real work in flight: time does not move until it has ended. With `fatal`, its
     * failure also fails `run` (a world action); otherwise the caller deals with it (a failed
     * `up` is the reconciler's to retry).
     */
    async track<T>(label: string, work: () => Promise<T>, options: { fatal?: boolean } = {}): Promise<T> {
        const id = this.nextWorkId++;
        this.options.verbose?.(`${this.describeTime()}: start ${label}`);
        this.inFlight++;
        this.inFlightLabels.set(id, label);
        try {
            return await work();
        } catch (error) {
            if (options.fatal === true) this.failure ??= error instanceof Error ? error : new Error(`${label}: ${String(error)}`);
            throw error;
        } finally {
            this.inFlight--;
            this.inFlightLabels.delete(id);
            if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
        }
    }

    /**
     * Ends the simulation: every pending sleep resolves now, later ones at once, and world
     * actions are dropped, so code under test can finish what it is doing (a running `up`)
     * without simulated time passing. Stop the loops under test first (abort their signals):
     * a loop that sleeps again and again would otherwise spin without ever yielding.
     */
    shutdown(): void {
        this.shutDown = true;
        const timers = this.timers.splice(0);
        for (const timer of timers) if (!timer.cancelled && timer.label === "sleep") void timer.fire();
    }

    /** Timers waiting (sleeps and world actions). */
    get pendingTimers(): number {
        return this.timers.filter((timer) => !timer.cancelled).length;
    }

    /**
     * Fires timers in due order until `done()` holds at a quiet moment. Fails when `done()`
     * does not hold by `horizonMs` (simulated), when nothing is left to fire, or when tracked
     * work failed.
     */
    async run(done: () => boolean, horizonMs: number): Promise<void> {
        if (this.shutDown) throw new Error("the virtual clock was shut down");
        for (;;) {
            await this.quiet();
            if (this.failure !== undefined) throw this.failure;
            if (done()) return;
            const timer = this.popNext();
            if (timer === undefined) throw new Error(`the simulation stalled at ${this.describeTime()}: nothing is scheduled and the run is not done`);
            if (timer.dueMs > horizonMs) {
                this.timers.push(timer);
                throw new Error(`the simulation passed its horizon (${Math.round((horizonMs - this.startMs) / 60_000)} simulated minutes) before it was done`);
            }
            await this.pace(timer.dueMs);
            this.options.verbose?.(`${this.describeTime()}: fire ${timer.label} due at minute ${((timer.dueMs - this.startMs) / 60_000).toFixed(2)}`);
            if (timer.dueMs > this.current) {
                this.options.onAdvance?.(this.current, timer.dueMs);
                this.current = timer.dueMs;
            }
            void Promise.resolve(timer.fire()).catch(() => undefined);
        }
    }

    private add(dueMs: number, fire: () => Promise<void> | void, label: string): Timer {
        const timer: Timer = { dueMs, seq: this.seq++, fire, cancelled: false, label };
        this.timers.push(timer);
        return timer;
    }

    private popNext(): Timer | undefined {
        let best = -1;
        for (let index = 0; index < this.timers.length; index++) {
            const timer = this.timers[index]!;
            if (timer.cancelled) continue;
            const chosen = best < 0 ? undefined : this.timers[best]!;
            if (chosen === undefined || timer.dueMs < chosen.dueMs || (timer.dueMs === chosen.dueMs && timer.seq < chosen.seq)) best = index;
        }
        // Cancelled sleeps are dropped on the way.
        const next = best < 0 ? undefined : this.timers[best];
        for (let index = this.timers.length - 1; index >= 0; index--) if (index === best || this.timers[index]!.cancelled) this.timers.splice(index, 1);
        return next;
    }

    /** Waits until no tracked work is in flight and a few event-loop turns start none. */
    private async quiet(): Promise<void> {
        const timeoutMs = this.options.workTimeoutMs ?? 15 * 60_000;
        for (;;) {
            if (this.inFlight > 0) {
                await new Promise<void>((resolve, reject) => {
                    const timer = setTimeout(() => {
                        reject(new Error(`real work did not end within ${Math.round(timeoutMs / 1000)} s at ${this.describeTime()}: ${[...this.inFlightLabels.values()].join(", ")}`));
                    }, timeoutMs);
                    this.idleWaiters.push(() => {
                        clearTimeout(timer);
                        resolve();
                    });
                });
            }
            await settle();
            if (this.inFlight === 0) return;
        }
    }

    private async pace(dueMs: number): Promise<void> {
        const speed = this.options.maxSpeed;
        if (speed === undefined) return;
        const realDue = this.realStartMs + (dueMs - this.startMs) / speed;
        const wait = realDue - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }

    private describeTime(): string {
        return `simulated minute ${(this.elapsedMs() / 60_000).toFixed(2)} (real ${((Date.now() - this.realStartMs) / 1000).toFixed(1)} s)`;
    }
}

/** A few turns of the event loop: promise continuations and I/O callbacks of woken code run. */
async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
