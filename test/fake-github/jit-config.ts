/**
 * The fake's `encoded_jit_config`, shaped like GitHub's: base64 of a JSON
 * object whose members are the files the runner would otherwise write at
 * configuration, each base64 again:
 *
 *   {
 *     ".runner": base64({ "AgentId": 7, "AgentName": "pool-a-1f3c", "PoolId": 1, "PoolName": "Default",
 *                         "GitHubUrl": "http://10.0.2.2:PORT/acme/app", "ServerUrl": "http://10.0.2.2:PORT/_fake",
 *                         "WorkFolder": "_work", "Ephemeral": true, "DisableUpdate": true }),
 *     ".credentials": base64({ "Scheme": "OAuth", "Data": { "clientId": "<uuid>", ... } }),
 *     ".credentials_rsaparams": base64(<random bytes>)
 *   }
 *
 * `GitHubUrl` is the scope's web URL at the fake's advertised origin, so a
 * stand-in runner finds the fake (and its side channel under `/_fake`) from it.
 * The credentials are random filler: the fake identifies a runner by the JIT
 * config's sha256 or by its name, never by these.
 */
import { randomBytes, randomUUID } from "node:crypto";

export interface JitRunnerSettings {
    runnerId: number;
    runnerName: string;
    runnerGroupId: number;
    runnerGroupName: string;
    /** Web URL of the org or repository, e.g. http://10.0.2.2:PORT/acme/app. */
    githubUrl: string;
    /** Where the stand-in reports: the fake's side channel root. */
    serverUrl: string;
    workFolder: string;
}

export function encodeJitConfig(settings: JitRunnerSettings): string {
    const runnerFile = {
        AgentId: settings.runnerId,
        AgentName: settings.runnerName,
        PoolId: settings.runnerGroupId,
        PoolName: settings.runnerGroupName,
        GitHubUrl: settings.githubUrl,
        ServerUrl: settings.serverUrl,
        WorkFolder: settings.workFolder,
        Ephemeral: true,
        DisableUpdate: true,
    };
    const credentials = { Scheme: "OAuth", Data: { clientId: randomUUID(), authorizationUrl: `${settings.serverUrl}/oauth2/token` } };
    const files = {
        ".runner": base64(JSON.stringify(runnerFile)),
        ".credentials": base64(JSON.stringify(credentials)),
        ".credentials_rsaparams": randomBytes(64).toString("base64"),
    };
    return base64(JSON.stringify(files));
}

/** What a test reads back from a JIT config the fake made. */
export interface DecodedJitConfig {
    runner_id: number;
    runner_name: string;
    /** `org` or `owner/repo`: the path of `GitHubUrl`. */
    scope: string;
    runner_group_id: number;
    runner_group_name: string;
    work_folder: string;
    github_url: string;
    /** `ServerUrl`: the side channel root at the advertised origin. */
    side_channel_url: string;
}

/** The settings inside a JIT config the fake made, or undefined for anything else. */
export function decodeJitConfig(encoded: string): DecodedJitConfig | undefined {
    try {
        const files = JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as Record<string, unknown>;
        if (typeof files[".runner"] !== "string") return undefined;
        const runner = JSON.parse(Buffer.from(files[".runner"], "base64").toString("utf8")) as Record<string, unknown>;
        if (typeof runner.AgentId !== "number" || typeof runner.AgentName !== "string" || typeof runner.GitHubUrl !== "string") {
            return undefined;
        }
        return {
            runner_id: runner.AgentId,
            runner_name: runner.AgentName,
            scope: new URL(runner.GitHubUrl).pathname.replace(/^\/+/, ""),
            runner_group_id: Number(runner.PoolId),
            runner_group_name: String(runner.PoolName),
            work_folder: String(runner.WorkFolder),
            github_url: runner.GitHubUrl,
            side_channel_url: String(runner.ServerUrl),
        };
    } catch {
        return undefined;
    }
}

function base64(text: string): string {
    return Buffer.from(text, "utf8").toString("base64");
}
