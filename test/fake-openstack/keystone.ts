/**
 * The fake Keystone: version discovery and token issue.
 *
 * Rules, keystone 29.0.2:
 * - GET / answers 300 with the v3 version and its self link at <root>/v3/
 *   (keystone/api/discovery.py, keystone/server/flask/common.py `base_url`).
 * - POST /v3/auth/tokens: the body is checked against keystone/auth/schema.py
 *   `token_issue` (400 when it does not fit); a user given by name needs a
 *   domain (400 "Expecting to find domain in user", keystone/auth/plugins/core.py);
 *   an unknown or disabled user, domain or project, a wrong password or secret,
 *   or a project the user has no role on, is 401 with Keystone's generic message
 *   (security errors hide their detail: keystone/exception.py Unauthorized);
 *   an application credential may not ask for a scope (401,
 *   keystone/auth/core.py); success is 201 with X-Subject-Token.
 * - Tokens live [token] expiration = 3600 s by default (keystone/conf/token.py).
 */
import { type FakeAnswer, json, keystoneError } from "./answers";
import type { HandlerContext } from "./handler-context";
import { auditId, hexId, tokenId } from "./ids";
import type { FakeApplicationCredential, FakeDomain, FakeProject, FakeToken, FakeUser, FakeWorld } from "./state";

type Json = Record<string, unknown>;

export interface KeystoneSettings {
    tokenLifetimeMs: number;
    checkTokenRequest(body: unknown): string[];
}

export function discoverVersions(ctx: HandlerContext): FakeAnswer {
    const self = `${ctx.urls.identityRoot}/v3/`;
    return json(
        300,
        {
            versions: {
                values: [
                    {
                        id: "v3.14",
                        status: "stable",
                        updated: "2020-04-07T00:00:00Z",
                        links: [{ rel: "self", href: self }],
                        "media-types": [{ base: "application/json", type: "application/vnd.openstack.identity-v3+json" }],
                    },
                ],
            },
        },
        { location: self },
    );
}

export function issueToken(ctx: HandlerContext, settings: KeystoneSettings): FakeAnswer {
    const uri = `${ctx.urls.identityRoot}/v3`;
    const unauthorized = () => keystoneError(401, "The request you have made requires authentication.", uri);
    const invalid = (attribute: string, target: string) =>
        keystoneError(
            400,
            `Expecting to find ${attribute} in ${target}. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`,
            uri,
        );
    let body: Json;
    try {
        body = JSON.parse(ctx.bodyText) as Json;
    } catch {
        ctx.badRequest("the token request is not JSON");
        return invalid("auth", "request body");
    }
    const problems = settings.checkTokenRequest(body);
    if (problems.length > 0) {
        ctx.badRequest(problems.join("; "));
        return keystoneError(400, `Invalid input for field '${problems[0]}'.`, uri);
    }
    const auth = body.auth as Json;
    const identity = auth.identity as Json;
    const methods = identity.methods as string[];
    const scope = auth.scope as Json | string | undefined;

    let user: FakeUser | undefined;
    let project: FakeProject | undefined;
    let credential: FakeApplicationCredential | undefined;
    if (methods.length === 1 && methods[0] === "password") {
        const password = identity.password as Json | undefined;
        const userRef = password?.user as Json | undefined;
        if (!userRef) return invalid("user", "password");
        if (userRef.id === undefined && userRef.name === undefined) return invalid("id or name", "user");
        if (userRef.name !== undefined && userRef.domain === undefined) return invalid("domain", "user");
        const found = findUser(ctx.world, userRef);
        if (found === "invalid") return invalid("id or name", "domain");
        if (!found || !found.enabled || userRef.password !== found.password) return unauthorized();
        user = found;
        if (scope === undefined) return ctx.unimplemented("unscoped tokens (the fake issues project-scoped tokens only)");
        const projectRef = typeof scope === "object" ? (scope.project as Json | undefined) : undefined;
        if (!projectRef) return ctx.unimplemented(`a ${JSON.stringify(Object.keys(typeof scope === "object" ? scope : { [scope]: 1 }))} scope (the fake scopes to projects only)`);
        if (projectRef.id === undefined && projectRef.name === undefined) return invalid("id or name", "project");
        if (projectRef.id === undefined && projectRef.domain === undefined) return invalid("domain", "project");
        const foundProject = findProject(ctx.world, projectRef);
        if (foundProject === "invalid") return invalid("id or name", "domain");
        if (!foundProject || !foundProject.enabled || !found.projectIds.has(foundProject.id)) return unauthorized();
        project = foundProject;
    } else if (methods.length === 1 && methods[0] === "application_credential") {
        if (scope !== undefined) return unauthorized();
        const ref = identity.application_credential as Json | undefined;
        if (!ref) return invalid("application_credential", "identity");
        // keystone/auth/core.py `_lookup_app_cred`: by id, or by name with its user (id, or name and domain).
        if (ref.id === undefined) {
            if (ref.name === undefined) return invalid("name or ID", "application credential");
            const userRef = ref.user as Json | undefined;
            if (!userRef) return invalid("user", "application credential");
            if (userRef.id === undefined && userRef.domain === undefined) return invalid("domain", "user");
        }
        credential = findApplicationCredential(ctx.world, ref);
        if (!credential || ref.secret !== credential.secret) return unauthorized();
        user = ctx.world.users.find((u) => u.id === credential?.userId);
        project = ctx.world.projects.find((p) => p.id === credential?.projectId);
        if (!user?.enabled || !project?.enabled || !user.projectIds.has(project.id)) return unauthorized();
    } else {
        return ctx.unimplemented(`the auth method(s) ${JSON.stringify(methods)}`);
    }

    const token: FakeToken = {
        value: tokenId(),
        userId: user.id,
        projectId: project.id,
        methods: [...methods],
        issuedAtMs: ctx.nowMs,
        expiresAtMs: ctx.nowMs + settings.tokenLifetimeMs,
        ...(credential ? { applicationCredentialId: credential.id } : {}),
        auditId: auditId(),
    };
    ctx.world.tokens.set(token.value, token);
    ctx.world.issuedTokenValues.push(token.value);
    return json(201, { token: tokenBody(ctx, token, user, project, credential) }, { "x-subject-token": token.value });
}

function tokenBody(ctx: HandlerContext, token: FakeToken, user: FakeUser, project: FakeProject, credential: FakeApplicationCredential | undefined): Json {
    const domainOf = (id: string) => {
        const domain = ctx.world.domains.find((d) => d.id === id) as FakeDomain;
        return { id: domain.id, name: domain.name };
    };
    return {
        methods: token.methods,
        user: { id: user.id, name: user.name, domain: domainOf(user.domainId), password_expires_at: null },
        audit_ids: [token.auditId],
        expires_at: keystoneTime(token.expiresAtMs),
        issued_at: keystoneTime(token.issuedAtMs),
        project: { id: project.id, name: project.name, domain: domainOf(project.domainId) },
        is_domain: false,
        roles: [{ id: MEMBER_ROLE_ID, name: "member" }],
        catalog: catalog(ctx),
        ...(credential ? { application_credential: { id: credential.id, name: credential.name, restricted: true } } : {}),
    };
}

const MEMBER_ROLE_ID = hexId();
const SERVICE_IDS = { identity: hexId(), compute: hexId(), image: hexId() };

function catalog(ctx: HandlerContext): Json[] {
    const interfaces = ["public", "internal", "admin"] as const;
    const endpoints = (url: (region: string, iface: (typeof interfaces)[number]) => string) =>
        ctx.urls.regions.flatMap((region) =>
            interfaces.map((iface) => ({ id: hexId(), interface: iface, region, region_id: region, url: url(region, iface) })),
        );
    return [
        { id: SERVICE_IDS.identity, type: "identity", name: "keystone", endpoints: endpoints(() => ctx.urls.identityRoot) },
        { id: SERVICE_IDS.compute, type: "compute", name: "nova", endpoints: endpoints((r, i) => ctx.urls.endpoint("compute", r, i)) },
        { id: SERVICE_IDS.image, type: "image", name: "glance", endpoints: endpoints((r, i) => ctx.urls.endpoint("image", r, i)) },
    ];
}

/** Keystone's token times: ISO 8601 with microseconds and Z (keystone/common/utils.py isotime(subsecond=True)). */
function keystoneTime(ms: number): string {
    return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

function findDomain(world: FakeWorld, ref: unknown): FakeDomain | undefined | "invalid" {
    const domain = ref as Json | undefined;
    if (domain?.id === undefined && domain?.name === undefined) return "invalid";
    const found = world.domain({ ...(typeof domain.id === "string" ? { id: domain.id } : {}), ...(typeof domain.name === "string" ? { name: domain.name } : {}) });
    return found?.enabled ? found : undefined;
}

function findUser(world: FakeWorld, ref: Json): FakeUser | undefined | "invalid" {
    if (typeof ref.id === "string") return world.users.find((u) => u.id === ref.id && world.domain({ id: u.domainId })?.enabled);
    const domain = findDomain(world, ref.domain);
    if (domain === "invalid" || domain === undefined) return domain;
    return world.users.find((u) => u.name === ref.name && u.domainId === domain.id);
}

function findProject(world: FakeWorld, ref: Json): FakeProject | undefined | "invalid" {
    if (typeof ref.id === "string") return world.projects.find((p) => p.id === ref.id);
    const domain = findDomain(world, ref.domain);
    if (domain === "invalid" || domain === undefined) return domain;
    return world.projects.find((p) => p.name === ref.name && p.domainId === domain.id);
}

function findApplicationCredential(world: FakeWorld, ref: Json): FakeApplicationCredential | undefined {
    if (typeof ref.id === "string") return world.applicationCredentials.find((c) => c.id === ref.id);
    const user = findUser(world, ref.user as Json);
    if (!user || user === "invalid") return undefined;
    return world.applicationCredentials.find((c) => c.userId === user.id && c.name === ref.name);
}
