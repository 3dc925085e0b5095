/**
 * The webhook demand source: an HTTP receiver (node:http) for GitHub's
 * `workflow_job` deliveries, plus a REST rebuild of the queue on start (so a
 * restart loses nothing it knew) and a periodic REST re-sync (GitHub does not
 * redeliver failed deliveries by itself: docs.github.com webhooks/using-webhooks/
 * handling-failed-webhook-deliveries).
 *
 * Answers, in order of the checks:
 *   404 other paths; 405 other methods; 413 bodies over maxBodyBytes;
 *   401 a missing or wrong X-Hub-Signature-256 (nothing is recorded, not even the delivery id);
 *   415 a body that is not application/json (GitHub's "form" content type; @octokit/webhooks'
 *       own middleware answers 415 too, @octokit/webhooks 14.2.0 dist-src/middleware/create-middleware.js);
 *   400 a missing X-GitHub-Event or X-GitHub-Delivery, or an unreadable payload;
 *   200 everything else: ping, other events (ignored), a repeated delivery id (duplicate),
 *       and workflow_job deliveries (applied).
 * GitHub wants a 2XX within 10 seconds (best-practices-for-using-webhooks); every
 * answer here is computed in memory.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type DemandSnapshot } from "../../../components/demand/snapshot";
import type { GithubClient } from "../../../components/github/client";
import type { GithubPath } from "../../../components/github/paths";
import { ApiBudget, DEFAULT_API_BUDGET_PER_MINUTE } from "./api-budget";
import { type Clock, systemClock } from "./clock";
import { DeliveryIds } from "./delivery-ids";
import { JobTable } from "./job-table";
import { DemandListeners } from "./listeners";
import { RestQueueLister } from "./rest-queue";
import { SignatureVerifier } from "./signature";
import type { DemandLog, DemandSource, JobEvent } from "./types";
import { readWorkflowJobPayload } from "./workflow-job-payload";

/** A workflow_job payload is a few KiB; the limit bounds what an unauthenticated sender can make us hold. */
export const DEFAULT_MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;
export const DEFAULT_RESYNC_INTERVAL_MS = 10 * 60_000;
export const DEFAULT_WEBHOOK_PATH = "/webhook";

export interface WebhookDemandSourceOptions {
    /** The secret set on the GitHub webhook. */
    secret: string;
    /** Also accepted (rotation): the previous secret while GitHub still signs with it. */
    additionalSecrets?: readonly string[];
    /** For the REST rebuild and re-sync. */
    client: GithubClient;
    apiUrl: string;
    path: GithubPath;
    /** Listening address; default 127.0.0.1 (put a TLS-terminating proxy in front, GitHub recommends HTTPS). */
    host?: string;
    /** Default 0: a free port (see `url`). */
    port?: number;
    /** URL path of the receiver; default /webhook. */
    webhookPath?: string;
    /** REST calls per minute for rebuild and re-sync; default as the polling source. */
    budgetPerMinute?: number;
    /** A full REST re-sync this often; 0 turns it off. Default 10 minutes. */
    resyncIntervalMs?: number;
    maxBodyBytes?: number;
    /** How many delivery ids are remembered for de-duplication; default 10,000. */
    rememberedDeliveries?: number;
    /** Organization only: the repositories the REST rebuild reads instead of all of them. */
    repositories?: readonly string[];
    rateLimitReserveFraction?: number;
    clock?: Clock;
    log?: DemandLog;
}

type Answer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };

export class WebhookDemandSource implements DemandSource {
    private readonly clock: Clock;
    private readonly budget: ApiBudget;
    private readonly lister: RestQueueLister;
    private readonly table: JobTable;
    private readonly deliveries: DeliveryIds;
    private readonly listeners: DemandListeners;
    private readonly webhookPath: string;
    private readonly maxBodyBytes: number;
    private readonly resyncIntervalMs: number;
    private readonly abort = new AbortController();
    private verifier: SignatureVerifier | undefined;
    private server: Server | undefined;
    private resyncLoop: Promise<void> | undefined;
    private started = false;
    private readonly counters = {
        deliveriesAccepted: 0,
        deliveriesRejected: 0,
        deliveriesDuplicate: 0,
        deliveriesIgnored: 0,
        deliveriesMalformed: 0,
        pings: 0,
        resyncs: 0,
        resyncFailures: 0,
        queueChanges: 0,
    };

    constructor(private readonly options: WebhookDemandSourceOptions) {
        this.clock = options.clock ?? systemClock;
        this.webhookPath = options.webhookPath ?? DEFAULT_WEBHOOK_PATH;
        if (!this.webhookPath.startsWith("/")) throw new Error(`webhookPath must start with "/", got "${this.webhookPath}"`);
        this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_WEBHOOK_BODY_BYTES;
        this.resyncIntervalMs = options.resyncIntervalMs ?? DEFAULT_RESYNC_INTERVAL_MS;
        if (!Number.isFinite(this.resyncIntervalMs) || this.resyncIntervalMs < 0) {
            throw new Error(`resyncIntervalMs must be 0 (off) or a positive number of milliseconds, got ${options.resyncIntervalMs}`);
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
        });
        this.table = new JobTable({ now: () => this.clock.now() });
        this.deliveries = new DeliveryIds(options.rememberedDeliveries ?? 10_000);
        this.listeners = new DemandListeners(options.log);
    }

    /**
     * Listens first, so no delivery is refused while the queue is rebuilt (GitHub
     * would not send it again), then rebuilds the queue from REST; deliveries that
     * arrive meanwhile are kept (the rebuild never moves a job backwards). Fails,
     * closing the receiver, when GitHub cannot be read.
     */
    async start(): Promise<void> {
        if (this.started) throw new Error("this webhook demand source was already started");
        this.started = true;
        this.verifier = await SignatureVerifier.create([this.options.secret, ...(this.options.additionalSecrets ?? [])]);
        const server = createServer((req, res) => void this.handle(req, res));
        this.server = server;
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", () => {
                server.off("error", reject);
                resolve();
            });
        });
        try {
            await this.resync();
        } catch (error) {
            await this.closeServer();
            throw error;
        }
        if (this.resyncIntervalMs > 0) this.resyncLoop = this.runResyncs();
    }

    async stop(): Promise<void> {
        this.abort.abort();
        await this.resyncLoop;
        await this.closeServer();
    }

    /** Where GitHub should deliver: http://HOST:PORT/PATH (behind your TLS proxy). */
    get url(): string {
        const address = this.server?.address() as AddressInfo | null | undefined;
        if (!address) throw new Error("the webhook receiver is not listening; call start() first");
        const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
        return `http://${host}:${address.port}${this.webhookPath}`;
    }

    snapshot(): DemandSnapshot {
        if (this.table.expire()) this.counters.queueChanges++;
        return { version: 1, observedAt: new Date(this.clock.now()).toISOString(), queued: this.table.queuedGroups() };
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
            rememberedDeliveries: this.deliveries.size,
            queuedJobs: this.table.count("queued"),
            runningJobs: this.table.count("in_progress"),
            trackedJobs: this.table.count(),
        };
    }

    private async runResyncs(): Promise<void> {
        const signal = this.abort.signal;
        while (!signal.aborted) {
            await this.clock.sleep(this.resyncIntervalMs, signal);
            if (signal.aborted) return;
            try {
                await this.resync();
            } catch (error) {
                this.counters.resyncFailures++;
                this.options.log?.("warn", "re-reading GitHub's job queue failed; webhooks still apply, the next re-sync tries again", {
                    error: error instanceof Error ? error.message : String(error),
                });
            }
        }
    }

    private async resync(): Promise<void> {
        const listing = await this.lister.list(this.abort.signal);
        if (listing === undefined) return;
        this.counters.resyncs++;
        const result = this.table.applyListing(listing.jobs, listing.startedAtMs);
        const expired = this.table.expire();
        if (result.queueChanged || expired) this.counters.queueChanges++;
        if (result.dropped.length > 0) {
            this.options.log?.("info", "jobs no longer queued or running on GitHub were dropped (their deliveries were missed)", { jobs: result.dropped.length });
        }
        this.listeners.emit(result.events, result.queueChanged || expired);
    }

    private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        let answer: Answer;
        try {
            answer = await this.answer(req);
        } catch (error) {
            this.options.log?.("error", "the webhook receiver failed on a request", { error: error instanceof Error ? error.message : String(error) });
            answer = { status: 500, body: { error: "internal error" } };
        }
        if (res.headersSent) return;
        res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers }).end(`${JSON.stringify(answer.body)}\n`);
    }

    private async answer(req: IncomingMessage): Promise<Answer> {
        const pathname = new URL(req.url ?? "/", "http://receiver").pathname;
        if (pathname !== this.webhookPath) return { status: 404, body: { error: `no receiver at ${pathname}; GitHub should deliver to ${this.webhookPath}` } };
        if (req.method !== "POST") return { status: 405, body: { error: "webhook deliveries are POST requests" }, headers: { allow: "POST" } };
        const body = await readBounded(req, this.maxBodyBytes);
        if (body === undefined) {
            this.counters.deliveriesRejected++;
            return { status: 413, body: { error: `the body is over ${this.maxBodyBytes} bytes` }, headers: { connection: "close" } };
        }
        const signature = header(req, "x-hub-signature-256");
        if (!(await this.verifier?.verify(body, signature))) {
            this.counters.deliveriesRejected++;
            this.options.log?.("warn", "refused a webhook delivery without a valid signature", { signaturePresent: signature !== undefined });
            return { status: 401, body: { error: signature === undefined ? "X-Hub-Signature-256 is missing" : "X-Hub-Signature-256 does not match the payload and secret" } };
        }
        const contentType = header(req, "content-type") ?? "";
        if (!/^\s*application\/json\s*(;|$)/i.test(contentType)) {
            this.counters.deliveriesMalformed++;
            return { status: 415, body: { error: 'expected Content-Type application/json (set the webhook\'s content type to "application/json")' } };
        }
        const event = header(req, "x-github-event");
        const deliveryId = header(req, "x-github-delivery");
        if (event === undefined || deliveryId === undefined) {
            this.counters.deliveriesMalformed++;
            return { status: 400, body: { error: "X-GitHub-Event and X-GitHub-Delivery are required" } };
        }
        if (this.deliveries.has(deliveryId)) {
            this.counters.deliveriesDuplicate++;
            return { status: 200, body: { duplicate: deliveryId } };
        }
        if (event === "ping") {
            this.deliveries.remember(deliveryId);
            this.counters.pings++;
            return { status: 200, body: { pong: true } };
        }
        if (event !== "workflow_job") {
            this.deliveries.remember(deliveryId);
            this.counters.deliveriesIgnored++;
            return { status: 200, body: { ignored: `event ${event}` } };
        }
        let payload: unknown;
        try {
            payload = JSON.parse(body);
        } catch {
            this.counters.deliveriesMalformed++;
            return { status: 400, body: { error: "the payload is not JSON" } };
        }
        const reading = readWorkflowJobPayload(payload, this.clock.now());
        if (reading.kind === "malformed") {
            this.counters.deliveriesMalformed++;
            return { status: 400, body: { error: reading.reason } };
        }
        this.deliveries.remember(deliveryId);
        if (reading.kind === "ignored") {
            this.counters.deliveriesIgnored++;
            return { status: 200, body: { ignored: reading.reason } };
        }
        this.counters.deliveriesAccepted++;
        const result = this.table.observe(reading.observation);
        if (result.queueChanged) this.counters.queueChanges++;
        this.listeners.emit(result.event ? [result.event] : [], result.queueChanged);
        return { status: 200, body: { accepted: deliveryId } };
    }

    private async closeServer(): Promise<void> {
        const server = this.server;
        if (!server?.listening) return;
        server.closeAllConnections();
        await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    }
}

function header(req: IncomingMessage, name: string): string | undefined {
    const value = req.headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    return text === undefined || text === "" ? undefined : text;
}

/** The body as UTF-8 text, or undefined once it passes `limit` bytes (the rest is not kept). */
function readBounded(req: IncomingMessage, limit: number): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let over = false;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > limit) over = true;
            if (!over) chunks.push(chunk);
        });
        req.on("end", () => resolve(over ? undefined : Buffer.concat(chunks).toString("utf8")));
        req.on("error", reject);
    });
}
