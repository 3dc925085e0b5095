/**
 * The OpenStack client against the fake OpenStack: Keystone auth and the
 * catalog, Nova paging, ownership filtering, show and delete, Glance images,
 * retries, and the errors users see. Each test has its own project, and ends
 * by asserting that every answer the fake gave kept the API reference's
 * contract and that no credential or token appeared in an error.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, afterEach, before, describe, test } from "node:test";
import {
    createOpenstackClient,
    type OpenstackClient,
    type OpenstackClientOptions,
    OpenstackApiError,
    type OpenstackCredentials,
    OpenstackEndpointNotFoundError,
    OpenstackImageInUseError,
    OpenstackMicroversionError,
    OpenstackServerConflictError,
    resolveOpenstackCredentials,
    type StackConfig,
} from "../components/openstack";
import { createHttpTransport, type HttpTransport } from "../components/openstack/http/transport";
import { FakeOpenstack } from "./fake-openstack";
import { makeLocalCertificate } from "./harness/tls-certificate";

const PASSWORD = "Pa55-word-of-the-deployer";
const APP_SECRET = "application-credential-secret";
const TIME_LIMIT = { timeout: 30_000 };
/** Instant retries: the policy's shape is what is tested, not its waiting. */
const FAST: OpenstackClientOptions = { retry: { baseDelayMs: 1, maxDelayMs: 2 }, timeoutMs: 5_000 };

let fake: FakeOpenstack;
const clients: OpenstackClient[] = [];
const errorMessages: string[] = [];

before(async () => {
    fake = await FakeOpenstack.start();
});
after(() => fake.stop());
afterEach(() => {
    for (const client of clients.splice(0)) client.close();
    fake.clearFailures();
    const leaked = [PASSWORD, APP_SECRET, ...fake.issuedTokens()].filter((secret) => errorMessages.some((m) => m.includes(secret)));
    errorMessages.length = 0;
    try {
        fake.assertNoContractViolations();
    } finally {
        fake.clearContractViolations();
    }
    assert.deepEqual(leaked, [], "a credential or token appeared in an error message");
});

let worlds = 0;
/** A fresh project with a user on it; returns the stack config that logs in as that user. */
function world(options: { authUrl?: string } = {}): { project: string; stack: StackConfig } {
    worlds++;
    const project = `ci-${worlds}`;
    fake.addProject(project);
    fake.addUser({ name: `deployer-${worlds}`, password: PASSWORD, projects: [project] });
    return {
        project,
        stack: {
            "openstack:authUrl": options.authUrl ?? fake.authUrl,
            "openstack:userName": `deployer-${worlds}`,
            "openstack:password": PASSWORD,
            "openstack:tenantName": project,
            "openstack:userDomainName": "Default",
            "openstack:projectDomainName": "Default",
        },
    };
}

function connect(stack: StackConfig, options: OpenstackClientOptions = FAST, env: Record<string, string> = {}): OpenstackClient {
    return connectWith(resolveOpenstackCredentials({ stackConfig: stack, env }), options);
}

function connectWith(credentials: OpenstackCredentials, options: OpenstackClientOptions = FAST): OpenstackClient {
    const client = createOpenstackClient(credentials, options);
    clients.push(client);
    return client;
}

/** The error a call rejects with, recorded for the leak check. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (error) {
        assert.ok(error instanceof Error);
        errorMessages.push(error.message);
        return error;
    }
    return assert.fail("expected the call to fail");
}

function requestsSince(mark: number) {
    return fake.requests.slice(mark);
}

describe("Keystone", () => {
    test("a password login through version discovery, then one cached token for several calls", TIME_LIMIT, async () => {
        const { project, stack } = world({ authUrl: fake.unversionedAuthUrl });
        fake.addServer({ name: "a", project });
        const mark = fake.requests.length;
        const client = connect(stack);
        assert.equal((await client.listServers()).length, 1);
        assert.equal((await client.listServers()).length, 1);
        const calls = requestsSince(mark).map((r) => `${r.method} ${r.service} ${r.path} ${r.status}`);
        assert.deepEqual(calls, [
            "GET identity / 300",
            "POST identity /v3/auth/tokens 201",
            "GET compute /servers/detail 200",
            "GET compute /servers/detail 200",
        ]);
        assert.equal(client.tokensIssued, 1);
    });

    test("application credentials by id and by name log in without a scope", TIME_LIMIT, async () => {
        const { project } = world();
        fake.addServer({ name: "a", project });
        const user = `deployer-${worlds}`;
        const { id } = fake.addApplicationCredential({ user, name: "status", secret: APP_SECRET, project });
        const byId = connect({ "openstack:authUrl": fake.authUrl, "openstack:applicationCredentialId": id, "openstack:applicationCredentialSecret": APP_SECRET });
        assert.equal((await byId.listServers()).length, 1);
        const byName = connect({}, FAST, {
            OS_AUTH_URL: fake.authUrl,
            OS_APPLICATION_CREDENTIAL_NAME: "status",
            OS_APPLICATION_CREDENTIAL_SECRET: APP_SECRET,
            OS_USERNAME: user,
            OS_USER_DOMAIN_NAME: "Default",
        });
        assert.equal((await byName.listServers()).length, 1);
    });

    test("wrong credentials: one 401 from Keystone, not retried, with the fix and no secret", TIME_LIMIT, async () => {
        const { stack } = world();
        const mark = fake.requests.length;
        const error = await rejection(connect({ ...stack, "openstack:password": "wrong-password" }).listServers());
        assert.ok(error instanceof OpenstackApiError);
        assert.equal(error.status, 401);
        assert.equal(error.service, "identity");
        assert.match(error.message, /^OpenStack identity: issuing a token at .*\/identity\/v3\/auth\/tokens failed: HTTP 401 "The request you have made requires authentication\." \[request req-[0-9a-f-]{36}\]; fix: check the OpenStack credentials: the user name or id, the password/);
        assert.ok(!error.message.includes("wrong-password"));
        assert.equal(requestsSince(mark).length, 1);
    });

    test("a token near its expiry is renewed before use, by its lifetime on this machine's clock", TIME_LIMIT, async () => {
        const { stack } = world();
        let offset = 0;
        const client = connect(stack, { ...FAST, now: () => Date.now() + offset });
        await client.listServers();
        offset = 58 * 60 * 1000;
        await client.listServers();
        assert.equal(client.tokensIssued, 1, "a token with more than a minute left is reused");
        offset = 59 * 60 * 1000 + 30_000;
        await client.listServers();
        assert.equal(client.tokensIssued, 2, "a token within a minute of expiry is replaced");
        // The client's clock now runs an hour ahead of Keystone's: the new token still counts as fresh.
        await client.listServers();
        assert.equal(client.tokensIssued, 2);
    });

    test("a revoked token: the service's 401 makes the client log in again once and carry on", TIME_LIMIT, async () => {
        const { stack } = world();
        const client = connect(stack);
        await client.listServers();
        fake.revokeTokens();
        const mark = fake.requests.length;
        await client.listServers();
        assert.deepEqual(
            requestsSince(mark).map((r) => `${r.path} ${r.status}`),
            ["/servers/detail 401", "/v3/auth/tokens 201", "/servers/detail 200"],
        );
        assert.equal(client.tokensIssued, 2);
    });

    test("a 401 again after logging in again is an error, not a loop", TIME_LIMIT, async () => {
        const { stack } = world();
        const client = connect(stack);
        await client.listServers();
        fake.failNext({ service: "compute", path: "/servers/detail" }, { status: 401 }, 2);
        const error = await rejection(client.listServers());
        assert.ok(error instanceof OpenstackApiError);
        assert.equal(error.status, 401);
        assert.match(error.message, /fix: the cloud refused a freshly issued token/);
        assert.equal(client.tokensIssued, 2);
    });
});

describe("service catalog", () => {
    let regional: FakeOpenstack;
    before(async () => {
        regional = await FakeOpenstack.start({ regions: ["RegionOne", "RegionTwo"] });
        regional.addProject("p");
        regional.addUser({ name: "u", password: PASSWORD, projects: ["p"] });
        regional.addServer({ name: "s", project: "p" });
    });
    after(async () => {
        regional.assertNoContractViolations();
        await regional.stop();
    });
    const stack = (extra: StackConfig = {}): StackConfig => ({
        "openstack:authUrl": regional.authUrl,
        "openstack:userName": "u",
        "openstack:password": PASSWORD,
        "openstack:tenantName": "p",
        ...extra,
    });

    test("the region and interface choose the endpoint; public by default", TIME_LIMIT, async () => {
        const mark = regional.requests.length;
        await connect(stack({ "openstack:region": "RegionTwo" })).listServers();
        await connect(stack(), FAST, { OS_REGION_NAME: "RegionOne", OS_ENDPOINT_TYPE: "internal" }).listServers();
        await connect(stack()).listServers();
        const used = regional.requests.slice(mark).filter((r) => r.service === "compute").map((r) => `${r.region} ${r.interface}`);
        assert.deepEqual(used, ["RegionTwo public", "RegionOne internal", "RegionOne public"]);
    });

    test("a region the catalog lacks names the regions and interfaces it offers", TIME_LIMIT, async () => {
        const error = await rejection(connect(stack({ "openstack:region": "RegionNine" })).listServers());
        assert.ok(error instanceof OpenstackEndpointNotFoundError);
        assert.match(error.message, /no "compute" endpoint with interface "public" in region "RegionNine" \(it offers: public in RegionOne, internal in RegionOne, admin in RegionOne, public in RegionTwo/);
    });

    test("openstack:endpointOverrides replaces the catalog's endpoint", TIME_LIMIT, async () => {
        const mark = regional.requests.length;
        const overrides = { compute: regional.endpointUrl("compute", "RegionTwo", "admin"), image: `${regional.endpointUrl("image", "RegionTwo", "admin")}/v2` };
        const client = connect(stack({ "openstack:endpointOverrides": overrides }));
        await client.listServers();
        await client.listImages();
        assert.deepEqual(
            regional.requests.slice(mark).filter((r) => r.service !== "identity").map((r) => `${r.service} ${r.region} ${r.interface}`),
            ["compute RegionTwo admin", "image RegionTwo admin"],
        );
    });
});

describe("Nova servers", () => {
    test("250 servers arrive over three pages of 100, newest first, each once", TIME_LIMIT, async () => {
        const { project, stack } = world();
        const made = fake.addServers(250, (i) => ({ name: `runner-${i}`, project }));
        const mark = fake.requests.length;
        const servers = await connect(stack).listServers({ pageSize: 100 });
        assert.equal(servers.length, 250);
        assert.equal(new Set(servers.map((s) => s.id)).size, 250);
        assert.deepEqual(servers.map((s) => s.id), made.map((s) => s.id).reverse());
        const pages = requestsSince(mark).filter((r) => r.path === "/servers/detail");
        assert.deepEqual(pages.map((r) => r.query.map(([k]) => k).join(",")), ["limit", "limit,marker", "limit,marker"]);
        assert.ok(pages.every((r) => r.microversion === "2.47"));
    });

    test("a page cap below the asked size ([api] max_limit) still reaches every server", TIME_LIMIT, async () => {
        const capped = await FakeOpenstack.start({ novaMaxLimit: 40 });
        try {
            capped.addProject("p");
            capped.addUser({ name: "u", password: PASSWORD, projects: ["p"] });
            capped.addServers(250, (i) => ({ name: `s-${i}` }));
            const client = connect({ "openstack:authUrl": capped.authUrl, "openstack:userName": "u", "openstack:password": PASSWORD, "openstack:tenantName": "p" });
            assert.equal((await client.listServers({ pageSize: 100 })).length, 250);
            assert.equal(capped.requests.filter((r) => r.path === "/servers/detail").length, 7);
            capped.assertNoContractViolations();
        } finally {
            await capped.stop();
        }
    });

    test("next links naming an unreachable host (compute_link_prefix) are followed on the catalog's endpoint", TIME_LIMIT, async () => {
        const linked = await FakeOpenstack.start({ novaLinkOrigin: "http://nova-internal.invalid:8774" });
        try {
            linked.addProject("p");
            linked.addUser({ name: "u", password: PASSWORD, projects: ["p"] });
            linked.addServers(30, (i) => ({ name: `s-${i}` }));
            const client = connect({ "openstack:authUrl": linked.authUrl, "openstack:userName": "u", "openstack:password": PASSWORD, "openstack:tenantName": "p" });
            assert.equal((await client.listServers({ pageSize: 10 })).length, 30);
            linked.assertNoContractViolations();
        } finally {
            await linked.stop();
        }
    });

    test("ownership by metadata is filtered by the client; Nova is not asked to (non-admins cannot)", TIME_LIMIT, async () => {
        const { project, stack } = world();
        const dev = fake.addServers(3, (i) => ({ name: `dev-${i}`, project, metadata: { "github-runners:stack": "dev", "github-runners:slot": String(i) } }));
        fake.addServers(2, (i) => ({ name: `prod-${i}`, project, metadata: { "github-runners:stack": "prod" } }));
        fake.addServer({ name: "unowned", project });
        const mark = fake.requests.length;
        const client = connect(stack);
        const owned = await client.listServers({ metadata: { "github-runners:stack": "dev" } });
        assert.deepEqual(owned.map((s) => s.name).sort(), dev.map((s) => s.name).sort());
        assert.deepEqual((await client.listServers({ metadata: { "github-runners:stack": "dev", "github-runners:slot": "2" } })).map((s) => s.name), ["dev-2"]);
        assert.equal((await client.listServers()).length, 6);
        assert.ok(requestsSince(mark).every((r) => r.query.every(([key]) => key === "limit" || key === "marker")));
    });

    test("each server is reported with id, name, status, created, image, flavor, metadata and addresses", TIME_LIMIT, async () => {
        const { project, stack } = world();
        const active = fake.addServer({ name: "active", project, metadata: { role: "runner" }, flavor: { name: "ci.large", vcpus: 8, ram: 16384, disk: 80 }, networks: { "runners-net": ["10.42.0.7"] } });
        const failed = fake.addServer({ name: "failed", project, status: "ERROR", fault: { code: 500, message: "No valid host was found." } });
        fake.addServer({ name: "building", project, status: "BUILD" });
        fake.addServer({ name: "off", project, status: "SHUTOFF", imageId: null });
        const client = connect(stack);
        const byName = Object.fromEntries((await client.listServers()).map((s) => [s.name, s]));
        assert.deepEqual(byName.active, {
            id: active.id,
            name: "active",
            status: "ACTIVE",
            created: new Date(active.createdMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
            imageId: active.imageId,
            flavor: { name: "ci.large", vcpus: 8, ramMb: 16384, diskGb: 80 },
            metadata: { role: "runner" },
            addresses: { "runners-net": [{ address: "10.42.0.7", version: 4, type: "fixed", mac: active.addresses["runners-net"][0].mac }] },
            taskState: null,
        });
        assert.equal(byName.failed.status, "ERROR");
        assert.deepEqual(byName.failed.fault, { code: 500, message: "No valid host was found." });
        assert.equal(byName.building.status, "BUILD");
        assert.equal(byName.building.taskState, "spawning");
        assert.deepEqual(byName.building.addresses, {});
        assert.equal(byName.off.status, "SHUTOFF");
        assert.equal(byName.off.imageId, undefined, "a volume-backed server has no image");
        assert.deepEqual(await client.getServer(failed.id), byName.failed);
    });

    test("a server Nova does not know, or another project's, reads as absent", TIME_LIMIT, async () => {
        const { stack } = world();
        const other = world();
        const theirs = fake.addServer({ name: "theirs", project: other.project });
        const client = connect(stack);
        assert.equal(await client.getServer("8d0b4a5e-0000-4000-8000-000000000000"), undefined);
        assert.equal(await client.getServer(theirs.id), undefined);
    });

    test("delete: 204 deletes, 404 is already gone, a locked server is a typed 409 with the fix", TIME_LIMIT, async () => {
        const { project, stack } = world();
        const doomed = fake.addServer({ name: "doomed", project });
        const locked = fake.addServer({ name: "locked", project, locked: true });
        const client = connect(stack);
        assert.equal(await client.deleteServer(doomed.id), "deleted");
        assert.equal(fake.server(doomed.id), undefined);
        assert.equal(await client.deleteServer(doomed.id), "already-gone");
        const mark = fake.requests.length;
        const error = await rejection(client.deleteServer(locked.id));
        assert.ok(error instanceof OpenstackServerConflictError);
        assert.match(error.message, new RegExp(`deleting server ${locked.id} failed: HTTP 409 "Instance ${locked.id} is locked".*; fix: the server is locked or in a state`));
        assert.equal(requestsSince(mark).length, 1, "a 409 is not retried");
        assert.ok(fake.server(locked.id));
    });

    test("a Nova without microversion 2.47 answers 406, reported as such (also when it only reads the legacy header)", TIME_LIMIT, async () => {
        for (const maxMicroversion of ["2.46", "2.25"]) {
            const old = await FakeOpenstack.start({ maxMicroversion });
            try {
                old.addProject("p");
                old.addUser({ name: "u", password: PASSWORD, projects: ["p"] });
                const client = connect({ "openstack:authUrl": old.authUrl, "openstack:userName": "u", "openstack:password": PASSWORD, "openstack:tenantName": "p" });
                const error = await rejection(client.listServers());
                assert.ok(error instanceof OpenstackMicroversionError, maxMicroversion);
                assert.match(error.message, new RegExp(`HTTP 406 "Version 2\\.47 is not supported by the API\\. Minimum is 2\\.1 and maximum is ${maxMicroversion.replace(".", "\\.")}\\."`));
                assert.match(error.message, /fix: this tool needs Nova microversion 2\.47 \(OpenStack Pike or newer\)/);
                old.assertNoContractViolations();
            } finally {
                await old.stop();
            }
        }
    });
});

describe("Glance images", () => {
    test("list by name prefix over several pages, and by a custom property filtered by Glance", TIME_LIMIT, async () => {
        const { project, stack } = world();
        for (let i = 1; i <= 30; i++) fake.addImage({ name: `github-runner-jammy-x64-${i}`, project, properties: { "github-runners:stack": i % 3 === 0 ? "dev" : "prod" } });
        fake.addImage({ name: "ubuntu-24.04", project });
        fake.addImage({ name: "github-runner-public", visibility: "public", project });
        const mark = fake.requests.length;
        const client = connect(stack);
        const runners = await client.listImages({ namePrefix: "github-runner-jammy", pageSize: 7 });
        assert.equal(runners.length, 30);
        assert.equal(requestsSince(mark).filter((r) => r.path === "/images").length, 5);
        const dev = await client.listImages({ properties: { "github-runners:stack": "dev" } });
        assert.equal(dev.length, 10);
        assert.ok(dev.every((i) => i.properties["github-runners:stack"] === "dev" && i.status === "active"));
        assert.deepEqual(fake.requests.at(-1)?.query, [["limit", "100"], ["github-runners:stack", "dev"]]);
    });

    test("show, delete, delete again, and the refusals: protected (403), in use (409, typed), not a property (local)", TIME_LIMIT, async () => {
        const { project, stack } = world();
        const old = fake.addImage({ name: "old", project });
        const kept = fake.addImage({ name: "kept", project, protected: true });
        const busy = fake.addImage({ name: "busy", project });
        fake.setImage(busy.id, { inUseBy: "Image is in use by 2 clones" });
        const client = connect(stack);
        assert.equal((await client.getImage(old.id))?.name, "old");
        assert.equal(await client.deleteImage(old.id), "deleted");
        assert.equal(await client.getImage(old.id), undefined);
        assert.equal(await client.deleteImage(old.id), "already-gone");
        const protectedError = await rejection(client.deleteImage(kept.id));
        assert.ok(protectedError instanceof OpenstackApiError && protectedError.status === 403);
        assert.match(protectedError.message, new RegExp(`HTTP 403 "Image ${kept.id} is protected and cannot be deleted\\." .*fix: the image is protected`));
        const inUse = await rejection(client.deleteImage(busy.id));
        assert.ok(inUse instanceof OpenstackImageInUseError);
        assert.match(inUse.message, /HTTP 409 "Image .* could not be deleted because it is in use: Image is in use by 2 clones".*fix: servers still use this image/);
        assert.ok(fake.image(busy.id));
        await assert.rejects(client.listImages({ properties: { name: "x" } }), /"name" is a Glance attribute or query parameter/);
    });
});

describe("retries", () => {
    test("5xx answers and dropped connections are retried until one succeeds", TIME_LIMIT, async () => {
        const { project, stack } = world();
        fake.addServer({ name: "a", project });
        const client = connect(stack);
        fake.failNext({ service: "identity", path: "/v3/auth/tokens" }, { status: 503 });
        fake.failNext({ service: "compute", path: "/servers/detail" }, { status: 500 });
        fake.failNext({ service: "compute", path: "/servers/detail" }, { status: 502 });
        fake.failNext({ service: "compute", path: "/servers/detail" }, { drop: true });
        const mark = fake.requests.length;
        assert.equal((await client.listServers()).length, 1);
        assert.deepEqual(requestsSince(mark).map((r) => `${r.path} ${r.status}`), [
            "/v3/auth/tokens 503",
            "/v3/auth/tokens 201",
            "/servers/detail 500",
            "/servers/detail 502",
            "/servers/detail -1",
            "/servers/detail 200",
        ]);
    });

    test("the tries are bounded: four, then the last answer's status and message", TIME_LIMIT, async () => {
        const { stack } = world();
        const client = connect(stack);
        await client.listServers();
        fake.failNext({ service: "compute", path: "/servers/detail" }, { status: 500 }, 10);
        const mark = fake.requests.length;
        const error = await rejection(client.listServers());
        assert.equal(requestsSince(mark).length, 4);
        assert.ok(error instanceof OpenstackApiError && error.status === 500);
        assert.match(error.message, /listing servers \(page 1\) failed after 4 attempts: HTTP 500 "Unexpected API Error\. Please report this at http:\/\/bugs\.launchpad\.net\/nova\/ .*; fix: the OpenStack service failed \(retries included\)/);
    });

    test("a slow answer times out and is retried; 4xx answers are never retried", TIME_LIMIT, async () => {
        const { project, stack } = world();
        const server = fake.addServer({ name: "a", project });
        const client = connect(stack, { ...FAST, timeoutMs: 300 });
        await client.listServers();
        fake.failNext({ service: "compute", path: `/servers/${server.id}` }, { delayMs: 1_000 });
        assert.equal((await client.getServer(server.id))?.id, server.id);
        fake.failNext({ service: "compute", path: "/servers/detail" }, { delayMs: 1_000 }, 4);
        const timedOut = await rejection(client.listServers());
        assert.ok(timedOut instanceof OpenstackApiError && timedOut.status === undefined);
        assert.match(timedOut.message, /failed after 4 attempts: no HTTP response \(no complete answer within 300 ms\); fix: check that 127\.0\.0\.1:\d+ is reachable/);
        // Statuses the reference documents for each operation (injecting others is a contract violation).
        const refusals = [
            { status: 400, path: "/servers/detail", call: () => client.listServers() },
            { status: 403, path: "/servers/detail", call: () => client.listServers() },
            { status: 409, path: `/servers/${server.id}`, call: () => client.deleteServer(server.id) },
        ] as const;
        for (const { status, path, call } of refusals) {
            fake.failNext({ service: "compute", path }, { status });
            const mark = fake.requests.length;
            const error = await rejection(call());
            assert.ok(error instanceof OpenstackApiError && error.status === status);
            assert.equal(requestsSince(mark).length, 1, `status ${status} is not retried`);
        }
    });

    test("Retry-After is honoured when short, and a long one fails at once", TIME_LIMIT, async () => {
        const { stack } = world();
        const waits: number[] = [];
        const client = connect(stack, { ...FAST, sleep: async (ms) => void waits.push(ms), retry: { baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5_000 } });
        await client.listServers();
        fake.failNext({ service: "compute", path: "/servers/detail" }, { status: 429, retryAfterSeconds: 2 });
        await client.listServers();
        assert.deepEqual(waits, [2_000]);
        fake.failNext({ service: "compute", path: "/servers/detail" }, { status: 429, retryAfterSeconds: 600 });
        const error = await rejection(client.listServers());
        assert.ok(error instanceof OpenstackApiError && error.status === 429);
        assert.match(error.message, /failed: HTTP 429 "This request was rate-limited\." \[request req-[0-9a-f-]+\]; fix: the cloud's rate limit was reached; run again later/);
        assert.deepEqual(waits, [2_000]);
    });
});

describe("errors say what failed and what to do", () => {
    test("403 names the policy; a proxy's 502 page shows its first line; a closed port shows the network cause", TIME_LIMIT, async () => {
        const { stack } = world();
        const client = connect(stack, { ...FAST, retry: { attempts: 1 } });
        await client.listServers();
        fake.failNext({ service: "compute", path: "/servers/detail" }, { status: 403 });
        const forbidden = await rejection(client.listServers());
        assert.match(forbidden.message, /HTTP 403 "Policy doesn't allow os_compute_api:servers:detail to be performed\.".*fix: the cloud's policy forbids this to these credentials/);
        fake.failNext({ service: "image", path: "/images" }, { status: 502 });
        const gateway = await rejection(client.listImages());
        assert.match(gateway.message, /^OpenStack image: listing images \(page 1\) failed: HTTP 502 "502 Bad Gateway The server is temporarily unable to service your request\."; fix: the OpenStack service failed/);

        const port = await closedPort();
        const offline = await rejection(connect({ ...stack, "openstack:authUrl": `http://127.0.0.1:${port}/v3` }, { ...FAST, retry: { attempts: 2, baseDelayMs: 1 } }).listServers());
        assert.ok(offline instanceof OpenstackApiError && offline.status === undefined);
        assert.match(offline.message, new RegExp(`issuing a token at http://127\\.0\\.0\\.1:${port}/v3/auth/tokens failed after 2 attempts: no HTTP response \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)`));
    });

    test("an answer that does not fit the reference is reported as unexpected, not as a crash", TIME_LIMIT, async () => {
        const { project, stack } = world();
        fake.addServer({ name: "a", project });
        // The fake never sends what breaks the contract, so a transport between it and the client bends the answer.
        const real = createHttpTransport({ insecure: false });
        let bend: ((body: Record<string, unknown>) => unknown) | undefined;
        const transport: HttpTransport = {
            send: async (request) => {
                const response = await real.send(request);
                if (!bend || !request.url.includes("/servers")) return response;
                return { ...response, body: JSON.stringify(bend(JSON.parse(response.body) as Record<string, unknown>)) };
            },
            close: () => real.close(),
        };
        const client = connect(stack, { ...FAST, transport });
        bend = (body) => ({ ...body, servers: "not a list" });
        assert.match((await rejection(client.listServers())).message, /listing servers \(page 1\) failed: HTTP 200 "unexpected answer: no "servers" list" \[request req-[0-9a-f-]+\]; fix: the endpoint does not answer as the OpenStack API reference documents/);
        bend = (body) => ({ servers: (body.servers as Record<string, unknown>[]).map((s) => ({ ...s, flavor: { id: "1", links: [] } })) });
        assert.match((await rejection(client.listServers())).message, /unexpected answer: servers\[0\]: no embedded flavor/);
        bend = (body) => ({ ...body, servers_links: [{ rel: "next", href: "http://nova/v2.1/servers/detail?limit=100" }] });
        assert.match((await rejection(client.listServers())).message, /unexpected answer: the next link has no marker/);
        const id = (await connectWith(resolveOpenstackCredentials({ stackConfig: stack, env: {} })).listServers())[0].id;
        bend = (body) => ({ ...body, servers_links: [{ rel: "next", href: `http://nova/v2.1/servers/detail?limit=100&marker=${id}` }] });
        assert.match((await rejection(client.listServers())).message, /unexpected answer: the next link repeats the marker/);
    });
});

describe("TLS", () => {
    let secure: FakeOpenstack;
    let certificate: ReturnType<typeof makeLocalCertificate>;
    before(async () => {
        certificate = makeLocalCertificate();
        secure = await FakeOpenstack.start({ https: { key: certificate.key, cert: certificate.cert } });
        secure.addProject("p");
        secure.addUser({ name: "u", password: PASSWORD, projects: ["p"] });
    });
    after(async () => {
        await secure.stop();
        certificate.remove();
    });
    const stack = (extra: StackConfig = {}): StackConfig => ({
        "openstack:authUrl": secure.authUrl,
        "openstack:userName": "u",
        "openstack:password": PASSWORD,
        "openstack:tenantName": "p",
        ...extra,
    });

    test("an unknown CA fails with the TLS cause; openstack:cacertFile or insecure lets it through", TIME_LIMIT, async () => {
        const untrusted = await rejection(connect(stack(), { ...FAST, retry: { attempts: 1 } }).listServers());
        assert.match(untrusted.message, /no HTTP response \(.*(SELF_SIGNED|self-signed|DEPTH_ZERO).*\); fix: .*openstack:cacertFile \/ OS_CACERT/);
        assert.deepEqual(await connect(stack({ "openstack:cacertFile": certificate.certFile })).listServers(), []);
        assert.deepEqual(await connect(stack({ "openstack:insecure": "true" })).listServers(), []);
        await assert.rejects(
            async () => connect(stack({ "openstack:cacertFile": "/nonexistent/ca.pem" })),
            /cannot read the CA file \(openstack:cacertFile \/ OS_CACERT \/ cacert\) \/nonexistent\/ca\.pem \(ENOENT\); fix the path/,
        );
        secure.assertNoContractViolations();
    });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}
