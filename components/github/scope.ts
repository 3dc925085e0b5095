/**
 * The REST routes of the self-hosted runner API for each kind of scope. The
 * three scopes share one shape under different roots (GitHub REST docs,
 * "Self-hosted runners": /orgs/{org}/actions/runners...,
 * /repos/{owner}/{repo}/actions/runners..., and, in the GHEC and GHES
 * descriptions, /enterprises/{enterprise}/actions/runners...).
 */
import type { GithubPath } from "./paths";

export interface ScopeRoute {
    /** e.g. "/orgs/{org}" */
    root: string;
    /** The root's path parameters. */
    params: Record<string, string>;
}

export function scopeRoute(path: GithubPath): ScopeRoute {
    switch (path.kind) {
        case "org":
            return { root: "/orgs/{org}", params: { org: path.org } };
        case "repo":
            return { root: "/repos/{owner}/{repo}", params: { owner: path.owner, repo: path.repo } };
        case "enterprise":
            return { root: "/enterprises/{enterprise}", params: { enterprise: path.enterprise } };
        default: {
            const unreachable: never = path;
            throw new Error(`unknown GitHub path ${JSON.stringify(unreachable)}`);
        }
    }
}

/** `METHOD <root><suffix>` for client.request / client.paginate. */
export function scopeEndpoint(method: "GET" | "POST" | "DELETE", path: GithubPath, suffix: string): { route: string; params: Record<string, string> } {
    const { root, params } = scopeRoute(path);
    return { route: `${method} ${root}${suffix}`, params };
}
