/**
 * The Keystone auth method and scope, chosen from the resolved auth fields as
 * gophercloud/utils 05e9e7f5ea4d `v3auth` and gophercloud v1.8.0
 * `auth_options.go` (ToTokenV3CreateMap, ToTokenV3ScopeMap) choose them.
 */
import { Secret } from "../secret";
import { type AuthInfo, spreadDomains } from "./auth-info";
import type { Problems } from "./problems";
import type { SettingValue } from "./provider-settings";
import type { DomainRef, KeystoneAuthMethod, ProjectScope, UserRef } from "./types";

export function chooseAuthMethod(raw: AuthInfo, problems: Problems): KeystoneAuthMethod {
    const token = raw.token;
    if (token !== undefined) {
        return problems.fail(
            `token authentication (from ${token.origin}) is not supported by this tool; use a password or an application credential, ` +
                `and unset openstack:token / OS_TOKEN / OS_AUTH_TOKEN`,
        );
    }
    const password = raw.password;
    const appCredential = raw.application_credential_id ?? raw.application_credential_name ?? raw.application_credential_secret;
    if (password && appCredential) {
        return problems.fail(
            `both a password (from ${password.origin}) and an application credential (from ${appCredential.origin}) are set; unset one of them`,
        );
    }
    if (appCredential) return applicationCredentialAuth(spreadDomains(raw), problems);
    if (!password) {
        return problems.missing("no password and no application credential", ["password", "application_credential_id"]);
    }
    const scoped = raw.project_id !== undefined || raw.project_name !== undefined;
    if (!scoped) {
        const other = raw.system_scope ? ` (${raw.system_scope.origin} asks for a system scope, which cannot list a project's servers)` : "";
        return problems.missing(`no project to scope the token to${other}`, ["project_name", "project_id"]);
    }
    const info = spreadDomains(raw);
    return { method: "password", user: userOf(info, problems), password: new Secret(password.value), project: projectOf(info, problems) };
}

function applicationCredentialAuth(info: AuthInfo, problems: Problems): KeystoneAuthMethod {
    const secret = info.application_credential_secret;
    if (!secret) return problems.missing("an application credential is set but not its secret", ["application_credential_secret"]);
    if (info.application_credential_id) {
        return { method: "application_credential", id: info.application_credential_id.value, secret: new Secret(secret.value) };
    }
    const name = info.application_credential_name;
    if (!name) return problems.missing("an application credential secret is set but neither its id nor its name", ["application_credential_id", "application_credential_name"]);
    // ToTokenV3CreateMap: a credential by name belongs to a user: the user's id, or name and domain.
    let user: UserRef;
    if (info.user_id) {
        user = { id: info.user_id.value };
    } else if (info.username) {
        const domain = info.user_domain_id ?? info.user_domain_name;
        if (!domain) return problems.missing(`the application credential "${name.value}" is given by name, so its user's domain is needed`, ["user_domain_name", "user_domain_id"]);
        user = { name: info.username.value, domain: info.user_domain_id ? { id: info.user_domain_id.value } : { name: domain.value } };
    } else {
        return problems.missing(`the application credential "${name.value}" is given by name, so its user is needed`, ["username", "user_id"]);
    }
    return { method: "application_credential", name: name.value, user, secret: new Secret(secret.value) };
}

function userOf(info: AuthInfo, problems: Problems): UserRef {
    if (info.username && info.user_id) {
        return problems.fail(`both a user name (from ${info.username.origin}) and a user id (from ${info.user_id.origin}) are set; keep one`);
    }
    // Keystone identifies a user by id alone; the user's domain is then ignored rather than refused.
    if (info.user_id) return { id: info.user_id.value };
    if (!info.username) return problems.missing("no user", ["username", "user_id"]);
    if (info.user_domain_id && info.user_domain_name) {
        return problems.fail(
            `both a user domain id (from ${info.user_domain_id.origin}) and a user domain name (from ${info.user_domain_name.origin}) are set; keep one`,
        );
    }
    const domain: DomainRef | undefined = info.user_domain_id
        ? { id: info.user_domain_id.value }
        : info.user_domain_name
          ? { name: info.user_domain_name.value }
          : undefined;
    if (!domain) return problems.missing(`the user "${info.username.value}" is given by name, so its domain is needed`, ["user_domain_name", "user_domain_id", "default_domain"]);
    return { name: info.username.value, domain };
}

function projectOf(info: AuthInfo, problems: Problems): ProjectScope {
    // gophercloud/utils v3auth: a project id wins over a name; ToTokenV3ScopeMap: a domain id over a domain name.
    if (info.project_id) return { id: info.project_id.value };
    const name = info.project_name as SettingValue;
    const domain: DomainRef | undefined = info.project_domain_id
        ? { id: info.project_domain_id.value }
        : info.project_domain_name
          ? { name: info.project_domain_name.value }
          : undefined;
    if (!domain) return problems.missing(`the project "${name.value}" is given by name, so its domain is needed`, ["project_domain_name", "project_domain_id", "default_domain"]);
    return { name: name.value, domain };
}

