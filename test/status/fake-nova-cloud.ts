/**
 * A harness CloudBackend whose Nova servers live in the fake OpenStack
 * (test/fake-openstack), so the state a real engine-harness deployment writes
 * names servers that the status command then finds through the real OpenStack
 * client.
 *
 * Why a backend and not a copy made after the deployment: the fake Nova
 * assigns its own server ids (Nova does: the client never chooses one), and the
 * state must hold the id Nova gave. So every resource goes to the harness's
 * in-memory OpenStackCloud, which applies Nova's, Glance's and Neutron's
 * refusals, and a server is then also created in the fake Nova, whose id is
 * the one the engine records; the in-memory twin is reached through a map.
 * A delete goes to the fake Nova through the project's OpenStack client
 * (DELETE /servers/{id}), as the provider's delete reaches Nova.
 */
import type { CloudBackend, CloudRequest } from "../harness/cloud";
import type { OpenStackCloud } from "../harness/openstack-cloud";
import type { WireObject } from "../harness/pulumi-values";
import type { FakeOpenstack } from "../fake-openstack";
import type { OpenstackClient } from "../../components/openstack";

const INSTANCE_TYPE = "openstack:compute/instance:Instance";

export class FakeNovaCloud implements CloudBackend {
    /** fake Nova id -> the in-memory cloud's id of the same server. */
    private readonly twin = new Map<string, string>();

    constructor(
        readonly inner: OpenStackCloud,
        private readonly fake: FakeOpenstack,
        private readonly project: string,
        private readonly nova: OpenstackClient,
    ) {}

    invoke(token: string, args: WireObject): WireObject | undefined {
        return this.inner.invoke(token, args);
    }

    async create(request: CloudRequest & { inputs: WireObject }): Promise<{ id: string; outputs: WireObject }> {
        const created = await this.inner.create(request);
        if (request.type !== INSTANCE_TYPE) return created;
        const attributes = created.outputs;
        const flavor = this.inner.object(String(attributes["flavorId"]))?.attributes ?? {};
        const server = this.fake.addServer({
            name: String(attributes["name"]),
            project: this.project,
            status: "ACTIVE",
            metadata: (attributes["allMetadata"] ?? {}) as Record<string, string>,
            imageId: typeof attributes["imageId"] === "string" ? attributes["imageId"] : null,
            flavor: {
                name: String(attributes["flavorName"]),
                ...(typeof flavor["vcpus"] === "number" ? { vcpus: flavor["vcpus"] } : {}),
                ...(typeof flavor["ram"] === "number" ? { ram: flavor["ram"] } : {}),
                ...(typeof flavor["disk"] === "number" ? { disk: flavor["disk"] } : {}),
            },
        });
        this.twin.set(server.id, created.id);
        return { id: server.id, outputs: created.outputs };
    }

    async update(request: CloudRequest & { id: string; oldInputs: WireObject; oldOutputs: WireObject; inputs: WireObject }): Promise<WireObject> {
        return this.inner.update({ ...request, id: this.innerId(request) });
    }

    async read(request: CloudRequest & { id: string; inputs: WireObject; outputs: WireObject }): Promise<{ id: string; outputs: WireObject } | undefined> {
        if (request.type === INSTANCE_TYPE && this.fake.server(request.id) === undefined) return undefined;
        const found = await this.inner.read({ ...request, id: this.innerId(request) });
        return found === undefined ? undefined : { id: request.id, outputs: found.outputs };
    }

    async delete(request: CloudRequest & { id: string; inputs: WireObject; outputs: WireObject }): Promise<void> {
        await this.inner.delete({ ...request, id: this.innerId(request) });
        if (request.type === INSTANCE_TYPE) {
            await this.nova.deleteServer(request.id);
            this.twin.delete(request.id);
        }
    }

    /** The in-memory cloud's id of a server whose state id is its fake Nova id. */
    innerServerId(novaId: string): string | undefined {
        return this.twin.get(novaId);
    }

    private innerId(request: CloudRequest & { id: string }): string {
        return request.type === INSTANCE_TYPE ? (this.twin.get(request.id) ?? request.id) : request.id;
    }
}
