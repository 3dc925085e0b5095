/**
 * The validated result of credential resolution: everything the client needs
 * to reach Keystone, Nova and Glance as `pulumi up` would.
 */
import type { Secret } from "../secret";

/** A domain given by id or by name (Keystone v3 accepts either). */
export type DomainRef = { id: string } | { name: string };

/** A user given by id, or by name within a domain. */
export type UserRef = { id: string } | { name: string; domain: DomainRef };

/** The project a password token is scoped to. */
export type ProjectScope = { id: string } | { name: string; domain: DomainRef };

export type KeystoneAuthMethod =
    | { method: "password"; user: UserRef; password: Secret; project: ProjectScope }
    /** Application credentials carry their own project; Keystone refuses a scope with them. */
    | { method: "application_credential"; id: string; secret: Secret }
    | { method: "application_credential"; name: string; user: UserRef; secret: Secret };

/** Keystone catalog interfaces (gophercloud's Availability). */
export type EndpointInterface = "public" | "internal" | "admin";

export interface TlsSettings {
    /** A PEM file of CA certificates to trust instead of the system's. */
    caCertFile?: string;
    /** Skip certificate verification (openstack:insecure, OS_INSECURE, `verify: false`). */
    insecure: boolean;
    /** Client certificate and key files for mutual TLS. */
    clientCertFile?: string;
    clientKeyFile?: string;
}

export interface OpenstackCredentials {
    /** The Keystone URL as configured; a version-less URL is resolved by discovery. */
    authUrl: string;
    auth: KeystoneAuthMethod;
    /** Region filter for catalog endpoints; any region when undefined. */
    region?: string;
    interface: EndpointInterface;
    tls: TlsSettings;
    /** openstack:endpointOverrides for the services this client uses. */
    endpointOverrides: { compute?: string; image?: string };
    /** Where the settings came from, for messages (never contains a secret). */
    origin: {
        cloud?: string;
        cloudsFile?: string;
        secureFile?: string;
        /** Stack auth keys the provider ignores because a clouds.yaml cloud is selected; worth a note to the user. */
        ignoredStackKeys?: string[];
    };
}
