/**
 * The one place the reconciler builds its demand source (scripts/reconcile/demand,
 * built beside it): `workflow_job` webhooks, or outbound-only polling. The
 * GitHub connection is the stack's own (its config), through the project's
 * Octokit client.
 */
import { createGithubClient, type GithubClient } from "../../components/github/client";
import { PollingDemandSource, WebhookDemandSource, type DemandLog, type DemandSource } from "./demand";
import type { StackSettings } from "./stack-settings";

export type DemandMode =
    | { kind: "webhook"; host: string; port: number; secret: string; budgetPerMinute?: number }
    | { kind: "poll"; budgetPerMinute?: number };

export interface DemandBinding {
    source: DemandSource;
    /** Where the webhook receiver listens (webhook mode). */
    describe(): string;
}

export function githubClientFor(settings: StackSettings): GithubClient {
    return createGithubClient({ apiUrl: settings.github.apiUrl, auth: settings.github.auth });
}

export function createDemandSource(mode: DemandMode, settings: StackSettings, client: GithubClient, log: DemandLog): DemandBinding {
    const common = { client, apiUrl: settings.github.apiUrl, path: settings.github.path, log };
    switch (mode.kind) {
        case "webhook": {
            const source = new WebhookDemandSource({
                ...common,
                secret: mode.secret,
                host: mode.host,
                port: mode.port,
                ...(mode.budgetPerMinute !== undefined ? { budgetPerMinute: mode.budgetPerMinute } : {}),
            });
            return { source, describe: () => `webhook receiver at ${source.url}` };
        }
        case "poll": {
            const source = new PollingDemandSource({ ...common, ...(mode.budgetPerMinute !== undefined ? { budgetPerMinute: mode.budgetPerMinute } : {}) });
            return { source, describe: () => "polling GitHub for queued jobs" };
        }
        default: {
            const unknown: never = mode;
            throw new Error(`unknown demand mode ${JSON.stringify(unknown)}`);
        }
    }
}
