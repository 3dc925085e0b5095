/**
 * The openstack provider's own settings, read as the provider reads them: the
 * stack's `openstack:<key>` value, else the first non-empty environment
 * variable of the key's schema default. Keys and variables are those of
 * terraform-provider-openstack v1.54.1 `openstack/provider.go` (the schema's
 * `EnvDefaultFunc`/`MultiEnvDefaultFunc`), which @pulumi/openstack 3.15.2
 * wraps (pulumi-openstack v3.15.2 `provider/go.mod`; its `provider/resources.go`
 * adds the same variables for region, insecure, endpointType and cloud).
 * An empty value counts as unset, as `EnvDefaultFunc` and the provider's
 * `!= ""` checks treat it.
 */
import { OpenstackCredentialsError } from "../errors";

export interface SettingSpec {
    /** Environment variables in the order the provider's schema tries them. */
    env: readonly string[];
    kind: "string" | "secret" | "boolean" | "json-object";
    fallback?: string;
}

export const PROVIDER_SETTINGS = {
    authUrl: { env: ["OS_AUTH_URL"], kind: "string" },
    region: { env: ["OS_REGION_NAME"], kind: "string" },
    userName: { env: ["OS_USERNAME"], kind: "string" },
    userId: { env: ["OS_USER_ID"], kind: "string" },
    applicationCredentialId: { env: ["OS_APPLICATION_CREDENTIAL_ID"], kind: "string" },
    applicationCredentialName: { env: ["OS_APPLICATION_CREDENTIAL_NAME"], kind: "string" },
    applicationCredentialSecret: { env: ["OS_APPLICATION_CREDENTIAL_SECRET"], kind: "secret" },
    tenantId: { env: ["OS_TENANT_ID", "OS_PROJECT_ID"], kind: "string" },
    tenantName: { env: ["OS_TENANT_NAME", "OS_PROJECT_NAME"], kind: "string" },
    password: { env: ["OS_PASSWORD"], kind: "secret" },
    token: { env: ["OS_TOKEN", "OS_AUTH_TOKEN"], kind: "secret" },
    userDomainName: { env: ["OS_USER_DOMAIN_NAME"], kind: "string" },
    userDomainId: { env: ["OS_USER_DOMAIN_ID"], kind: "string" },
    projectDomainName: { env: ["OS_PROJECT_DOMAIN_NAME"], kind: "string" },
    projectDomainId: { env: ["OS_PROJECT_DOMAIN_ID"], kind: "string" },
    domainId: { env: ["OS_DOMAIN_ID"], kind: "string" },
    domainName: { env: ["OS_DOMAIN_NAME"], kind: "string" },
    // provider.go: EnvDefaultFunc("OS_DEFAULT_DOMAIN", "default").
    defaultDomain: { env: ["OS_DEFAULT_DOMAIN"], kind: "string", fallback: "default" },
    systemScope: { env: ["OS_SYSTEM_SCOPE"], kind: "boolean" },
    insecure: { env: ["OS_INSECURE"], kind: "boolean" },
    endpointType: { env: ["OS_ENDPOINT_TYPE"], kind: "string" },
    cacertFile: { env: ["OS_CACERT"], kind: "string" },
    cert: { env: ["OS_CERT"], kind: "string" },
    key: { env: ["OS_KEY"], kind: "string" },
    cloud: { env: ["OS_CLOUD"], kind: "string" },
    endpointOverrides: { env: [], kind: "json-object" },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof PROVIDER_SETTINGS;

/** A resolved value and a human description of where it came from (never the value). */
export interface SettingValue {
    value: string;
    origin: string;
}

export type ProviderSettings = Partial<Record<SettingName, SettingValue>>;

/** The stack's configuration as read from `Pulumi.<stack>.yaml`, secrets decrypted; other namespaces are ignored. */
export type StackConfig = Readonly<Record<string, unknown>>;
export type Environment = Readonly<Record<string, string | undefined>>;

export const STACK_NAMESPACE = "openstack:";

export function readProviderSettings(stackConfig: StackConfig, env: Environment): ProviderSettings {
    const settings: ProviderSettings = {};
    for (const [name, spec] of Object.entries(PROVIDER_SETTINGS) as [SettingName, SettingSpec][]) {
        const fromStack = stackValue(stackConfig, name, spec);
        if (fromStack !== undefined) {
            settings[name] = { value: fromStack, origin: `${STACK_NAMESPACE}${name} in the stack config` };
            continue;
        }
        const variable = spec.env.find((candidate) => nonEmpty(env[candidate]) !== undefined);
        if (variable !== undefined) {
            settings[name] = { value: env[variable] as string, origin: `the environment variable ${variable}` };
        } else if (spec.fallback !== undefined) {
            settings[name] = { value: spec.fallback, origin: `the provider's default for ${STACK_NAMESPACE}${name}` };
        }
    }
    return settings;
}

/** Terraform's bool parsing of environment values (Go strconv.ParseBool). */
export function parseBoolean(setting: SettingValue, name: string): boolean {
    const value = setting.value.trim();
    if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
    throw new OpenstackCredentialsError(
        `OpenStack credentials: ${name} from ${setting.origin} is "${value}"; expected true or false`,
    );
}

export function nonEmpty(value: string | undefined): string | undefined {
    return value === undefined || value === "" ? undefined : value;
}

function stackValue(stackConfig: StackConfig, name: SettingName, spec: SettingSpec): string | undefined {
    const key = `${STACK_NAMESPACE}${name}`;
    const raw = stackConfig[key];
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw === "string") return nonEmpty(raw);
    if (spec.kind === "boolean" && typeof raw === "boolean") return String(raw);
    if (spec.kind === "json-object" && typeof raw === "object" && !Array.isArray(raw)) return JSON.stringify(raw);
    const expected = spec.kind === "boolean" ? "true or false" : spec.kind === "json-object" ? "an object of service name to URL" : "a string";
    const shown = spec.kind === "secret" ? "a value" : `${typeof raw === "object" ? (Array.isArray(raw) ? "a list" : "an object") : `${typeof raw} ${String(raw)}`}`;
    throw new OpenstackCredentialsError(`OpenStack credentials: ${key} in the stack config is ${shown}; expected ${expected}`);
}
