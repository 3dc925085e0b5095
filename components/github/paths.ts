/**
 * Where runners register: an enterprise, an organization or a single
 * repository, and the URLs GitHub (or a GitHub Enterprise Server) uses for them.
 */
export type GithubPath =
    | { kind: "enterprise"; enterprise: string }
    | { kind: "org"; org: string }
    | { kind: "repo"; owner: string; repo: string };

// GitHub login/repository name rules: https://docs.github.com/en/get-started/using-git/about-git-repository-names
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
// GitHub documents the `{enterprise}` path parameter only as "the slug version of the enterprise name"
// (@octokit/openapi 23.0.2, generated/ghec.json, components.parameters.enterprise); slugs are letters,
// digits and '-'. The bound keeps the value a single, plain URL path segment.
const ENTERPRISE_SLUG = /^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/;
const ENTERPRISE_PREFIX = "enterprise:";

export const GITHUB_COM_API_URL = "https://api.github.com";

/** Parses `enterprise:<slug>`, `org` or `owner/repo`; returns undefined when the text is none of them. */
export function parseGithubPath(text: string): GithubPath | undefined {
    if (text.startsWith(ENTERPRISE_PREFIX)) {
        const enterprise = text.slice(ENTERPRISE_PREFIX.length);
        return ENTERPRISE_SLUG.test(enterprise) ? { kind: "enterprise", enterprise } : undefined;
    }
    const parts = text.split("/");
    if (parts.length === 1 && OWNER.test(parts[0])) {
        return { kind: "org", org: parts[0] };
    }
    if (parts.length === 2 && OWNER.test(parts[0]) && REPO.test(parts[1]) && parts[1] !== "." && parts[1] !== "..") {
        return { kind: "repo", owner: parts[0], repo: parts[1] };
    }
    return undefined;
}

/** The text form parseGithubPath reads back: `enterprise:<slug>`, `org` or `owner/repo`. */
export function formatGithubPath(path: GithubPath): string {
    switch (path.kind) {
        case "enterprise":
            return `${ENTERPRISE_PREFIX}${path.enterprise}`;
        case "org":
            return path.org;
        case "repo":
            return `${path.owner}/${path.repo}`;
        default: {
            const unreachable: never = path;
            throw new Error(`unknown GitHub path ${JSON.stringify(unreachable)}`);
        }
    }
}

/**
 * The path of the web page runners register against. Enterprise runners use
 * `/enterprises/<slug>`: the runner's `config.sh --url` takes a two-segment path
 * starting with "enterprises" as an enterprise (actions/runner,
 * src/Runner.Listener/Configuration/ConfigurationManager.cs).
 */
function webPath(path: GithubPath): string {
    return path.kind === "enterprise" ? `enterprises/${path.enterprise}` : formatGithubPath(path);
}

/**
 * The web URL a runner registers against (`config.sh --url`). github.com's API
 * lives on api.github.com; a GitHub Enterprise Server's API lives under
 * `https://HOST/api/v3` and its web UI at `https://HOST`.
 */
export function githubWebUrl(apiUrl: string, path: GithubPath): string {
    const api = new URL(apiUrl);
    let origin: string;
    if (api.hostname === "api.github.com") {
        origin = "https://github.com";
    } else if (api.hostname.startsWith("api.") && api.pathname.replace(/\/+$/, "") === "") {
        // GitHub Enterprise Cloud with data residency: api.SUBDOMAIN.ghe.com
        origin = `${api.protocol}//${api.host.slice("api.".length)}`;
    } else {
        origin = api.origin;
    }
    return `${origin}/${webPath(path)}`;
}
