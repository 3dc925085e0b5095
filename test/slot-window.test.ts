import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { declareInWindow, DEFAULT_SLOT_WINDOW, SLOT_WINDOW_VARIABLE, slotWindow } from "../components/slot-window";

/** A declaration that settles when the test says so. */
class Pending {
    readonly declared: number[] = [];
    private readonly settle = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();

    readonly declare = (item: number): Promise<void> => {
        this.declared.push(item);
        return new Promise<void>((resolve, reject) => this.settle.set(item, { resolve, reject }));
    };

    open(): number[] {
        return [...this.settle.keys()];
    }

    async answer(item: number, failure?: Error): Promise<void> {
        const entry = this.settle.get(item);
        assert.ok(entry, `item ${item} is not waiting`);
        this.settle.delete(item);
        if (failure === undefined) entry.resolve();
        else entry.reject(failure);
        await new Promise((resolve) => setImmediate(resolve));
    }
}

describe("declaring slots a window at a time", () => {
    test("the first window is declared at once, the next item when an earlier one is answered, in order", async () => {
        const pending = new Pending();
        let done = false;
        const all = declareInWindow([0, 1, 2, 3, 4], 2, pending.declare).then(() => {
            done = true;
        });
        assert.deepEqual(pending.declared, [0, 1], "the first window, before declareInWindow returns");
        await pending.answer(1);
        assert.deepEqual(pending.declared, [0, 1, 2]);
        assert.deepEqual(pending.open(), [0, 2], "never more than the window open");
        await pending.answer(0);
        await pending.answer(2);
        assert.deepEqual(pending.declared, [0, 1, 2, 3, 4]);
        await all;
        assert.equal(done, true, "resolved once the last item is declared, before it is answered");
        assert.deepEqual(pending.open(), [3, 4]);
    });

    test("a failed registration frees its place like an answered one", async () => {
        const pending = new Pending();
        const all = declareInWindow([0, 1, 2], 1, pending.declare);
        await pending.answer(0, new Error("the engine refused it"));
        await pending.answer(1);
        await all;
        assert.deepEqual(pending.declared, [0, 1, 2]);
    });

    test("an error in the first window is thrown at once; a later one rejects, and nothing more is declared", async () => {
        const throwing = (bad: number) => (item: number): Promise<void> => {
            if (item === bad) throw new Error(`slot ${item} cannot be declared`);
            return Promise.resolve();
        };
        assert.throws(() => declareInWindow([0, 1, 2], 2, throwing(1)), /slot 1 cannot be declared/);

        const declared: number[] = [];
        const later = declareInWindow([0, 1, 2, 3, 4], 2, (item) => {
            declared.push(item);
            return throwing(2)(item);
        });
        await assert.rejects(later, /slot 2 cannot be declared/);
        await new Promise((resolve) => setImmediate(resolve));
        assert.deepEqual(declared, [0, 1, 2], "nothing after the failed declaration");
    });

    test("no items: resolved; a window below 1 is refused", async () => {
        await declareInWindow([], 3, () => Promise.resolve());
        assert.throws(() => declareInWindow([1], 0, () => Promise.resolve()), /a slot window of 0: expected a whole number from 1/);
    });
});

describe(`${SLOT_WINDOW_VARIABLE}`, () => {
    test("unset or empty: the default; a whole number: that; anything else: one clear error", () => {
        assert.equal(slotWindow({}), DEFAULT_SLOT_WINDOW);
        assert.equal(slotWindow({ [SLOT_WINDOW_VARIABLE]: "" }), DEFAULT_SLOT_WINDOW);
        assert.equal(slotWindow({ [SLOT_WINDOW_VARIABLE]: "25" }), 25);
        for (const bad of ["0", "-3", "2.5", "ten", "1e3"]) {
            assert.throws(
                () => slotWindow({ [SLOT_WINDOW_VARIABLE]: bad }),
                new RegExp(`^Error: ${SLOT_WINDOW_VARIABLE} is "${bad.replace(".", "\\.")}"; expected a whole number of slots from 1 \\(default ${DEFAULT_SLOT_WINDOW}\\)$`),
            );
        }
    });
});
