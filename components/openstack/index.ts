/**
 * A small direct OpenStack client for the operators' tools (status, orphan
 * sweep): Keystone v3 auth, Nova servers (list, show, delete), Glance images
 * (list, show, delete), with the credentials `pulumi up` uses.
 *
 * Why not the provider's data sources through the Pulumi engine: the
 * provider has no "list servers" data source. @pulumi/openstack 3.15.2 wraps
 * terraform-provider-openstack v1.54.1 (pulumi-openstack v3.15.2
 * provider/go.mod), whose only server data source,
 * openstack/data_source_openstack_compute_instance_v2.go, requires an `id`:
 * it cannot find the servers nothing knows the id of, which is what an orphan
 * sweep looks for. Data sources also run only inside a Pulumi program under
 * the engine (`pulumi up`/`preview` or the Automation API, both needing the
 * Pulumi CLI and a stack backend), which a status command should not need.
 * So: a client kept to the few calls needed, its credential resolution copied
 * rule by rule from the provider (credentials/), tested against a fake held to
 * the API reference (test/fake-openstack).
 *
 *   const credentials = resolveOpenstackCredentials({ stackConfig, env: process.env });
 *   const openstack = createOpenstackClient(credentials);
 *   try {
 *       const servers = await openstack.listServers({ metadata: { "github-runners:stack": "dev" } });
 *   } finally {
 *       openstack.close();
 *   }
 */
export { createOpenstackClient, USER_AGENT } from "./client";
export type { OpenstackClient, OpenstackClientOptions } from "./client";
export { resolveOpenstackCredentials } from "./credentials/resolve";
export type { CredentialSources } from "./credentials/resolve";
export type { Environment, StackConfig } from "./credentials/provider-settings";
export type {
    DomainRef,
    EndpointInterface,
    KeystoneAuthMethod,
    OpenstackCredentials,
    ProjectScope,
    TlsSettings,
    UserRef,
} from "./credentials/types";
export {
    OpenstackApiError,
    OpenstackCredentialsError,
    OpenstackEndpointNotFoundError,
    OpenstackError,
    OpenstackImageInUseError,
    OpenstackMicroversionError,
    OpenstackServerConflictError,
} from "./errors";
export type { OpenstackService } from "./errors";
export type { GlanceImage, ListImagesOptions } from "./glance";
export { NOVA_MICROVERSION } from "./nova";
export type { ListServersOptions, NovaAddress, NovaServer, NovaServerStatus } from "./nova";
export { Secret } from "./secret";
export type { RetryPolicy } from "./http/retry";
