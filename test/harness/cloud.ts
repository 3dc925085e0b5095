/**
 * What stands behind the plain (non-dynamic) custom resources of a harness deployment: a cloud
 * that the engine's provider calls reach. The default is the in-memory OpenStackCloud
 * (openstack-cloud/), which refuses what Nova, Glance and Neutron refuse; a test may put real
 * machines behind Nova servers with a ServerBackend (the end-to-end test boots qemu VMs).
 */
import type { WireObject } from "./pulumi-values";

export interface CloudRequest {
    urn: string;
    type: string;
    name: string;
}

/**
 * What happens in the cloud when the engine creates/updates/reads/deletes a plain (non-dynamic)
 * custom resource. Inputs are plain (secrets unwrapped) and carry the Pulumi property names of the
 * provider's schema. Throwing an Error fails the step like a provider error.
 *
 * `create` returns the id and the attributes the provider's read sets after the create (the
 * computed ones at least); the harness's bridge layer adds the inputs as the provider stores them
 * (StateFunc, defaults), `__meta` and the secret marks of Sensitive attributes.
 */
export interface CloudBackend {
    create(request: CloudRequest & { inputs: WireObject }): Promise<{ id: string; outputs: WireObject }>;
    update(request: CloudRequest & { id: string; oldInputs: WireObject; oldOutputs: WireObject; inputs: WireObject }): Promise<WireObject>;
    /** undefined: the object is gone (refresh drops it from the state; a read by id fails). */
    read(request: CloudRequest & { id: string; inputs: WireObject; outputs: WireObject }): Promise<{ id: string; outputs: WireObject } | undefined>;
    delete(request: CloudRequest & { id: string; inputs: WireObject; outputs: WireObject }): Promise<void>;
    /** Answers a data-source call (getImage, getFlavor, ...); undefined: no answer (the invoke fails). */
    invoke?(token: string, args: WireObject): WireObject | undefined;
}

export type NovaStatus = "ACTIVE" | "SHUTOFF" | "ERROR";

/** Lets a test put real machines behind Nova servers (the end-to-end test boots qemu VMs). */
export interface ServerBackend {
    /**
     * Boot a server with exactly the Nova inputs the provider would send; resolves once Nova says
     * ACTIVE. userData is as Nova receives it from the provider (base64 of the bytes; see gophercloud
     * v1.8.0 openstack/compute/v2/servers/requests.go: a value that is already base64 is passed as
     * is, anything else is base64-encoded).
     */
    boot(server: {
        id: string;
        name: string;
        userDataBase64: string | undefined;
        metadata: Record<string, string>;
        imageId: string;
        flavorId: string;
    }): Promise<void>;
    /** Nova status now. */
    status(id: string): NovaStatus;
    destroy(id: string): Promise<void>;
}

/** An OpenStack API refusal, worded like the service's answer (status code and message). */
export class CloudError extends Error {
    constructor(
        readonly service: "Nova" | "Glance" | "Neutron" | "Cinder",
        readonly request: string,
        readonly status: number,
        readonly reason: string,
    ) {
        super(`${service} ${request} answered ${status} ${STATUS_TEXT[status] ?? ""}: ${reason}`.replace("  ", " "));
        this.name = "CloudError";
    }
}

const STATUS_TEXT: Record<number, string> = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
};
