/**
 * Webhook deliveries as GitHub makes them (docs.github.com webhooks/
 * webhook-events-and-payloads, "Delivery headers"; webhooks/using-webhooks/
 * validating-webhook-deliveries): an HTTP POST of the JSON payload with
 * X-GitHub-Event, X-GitHub-Delivery (a GUID), X-GitHub-Hook-ID,
 * X-GitHub-Hook-Installation-Target-ID/-Type, a `GitHub-Hookshot/` User-Agent
 * and, when the hook has a secret, X-Hub-Signature-256 = "sha256=" + the HMAC-SHA256
 * hex digest of the body under the secret (X-Hub-Signature, the SHA-1 one, too).
 * A redelivery carries the original X-GitHub-Delivery (best-practices-for-using-
 * webhooks). GitHub gives the receiver 10 seconds and does not retry by itself.
 *
 * Every delivery is checked against GitHub's webhook description
 * (webhook-schema.ts) before it is sent; one that does not match is not sent, is
 * recorded as a contract violation, and makes the call that caused it throw.
 */
import { AssertionError } from "node:assert";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { WebhookContract } from "./webhook-schema";

/** GitHub's delivery timeout for github.com (best-practices-for-using-webhooks, "Respond within 10 seconds"). */
const DELIVERY_TIMEOUT_MS = 10_000;
const HOOKSHOT_VERSION = randomBytes(4).toString("hex").slice(0, 7);

export interface FakeWebhook {
    id: number;
    /** An organization (`acme`) or a repository (`acme/app`): the events it hears. */
    scope: string;
    url: string;
    /**
     * Required: GitHub's webhook description lists X-Hub-Signature-256 as a header
     * every delivery carries, and GitHub sends it only for hooks with a secret.
     */
    secret: string;
    events: string[];
}

export interface DeliveryAttempt {
    /** The receiver's HTTP status, if it answered within the timeout. */
    status?: number;
    /** Why there was no answer (connection refused, timeout). */
    error?: string;
    redelivery: boolean;
}

export interface WebhookDelivery {
    /** X-GitHub-Delivery. */
    id: string;
    hookId: number;
    event: string;
    action?: string;
    /** The exact body sent (and signed). */
    body: string;
    headers: Record<string, string>;
    /** Empty while the delivery is held (see pause). */
    attempts: DeliveryAttempt[];
}

/** The HMAC hex digest GitHub puts after `sha256=` (validating-webhook-deliveries). */
export function webhookSignature256(secret: string, body: string): string {
    return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

function signatureHeaders(secret: string, body: string): Record<string, string> {
    return {
        "x-hub-signature-256": webhookSignature256(secret, body),
        "x-hub-signature": `sha1=${createHmac("sha1", secret).update(body, "utf8").digest("hex")}`,
    };
}

export interface WebhookEmitterOptions {
    contract: () => WebhookContract;
    reportViolation: (violation: { path: string; operationId: string; problems: string[] }) => void;
}

export class WebhookEmitter {
    private readonly hooks: FakeWebhook[] = [];
    private readonly all: WebhookDelivery[] = [];
    private readonly held: WebhookDelivery[] = [];
    private readonly corruptions: ((payload: Record<string, unknown>) => unknown)[] = [];
    private nextHookId = 400_000_001;
    private paused = false;

    constructor(private readonly options: WebhookEmitterOptions) {}

    addHook(hook: Omit<FakeWebhook, "id">): FakeWebhook {
        const added = { ...hook, events: [...hook.events], id: this.nextHookId++ };
        this.hooks.push(added);
        return { ...added, events: [...added.events] };
    }

    /** Changes a hook's secret, as an owner rotating it in the webhook's settings. */
    setSecret(id: number, secret: string): void {
        const hook = this.hooks.find((h) => h.id === id);
        if (!hook) throw new Error(`fake GitHub has no webhook ${id}`);
        hook.secret = secret;
    }

    removeHook(id: number): void {
        const index = this.hooks.findIndex((hook) => hook.id === id);
        if (index < 0) throw new Error(`fake GitHub has no webhook ${id}`);
        this.hooks.splice(index, 1);
    }

    hook(id: number): FakeWebhook | undefined {
        return this.hooks.find((hook) => hook.id === id);
    }

    /** Hooks that hear an event of `event` in repository `repoScope`: the repository's own and its organization's. */
    hooksFor(repoScope: string, event: string): FakeWebhook[] {
        const owner = repoScope.split("/")[0];
        return this.hooks.filter((hook) => (hook.scope === repoScope || hook.scope === owner) && (hook.events.includes(event) || hook.events.includes("*")));
    }

    get deliveries(): readonly WebhookDelivery[] {
        return this.all;
    }

    /** Deliveries made from now on are held (recorded, not sent) until `release` or `drop`. */
    pause(): void {
        this.paused = true;
    }

    /** Sends the held deliveries in the order given (default: as they were made) and resumes sending. */
    async release(order: "made" | "reverse" = "made"): Promise<WebhookDelivery[]> {
        this.paused = false;
        const batch = this.held.splice(0, this.held.length);
        if (order === "reverse") batch.reverse();
        for (const delivery of batch) await this.send(delivery, false);
        return batch;
    }

    /** Forgets the held deliveries, as if the receiver had been down (GitHub does not retry them). */
    drop(): WebhookDelivery[] {
        this.paused = false;
        return this.held.splice(0, this.held.length);
    }

    get heldCount(): number {
        return this.held.length;
    }

    /** The fake's own tests: the next payload passes through `corrupt` before it is checked. */
    corruptNext(corrupt: (payload: Record<string, unknown>) => unknown): void {
        this.corruptions.push(corrupt);
    }

    /**
     * Makes one delivery of `payload` per hook (checked first), and sends them
     * unless paused. Returns the deliveries made.
     */
    async emit(hooks: FakeWebhook[], event: string, payload: Record<string, unknown>, target: { id: number; type: "repository" | "organization" }[]): Promise<WebhookDelivery[]> {
        const made: WebhookDelivery[] = [];
        for (const [i, hook] of hooks.entries()) {
            const corrupt = this.corruptions.shift();
            const body = JSON.stringify(corrupt ? corrupt(structuredClone(payload)) : payload);
            const delivery = this.make(hook, event, body, target[i] ?? target[0]);
            made.push(delivery);
            if (this.paused) this.held.push(delivery);
            else await this.send(delivery, false);
        }
        return made;
    }

    /** Sends a delivery again with its original X-GitHub-Delivery id. */
    async redeliver(deliveryId: string): Promise<DeliveryAttempt> {
        const delivery = this.all.find((d) => d.id === deliveryId);
        if (!delivery) throw new Error(`fake GitHub made no delivery ${deliveryId}`);
        return this.send(delivery, true);
    }

    private make(hook: FakeWebhook, event: string, body: string, target: { id: number; type: "repository" | "organization" }): WebhookDelivery {
        const payload = JSON.parse(body) as Record<string, unknown>;
        const action = typeof payload.action === "string" ? payload.action : undefined;
        const headers: Record<string, string> = {
            "content-type": "application/json",
            "user-agent": `GitHub-Hookshot/${HOOKSHOT_VERSION}`,
            "x-github-event": event,
            "x-github-delivery": randomUUID(),
            "x-github-hook-id": String(hook.id),
            "x-github-hook-installation-target-id": String(target.id),
            "x-github-hook-installation-target-type": target.type,
        };
        Object.assign(headers, signatureHeaders(hook.secret, body));
        const problems = this.options.contract().check(event, action, headers, payload);
        if (problems.length > 0) {
            const operationId = `webhook ${event}${action ? `.${action}` : ""}`;
            this.options.reportViolation({ path: new URL(hook.url).pathname, operationId, problems });
            throw new AssertionError({ message: `fake GitHub built a ${operationId} delivery that does not match GitHub's webhook description: ${problems.join("; ")}` });
        }
        const delivery: WebhookDelivery = { id: headers["x-github-delivery"], hookId: hook.id, event, action, body, headers, attempts: [] };
        this.all.push(delivery);
        return delivery;
    }

    private async send(delivery: WebhookDelivery, redelivery: boolean): Promise<DeliveryAttempt> {
        const hook = this.hook(delivery.hookId);
        const attempt: DeliveryAttempt = { redelivery };
        if (!hook) {
            attempt.error = "the webhook was removed";
        } else {
            try {
                // Signed when sent, with the hook's secret of that moment.
                Object.assign(delivery.headers, signatureHeaders(hook.secret, delivery.body));
                const response = await fetch(hook.url, {
                    method: "POST",
                    headers: delivery.headers,
                    body: delivery.body,
                    signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
                });
                await response.arrayBuffer();
                attempt.status = response.status;
            } catch (error) {
                const cause = (error as { cause?: { code?: string } }).cause?.code;
                attempt.error = cause ?? (error instanceof Error ? error.name : String(error));
            }
        }
        delivery.attempts.push(attempt);
        return attempt;
    }
}
