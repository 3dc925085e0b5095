/**
 * The Keystone auth fields (clouds.yaml `auth:` names) with the origin of each
 * value, and the two steps gophercloud/utils (commit 05e9e7f5ea4d, pinned by
 * terraform-provider-openstack v1.54.1) applies to them in
 * `openstack/clientconfig/requests.go`: `v3auth` fills every still-empty field
 * from the environment, and `setDomainIfNeeded` spreads domain_* and
 * default_domain to the user and project domains.
 */
import type { Environment, SettingValue } from "./provider-settings";

export const AUTH_FIELDS = [
    "auth_url",
    "token",
    "username",
    "user_id",
    "password",
    "application_credential_id",
    "application_credential_name",
    "application_credential_secret",
    "system_scope",
    "project_id",
    "project_name",
    "user_domain_id",
    "user_domain_name",
    "project_domain_id",
    "project_domain_name",
    "domain_id",
    "domain_name",
    "default_domain",
] as const;

export type AuthField = (typeof AUTH_FIELDS)[number];
export type AuthInfo = Partial<Record<AuthField, SettingValue>>;

/**
 * `v3auth`'s environment overrides, in its order. Where a field has two
 * variables the later assignment wins (OS_PROJECT_ID over OS_TENANT_ID,
 * OS_AUTH_TOKEN over OS_TOKEN), unlike the provider schema's own defaults.
 */
const ENVIRONMENT_FILL: readonly (readonly [AuthField, readonly string[]])[] = [
    ["auth_url", ["OS_AUTH_URL"]],
    ["token", ["OS_TOKEN", "OS_AUTH_TOKEN"]],
    ["username", ["OS_USERNAME"]],
    ["user_id", ["OS_USER_ID"]],
    ["password", ["OS_PASSWORD"]],
    ["project_id", ["OS_TENANT_ID", "OS_PROJECT_ID"]],
    ["project_name", ["OS_TENANT_NAME", "OS_PROJECT_NAME"]],
    ["domain_id", ["OS_DOMAIN_ID"]],
    ["domain_name", ["OS_DOMAIN_NAME"]],
    ["default_domain", ["OS_DEFAULT_DOMAIN"]],
    ["project_domain_id", ["OS_PROJECT_DOMAIN_ID"]],
    ["project_domain_name", ["OS_PROJECT_DOMAIN_NAME"]],
    ["user_domain_id", ["OS_USER_DOMAIN_ID"]],
    ["user_domain_name", ["OS_USER_DOMAIN_NAME"]],
    ["application_credential_id", ["OS_APPLICATION_CREDENTIAL_ID"]],
    ["application_credential_name", ["OS_APPLICATION_CREDENTIAL_NAME"]],
    ["application_credential_secret", ["OS_APPLICATION_CREDENTIAL_SECRET"]],
    ["system_scope", ["OS_SYSTEM_SCOPE"]],
];

export function fillFromEnvironment(info: AuthInfo, env: Environment): AuthInfo {
    const filled: AuthInfo = { ...info };
    for (const [field, variables] of ENVIRONMENT_FILL) {
        if (filled[field] !== undefined) continue;
        for (const variable of variables) {
            const value = env[variable];
            if (value !== undefined && value !== "") filled[field] = { value, origin: `the environment variable ${variable}` };
        }
    }
    return filled;
}

/** `setDomainIfNeeded`: domain_* stands in for unset user/project domains, then default_domain does. */
export function spreadDomains(info: AuthInfo): AuthInfo {
    const spread: AuthInfo = { ...info };
    if (spread.domain_id) {
        spread.user_domain_id ??= spread.domain_id;
        spread.project_domain_id ??= spread.domain_id;
        delete spread.domain_id;
    }
    if (spread.domain_name) {
        spread.user_domain_name ??= spread.domain_name;
        spread.project_domain_name ??= spread.domain_name;
        delete spread.domain_name;
    }
    if (spread.default_domain) {
        if (!spread.user_domain_name && !spread.user_domain_id) spread.user_domain_id = spread.default_domain;
        if (!spread.project_domain_name && !spread.project_domain_id) spread.project_domain_id = spread.default_domain;
    }
    return spread;
}
