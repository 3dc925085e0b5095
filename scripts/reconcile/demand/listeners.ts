/**
 * The listeners of a demand source. A listener that throws does not stop the
 * others or the source: its error goes to the log.
 */
import type { DemandLog, JobEvent } from "./types";

export class DemandListeners {
    private readonly changeListeners = new Set<() => void>();
    private readonly jobListeners = new Set<(event: JobEvent) => void>();

    constructor(private readonly log: DemandLog | undefined) {}

    onChange(listener: () => void): () => void {
        this.changeListeners.add(listener);
        return () => this.changeListeners.delete(listener);
    }

    onJobEvent(listener: (event: JobEvent) => void): () => void {
        this.jobListeners.add(listener);
        return () => this.jobListeners.delete(listener);
    }

    /** Job events first, then one change notification when the queue changed. */
    emit(events: readonly JobEvent[], queueChanged: boolean): void {
        for (const event of events) {
            for (const listener of [...this.jobListeners]) this.call(() => listener({ ...event, labels: [...event.labels] }), "job event");
        }
        if (queueChanged) for (const listener of [...this.changeListeners]) this.call(listener, "change");
    }

    private call(fn: () => void, what: string): void {
        try {
            fn();
        } catch (error) {
            this.log?.("error", `a demand ${what} listener threw`, { error: error instanceof Error ? error.message : String(error) });
        }
    }
}
