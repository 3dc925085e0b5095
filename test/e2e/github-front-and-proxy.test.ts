/**
 * The two network pieces of the end-to-end world on their own: the front that
 * records the credentials GitHub issues as they pass (answers unchanged), and
 * the guests' proxy, which forwards absolute-form requests to the front only.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, test } from "node:test";
import { FakeGithub } from "../fake-github";
import { startForwardProxy, type ForwardProxy } from "./forward-proxy";
import { type GithubFront, IssuedCredentials, startGithubFront } from "./issued-credentials";

const TOKEN = "ghp_front_test";
let fake: FakeGithub;
let front: GithubFront;
let proxy: ForwardProxy;
const issued = new IssuedCredentials();

before(async () => {
    fake = await FakeGithub.start();
    fake.addToken(TOKEN);
    fake.addOrg("acme");
    fake.addRepo("acme", "app");
    front = await startGithubFront(fake.apiUrl, issued);
    proxy = await startForwardProxy([front.url]);
});
after(async () => {
    await proxy.close();
    await front.close();
    await fake.stop();
});

async function post(path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${front.url}${path}`, {
        method: "POST",
        headers: { authorization: `token ${TOKEN}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** A request in absolute form (RFC 9112 §3.2.2), as a client configured with http_proxy sends it. */
function throughProxy(method: string, url: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const request = httpRequest({ host: "127.0.0.1", port: proxy.port, method, path: url }, (response) => {
            let body = "";
            response.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        });
        // Node hands any answer to a CONNECT to the "connect" event, not "response".
        request.on("connect", (response, socket) => {
            socket.destroy();
            resolve({ status: response.statusCode ?? 0, body: "" });
        });
        request.on("error", reject);
        request.end();
    });
}

test("the front passes GitHub's answers through and records the JIT configs and registration tokens in them", async () => {
    const jit = await post("/repos/acme/app/actions/runners/generate-jitconfig", { name: "runner-1", runner_group_id: 1, labels: ["x64"] });
    assert.equal(jit.status, 201);
    assert.equal(issued.jitConfigs.get("runner-1"), jit.json.encoded_jit_config, "recorded under the runner's name, as answered");
    const registration = await post("/orgs/acme/actions/runners/registration-token");
    assert.equal(registration.status, 201);
    assert.deepEqual(issued.registrationTokens, [registration.json.token]);
    const refused = await post("/repos/acme/app/actions/runners/generate-jitconfig", { name: "runner-1", runner_group_id: 1, labels: ["x64"] });
    assert.equal(refused.status, 409, "a taken name is refused");
    assert.deepEqual(issued.all().sort(), [jit.json.encoded_jit_config, registration.json.token].sort(), "only what GitHub issued");
    fake.assertNoContractViolations();
});

test("the proxy forwards to the front only: other origins 403, tunnels 405", async () => {
    const listed = await throughProxy("GET", `${front.url}/_fake/runners?scope=acme%2Fapp`);
    assert.equal(listed.status, 200);
    assert.deepEqual((JSON.parse(listed.body) as Array<{ name: string }>).map((runner) => runner.name), ["runner-1"]);
    const elsewhere = await throughProxy("GET", `${fake.apiUrl}/_fake/runners?scope=acme`);
    assert.equal(elsewhere.status, 403, "the fake itself is not behind the proxy");
    assert.equal((await throughProxy("GET", "http://example.invalid/")).status, 403);
    assert.equal((await throughProxy("CONNECT", "127.0.0.1:443")).status, 405);
    assert.equal((await throughProxy("GET", "/relative")).status, 400, "a proxy request names an absolute URL");
    assert.deepEqual(proxy.log.map((line) => line.split(" ").pop()), ["200", "403", "403", "405", "400"]);
});
