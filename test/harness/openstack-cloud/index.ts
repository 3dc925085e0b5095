/**
 * The default cloud behind the harness's OpenStack resources: an in-memory world of Nova,
 * Glance, Neutron and Cinder objects that refuses what those services refuse (nova.ts, glance.ts,
 * neutron.ts), answers the provider's lookups from the same world (lookups.ts), can put real
 * machines behind servers (ServerBackend), and saves to JSON and back.
 *
 * Ids follow terraform-provider-openstack v1.54.1: most resources take the service's uuid; a
 * flavor access is "<flavor id>/<project id>" (resource_openstack_compute_flavor_access_v2.go), a
 * router interface is its port's id (..._networking_router_interface_v2.go), a keypair its name
 * (..._compute_keypair_v2.go).
 */
import { randomUUID } from "node:crypto";
import { CloudError, type CloudBackend, type CloudRequest, type NovaStatus, type ServerBackend } from "../cloud";
import { FIXTURE_PROJECT_ID, FIXTURE_REGION } from "../openstack-fixtures";
import { resourceSpec } from "../openstack-schema";
import type { WireObject } from "../pulumi-values";
import { checkImageDelete } from "./glance";
import { lookUp } from "./lookups";
import { checkNeutronDelete } from "./neutron";
import { checkFlavorAccess, checkFlavorCreate, findFlavor, INSTANCE_LOOKUP, lookUpInstance, planServer } from "./nova";
import { computedAttributes, KIND_OF_TYPE, newWorld, type CloudObject, type ObjectKind, type TemplateContext, type WorldJson } from "./world";

export type { CloudObject, ObjectKind, WorldJson } from "./world";

export interface OpenStackCloudOptions {
    /** Glance's store: "rbd" (Ceph, the default: the harsh case) or "file". */
    imageStore?: "rbd" | "file";
    /** Real machines behind Nova servers; without one a server is ACTIVE as soon as it is created. */
    servers?: ServerBackend;
    projectId?: string;
    region?: string;
}

const POWER_STATE: Record<NovaStatus, string> = { ACTIVE: "active", SHUTOFF: "shutoff", ERROR: "error" };

/**
 * The inputs the world keeps: not the Sensitive ones nor user data, so a saved cloud holds no
 * credentials (the harness state keeps them, encrypted in the checkpoint).
 */
function storedInputs(type: string, inputs: WireObject): WireObject {
    const spec = resourceSpec(type);
    const kept: WireObject = {};
    for (const [key, value] of Object.entries(inputs)) {
        if (key === "userData" || spec?.attributes[key]?.sensitive === true) continue;
        kept[key] = value;
    }
    return kept;
}

export class OpenStackCloud implements CloudBackend {
    private readonly world: WorldJson;
    private readonly servers: ServerBackend | undefined;
    private readonly failingCreates: { kind: ObjectKind; status: number; reason: string }[] = [];
    /** Nova keeps a server's user data for rebuilds; held in memory only (see storedInputs). */
    private readonly userData = new Map<string, string | undefined>();

    constructor(options: OpenStackCloudOptions = {}, world?: WorldJson) {
        this.world = world ?? newWorld(options.projectId ?? FIXTURE_PROJECT_ID, options.region ?? FIXTURE_REGION, options.imageStore ?? "rbd");
        this.servers = options.servers;
    }

    static fromJSON(json: WorldJson, options: Pick<OpenStackCloudOptions, "servers"> = {}): OpenStackCloud {
        if (json.version !== 1) throw new Error(`cloud state version ${String(json.version)} is not 1`);
        return new OpenStackCloud(options, structuredClone(json));
    }

    toJSON(): WorldJson {
        return structuredClone(this.world);
    }

    get imageStore(): "rbd" | "file" {
        return this.world.imageStore;
    }

    get projectId(): string {
        return this.world.projectId;
    }

    // --- what a test puts in the cloud before a run -------------------------------------------

    addImage(image: { name: string; id?: string; status?: string; protected?: boolean; properties?: Record<string, string> }): string {
        return this.add("image", image.name, image.id, {
            containerFormat: "bare",
            diskFormat: "qcow2",
            visibility: "private",
            protected: image.protected ?? false,
            properties: image.properties ?? {},
        }, image.status ?? "active");
    }

    /** A flavor as Nova shows it (swap 0, ephemeral 0, rxtx_factor 1.0 are Nova's defaults: flavors.py create). */
    addFlavor(flavor: { name: string; vcpus: number; ram: number; disk: number; id?: string; isPublic?: boolean }): string {
        const id = flavor.id ?? randomUUID();
        return this.add("flavor", flavor.name, id, {
            flavorId: id,
            vcpus: flavor.vcpus,
            ram: flavor.ram,
            disk: flavor.disk,
            swap: 0,
            ephemeral: 0,
            rxTxFactor: 1,
            isPublic: flavor.isPublic ?? true,
            extraSpecs: {},
            region: this.world.region,
        });
    }

    addNetwork(network: { name: string; id?: string; external?: boolean; cidr?: string }): string {
        const id = this.add("network", network.name, network.id, { external: network.external ?? false });
        this.add("subnet", `${network.name}-subnet`, undefined, { networkId: id, cidr: network.cidr ?? "10.0.0.0/24" });
        return id;
    }

    addSecurityGroup(group: { name: string; id?: string }): string {
        return this.add("secGroup", group.name, group.id, {});
    }

    private add(kind: ObjectKind, name: string, id: string | undefined, attributes: WireObject, status?: string): string {
        const objectId = id ?? randomUUID();
        if (this.world.objects.some((object) => object.id === objectId)) throw new Error(`the cloud already has an object with id ${objectId}`);
        this.world.objects.push({ id: objectId, kind, name, attributes: { name, ...attributes }, preexisting: true, ...(status ? { status } : {}) });
        return objectId;
    }

    // --- what a test reads or changes in the cloud --------------------------------------------

    /** Copies of the objects (of one kind). */
    objects(kind?: ObjectKind): CloudObject[] {
        return structuredClone(this.world.objects.filter((object) => kind === undefined || object.kind === kind));
    }

    object(id: string): CloudObject | undefined {
        const found = this.world.objects.find((object) => object.id === id);
        return found === undefined ? undefined : structuredClone(found);
    }

    /**
     * The next create of `kind` fails with this API answer (e.g. a Glance upload cut off by a 503),
     * as the service would answer it; nothing is created.
     */
    failNextCreate(kind: ObjectKind, status: number, reason: string): void {
        this.failingCreates.push({ kind, status, reason });
    }

    /** Nova status now: the machine's, when a ServerBackend runs it. */
    serverStatus(id: string): NovaStatus {
        const server = this.requireObject(id, "server");
        if (this.servers !== undefined && server.status !== "ERROR") return this.servers.status(id);
        return server.status as NovaStatus;
    }

    /** What a guest does to itself (e.g. a used-up runner powers off), or a failure of the host. */
    setServerStatus(id: string, status: NovaStatus): void {
        this.requireObject(id, "server").status = status;
    }

    private requireObject(id: string, kind: ObjectKind): CloudObject {
        const found = this.world.objects.find((object) => object.id === id && object.kind === kind);
        if (found === undefined) throw new Error(`the cloud has no ${kind} ${id}`);
        return found;
    }

    // --- CloudBackend --------------------------------------------------------------------------

    invoke(token: string, args: WireObject): WireObject | undefined {
        if (token === INSTANCE_LOOKUP) return lookUpInstance(this.world, args, (id) => this.serverStatus(id));
        return lookUp(this.world, token, args);
    }

    async create(request: CloudRequest & { inputs: WireObject }): Promise<{ id: string; outputs: WireObject }> {
        const kind = this.kindOf(request);
        const { inputs } = request;
        const failing = this.failingCreates.findIndex((failure) => failure.kind === kind);
        if (failing >= 0) {
            const [failure] = this.failingCreates.splice(failing, 1);
            throw new CloudError(this.serviceOf(kind), `POST ${kind}`, failure!.status, failure!.reason);
        }
        switch (kind) {
            case "server":
                return this.createServer(request);
            case "flavor":
                checkFlavorCreate(this.world, inputs);
                return this.store(request, kind, typeof inputs["flavorId"] === "string" ? inputs["flavorId"] : randomUUID());
            case "flavorAccess":
                checkFlavorAccess(this.world, inputs);
                return this.store(request, kind, `${String(inputs["flavorId"])}/${String(inputs["tenantId"])}`);
            case "keypair":
                return this.store(request, kind, String(inputs["name"]));
            case "subnet":
                this.requireReference("network", inputs["networkId"], "Neutron", "POST /v2.0/subnets", "Network");
                return this.store(request, kind, randomUUID());
            case "routerInterface": {
                const routerId = String(inputs["routerId"]);
                this.requireReference("router", routerId, "Neutron", `PUT /v2.0/routers/${routerId}/add_router_interface`, "Router");
                this.requireReference("subnet", inputs["subnetId"], "Neutron", `PUT /v2.0/routers/${routerId}/add_router_interface`, "Subnet");
                const portId = randomUUID();
                return this.store(request, kind, portId, { portId });
            }
            case "secGroupRule":
                this.requireReference("secGroup", inputs["securityGroupId"], "Neutron", "POST /v2.0/security-group-rules", "Security group");
                return this.store(request, kind, randomUUID());
            case "image":
                return this.store(request, kind, randomUUID(), {}, "active");
            default:
                return this.store(request, kind, randomUUID());
        }
    }

    async update(request: CloudRequest & { id: string; oldInputs: WireObject; oldOutputs: WireObject; inputs: WireObject }): Promise<WireObject> {
        const object = this.world.objects.find((candidate) => candidate.id === request.id);
        if (object === undefined) throw new CloudError(this.serviceOf(this.kindOf(request)), `PUT ${request.id}`, 404, `${request.type} ${request.id} could not be found.`);
        if (object.kind === "server") await this.updateServer(object, request);
        const name = request.inputs["name"];
        if (typeof name === "string") object.name = name;
        object.attributes = { ...object.attributes, ...storedInputs(request.type, request.inputs) };
        return structuredClone(object.attributes);
    }

    async read(request: CloudRequest & { id: string; inputs: WireObject; outputs: WireObject }): Promise<{ id: string; outputs: WireObject } | undefined> {
        const object = this.world.objects.find((candidate) => candidate.id === request.id);
        if (object === undefined) return undefined;
        const outputs = structuredClone(object.attributes);
        if (object.kind === "server") outputs["powerState"] = POWER_STATE[this.serverStatus(object.id)];
        if (object.kind === "image" && object.status !== undefined) outputs["status"] = object.status;
        return { id: object.id, outputs };
    }

    async delete(request: CloudRequest & { id: string; inputs: WireObject; outputs: WireObject }): Promise<void> {
        const index = this.world.objects.findIndex((candidate) => candidate.id === request.id);
        // The provider's delete treats a 404 as done (CheckDeleted in terraform-provider-openstack util.go).
        if (index < 0) return;
        const object = this.world.objects[index]!;
        if (object.kind === "image") checkImageDelete(this.world, object);
        checkNeutronDelete(this.world, object);
        if (object.kind === "server" && this.servers !== undefined) await this.servers.destroy(object.id);
        this.world.objects.splice(this.world.objects.indexOf(object), 1);
        this.userData.delete(object.id);
    }

    // --- per kind ------------------------------------------------------------------------------

    private kindOf(request: CloudRequest): ObjectKind {
        const kind = KIND_OF_TYPE[request.type];
        if (kind === undefined) throw new Error(`the OpenStack cloud does not model ${request.type} (${request.urn})`);
        return kind;
    }

    private serviceOf(kind: ObjectKind): CloudError["service"] {
        if (kind === "image") return "Glance";
        if (kind === "volume") return "Cinder";
        return ["server", "flavor", "flavorAccess", "keypair", "serverGroup"].includes(kind) ? "Nova" : "Neutron";
    }

    private requireReference(kind: ObjectKind, id: unknown, service: CloudError["service"], request: string, what: string): void {
        if (!this.world.objects.some((object) => object.kind === kind && object.id === id)) {
            throw new CloudError(service, request, 404, `${what} ${String(id)} could not be found.`);
        }
    }

    private context(id: string, networkId?: string): TemplateContext {
        const subnet = this.world.objects.find((object) => object.kind === "subnet" && object.attributes["networkId"] === networkId);
        const prefix = String(subnet?.attributes["cidr"] ?? "10.0.0.0/24").split(".").slice(0, 3).join(".");
        return { id, projectId: this.world.projectId, region: this.world.region, address: () => `${prefix}.${this.world.nextAddress++ % 250 + 2}` };
    }

    private store(request: CloudRequest & { inputs: WireObject }, kind: ObjectKind, id: string, extra: WireObject = {}, status?: string): { id: string; outputs: WireObject } {
        const attributes = { ...storedInputs(request.type, request.inputs), ...computedAttributes(request.type, request.inputs, this.context(id)), ...extra };
        const name = String(request.inputs["name"] ?? id);
        this.world.objects.push({ id, kind, name, attributes, preexisting: false, ...(status ? { status } : {}) });
        return { id, outputs: structuredClone(attributes) };
    }

    private async createServer(request: CloudRequest & { inputs: WireObject }): Promise<{ id: string; outputs: WireObject }> {
        const plan = planServer(this.world, request.inputs);
        const id = randomUUID();
        const image = this.world.objects.find((object) => object.id === plan.imageId)!;
        const context = this.context(id, plan.networkIds[0]);
        const computed = computedAttributes(request.type, request.inputs, context);
        // Each network block as the provider's read fills it (mac, port, fixed addresses), whatever the program set.
        const exampleNetwork = ((computedAttributes(request.type, {}, context)["networks"] as WireObject[] | undefined) ?? [])[0] ?? {};
        const requested = Array.isArray(request.inputs["networks"]) ? (request.inputs["networks"] as WireObject[]) : [];
        const networks = plan.networkIds.map((networkId, index) => ({
            ...exampleNetwork,
            ...requested[index],
            uuid: networkId,
            name: this.world.objects.find((object) => object.id === networkId)?.name ?? "",
            fixedIpV4: this.context(id, networkId).address(),
        }));
        const name = String(request.inputs["name"]);
        const attributes: WireObject = {
            ...storedInputs(request.type, request.inputs),
            ...computed,
            imageId: plan.imageId,
            imageName: image.name,
            flavorId: plan.flavor.id,
            flavorName: plan.flavor.name,
            networks,
            accessIpV4: networks[0]?.fixedIpV4 ?? "",
            allMetadata: plan.metadata,
            securityGroups: (request.inputs["securityGroups"] as string[] | undefined) ?? ["default"],
        };
        const server: CloudObject = { id, kind: "server", name, attributes, preexisting: false, status: "BUILD", links: { networkIds: plan.networkIds } };
        this.world.objects.push(server);
        this.userData.set(id, plan.userDataBase64);
        if (this.servers !== undefined) {
            try {
                await this.servers.boot({ id, name, userDataBase64: plan.userDataBase64, metadata: plan.metadata, imageId: plan.imageId, flavorId: plan.flavor.id });
            } catch (error) {
                server.status = "ERROR";
                // terraform-provider-openstack waits for ACTIVE and reports the state it got instead.
                throw new Error(`Error waiting for instance (${id}) to become ready: unexpected state 'ERROR', wanted target 'ACTIVE': ${error instanceof Error ? error.message : String(error)}`);
            }
        }
        server.status = "ACTIVE";
        return { id, outputs: structuredClone(attributes) };
    }

    /**
     * A flavor change resizes the server and an image change rebuilds it in place
     * (resource_openstack_compute_instance_v2.go Update: servers.Resize, servers.Rebuild); both
     * need the new flavor or image to exist. A rebuild keeps the server's id and user data.
     */
    private async updateServer(server: CloudObject, request: { id: string; inputs: WireObject; oldOutputs: WireObject }): Promise<void> {
        const { inputs } = request;
        if (inputs["flavorId"] !== undefined && inputs["flavorId"] !== server.attributes["flavorId"]) {
            const flavor = findFlavor(this.world, { id: String(inputs["flavorId"]) });
            if (flavor === undefined) throw new CloudError("Nova", `POST /servers/${server.id}/action (resize)`, 400, `Flavor ${String(inputs["flavorId"])} could not be found.`);
            server.attributes["flavorName"] = flavor.name;
        }
        if (inputs["imageId"] !== undefined && inputs["imageId"] !== server.attributes["imageId"]) {
            const image = this.world.objects.find((object) => object.kind === "image" && object.id === inputs["imageId"]);
            const request_ = `POST /servers/${server.id}/action (rebuild)`;
            if (image === undefined) throw new CloudError("Nova", request_, 400, "Cannot find requested image");
            if (image.status !== "active") throw new CloudError("Nova", request_, 400, `Image ${image.id} is not active.`);
            server.attributes["imageName"] = image.name;
            if (this.servers !== undefined) {
                await this.servers.destroy(server.id);
                const { userData: _userData, ...withoutUserData } = { ...server.attributes, ...inputs };
                const plan = planServer(this.world, withoutUserData);
                const userDataBase64 = this.userData.get(server.id);
                await this.servers.boot({ id: server.id, name: server.name, userDataBase64, metadata: plan.metadata, imageId: image.id, flavorId: plan.flavor.id });
            }
        }
        if (inputs["metadata"] !== undefined) server.attributes["allMetadata"] = inputs["metadata"];
    }
}
