/** GitHub paths: enterprise runners next to organizations and repositories. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatGithubPath, githubWebUrl, parseGithubPath, type GithubPath } from "../components/github/paths";

const enterprise: GithubPath = { kind: "enterprise", enterprise: "acme-corp" };

describe("enterprise paths", { timeout: 60_000 }, () => {
    test("enterprise:<slug> parses and formats back", () => {
        assert.deepEqual(parseGithubPath("enterprise:acme-corp"), enterprise);
        assert.deepEqual(parseGithubPath("enterprise:Acme2"), { kind: "enterprise", enterprise: "Acme2" });
        assert.equal(formatGithubPath(enterprise), "enterprise:acme-corp");
        for (const path of [enterprise, { kind: "org", org: "acme" } as const, { kind: "repo", owner: "acme", repo: "widgets" } as const]) {
            assert.deepEqual(parseGithubPath(formatGithubPath(path)), path);
        }
    });

    test("anything but a plain slug after enterprise: is refused", () => {
        for (const bad of ["enterprise:", "enterprise:-acme", "enterprise:acme/widgets", "enterprise:ac me", "enterprise:acme?x", "Enterprise:acme", `enterprise:${"a".repeat(101)}`]) {
            assert.equal(parseGithubPath(bad), undefined, bad);
        }
        assert.deepEqual(parseGithubPath(`enterprise:${"a".repeat(100)}`), { kind: "enterprise", enterprise: "a".repeat(100) });
    });

    test("the registration URL is /enterprises/<slug> on github.com, GitHub Enterprise Server and GHE.com", () => {
        assert.equal(githubWebUrl("https://api.github.com", enterprise), "https://github.com/enterprises/acme-corp");
        assert.equal(githubWebUrl("https://ghe.example.com/api/v3", enterprise), "https://ghe.example.com/enterprises/acme-corp");
        assert.equal(githubWebUrl("https://api.acme.ghe.com", enterprise), "https://acme.ghe.com/enterprises/acme-corp");
        assert.equal(githubWebUrl("https://api.github.com", { kind: "org", org: "acme" }), "https://github.com/acme");
    });
});
