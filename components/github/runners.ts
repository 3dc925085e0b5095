/**
 * Reading and removing self-hosted runners of an org or repo, and finding a
 * runner group's id. The paginated listing is shared per process per
 * (API URL, path), so the diffs of all slots in one run cost pages of runners,
 * not one call per runner.
 */
import type { GithubClient } from "./client";
import { githubCallError, GithubRunnerBusyError, GithubRunnerGroupNotFoundError, isHttpStatus } from "./errors";
import { formatGithubPath, type GithubPath } from "./paths";
import { scopeEndpoint } from "./scope";

/** What the registration layer needs to know about a runner GitHub has. */
export interface ObservedRunner {
    id: number;
    name: string;
    status: string;
    busy: boolean;
}

/** GitHub's page size cap for runner listings. */
const PAGE_SIZE = 100;
/** Repository runners always belong to runner group 1; so do org runners registered without a group. */
export const DEFAULT_RUNNER_GROUP_ID = 1;

export function describePath(path: GithubPath): string {
    switch (path.kind) {
        case "org":
            return `org "${path.org}"`;
        case "enterprise":
            return `enterprise "${path.enterprise}"`;
        default:
            return `repo "${formatGithubPath(path)}"`;
    }
}

interface RawRunner {
    id: number;
    name: string;
    status: string;
    busy: boolean;
}

function observed(raw: RawRunner): ObservedRunner {
    return { id: raw.id, name: raw.name, status: raw.status, busy: raw.busy };
}

/** All runners of the org or repo (every page), optionally filtered by exact name on GitHub's side. */
export async function listRunners(client: GithubClient, apiUrl: string, path: GithubPath, name?: string): Promise<ObservedRunner[]> {
    const filter = name !== undefined ? { name } : {};
    const { route, params } = scopeEndpoint("GET", path, "/actions/runners");
    try {
        const runners: RawRunner[] = await client.paginate(route, { ...params, per_page: PAGE_SIZE, ...filter });
        return runners.map(observed);
    } catch (error) {
        throw githubCallError(`listing the runners of ${describePath(path)}`, apiUrl, error);
    }
}

const sharedListings = new Map<string, Promise<ObservedRunner[]>>();
const sharedGroupIds = new Map<string, Promise<number>>();

/** One read per process per key, shared by every caller; a failed read is forgotten so a later caller can try again. */
function sharedRead<T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
    let pending = cache.get(key);
    if (pending === undefined) {
        pending = read();
        cache.set(key, pending);
        pending.catch(() => cache.delete(key));
    }
    return pending;
}

const scopeKey = (apiUrl: string, path: GithubPath) => `${apiUrl.replace(/\/+$/, "")} ${formatGithubPath(path)}`;

/** The runner listing of (apiUrl, path), fetched once per process and shared by every caller. */
export function sharedRunnerListing(client: GithubClient, apiUrl: string, path: GithubPath): Promise<ObservedRunner[]> {
    return sharedRead(sharedListings, scopeKey(apiUrl, path), () => listRunners(client, apiUrl, path));
}

/** Forget all shared reads (tests; a long-lived process that needs fresh state). */
export function forgetSharedRunnerListings(): void {
    sharedListings.clear();
    sharedGroupIds.clear();
}

/** A fresh lookup by exact name (token-mode runners whose id we never learned). */
export async function findRunnerByName(client: GithubClient, apiUrl: string, path: GithubPath, name: string): Promise<ObservedRunner | undefined> {
    const runners = await listRunners(client, apiUrl, path, name);
    return runners.find((runner) => runner.name === name);
}

/** One runner by id, or undefined when GitHub no longer has it. */
export async function getRunner(client: GithubClient, apiUrl: string, path: GithubPath, runner: { id: number; name: string }): Promise<ObservedRunner | undefined> {
    const { route, params } = scopeEndpoint("GET", path, "/actions/runners/{runner_id}");
    try {
        const response = await client.request(route, { ...params, runner_id: runner.id });
        return observed(response.data as RawRunner);
    } catch (error) {
        if (isHttpStatus(error, 404)) return undefined;
        throw githubCallError(`reading runner "${runner.name}" (id ${runner.id}) of ${describePath(path)}`, apiUrl, error);
    }
}

export type RemovalOutcome = "removed" | "already-gone";

/**
 * Deregisters a runner. 404 means it is gone already (an ephemeral runner after
 * its job, or removed by hand); 422 means it is running a job.
 */
export async function removeRunner(
    client: GithubClient,
    apiUrl: string,
    path: GithubPath,
    runner: { id: number; name: string },
): Promise<RemovalOutcome> {
    const { route, params } = scopeEndpoint("DELETE", path, "/actions/runners/{runner_id}");
    try {
        await client.request(route, { ...params, runner_id: runner.id });
        return "removed";
    } catch (error) {
        if (isHttpStatus(error, 404)) {
            return "already-gone";
        }
        if (isHttpStatus(error, 422)) {
            throw new GithubRunnerBusyError(
                `runner "${runner.name}" (id ${runner.id}) in ${describePath(path)} is busy running a job, so GitHub refuses to remove it (HTTP 422); ` +
                    "fix: wait for the job to finish (or cancel it in GitHub Actions), then run `pulumi up` or `pulumi destroy` again",
                422,
            );
        }
        throw githubCallError(`removing runner "${runner.name}" (id ${runner.id}) from ${describePath(path)}`, apiUrl, error);
    }
}

/**
 * The runner group id to register into: 1 for repositories and for orgs or
 * enterprises without a group, else the group of that exact name.
 */
export async function runnerGroupId(client: GithubClient, apiUrl: string, path: GithubPath, groupName: string | undefined): Promise<number> {
    if (path.kind === "repo" || groupName === undefined) {
        return DEFAULT_RUNNER_GROUP_ID;
    }
    // Every slot of a pool registers into the same group: look it up once per process.
    return sharedRead(sharedGroupIds, `${scopeKey(apiUrl, path)} ${groupName}`, () => lookUpRunnerGroupId(client, apiUrl, path, groupName));
}

async function lookUpRunnerGroupId(client: GithubClient, apiUrl: string, path: GithubPath, groupName: string): Promise<number> {
    let groups: { id: number; name: string }[];
    const { route, params } = scopeEndpoint("GET", path, "/actions/runner-groups");
    try {
        groups = await client.paginate(route, { ...params, per_page: PAGE_SIZE });
    } catch (error) {
        throw githubCallError(`looking up runner group "${groupName}" in ${describePath(path)}`, apiUrl, error);
    }
    const group = groups.find((candidate) => candidate.name === groupName);
    if (group === undefined) {
        const known = groups.map((candidate) => `"${candidate.name}"`).join(", ");
        throw new GithubRunnerGroupNotFoundError(
            `runner group "${groupName}" not found in ${describePath(path)} (groups there: ${known || "none"}); ` +
                `fix: create the group in the ${path.kind === "enterprise" ? "enterprise" : "organization"}'s Actions settings, or correct the runner group name in the stack config`,
        );
    }
    return group.id;
}
