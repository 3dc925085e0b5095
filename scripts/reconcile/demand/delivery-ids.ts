/**
 * The X-GitHub-Delivery ids already handled. A redelivery carries the id of
 * the original delivery (docs.github.com webhooks/using-webhooks/best-practices-
 * for-using-webhooks, "Use the X-GitHub-Delivery header"), so a seen id is a
 * duplicate. Bounded: the oldest ids are forgotten first. GitHub keeps deliveries
 * for redelivery for 3 days (7 on GHES; docs data/variables/webhooks.yml); the job
 * table's forward-only rule covers a redelivery older than the remembered ids.
 */
export class DeliveryIds {
    private readonly ids = new Set<string>();

    constructor(private readonly capacity = 10_000) {
        if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`delivery id capacity must be a positive whole number, got ${capacity}`);
    }

    has(id: string): boolean {
        return this.ids.has(id);
    }

    remember(id: string): void {
        if (this.ids.has(id)) return;
        this.ids.add(id);
        if (this.ids.size > this.capacity) {
            const oldest = this.ids.values().next().value;
            if (oldest !== undefined) this.ids.delete(oldest);
        }
    }

    get size(): number {
        return this.ids.size;
    }
}
