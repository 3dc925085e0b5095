/**
 * Time as the demand sources see it: the system clock in production, a
 * manual clock in tests and in time-scaled benchmarks, so an hour of polling
 * is simulated without sleeping for an hour.
 */

export interface Clock {
    /** Milliseconds since the epoch. */
    now(): number;
    /** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms, signal) =>
        new Promise<void>((resolve) => {
            if (signal?.aborted) return resolve();
            const timer = setTimeout(done, Math.max(0, ms));
            function done() {
                clearTimeout(timer);
                signal?.removeEventListener("abort", done);
                resolve();
            }
            signal?.addEventListener("abort", done, { once: true });
        }),
};

interface Sleeper {
    dueMs: number;
    wake: () => void;
}

/**
 * A clock that moves only when told. Code under test runs its real I/O while
 * the clock stands still; `advance` moves time from one sleep to the next,
 * waiting (in real time) until the code has gone back to sleep before moving on.
 */
export class ManualClock implements Clock {
    private current: number;
    private readonly sleepers = new Set<Sleeper>();
    private readonly sleepWatchers = new Set<() => void>();

    constructor(startMs = Date.now()) {
        this.current = startMs;
    }

    now(): number {
        return this.current;
    }

    sleep(ms: number, signal?: AbortSignal): Promise<void> {
        return new Promise<void>((resolve) => {
            if (signal?.aborted) return resolve();
            const sleeper: Sleeper = {
                dueMs: this.current + Math.max(0, ms),
                wake: () => {
                    this.sleepers.delete(sleeper);
                    signal?.removeEventListener("abort", sleeper.wake);
                    resolve();
                },
            };
            this.sleepers.add(sleeper);
            signal?.addEventListener("abort", sleeper.wake, { once: true });
            for (const watcher of [...this.sleepWatchers]) watcher();
        });
    }

    /** How many sleeps are pending now. */
    get pendingSleeps(): number {
        return this.sleepers.size;
    }

    /** Resolves once at least `count` sleeps are pending; fails after `timeoutMs` of real time. */
    async untilSleeping(count = 1, timeoutMs = 15_000): Promise<void> {
        if (this.sleepers.size >= count) return;
        await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => {
                this.sleepWatchers.delete(check);
                reject(new Error(`ManualClock: expected ${count} pending sleep(s) within ${timeoutMs} ms of real time, have ${this.sleepers.size}; is the code under test stuck or stopped?`));
            }, timeoutMs);
            const check = () => {
                if (this.sleepers.size < count) return;
                clearTimeout(timer);
                this.sleepWatchers.delete(check);
                resolve();
            };
            this.sleepWatchers.add(check);
        });
    }

    /**
     * Moves time forward by `ms`, waking sleepers in due order and ending at
     * exactly now + ms. Before each step it waits until `sleepers` sleeps are
     * pending (default 1: a loop under test that has gone back to sleep after its
     * I/O) and lets woken code run its in-memory continuations. Pass `sleepers: 0`
     * for code that may finish instead of sleeping again.
     */
    async advance(ms: number, options: { sleepers?: number } = {}): Promise<void> {
        const target = this.current + ms;
        const expected = options.sleepers ?? 1;
        for (;;) {
            await this.untilSleeping(expected);
            await settle();
            const next = [...this.sleepers].sort((a, b) => a.dueMs - b.dueMs)[0];
            if (next === undefined || next.dueMs > target) {
                this.current = target;
                return;
            }
            this.current = Math.max(this.current, next.dueMs);
            for (const sleeper of [...this.sleepers]) if (sleeper.dueMs <= this.current) sleeper.wake();
        }
    }
}

/** A few turns of the event loop: promise continuations and immediate callbacks of woken code run. */
async function settle(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}
