/**
 * The fake OpenStack itself, driven by raw HTTP where a client would never
 * send what the test needs: it answers as the API references document
 * (bodies, statuses, headers, paging links, error shapes), refuses what the
 * real services refuse, and catches its own contract breaches.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { FakeOpenstack } from "./fake-openstack";

const PASSWORD = "fake-test-password";
const TIME_LIMIT = { timeout: 20_000 };

let fake: FakeOpenstack;
let token: string;
let projectId: string;

before(async () => {
    fake = await FakeOpenstack.start();
    projectId = fake.addProject("ci").id;
    fake.addProject("elsewhere");
    fake.addUser({ name: "deployer", password: PASSWORD, projects: ["ci"] });
    fake.addUser({ name: "other", password: PASSWORD, projects: ["elsewhere"] });
    token = await issue("deployer", "ci");
});
after(() => fake.stop());
afterEach(() => {
    fake.clearFailures();
    try {
        fake.assertNoContractViolations();
    } finally {
        fake.clearContractViolations();
    }
});

interface Raw {
    status: number;
    headers: Headers;
    text: string;
    json: () => Record<string, unknown>;
}

async function raw(method: string, url: string, options: { headers?: Record<string, string>; body?: unknown } = {}): Promise<Raw> {
    const response = await fetch(url, {
        method,
        headers: { accept: "application/json", ...(options.body !== undefined ? { "content-type": "application/json" } : {}), ...options.headers },
        ...(options.body !== undefined ? { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

function passwordBody(user: string, project: string, password = PASSWORD): unknown {
    return {
        auth: {
            identity: { methods: ["password"], password: { user: { name: user, domain: { name: "Default" }, password } } },
            scope: { project: { name: project, domain: { id: "default" } } },
        },
    };
}

async function issue(user: string, project: string): Promise<string> {
    const answer = await raw("POST", `${fake.authUrl}/auth/tokens`, { body: passwordBody(user, project) });
    assert.equal(answer.status, 201, answer.text);
    return answer.headers.get("x-subject-token") as string;
}

const nova = (path: string, headers: Record<string, string> = {}) =>
    raw("GET", `${fake.endpointUrl("compute")}${path}`, { headers: { "x-auth-token": token, ...headers } });
const glance = (path: string, method = "GET") => raw(method, `${fake.endpointUrl("image")}/v2${path}`, { headers: { "x-auth-token": token } });

describe("Keystone", () => {
    test("GET / offers v3 with a 300 and a Location", TIME_LIMIT, async () => {
        const answer = await raw("GET", `${fake.unversionedAuthUrl}/`);
        assert.equal(answer.status, 300);
        assert.equal(answer.headers.get("location"), `${fake.authUrl}/`);
        const values = (answer.json().versions as { values: { id: string; status: string; links: { rel: string; href: string }[] }[] }).values;
        assert.deepEqual(values.map((v) => [v.id, v.status, v.links[0].href]), [["v3.14", "stable", `${fake.authUrl}/`]]);
    });

    test("a password token: 201, X-Subject-Token, the project scope, the catalog of three services in three interfaces", TIME_LIMIT, async () => {
        const answer = await raw("POST", `${fake.authUrl}/auth/tokens`, { body: passwordBody("deployer", "ci") });
        assert.equal(answer.status, 201);
        assert.match(answer.headers.get("x-subject-token") ?? "", /^gAAAAAB[\w-]+$/);
        assert.match(answer.headers.get("x-openstack-request-id") ?? "", /^req-/);
        const body = answer.json().token as Record<string, unknown>;
        assert.deepEqual(body.methods, ["password"]);
        assert.deepEqual(body.project, { id: projectId, name: "ci", domain: { id: "default", name: "Default" } });
        const catalog = body.catalog as { type: string; endpoints: { interface: string; url: string }[] }[];
        assert.deepEqual(catalog.map((s) => s.type), ["identity", "compute", "image"]);
        assert.deepEqual(catalog[1].endpoints.map((e) => e.interface), ["public", "internal", "admin"]);
        assert.equal(catalog[1].endpoints[0].url, fake.endpointUrl("compute"));
        const lifetime = Date.parse(body.expires_at as string) - Date.parse(body.issued_at as string);
        assert.equal(lifetime, 3600 * 1000);
        assert.match(body.expires_at as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    });

    test("refusals: wrong password, a project without a role, an unknown user are 401 with Keystone's generic message", TIME_LIMIT, async () => {
        for (const body of [passwordBody("deployer", "ci", "wrong"), passwordBody("deployer", "elsewhere"), passwordBody("nobody", "ci")]) {
            const answer = await raw("POST", `${fake.authUrl}/auth/tokens`, { body });
            assert.equal(answer.status, 401);
            assert.deepEqual(answer.json(), { error: { code: 401, title: "Unauthorized", message: "The request you have made requires authentication." } });
            assert.equal(answer.headers.get("www-authenticate"), `Keystone uri="${fake.authUrl}"`);
            assert.equal(answer.headers.get("x-subject-token"), null);
        }
    });

    test("malformed requests are 400: a user name without a domain, and a body outside the token_issue schema", TIME_LIMIT, async () => {
        const noDomain = await raw("POST", `${fake.authUrl}/auth/tokens`, {
            body: { auth: { identity: { methods: ["password"], password: { user: { name: "deployer", password: PASSWORD } } }, scope: { project: { id: projectId } } } },
        });
        assert.equal(noDomain.status, 400);
        assert.match((noDomain.json().error as { message: string }).message, /^Expecting to find domain in user\. The server could not comply/);
        const badShape = await raw("POST", `${fake.authUrl}/auth/tokens`, { body: { auth: { identity: { methods: "password" } } } });
        assert.equal(badShape.status, 400);
        assert.equal(fake.contractViolations.length, 1, "a request outside the schema is recorded, as the client sending it has a bug");
        assert.equal(fake.contractViolations[0].stage, "request");
        fake.clearContractViolations();
    });

    test("an application credential may not ask for a scope (401); without one it gets its own project", TIME_LIMIT, async () => {
        const { id } = fake.addApplicationCredential({ user: "deployer", name: "status", secret: "s3cret-app", project: "ci" });
        const credential = { methods: ["application_credential"], application_credential: { id, secret: "s3cret-app" } };
        const scoped = await raw("POST", `${fake.authUrl}/auth/tokens`, { body: { auth: { identity: credential, scope: { project: { id: projectId } } } } });
        assert.equal(scoped.status, 401);
        const plain = await raw("POST", `${fake.authUrl}/auth/tokens`, { body: { auth: { identity: credential } } });
        assert.equal(plain.status, 201);
        const body = plain.json().token as Record<string, unknown>;
        assert.deepEqual(body.application_credential, { id, name: "status", restricted: true });
        assert.equal((body.project as { id: string }).id, projectId);
        const wrongSecret = await raw("POST", `${fake.authUrl}/auth/tokens`, { body: { auth: { identity: { ...credential, application_credential: { id, secret: "nope" } } } } });
        assert.equal(wrongSecret.status, 401);
    });

    test("what the fake does not model (unscoped tokens) fails the test instead of being faked", TIME_LIMIT, async () => {
        const body = { auth: { identity: { methods: ["password"], password: { user: { name: "deployer", domain: { id: "default" }, password: PASSWORD } } } } };
        const answer = await raw("POST", `${fake.authUrl}/auth/tokens`, { body });
        assert.equal(answer.status, 500);
        assert.equal(fake.contractViolations[0]?.stage, "unimplemented");
        fake.clearContractViolations();
    });
});

describe("Nova", () => {
    test("no, an unknown or an expired token: keystonemiddleware's 401, without version headers", TIME_LIMIT, async () => {
        const expiring = await issue("deployer", "ci");
        for (const headers of [{}, { "x-auth-token": "not-a-token" }] as Record<string, string>[]) {
            const answer = await raw("GET", `${fake.endpointUrl("compute")}/servers/detail`, { headers });
            assert.equal(answer.status, 401);
            assert.deepEqual(answer.json(), { error: { code: 401, title: "Unauthorized", message: "The request you have made requires authentication." } });
            assert.equal(answer.headers.get("www-authenticate"), `Keystone uri="${fake.authUrl}"`);
            assert.equal(answer.headers.get("openstack-api-version"), null);
        }
        assert.equal((await nova("/servers/detail", { "x-auth-token": expiring })).status, 200);
        fake.advanceTime(3600 * 1000);
        assert.equal((await nova("/servers/detail", { "x-auth-token": expiring })).status, 401);
        fake.advanceTime(-3600 * 1000);
    });

    test("microversions: none is 2.1, 'latest' the maximum, the legacy header counts, and the version shapes the server", TIME_LIMIT, async () => {
        const server = fake.addServer({ name: "shape", project: "ci" });
        const cases: [Record<string, string>, string][] = [
            [{}, "2.1"],
            [{ "openstack-api-version": "compute 2.47" }, "2.47"],
            [{ "openstack-api-version": "image 2.9, compute latest" }, "2.60"],
            [{ "x-openstack-nova-api-version": "2.19" }, "2.19"],
            [{ "openstack-api-version": "compute 2.26", "x-openstack-nova-api-version": "2.3" }, "2.26"],
        ];
        for (const [headers, served] of cases) {
            const answer = await nova(`/servers/${server.id}`, headers);
            assert.equal(answer.status, 200);
            assert.equal(answer.headers.get("openstack-api-version"), `compute ${served}`);
            assert.equal(answer.headers.get("x-openstack-nova-api-version"), served);
            assert.equal(answer.headers.get("vary"), "OpenStack-API-Version, X-OpenStack-Nova-API-Version");
        }
        const old = (await nova(`/servers/${server.id}`)).json().server as Record<string, unknown>;
        assert.deepEqual(Object.keys(old.flavor as object), ["id", "links"]);
        assert.equal("locked" in old, false);
        const pike = (await nova(`/servers/${server.id}`, { "openstack-api-version": "compute 2.47" })).json().server as Record<string, unknown>;
        assert.deepEqual(pike.flavor, { vcpus: 2, ram: 4096, disk: 20, ephemeral: 0, swap: 0, original_name: "m1.small" });
        assert.deepEqual([pike.locked, pike.description, pike.tags], [false, null, []]);
        assert.deepEqual(pike.links, [
            { rel: "self", href: `${fake.endpointUrl("compute")}/servers/${server.id}` },
            { rel: "bookmark", href: `${fake.endpointUrl("compute").replace(/\/v2\.1$/, "")}/servers/${server.id}` },
        ]);
    });

    test("an unsupported microversion is 406 and a malformed one 400, as Nova faults without version headers", TIME_LIMIT, async () => {
        const high = await nova("/servers/detail", { "openstack-api-version": "compute 2.61" });
        assert.equal(high.status, 406);
        assert.deepEqual(high.json(), { computeFault: { code: 406, message: "Version 2.61 is not supported by the API. Minimum is 2.1 and maximum is 2.60." } });
        assert.equal(high.headers.get("openstack-api-version"), null);
        const malformed = await nova("/servers/detail", { "openstack-api-version": "compute 2.x" });
        assert.equal(malformed.status, 400);
        assert.deepEqual(malformed.json(), { badRequest: { code: 400, message: "API Version String 2.x is of invalid format. Must be of format MajorNum.MinorNum." } });
        const ancient = await FakeOpenstack.start({ maxMicroversion: "2.25" });
        try {
            ancient.addProject("p");
            ancient.addUser({ name: "u", password: PASSWORD, projects: ["p"] });
            const login = await raw("POST", `${ancient.authUrl}/auth/tokens`, { body: passwordBody("u", "p") });
            const old = await raw("GET", `${ancient.endpointUrl("compute")}/servers/detail`, {
                headers: { "x-auth-token": login.headers.get("x-subject-token") as string, "openstack-api-version": "compute 2.47" },
            });
            assert.equal(old.status, 200, "before 2.27 Nova reads only the legacy header");
            assert.equal(old.headers.get("x-openstack-nova-api-version"), "2.1");
            ancient.assertNoContractViolations();
        } finally {
            await ancient.stop();
        }
    });

    test("paging: limit and marker, a next link with the sorted query while pages are full, 400 for a bad marker or limit", TIME_LIMIT, async () => {
        const other = await issue("other", "elsewhere");
        const made = fake.addServers(5, (i) => ({ name: `p-${i}`, project: "elsewhere" }));
        const page = (query: string) => nova(`/servers/detail?${query}`, { "x-auth-token": other, "openstack-api-version": "compute 2.47" });
        const first = (await page("limit=2&foo=bar")).json();
        assert.deepEqual((first.servers as { name: string }[]).map((s) => s.name), ["p-5", "p-4"]);
        assert.deepEqual(first.servers_links, [{ rel: "next", href: `${fake.endpointUrl("compute")}/servers/detail?foo=bar&limit=2&marker=${made[3].id}` }]);
        const last = (await page(`limit=2&marker=${made[1].id}`)).json();
        assert.deepEqual((last.servers as { name: string }[]).map((s) => s.name), ["p-1"]);
        assert.equal("servers_links" in last, false);
        const everything = (await page("")).json();
        assert.equal((everything.servers as unknown[]).length, 5, "only the token's project's servers");
        const badMarker = await page("marker=8d0b4a5e-0000-4000-8000-000000000000");
        assert.equal(badMarker.status, 400);
        assert.deepEqual(badMarker.json(), { badRequest: { code: 400, message: "marker [8d0b4a5e-0000-4000-8000-000000000000] not found" } });
        assert.equal((await page("limit=-1")).status, 400);
    });

    test("filters: metadata is silently ignored for non-admins; a whitelisted filter the fake does not model fails the test", TIME_LIMIT, async () => {
        const mark = fake.requests.length;
        const all = (await nova("/servers/detail")).json().servers as unknown[];
        const filtered = await nova("/servers/detail?metadata=%7B%22a%22%3A%22b%22%7D");
        assert.equal((filtered.json().servers as unknown[]).length, all.length);
        assert.deepEqual(fake.requests.at(-1)?.ignoredQuery, ["metadata"]);
        assert.equal(fake.requests.length - mark, 2);
        const byName = await nova("/servers/detail?name=p-1");
        assert.equal(byName.status, 500);
        assert.deepEqual(fake.contractViolations.map((v) => v.stage), ["unimplemented"]);
        fake.clearContractViolations();
    });

    test("another project's server, or an unknown one, is 404 itemNotFound; a locked one refuses deletion with 409", TIME_LIMIT, async () => {
        const theirs = fake.addServer({ name: "theirs", project: "elsewhere" });
        const shown = await nova(`/servers/${theirs.id}`, { "openstack-api-version": "compute 2.47" });
        assert.equal(shown.status, 404);
        assert.deepEqual(shown.json(), { itemNotFound: { code: 404, message: `Instance ${theirs.id} could not be found.` } });
        assert.equal(shown.headers.get("openstack-api-version"), "compute 2.47");
        const locked = fake.addServer({ name: "locked", project: "ci", locked: true });
        const refused = await raw("DELETE", `${fake.endpointUrl("compute")}/servers/${locked.id}`, { headers: { "x-auth-token": token } });
        assert.equal(refused.status, 409);
        assert.deepEqual(refused.json(), { conflictingRequest: { code: 409, message: `Instance ${locked.id} is locked` } });
        fake.setServer(locked.id, { locked: false });
        const deleted = await raw("DELETE", `${fake.endpointUrl("compute")}/servers/${locked.id}`, { headers: { "x-auth-token": token } });
        assert.equal(deleted.status, 204);
        assert.equal(deleted.text, "");
        assert.equal(fake.server(locked.id), undefined);
    });

    test("statuses follow vm_state and task_state as Nova maps them", TIME_LIMIT, async () => {
        const server = fake.addServer({ name: "states", project: "ci" });
        const statusNow = async () => ((await nova(`/servers/${server.id}`)).json().server as { status: string }).status;
        for (const [change, status] of [
            [{ vmState: "stopped" }, "SHUTOFF"],
            [{ vmState: "active", taskState: "rebooting_hard" }, "HARD_REBOOT"],
            [{ vmState: "active", taskState: "deleting" }, "ACTIVE"],
            [{ vmState: "error", taskState: null }, "ERROR"],
            [{ vmState: "shelved_offloaded" }, "SHELVED_OFFLOADED"],
        ] as const) {
            fake.setServer(server.id, change);
            assert.equal(await statusNow(), status);
        }
    });
});

describe("Glance", () => {
    test("list: 25 by default, first/next/schema links, a property filter, hidden images left out", TIME_LIMIT, async () => {
        for (let i = 1; i <= 30; i++) fake.addImage({ name: `img-${i}`, project: "ci", properties: { kind: i % 2 ? "odd" : "even" } });
        fake.addImage({ name: "hidden", project: "ci", hidden: true });
        fake.addImage({ name: "theirs", project: "elsewhere" });
        const first = (await glance("/images")).json();
        assert.equal((first.images as unknown[]).length, 25);
        assert.equal(first.first, "/v2/images");
        assert.equal(first.schema, "/v2/schemas/images");
        const lastShown = (first.images as { id: string }[])[24].id;
        assert.equal(first.next, `/v2/images?marker=${lastShown}`);
        const odd = (await glance("/images?kind=odd&limit=100")).json();
        assert.equal((odd.images as unknown[]).length, 15);
        assert.equal(odd.first, "/v2/images?kind=odd&limit=100");
        assert.equal("next" in odd, false);
        const names = ((await glance("/images?limit=1000")).json().images as { name: string }[]).map((i) => i.name);
        assert.ok(!names.includes("hidden") && !names.includes("theirs"));
        assert.ok(((await glance("/images?os_hidden=true")).json().images as { name: string }[]).some((i) => i.name === "hidden"));
    });

    test("refusals take webob's JSON error shape: bad limit, unknown marker, unknown image, protected, in use", TIME_LIMIT, async () => {
        const badLimit = await glance("/images?limit=x");
        assert.equal(badLimit.status, 400);
        assert.deepEqual(badLimit.json(), { message: "limit param must be an integer<br /><br />\n\n\n", code: "400 Bad Request", title: "Bad Request" });
        const unknown = "0b6c2f1e-0000-4000-8000-000000000000";
        assert.equal((await glance(`/images?marker=${unknown}`)).status, 400);
        const missing = await glance(`/images/${unknown}`);
        assert.equal(missing.status, 404);
        assert.equal(missing.json().message, `No image found with ID ${unknown}<br /><br />\n\n\n`);
        const kept = fake.addImage({ name: "kept", project: "ci", protected: true });
        assert.equal((await glance(`/images/${kept.id}`, "DELETE")).status, 403);
        const busy = fake.addImage({ name: "busy", project: "ci" });
        fake.setImage(busy.id, { inUseBy: "rbd clones exist" });
        const inUse = await glance(`/images/${busy.id}`, "DELETE");
        assert.equal(inUse.status, 409);
        assert.equal(inUse.json().code, "409 Conflict");
        const shown = (await glance(`/images/${busy.id}`)).json();
        assert.equal(shown.self, `/v2/images/${busy.id}`);
        assert.equal(shown.file, `/v2/images/${busy.id}/file`);
        assert.equal((await glance(`/images/${unknown}`, "DELETE")).json().message, `Failed to find image ${unknown} to delete<br /><br />\n\n\n`);
    });
});

describe("the contract check", () => {
    test("a response missing a documented field is refused with a 500 naming it", TIME_LIMIT, async () => {
        const server = fake.addServer({ name: "corrupt", project: "ci" });
        fake.corruptNextResponse((body) => {
            const copy = body as { server: Record<string, unknown> };
            delete copy.server.created;
            return copy;
        });
        const answer = await nova(`/servers/${server.id}`, { "openstack-api-version": "compute 2.47" });
        assert.equal(answer.status, 500);
        assert.match(answer.text, /body\/server must have required property 'created'/);
        assert.equal(fake.contractViolations.length, 1);
        fake.clearContractViolations();
    });

    test("a field the reference does not list, or a wrong type, is caught too", TIME_LIMIT, async () => {
        fake.corruptNextResponse((body) => ({ ...(body as object), extra: true }));
        assert.equal((await glance("/images")).status, 500);
        fake.corruptNextResponse((body) => ({ ...(body as object), versions: { values: [{ id: 3 }] } }));
        assert.equal((await raw("GET", `${fake.unversionedAuthUrl}/`)).status, 500);
        assert.deepEqual(fake.contractViolations.map((v) => v.operationId), ["image:listImages", "identity:discoverVersions"]);
        assert.match(fake.contractViolations[0].problems[0], /must NOT have additional properties: extra/);
        fake.clearContractViolations();
    });

    test("injecting a status the operation never answers is itself a violation; documented ones and proxy pages pass", TIME_LIMIT, async () => {
        fake.failNext({ service: "compute", path: "/servers/detail" }, { status: 409 });
        assert.equal((await nova("/servers/detail")).status, 500);
        assert.match(fake.contractViolations[0]?.problems[0] ?? "", /status 409 is not one compute:listServersDetail documents/);
        fake.clearContractViolations();
        fake.failNext({ service: "compute", path: "/servers/detail" }, { status: 503 });
        const unavailable = await nova("/servers/detail", { "openstack-api-version": "compute 2.47" });
        assert.deepEqual(unavailable.json(), { serviceUnavailable: { code: 503, message: "The server is currently unavailable. Please try again at a later time." } });
        assert.equal(unavailable.headers.get("openstack-api-version"), "compute 2.47");
        fake.failNext({ service: "image" }, { status: 504 });
        const gateway = await glance("/images");
        assert.equal(gateway.status, 504);
        assert.match(gateway.headers.get("content-type") ?? "", /^text\/html/);
    });

    test("an endpoint the fake does not model is a routing violation", TIME_LIMIT, async () => {
        assert.equal((await raw("GET", `${fake.endpointUrl("compute")}/flavors/detail`, { headers: { "x-auth-token": token } })).status, 404);
        assert.equal((await raw("GET", `${fake.endpointUrl("image")}/images`)).status, 404, "Glance lives under /v2");
        assert.deepEqual(fake.contractViolations.map((v) => v.stage), ["routing", "routing"]);
        fake.clearContractViolations();
    });
});
