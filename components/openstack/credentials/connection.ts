/**
 * How to reach the endpoints: catalog interface, TLS, endpoint overrides,
 * read as terraform-provider-openstack v1.54.1 reads them (provider.go
 * schema; gophercloud/utils 05e9e7f5ea4d terraform/auth/config.go
 * `LoadAndValidate`, `DetermineEndpoint`; openstack/clientconfig/utils.go
 * `GetEndpointType`).
 */
import { OpenstackCredentialsError } from "../errors";
import type { CloudEntry } from "./clouds-yaml";
import { nonEmpty, parseBoolean, type ProviderSettings } from "./provider-settings";
import type { EndpointInterface, OpenstackCredentials } from "./types";

const ENDPOINT_TYPES: Record<string, EndpointInterface> = {
    // gophercloud/utils `GetEndpointType`; the provider accepts exactly these (`LoadAndValidate`).
    public: "public",
    publicURL: "public",
    internal: "internal",
    internalURL: "internal",
    admin: "admin",
    adminURL: "admin",
};

export function endpointInterface(settings: ProviderSettings): EndpointInterface {
    const setting = settings.endpointType;
    if (!setting) return "public";
    const mapped = ENDPOINT_TYPES[setting.value];
    if (!mapped) {
        throw new OpenstackCredentialsError(
            `OpenStack credentials: the endpoint type from ${setting.origin} is "${setting.value}"; expected one of ${Object.keys(ENDPOINT_TYPES).join(", ")}`,
        );
    }
    return mapped;
}

export function tlsSettings(settings: ProviderSettings, entry: CloudEntry | undefined): OpenstackCredentials["tls"] {
    let insecure = false;
    if (settings.insecure) insecure = parseBoolean(settings.insecure, "openstack:insecure");
    // LoadAndValidate: the entry's `verify` (default true) only counts when insecure is unset.
    else if (entry !== undefined) insecure = entry.verify === false;
    const caCertFile = settings.cacertFile?.value ?? nonEmpty(entry?.cacert);
    const clientCertFile = settings.cert?.value ?? nonEmpty(entry?.cert);
    const clientKeyFile = settings.key?.value ?? nonEmpty(entry?.key);
    return {
        insecure,
        ...(caCertFile !== undefined ? { caCertFile } : {}),
        ...(clientCertFile !== undefined ? { clientCertFile } : {}),
        ...(clientKeyFile !== undefined ? { clientKeyFile } : {}),
    };
}

export function endpointOverrides(settings: ProviderSettings): OpenstackCredentials["endpointOverrides"] {
    const setting = settings.endpointOverrides;
    if (!setting) return {};
    let parsed: unknown;
    try {
        parsed = JSON.parse(setting.value);
    } catch {
        parsed = undefined;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new OpenstackCredentialsError(`OpenStack credentials: ${setting.origin} must be an object of service name to endpoint URL`);
    }
    const overrides: OpenstackCredentials["endpointOverrides"] = {};
    for (const service of ["compute", "image"] as const) {
        const value = (parsed as Record<string, unknown>)[service];
        if (value === undefined || value === "") continue;
        if (typeof value !== "string" || !/^https?:\/\/[^\s]+$/.test(value)) {
            throw new OpenstackCredentialsError(`OpenStack credentials: ${setting.origin}: "${service}" must be an http(s) URL`);
        }
        overrides[service] = value;
    }
    return overrides;
}

