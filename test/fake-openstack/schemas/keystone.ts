/**
 * Shapes of the Keystone v3 answers the fake serves and of the token request
 * it accepts, written down from the identity API reference
 * (docs.openstack.org/api-ref/identity/v3, keystone 29.0.2
 * api-ref/source/v3/authenticate-v3.inc "Password authentication with scoped
 * authorization", application-credentials.inc "Authenticating with an
 * Application Credential", parameters.yaml, and the samples
 * samples/auth/responses/project-scoped-password.json,
 * samples/admin/auth-application-credential-response.json,
 * samples/admin/identity-versions-response.json), and from keystone's code
 * for what the reference leaves open (keystone/api/discovery.py: GET /
 * answers 300; keystone/auth/schema.py `token_issue`: the request schema).
 */
type Schema = Record<string, unknown>;

const ID_NAME = { type: "object", properties: { id: { type: "string" }, name: { type: "string" } }, required: ["id", "name"], additionalProperties: false };

const ENDPOINT: Schema = {
    type: "object",
    properties: {
        id: { type: "string" },
        interface: { type: "string", enum: ["public", "internal", "admin"] },
        region: { type: "string" },
        region_id: { type: "string" },
        url: { type: "string", format: "uri" },
    },
    required: ["id", "interface", "region_id", "url"],
    additionalProperties: false,
};

/** POST /v3/auth/tokens, 201 (project-scoped; application credential tokens add `application_credential`). */
export const TOKEN_RESPONSE: Schema = {
    type: "object",
    properties: {
        token: {
            type: "object",
            properties: {
                methods: { type: "array", items: { type: "string", enum: ["password", "application_credential"] }, minItems: 1 },
                user: {
                    type: "object",
                    properties: { id: { type: "string" }, name: { type: "string" }, domain: ID_NAME, password_expires_at: { type: ["string", "null"] } },
                    required: ["id", "name", "domain", "password_expires_at"],
                    additionalProperties: false,
                },
                audit_ids: { type: "array", items: { type: "string" }, minItems: 1 },
                expires_at: { type: "string", format: "date-time" },
                issued_at: { type: "string", format: "date-time" },
                project: {
                    type: "object",
                    properties: { id: { type: "string" }, name: { type: "string" }, domain: ID_NAME },
                    required: ["id", "name", "domain"],
                    additionalProperties: false,
                },
                is_domain: { type: "boolean" },
                roles: { type: "array", items: ID_NAME, minItems: 1 },
                catalog: {
                    type: "array",
                    items: {
                        type: "object",
                        properties: { id: { type: "string" }, type: { type: "string" }, name: { type: "string" }, endpoints: { type: "array", items: ENDPOINT } },
                        required: ["id", "type", "name", "endpoints"],
                        additionalProperties: false,
                    },
                },
                application_credential: {
                    type: "object",
                    properties: { id: { type: "string" }, name: { type: "string" }, restricted: { type: "boolean" } },
                    required: ["id", "name", "restricted"],
                    additionalProperties: false,
                },
            },
            required: ["methods", "user", "audit_ids", "expires_at", "issued_at", "project", "is_domain", "roles", "catalog"],
            additionalProperties: false,
        },
    },
    required: ["token"],
    additionalProperties: false,
};

/** GET / (version discovery), 300 Multiple Choices. */
export const VERSIONS_RESPONSE: Schema = {
    type: "object",
    properties: {
        versions: {
            type: "object",
            properties: {
                values: {
                    type: "array",
                    items: {
                        type: "object",
                        properties: {
                            id: { type: "string", pattern: "^v\\d+\\.\\d+$" },
                            status: { type: "string", enum: ["stable", "deprecated", "experimental"] },
                            updated: { type: "string", format: "date-time" },
                            links: {
                                type: "array",
                                items: { type: "object", properties: { rel: { type: "string" }, href: { type: "string" }, type: { type: "string" } }, required: ["rel", "href"] },
                            },
                            "media-types": {
                                type: "array",
                                items: { type: "object", properties: { base: { type: "string" }, type: { type: "string" } }, required: ["base", "type"] },
                            },
                        },
                        required: ["id", "status", "updated", "links", "media-types"],
                        additionalProperties: false,
                    },
                },
            },
            required: ["values"],
            additionalProperties: false,
        },
    },
    required: ["versions"],
    additionalProperties: false,
};

/**
 * Keystone's error body (keystone/server/flask/application.py `_handle_keystone_exception`)
 * and keystonemiddleware's 401 in front of Nova and Glance
 * (keystonemiddleware 13.0.0 auth_token/__init__.py `process_request`): the same shape.
 */
export function keystoneErrorSchema(status: number): Schema {
    return {
        type: "object",
        properties: {
            error: {
                type: "object",
                properties: { code: { const: status }, title: { type: "string" }, message: { type: "string" } },
                required: ["code", "title", "message"],
                additionalProperties: false,
            },
        },
        required: ["error"],
        additionalProperties: false,
    };
}

const DOMAIN_REF = { type: "object", properties: { id: { type: "string" }, name: { type: "string" } } };

/** keystone/auth/schema.py `token_issue`, with the application_credential method of keystone/auth/plugins/application_credential.py. */
export const TOKEN_REQUEST: Schema = {
    type: "object",
    properties: {
        auth: {
            type: "object",
            properties: {
                identity: {
                    type: "object",
                    properties: {
                        methods: { type: "array", items: { type: "string" } },
                        password: {
                            type: "object",
                            properties: {
                                user: {
                                    type: "object",
                                    properties: { id: { type: "string" }, name: { type: "string" }, password: { type: "string" }, domain: DOMAIN_REF },
                                },
                            },
                        },
                        token: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
                        application_credential: {
                            type: "object",
                            properties: {
                                id: { type: "string" },
                                name: { type: "string" },
                                secret: { type: "string" },
                                user: { type: "object", properties: { id: { type: "string" }, name: { type: "string" }, domain: DOMAIN_REF } },
                            },
                        },
                    },
                    required: ["methods"],
                },
                scope: {
                    type: ["object", "string"],
                    properties: {
                        project: { type: "object", properties: { name: { type: "string" }, id: { type: "string" }, domain: DOMAIN_REF } },
                        domain: DOMAIN_REF,
                        system: { type: "object" },
                    },
                },
            },
            required: ["identity"],
        },
    },
    required: ["auth"],
};
