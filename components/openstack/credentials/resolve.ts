/**
 * Resolves OpenStack credentials the way `pulumi up` does for the openstack
 * provider (@pulumi/openstack 3.15.2 = terraform-provider-openstack v1.54.1
 * with gophercloud/utils 05e9e7f5ea4d):
 *
 * 1. Each provider setting is the stack's `openstack:<key>`, else its OS_*
 *    variable (provider-settings.ts).
 * 2. Without a cloud name (openstack:cloud / OS_CLOUD) those settings are the
 *    auth fields. With one, the auth fields come from that clouds.yaml entry
 *    (clouds-yaml.ts) and the stack's auth settings are ignored, exactly as
 *    the provider's `LoadAndValidate` (gophercloud/utils
 *    `terraform/auth/config.go`) builds no AuthInfo from them in that case;
 *    only region, cacert, cert, key and insecure from step 1 still win over
 *    the entry's region_name, cacert, cert, key and verify. The endpoint
 *    interface is openstack:endpointType / OS_ENDPOINT_TYPE only: the provider
 *    reads neither the entry's `interface`/`endpoint_type` nor OS_INTERFACE,
 *    so neither does this (a status tool on another interface than `pulumi up`
 *    could reach a different endpoint).
 * 3. Every auth field still empty is taken from OS_* (`v3auth`, auth-info.ts).
 * 4. The method and scope are chosen as `v3auth` and gophercloud v1.8.0
 *    `auth_options.go` (ToTokenV3CreateMap, ToTokenV3ScopeMap) choose them.
 *
 * Token authentication (openstack:token, OS_TOKEN) and Keystone v2.0 are
 * refused with an error rather than half supported. Errors name the missing
 * or contradictory setting and where it can be set, never a secret value.
 */
import { homedir } from "node:os";
import { type AuthField, type AuthInfo, fillFromEnvironment } from "./auth-info";
import { chooseAuthMethod } from "./auth-method";
import { type CloudEntry, loadCloud } from "./clouds-yaml";
import { endpointInterface, endpointOverrides, tlsSettings } from "./connection";
import { Problems, WHERE_TO_SET } from "./problems";
import {
    type Environment,
    nonEmpty,
    parseBoolean,
    type ProviderSettings,
    readProviderSettings,
    type SettingName,
    type StackConfig,
} from "./provider-settings";
import type { OpenstackCredentials } from "./types";

export interface CredentialSources {
    /** The stack's config (`openstack:*` keys are read, others ignored), secrets decrypted. */
    stackConfig: StackConfig;
    /** Defaults to process.env. */
    env?: Environment;
    /** Where ./clouds.yaml is looked for; defaults to process.cwd(). */
    cwd?: string;
    /** Defaults to the user's home directory. */
    homeDir?: string;
    /** Defaults to /etc/openstack. */
    siteConfigDir?: string;
}

/** Stack keys whose gophercloud/utils auth field they feed when no cloud is named. */
const AUTH_FIELD_OF_SETTING: Partial<Record<SettingName, AuthField>> = {
    authUrl: "auth_url",
    token: "token",
    userName: "username",
    userId: "user_id",
    password: "password",
    applicationCredentialId: "application_credential_id",
    applicationCredentialName: "application_credential_name",
    applicationCredentialSecret: "application_credential_secret",
    tenantId: "project_id",
    tenantName: "project_name",
    userDomainId: "user_domain_id",
    userDomainName: "user_domain_name",
    projectDomainId: "project_domain_id",
    projectDomainName: "project_domain_name",
    domainId: "domain_id",
    domainName: "domain_name",
    defaultDomain: "default_domain",
};

export function resolveOpenstackCredentials(sources: CredentialSources): OpenstackCredentials {
    const env = sources.env ?? process.env;
    const settings = readProviderSettings(sources.stackConfig, env);
    const problems = new Problems();

    let info: AuthInfo;
    let cloudEntry: CloudEntry | undefined;
    const origin: OpenstackCredentials["origin"] = {};
    const cloud = settings.cloud;
    if (cloud !== undefined) {
        const loaded = loadCloud(cloud.value, cloud.origin, settings.region?.value, {
            cwd: sources.cwd ?? process.cwd(),
            homeDir: sources.homeDir ?? safeHomedir(),
            siteConfigDir: sources.siteConfigDir ?? "/etc/openstack",
            env,
        });
        cloudEntry = loaded.entry;
        origin.cloud = cloud.value;
        origin.cloudsFile = loaded.cloudsFile;
        if (loaded.secureFile) origin.secureFile = loaded.secureFile;
        const entryName = `${loaded.cloudsFile}${loaded.secureFile ? ` (with ${loaded.secureFile})` : ""} clouds.${cloud.value}`;
        info = authInfoOfCloud(loaded.entry, entryName);
        problems.ignored = ignoredStackAuthKeys(sources.stackConfig);
        if (problems.ignored.length > 0) origin.ignoredStackKeys = problems.ignored;
    } else {
        info = authInfoOfSettings(settings);
    }
    info = fillFromEnvironment(info, env);

    const authUrl = checkAuthUrl(info, problems);
    checkIdentityVersion(info, cloudEntry, env, problems);
    const auth = chooseAuthMethod(info, problems);

    const region = settings.region?.value ?? nonEmpty(cloudEntry?.region_name);
    return {
        authUrl,
        auth,
        ...(region !== undefined ? { region } : {}),
        interface: endpointInterface(settings),
        tls: tlsSettings(settings, cloudEntry),
        endpointOverrides: endpointOverrides(settings),
        origin,
    };
}

function authInfoOfSettings(settings: ProviderSettings): AuthInfo {
    const info: AuthInfo = {};
    for (const [setting, field] of Object.entries(AUTH_FIELD_OF_SETTING) as [SettingName, AuthField][]) {
        const value = settings[setting];
        if (value !== undefined) info[field] = value;
    }
    // provider.go passes system_scope as AuthOpts.Scope.System; LoadAndValidate turns it into "true".
    if (settings.systemScope && parseBoolean(settings.systemScope, "openstack:systemScope")) {
        info.system_scope = { value: "true", origin: settings.systemScope.origin };
    }
    return info;
}

function authInfoOfCloud(entry: CloudEntry, entryName: string): AuthInfo {
    const info: AuthInfo = {};
    for (const [key, value] of Object.entries(entry.auth ?? {})) {
        if (value === "" || !(key in WHERE_TO_SET)) continue;
        info[key as AuthField] = { value, origin: `${entryName}.auth.${key}` };
    }
    if (entry.auth_type?.includes("token")) {
        info.token ??= { value: "", origin: `${entryName}.auth_type "${entry.auth_type}"` };
    }
    return info;
}

function ignoredStackAuthKeys(stackConfig: StackConfig): string[] {
    return Object.keys(AUTH_FIELD_OF_SETTING)
        .map((name) => `openstack:${name}`)
        .filter((key) => typeof stackConfig[key] === "string" && stackConfig[key] !== "");
}

function checkAuthUrl(info: AuthInfo, problems: Problems): string {
    const setting = info.auth_url;
    if (!setting) return problems.missing("no Keystone auth URL", ["auth_url"]);
    let url: URL;
    try {
        url = new URL(setting.value);
    } catch {
        // A value with "@" may hold a password in its user part: not shown.
        const shown = setting.value.includes("@") ? "a value" : `"${setting.value}"`;
        return problems.fail(`the auth URL from ${setting.origin} is ${shown}, which is not a URL; expected e.g. https://keystone.example.net:5000/v3`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
        return problems.fail(`the auth URL from ${setting.origin} is "${setting.value}"; expected an http(s) URL`);
    }
    if (url.username || url.password) {
        return problems.fail(`the auth URL from ${setting.origin} carries a user or password; put them in the user name and password settings instead`);
    }
    return setting.value;
}

/** gophercloud/utils `determineIdentityAPI`: OS_IDENTITY_API_VERSION, identity_api_version, the URL, auth_type; v3 by default. */
function checkIdentityVersion(info: AuthInfo, entry: CloudEntry | undefined, env: Environment, problems: Problems): void {
    let version = nonEmpty(entry?.identity_api_version);
    let from = "identity_api_version in clouds.yaml";
    const fromEnv = nonEmpty(env.OS_IDENTITY_API_VERSION);
    if (fromEnv !== undefined) {
        version = fromEnv;
        from = "OS_IDENTITY_API_VERSION";
    }
    if (version === undefined) {
        const url = info.auth_url?.value ?? "";
        if (url.includes("v2.0")) version = "2.0";
        if (url.includes("v3")) version = "3";
        from = `the auth URL from ${info.auth_url?.origin}`;
    }
    if (version === undefined && entry?.auth_type?.startsWith("v2")) {
        version = "2.0";
        from = "auth_type in clouds.yaml";
    }
    if (version === "2" || version === "2.0") {
        problems.fail(`${from} selects Keystone v2.0, which this tool does not speak (Keystone removed v2.0 in Queens); use the v3 auth URL (…/v3)`);
    }
}

function safeHomedir(): string | undefined {
    try {
        return homedir();
    } catch {
        return undefined;
    }
}
