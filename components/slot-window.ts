/**
 * How many runner slots a pool declares at once.
 *
 * Declaring a slot allocates the SDK's work for its four resources up front:
 * about a hundred Outputs and several thousand promises, most of them pending
 * until the engine answers the slot's registrations (@pulumi/pulumi 3.276.0
 * output.js, OutputImpl: each Output chains about sixteen promises;
 * runtime/rpc.js transferProperties: one Output per property of each
 * resource). Declared all at once, a pool of 1000 held all of that pending at
 * the same moment: 1145 MB peak in the program. With at most a window of slots
 * in flight, the next slot is declared when an earlier one's registrations are
 * answered: 764 MB, in the same time (scripts/bench-reconcile.ts, N=1000).
 * Slots go on being declared in index order; the engine sees the same
 * resources, only spread over the run.
 *
 * RUNNER_FLEET_SLOT_WINDOW sets the window (a whole number from 1): lower
 * saves memory on a small reconciler VM, higher overlaps more engine work.
 */
export const SLOT_WINDOW_VARIABLE = "RUNNER_FLEET_SLOT_WINDOW";
export const DEFAULT_SLOT_WINDOW = 100;

export function slotWindow(env: NodeJS.ProcessEnv = process.env): number {
    const text = env[SLOT_WINDOW_VARIABLE];
    if (text === undefined || text === "") return DEFAULT_SLOT_WINDOW;
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) {
        throw new Error(`${SLOT_WINDOW_VARIABLE} is ${JSON.stringify(text)}; expected a whole number of slots from 1 (default ${DEFAULT_SLOT_WINDOW})`);
    }
    return value;
}

/**
 * Calls `declare` for each item in order, with at most `size` of them not yet
 * settled (the promise `declare` returns: the item's registrations answered,
 * or failed). The first window is declared before this returns, so an error
 * thrown there is thrown here, as from a plain loop; an error thrown by a
 * later declaration rejects the returned promise, which resolves once every
 * item is declared.
 */
export function declareInWindow<T>(items: readonly T[], size: number, declare: (item: T) => Promise<unknown>): Promise<void> {
    if (!Number.isSafeInteger(size) || size < 1) throw new Error(`a slot window of ${size}: expected a whole number from 1`);
    let next = 0;
    let inFlight = 0;
    let resolveAll!: () => void;
    let rejectAll!: (error: unknown) => void;
    const allDeclared = new Promise<void>((resolve, reject) => {
        resolveAll = resolve;
        rejectAll = reject;
    });
    const fill = (): void => {
        while (inFlight < size && next < items.length) {
            const item = items[next++] as T;
            inFlight++;
            declare(item).then(settled, settled);
        }
        if (next === items.length) resolveAll();
    };
    const settled = (): void => {
        inFlight--;
        try {
            fill();
        } catch (error) {
            next = items.length;
            rejectAll(error);
        }
    };
    fill();
    return allDeclared;
}
