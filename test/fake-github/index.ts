/**
 * A fake GitHub for tests: a stateful local HTTP server for the self-hosted
 * runner REST endpoints (org and repo scopes), whose every request and
 * response is checked against GitHub's OpenAPI description (@octokit/openapi).
 *
 *   const fake = await FakeGithub.start({ basePath?: "" | "/api/v3", spec?, host?, port?, advertisedOrigin? });
 *   fake.apiUrl                       // http://127.0.0.1:PORT or http://127.0.0.1:PORT/api/v3
 *   fake.addToken("ghp_x")            // a personal access token the fake accepts
 *   fake.addOrg("acme"); fake.addRepo("acme", "app")   // scopes, keyed "acme" and "acme/app"
 *   fake.addRunnerGroup("acme", "linux") -> id          // every org also has "Default", id 1
 *   fake.addApp({ appId, installationId, publicKeyPem }) // App JWTs verified with this key
 *   fake.runners(scope) / fake.runner(scope, name)      // copies of the state
 *   fake.setRunner(scope, name, { status?, busy? }); fake.removeRunner(scope, name)
 *   fake.addRunners(scope, n, prefix?, options?)        // `${prefix}-1..n`
 *   await fake.waitForRunner(scope, name, (r) => r?.status === "online", timeoutMs?)  // undefined = gone
 *   fake.setDownloads(list); fake.advanceTime(ms)       // fake clock: token expiry, stale runner removal
 *   fake.failNext({ method: "POST", path: /generate-jitconfig/ }, { status: 503 }, times?)
 *   fake.failNext({ path: /runners$/ }, { status: 403, rateLimit: "primary" | "secondary", retryAfterSeconds? })
 *   fake.pendingFailures() / fake.clearFailures()
 *   fake.requests / fake.writes()     // recorded API calls: method, path (no base path), query, status, operationId
 *   fake.contractViolations / fake.assertNoContractViolations() / fake.clearContractViolations()
 *   fake.corruptNextResponse(fn)      // the fake's own tests: prove a wrong response is caught
 *   fake.sideChannelUrl               // test-only endpoints for stand-in runners, see side-channel.ts
 *
 * GitHub Actions (actions-controller.ts), for demand tests:
 *   await fake.actions.queueJobs({ repo: "acme/app", labels: ["self-hosted", "linux"], count?, status?: "waiting" })
 *   await fake.actions.approveJob(id) / startJob(id, runnerName) / dispatchQueuedJobs() / completeJob(id, conclusion?) / cancelJob(id)
 *   fake.actions.jobs(repo?) / job(id)                   // copies of the state
 *   await fake.actions.addWebhook({ scope: "acme" | "acme/app", url, secret, events? })  // pings it first
 *   fake.actions.deliveries                               // every webhook delivery: id, headers, body, attempts
 *   fake.actions.pauseDeliveries(); await releaseDeliveries("made" | "reverse"); dropDeliveries()
 *   await fake.actions.redeliver(deliveryId); fake.actions.setWebhookSecret(hookId, secret)
 *   fake.actions.corruptNextWebhookPayload(fn)           // the fake's own tests
 * Every webhook payload and its headers are checked against GitHub's webhook
 * description (@octokit/openapi-webhooks) before sending; a mismatch is a contract
 * violation and throws.
 *   fake.standinEvents                // what test/standin-runner's Runner.Listener reported
 *   await fake.stop()
 *
 * Served operations (both scopes): registration-token, remove-token,
 * generate-jitconfig, list/get/delete runners, downloads; org runner groups;
 * POST /app/installations/{id}/access_tokens (RS256 JWT); workflow runs of a
 * repository (status filter), jobs of a run, one job, repositories of an org.
 *
 * Contract rules: a request to an operation the description lacks, a bad path,
 * query or body, or a response whose status the operation does not declare or
 * whose body does not match its schema is recorded as a violation and answered
 * 500 naming the mismatch. Statuses GitHub may give on any operation (401, 403,
 * 404, 429, 5xx) are allowed undeclared, with a basic-error body. Injected
 * failures are checked too: injecting 409 on an operation that never answers
 * 409 is itself a violation. Unknown query parameters count as violations.
 *
 * `encoded_jit_config` is shaped like GitHub's (base64 JSON of the runner's
 * `.runner`/`.credentials` files), described in jit-config.ts; its `GitHubUrl`
 * points at the advertised origin, so a stand-in runner finds the side channel.
 */
export { FakeGithub } from "./fake-github";
export type { FakeActions, QueueJobsOptions } from "./actions-controller";
export type { FakeJob, FakeJobConclusion, FakeJobStatus } from "./actions-state";
export { webhookSignature256 } from "./webhook-deliveries";
export type { DeliveryAttempt, WebhookDelivery } from "./webhook-deliveries";
export type { ContractViolation, FakeGithubOptions, RecordedRequest, RunnerChange } from "./fake-github";
export type { InjectedFailure, RequestPattern } from "./failures";
export { decodeJitConfig, encodeJitConfig } from "./jit-config";
export type { DecodedJitConfig, JitRunnerSettings } from "./jit-config";
export type { SpecName } from "./openapi-spec";
export { SIDE_CHANNEL_PREFIX } from "./side-channel";
export type { StandinEvent } from "./side-channel";
export { DEFAULT_RUNNER_GROUP_ID } from "./state";
export type { FakeApp, FakeRunner, RunnerDownload, RunnerStatus } from "./state";
export { defaultRunnerDownloads, DEFAULT_RUNNER_VERSION } from "./default-downloads";
