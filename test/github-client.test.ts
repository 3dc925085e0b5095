import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createGithubClient } from "../components/github/client";
import { githubWebUrl, parseGithubPath } from "../components/github/paths";
import { FakeGithub } from "./fake-github";

describe("GitHub client", () => {
    let fake: FakeGithub;
    before(async () => {
        fake = await FakeGithub.start();
        fake.addToken("ghp_client");
        fake.addRepo("acme", "widgets");
    });
    after(() => fake.stop());

    const client = (writeSpacingMs?: number) =>
        createGithubClient({ apiUrl: fake.apiUrl, auth: { kind: "token", token: "ghp_client" } }, { retryAfterBaseMs: 1, writeSpacingMs });

    test("a 409 (JIT name taken) is answered once, not retried", async () => {
        const gh = client(0);
        const jit = { owner: "acme", repo: "widgets", name: "runner-409", runner_group_id: 1, labels: ["x"] };
        await gh.rest.actions.generateRunnerJitconfigForRepo(jit);
        const before = fake.requests.length;
        await assert.rejects(gh.rest.actions.generateRunnerJitconfigForRepo(jit), (error: { status?: number }) => error.status === 409);
        assert.equal(fake.requests.length - before, 1);
    });

    test("a 502 is retried until it succeeds", async () => {
        const gh = client(0);
        fake.failNext({ method: "GET", path: /actions\/runners$/ }, { status: 502 }, 2);
        const before = fake.requests.length;
        const { data } = await gh.rest.actions.listSelfHostedRunnersForRepo({ owner: "acme", repo: "widgets" });
        assert.ok(data.total_count >= 1);
        assert.equal(fake.requests.length - before, 3);
    });

    test("writes are spaced as configured (1 s by default, as GitHub asks)", async () => {
        const timeWrites = async (gh: ReturnType<typeof client>) => {
            const start = Date.now();
            for (let i = 0; i < 3; i++) await gh.rest.actions.createRegistrationTokenForRepo({ owner: "acme", repo: "widgets" });
            return Date.now() - start;
        };
        const spaced = await timeWrites(client());
        const unspaced = await timeWrites(client(0));
        assert.ok(spaced >= 1900, `3 default writes took ${spaced} ms; expected at least 2 s of spacing`);
        assert.ok(unspaced < spaced / 2, `unspaced writes (${unspaced} ms) should be much faster than spaced ones (${spaced} ms)`);
        fake.assertNoContractViolations();
    });
});

describe("GitHub paths", () => {
    test("org and owner/repo parse; anything else does not", () => {
        assert.deepEqual(parseGithubPath("acme"), { kind: "org", org: "acme" });
        assert.deepEqual(parseGithubPath("acme/widgets.js"), { kind: "repo", owner: "acme", repo: "widgets.js" });
        for (const bad of ["", "acme/", "/widgets", "a/b/c", "-acme", "acme/..", "ac me"]) assert.equal(parseGithubPath(bad), undefined, bad);
    });

    test("web URLs for github.com, Enterprise Server and data-residency hosts", () => {
        const repo = { kind: "repo", owner: "acme", repo: "widgets" } as const;
        assert.equal(githubWebUrl("https://api.github.com", repo), "https://github.com/acme/widgets");
        assert.equal(githubWebUrl("https://ghe.example.com/api/v3", { kind: "org", org: "acme" }), "https://ghe.example.com/acme");
        assert.equal(githubWebUrl("https://api.acme.ghe.com", repo), "https://acme.ghe.com/acme/widgets");
    });
});
