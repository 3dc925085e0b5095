/**
 * A test-only side channel under `/_fake/` (GitHub has no such endpoints, so
 * it is not checked against the OpenAPI description). A stand-in runner
 * process reports what a real runner's connection to GitHub would show:
 *
 *   POST /_fake/runners/online    the runner connected (status online)
 *   POST /_fake/runners/busy      it took a job (online, busy)
 *   POST /_fake/runners/idle      its job finished, it stays (persistent runners)
 *   POST /_fake/runners/done      its job finished: an ephemeral runner is removed
 *                                 as GitHub removes it; a persistent one goes idle
 *   POST /_fake/runners/offline   it disconnected
 *   POST /_fake/runners/register  config.sh with a registration token:
 *                                 { "registration_token", "name", "labels"?, "ephemeral"?, "runner_group_id"? }
 *   GET  /_fake/runners?scope=S   the runners of a scope, as the fake holds them
 *
 * The state-changing calls name their runner by the JIT config it was given,
 * `{ "jit_config": "<encoded_jit_config>" }`, or by `{ "scope": "acme/app", "name": "..." }`
 * or `{ "scope": "acme", "runner_id": 7 }`. Answers are JSON: the runner after
 * the change, `{ "removed": true, ... }` for a removed one, or `{ "error": "..." }`.
 */
import { decodeJitConfig } from "./jit-config";
import { DEFAULT_RUNNER_GROUP_ID, type FakeRunner, type FakeState } from "./state";

export const SIDE_CHANNEL_PREFIX = "/_fake";

export interface SideChannelAnswer {
    status: number;
    body: unknown;
}

type RunnerAction = "online" | "offline" | "busy" | "idle" | "done";
const RUNNER_ACTIONS = new Set<string>(["online", "offline", "busy", "idle", "done"]);

export function handleSideChannel(
    state: FakeState,
    method: string,
    path: string,
    query: URLSearchParams,
    body: Record<string, unknown>,
    nowMs: number,
): SideChannelAnswer {
    const action = path.slice(`${SIDE_CHANNEL_PREFIX}/runners`.length).replace(/^\//, "");
    if (!path.startsWith(`${SIDE_CHANNEL_PREFIX}/runners`)) return fail(404, `no side channel endpoint ${path}`);
    if (method === "GET" && action === "") {
        const scope = query.get("scope") ?? "";
        if (!state.hasScope(scope)) return fail(404, `no scope "${scope}"`);
        return { status: 200, body: state.runners(scope) };
    }
    if (method !== "POST") return fail(405, `${method} is not served on ${path}`);
    if (action === "register") return register(state, body, nowMs);
    if (!RUNNER_ACTIONS.has(action)) return fail(404, `no side channel endpoint ${path}`);
    const runner = identify(state, body);
    if (typeof runner === "string") return fail(404, runner);
    return apply(state, runner, action as RunnerAction);
}

function apply(state: FakeState, runner: FakeRunner, action: RunnerAction): SideChannelAnswer {
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
    let scope = body.scope;
    let id = body.runner_id;
    if (typeof body.jit_config === "string") {
        const config = decodeJitConfig(body.jit_config);
        if (!config) return "jit_config is not one this fake issued";
        scope = config.scope;
        id = config.runner_id;
    }
    if (typeof scope !== "string" || !state.hasScope(scope)) return `unknown scope ${JSON.stringify(scope)}`;
    const runner =
        typeof id === "number"
            ? state.findRunner(scope, id)
            : typeof body.name === "string"
              ? state.findRunnerByName(scope, body.name)
              : undefined;
    return runner ?? `no such runner in ${scope} (it may have been removed)`;
}

function register(state: FakeState, body: Record<string, unknown>, nowMs: number): SideChannelAnswer {
    const token = typeof body.registration_token === "string" ? state.tokens.get(body.registration_token) : undefined;
    if (!token || token.kind !== "registration" || token.scope === undefined || (token.expiresAt ?? Infinity) <= nowMs) {
        return fail(401, "registration token unknown or expired");
    }
    if (typeof body.name !== "string" || body.name === "") return fail(400, "name is required");
    const groupId = typeof body.runner_group_id === "number" ? body.runner_group_id : DEFAULT_RUNNER_GROUP_ID;
    if (!state.groupExists(token.scope, groupId)) return fail(404, `no runner group ${groupId} in ${token.scope}`);
    const labels = Array.isArray(body.labels) ? body.labels.filter((l): l is string => typeof l === "string") : [];
    const runner = state.createRunner(token.scope, {
        name: body.name,
        labels,
        runnerGroupId: groupId,
        ephemeral: body.ephemeral === true,
    });
    if (!runner) return fail(409, `a runner named ${body.name} already exists in ${token.scope}`);
    return { status: 201, body: runner };
}

function fail(status: number, error: string): SideChannelAnswer {
    return { status, body: { error } };
}
