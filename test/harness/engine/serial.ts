/**
 * One-at-a-time sections: the engine's step generator handles one registration event at a time
 * (Check and Diff run inline unless ParallelDiff is on), while the steps it emits (creates,
 * updates) run in parallel. Serial.run gives the first part that order.
 */
export class Serial {
    private tail: Promise<unknown> = Promise.resolve();

    run<T>(section: () => Promise<T>): Promise<T> {
        const result = this.tail.then(section, section);
        this.tail = result.catch(() => undefined);
        return result;
    }
}
