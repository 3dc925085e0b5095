/**
 * Every self-hosted-runner route this project calls exists, with its method, in GitHub's own
 * description for each kind of scope: organizations and repositories in api.github.com's, the
 * enterprise routes in GitHub Enterprise Cloud's (`@octokit/openapi` generated/ghec.json; the
 * api.github.com description leaves enterprise administration out). The calls are found in the
 * source, so a new one is checked without editing this test.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { scopeEndpoint } from "../components/github/scope";
import type { GithubPath } from "../components/github/paths";

const ROOT = path.join(__dirname, "..");
type Description = { paths: Record<string, Record<string, unknown>> };
const describedBy = (file: string): Description => JSON.parse(readFileSync(path.join(ROOT, "node_modules/@octokit/openapi/generated", file), "utf8")) as Description;

function sourceFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
        const full = path.join(dir, name);
        return statSync(full).isDirectory() ? sourceFiles(full) : name.endsWith(".ts") ? [full] : [];
    });
}

/** [method, suffix] of every scopeEndpoint call in components/ and scripts/. */
function calledRoutes(): [string, string][] {
    const calls = new Map<string, [string, string]>();
    for (const file of [...sourceFiles(path.join(ROOT, "components")), ...sourceFiles(path.join(ROOT, "scripts"))]) {
        for (const match of readFileSync(file, "utf8").matchAll(/scopeEndpoint\("(GET|POST|DELETE)", \w+, "([^"]+)"\)/g)) {
            calls.set(`${match[1]} ${match[2]}`, [match[1]!, match[2]!]);
        }
    }
    return [...calls.values()];
}

const SCOPES: { path: GithubPath; description: string }[] = [
    { path: { kind: "org", org: "acme" }, description: "api.github.com.json" },
    { path: { kind: "repo", owner: "acme", repo: "widgets" }, description: "api.github.com.json" },
    { path: { kind: "enterprise", enterprise: "acme-corp" }, description: "ghec.json" },
];

/** Runner groups belong to organizations and enterprises; a repository's runners join its default group (inputs.ts refuses a group). */
const NOT_FOR_REPOSITORIES = new Set(["/actions/runner-groups"]);

test("every runner route the project calls is in GitHub's description of its scope", () => {
    const routes = calledRoutes();
    assert.ok(routes.length >= 7, `found only ${routes.length} calls: ${JSON.stringify(routes)}`);
    const descriptions = new Map<string, Description>();
    const missing: string[] = [];
    for (const scope of SCOPES) {
        const description = descriptions.get(scope.description) ?? describedBy(scope.description);
        descriptions.set(scope.description, description);
        for (const [method, suffix] of routes) {
            if (scope.path.kind === "repo" && NOT_FOR_REPOSITORIES.has(suffix)) continue;
            const { route } = scopeEndpoint(method as "GET" | "POST" | "DELETE", scope.path, suffix);
            const template = route.slice(method.length + 1);
            if (description.paths[template]?.[method.toLowerCase()] === undefined) missing.push(`${route} (${scope.description})`);
        }
    }
    assert.deepEqual(missing, []);
});
