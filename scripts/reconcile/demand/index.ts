/**
 * Demand sources for the reconciler. See README.md here for what GitHub offers,
 * the choice of sources, their API cost and GitHub's write budget.
 *
 *   const source = new WebhookDemandSource({ secret, client, apiUrl, path, port: 8080, host: "0.0.0.0" });
 *   const source = new PollingDemandSource({ client, apiUrl, path, budgetPerMinute: 20 });
 *   await source.start(); source.onChange(...); source.onJobEvent(...); source.snapshot(); source.stats();
 */
export { ApiBudget, DEFAULT_API_BUDGET_PER_MINUTE, quotaCallsPerMinute, rateLimitFromHeaders } from "./api-budget";
export { ManualClock, systemClock } from "./clock";
export type { Clock } from "./clock";
export { DEFAULT_MIN_POLL_INTERVAL_MS, PollingDemandSource } from "./polling-source";
export type { PollingDemandSourceOptions } from "./polling-source";
export { DemandApiError } from "./rest-queue";
export type { DemandLog, DemandSnapshot, DemandSource, JobEvent, QueuedJobGroup } from "./types";
export { DEFAULT_MAX_WEBHOOK_BODY_BYTES, DEFAULT_RESYNC_INTERVAL_MS, DEFAULT_WEBHOOK_PATH, WebhookDemandSource } from "./webhook-source";
export type { WebhookDemandSourceOptions } from "./webhook-source";
