/**
 * One Octokit client per GitHub connection per process. A GitHub App client
 * caches its installation token, so sharing the client across all slots of a
 * run keeps token minting to one call, not one per slot.
 */
import { createHash } from "node:crypto";
import { createGithubClient, type GithubClient, type GithubClientTuning, type GithubConnection } from "./client";

const clients = new Map<string, GithubClient>();
let tuning: GithubClientTuning = {};

/** Tests lower retry delays; changing the tuning drops the clients made with the old one. */
export function setSharedClientTuning(next: GithubClientTuning): void {
    tuning = next;
    clients.clear();
}

// The key is a digest so no credential is kept as a Map key in readable form.
function connectionKey(connection: GithubConnection): string {
    return createHash("sha256").update(JSON.stringify(connection)).digest("hex");
}

export function sharedGithubClient(connection: GithubConnection): GithubClient {
    const key = connectionKey(connection);
    let client = clients.get(key);
    if (client === undefined) {
        client = createGithubClient(connection, tuning);
        clients.set(key, client);
    }
    return client;
}
