/**
 * A test-only side channel under `/_fake/` (GitHub has no such endpoints, so
 * it is not checked against the OpenAPI description). A stand-in runner
 * reports what a real runner's connection to GitHub would show.
 *
 * Generic calls (JSON bodies):
 *   POST /_fake/runners/online    the runner connected (status online)
 *   POST /_fake/runners/busy      it took a job (online, busy)
 *   POST /_fake/runners/idle      its job finished and it stays (persistent runners)
 *   POST /_fake/runners/done      its job finished: an ephemeral runner is removed,
 *                                 as GitHub removes it; a persistent one goes idle
 *   POST /_fake/runners/offline   it disconnected
 *   POST /_fake/runners/register  config.sh with a registration token:
 *                                 { "registration_token", "name", "labels"?, "ephemeral"?, "runner_group_id"? }
 *   GET  /_fake/runners?scope=S   the runners of a scope, as the fake holds them
 * The state-changing calls name their runner by `{ "jit_config": "<encoded>" }`,
 * `{ "jitconfigSha256": "<hex>" }`, `{ "scope": "acme/app", "name": "..." }`,
 * `{ "scope": "acme", "runner_id": 7 }`, or `{ "name": "..." }` when that name
 * is unique across scopes.
 *
 * The stand-in runner's own protocol (test/standin-runner, bin/Runner.Listener):
 *   POST /_fake/standin/events { "event": "configured" | "online" | "busy" | "done", "name", ... }
 * "configured" carries `tokenSha256` (sha256 of the registration token, never the
 * token) and the config.sh settings (labels, runnerGroup name, ephemeral); the
 * others map onto the calls above. Every event is kept for the test to read.
 *
 * Answers are JSON: the runner after the change, `{ "removed": true, ... }`
 * for a removed one, or `{ "error": "..." }`.
 */
import { createHash } from "node:crypto";
import { type FakeRunner, type FakeState, type IssuedToken } from "./state";

export const SIDE_CHANNEL_PREFIX = "/_fake";

export interface SideChannelAnswer {
    status: number;
    body: unknown;
}

/** One report a stand-in runner sent to `/_fake/standin/events`. */
export interface StandinEvent {
    event: string;
    name: string;
    [key: string]: unknown;
}

type RunnerAction = "online" | "offline" | "busy" | "idle" | "done";
const RUNNER_ACTIONS = new Set<string>(["online", "offline", "busy", "idle", "done"]);
const STANDIN_EVENTS = "/standin/events";

export function handleSideChannel(
    state: FakeState,
    request: { method: string; path: string; query: URLSearchParams; body: Record<string, unknown>; nowMs: number },
    standinEvents: StandinEvent[],
): SideChannelAnswer {
    const { method, query, body, nowMs } = request;
    const path = request.path.slice(SIDE_CHANNEL_PREFIX.length);
    if (path === STANDIN_EVENTS && method === "POST") return standinEvent(state, body, nowMs, standinEvents);
    if (path === "/runners" && method === "GET") {
        const scope = query.get("scope") ?? "";
        if (!state.hasScope(scope)) return fail(404, `no scope "${scope}"`);
        return { status: 200, body: state.runners(scope) };
    }
    const action = /^\/runners\/([a-z]+)$/.exec(path)?.[1];
    if (method !== "POST" || action === undefined) return fail(404, `no side channel endpoint ${method} ${request.path}`);
    if (action === "register") {
        const token = typeof body.registration_token === "string" ? state.tokens.get(body.registration_token) : undefined;
        return register(state, token, body, nowMs);
    }
    if (!RUNNER_ACTIONS.has(action)) return fail(404, `no side channel endpoint ${method} ${request.path}`);
    return act(state, body, action as RunnerAction, nowMs);
}

function standinEvent(state: FakeState, body: Record<string, unknown>, nowMs: number, events: StandinEvent[]): SideChannelAnswer {
    if (typeof body.event !== "string" || typeof body.name !== "string") return fail(400, "an event needs `event` and `name`");
    events.push(body as StandinEvent);
    switch (body.event) {
        case "configured": {
            const token = [...state.tokens.entries()].find(([text]) => sha256(text) === body.tokenSha256)?.[1];
            const groupId = typeof body.runnerGroup === "string" && token?.scope ? state.runnerGroupId(token.scope, body.runnerGroup) : undefined;
            if (typeof body.runnerGroup === "string" && token?.scope && groupId === undefined) {
                return fail(404, `no runner group named ${body.runnerGroup} in ${token.scope}`);
            }
            return register(state, token, { ...body, runner_group_id: groupId }, nowMs);
        }
        case "online":
        case "busy":
        case "done":
            return act(state, body, body.event, nowMs);
        default:
            return fail(400, `unknown stand-in event ${body.event}`);
    }
}

function act(state: FakeState, body: Record<string, unknown>, action: RunnerAction, nowMs: number): SideChannelAnswer {
    const runner = identify(state, body);
    if (typeof runner === "string") return fail(404, runner);
    runner.lastContactMs = nowMs;
    switch (action) {
        case "online":
            runner.status = "online";
            break;
        case "offline":
            runner.status = "offline";
            runner.busy = false;
            break;
        case "busy":
            runner.status = "online";
            runner.busy = true;
            break;
        case "idle":
            runner.busy = false;
            break;
        case "done":
            runner.busy = false;
            if (runner.ephemeral) {
                state.deleteRunner(runner.scope, runner.id);
                return { status: 200, body: { removed: true, id: runner.id, name: runner.name, scope: runner.scope } };
            }
            break;
        default: {
            const unreachable: never = action;
            throw new Error(`unknown side channel action ${String(unreachable)}`);
        }
    }
    return { status: 200, body: runner };
}

/** The runner a side channel call names, or why it names none. */
function identify(state: FakeState, body: Record<string, unknown>): FakeRunner | string {
    const jitSha = typeof body.jit_config === "string" ? sha256(body.jit_config) : body.jitconfigSha256;
    if (typeof jitSha === "string") {
        return state.findRunnerByJitConfigSha256(jitSha) ?? "no runner holds that JIT config (it was never issued, or its runner is gone)";
    }
    if (typeof body.scope === "string") {
        if (!state.hasScope(body.scope)) return `unknown scope ${body.scope}`;
        const runner =
            typeof body.runner_id === "number"
                ? state.findRunner(body.scope, body.runner_id)
                : typeof body.name === "string"
                  ? state.findRunnerByName(body.scope, body.name)
                  : undefined;
        return runner ?? `no such runner in ${body.scope} (it may have been removed)`;
    }
    if (typeof body.name === "string") {
        const found = state.findRunnersByNameAnywhere(body.name);
        if (found.length === 1) return found[0];
        return found.length === 0 ? `no runner named ${body.name} (it may have been removed)` : `runner name ${body.name} is in several scopes: pass scope`;
    }
    return "name the runner by jit_config, jitconfigSha256, scope with name or runner_id, or a unique name";
}

function register(state: FakeState, token: IssuedToken | undefined, body: Record<string, unknown>, nowMs: number): SideChannelAnswer {
    if (!token || token.kind !== "registration" || token.scope === undefined || (token.expiresAt ?? Infinity) <= nowMs) {
        return fail(401, "registration token unknown or expired");
    }
    if (typeof body.name !== "string" || body.name === "") return fail(400, "name is required");
    const groupId = typeof body.runner_group_id === "number" ? body.runner_group_id : 1;
    if (!state.groupExists(token.scope, groupId)) return fail(404, `no runner group ${groupId} in ${token.scope}`);
    const labels = Array.isArray(body.labels) ? body.labels.filter((l): l is string => typeof l === "string") : [];
    const runner = state.createRunner(token.scope, {
        name: body.name,
        labels,
        runnerGroupId: groupId,
        ephemeral: body.ephemeral === true,
        workFolder: typeof body.workFolder === "string" ? body.workFolder : undefined,
    }, nowMs);
    if (!runner) return fail(409, `a runner named ${body.name} already exists in ${token.scope}`);
    return { status: 201, body: runner };
}

function sha256(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

function fail(status: number, error: string): SideChannelAnswer {
    return { status, body: { error } };
}
