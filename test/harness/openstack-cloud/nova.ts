/**
 * What Nova refuses, from its source (openstack/nova master 33.0.0-373, cited per rule):
 * - flavor names are unique cloud-wide: POST /flavors answers 409 with FlavorExists
 *   (nova/api/openstack/compute/flavors.py create; nova/exception.py FlavorExists), and a flavor
 *   still waiting for its delete at the end of an `up` still holds its name;
 * - a server boots only from an existing, active image and an existing flavor, on existing
 *   networks, with existing security groups: 400 (nova/api/openstack/compute/servers.py create:
 *   ImageNotFound "Can not find requested image", ImageNotActive, FlavorNotFound, NetworkNotFound,
 *   SecurityGroupNotFound are all HTTPBadRequest);
 * - user_data is base64 of at most 65535 characters, metadata keys match ^[a-zA-Z0-9-_:. ]{1,255}$
 *   and values are at most 255 characters (nova/api/openstack/compute/schemas/servers.py create
 *   `user_data` maxLength 65535; nova/api/validation/parameter_types.py `metadata`);
 * - deleting a flavor that servers use is allowed: flavors.py delete only destroys the flavor, the
 *   server keeps its own copy (nova/objects/instance.py `flavor` field).
 */
import { CloudError } from "../cloud";
import type { WireObject } from "../pulumi-values";
import type { CloudObject, WorldJson } from "./world";

/** gophercloud v1.8.0 servers.CreateOpts.ToServerCreateMap: user data already in base64 is sent as is. */
export function userDataAsNovaReceivesIt(userData: string | undefined): string | undefined {
    if (userData === undefined) return undefined;
    const isBase64 = /^[A-Za-z0-9+/]*={0,2}$/.test(userData) && userData.length % 4 === 0;
    return isBase64 ? userData : Buffer.from(userData, "utf8").toString("base64");
}

const METADATA_KEY = /^[a-zA-Z0-9-_:. ]{1,255}$/;

function live(world: WorldJson, kind: CloudObject["kind"]): CloudObject[] {
    return world.objects.filter((object) => object.kind === kind);
}

export function findFlavor(world: WorldJson, idOrName: { id?: string; name?: string }): CloudObject | undefined {
    return live(world, "flavor").find((flavor) =>
        idOrName.id !== undefined ? flavor.id === idOrName.id || flavor.attributes["flavorId"] === idOrName.id : flavor.name === idOrName.name,
    );
}

export function checkFlavorCreate(world: WorldJson, inputs: WireObject): void {
    const name = String(inputs["name"]);
    if (live(world, "flavor").some((flavor) => flavor.name === name)) {
        throw new CloudError("Nova", "POST /flavors", 409, `Flavor with name ${name} already exists.`);
    }
    const flavorId = inputs["flavorId"];
    if (typeof flavorId === "string" && findFlavor(world, { id: flavorId }) !== undefined) {
        throw new CloudError("Nova", "POST /flavors", 409, `Flavor with ID ${flavorId} already exists.`);
    }
}

export function checkFlavorAccess(world: WorldJson, inputs: WireObject): void {
    const flavorId = String(inputs["flavorId"]);
    if (findFlavor(world, { id: flavorId }) === undefined) {
        throw new CloudError("Nova", `POST /flavors/${flavorId}/action (addTenantAccess)`, 404, `Flavor ${flavorId} could not be found.`);
    }
    const tenant = String(inputs["tenantId"]);
    const duplicate = live(world, "flavorAccess").some((access) => access.attributes["flavorId"] === flavorId && access.attributes["tenantId"] === tenant);
    if (duplicate) {
        throw new CloudError("Nova", `POST /flavors/${flavorId}/action (addTenantAccess)`, 409, `Flavor access already exists for flavor ${flavorId} and project ${tenant} combination.`);
    }
}

export interface ServerPlan {
    imageId: string;
    flavor: CloudObject;
    networkIds: string[];
    userDataBase64: string | undefined;
    metadata: Record<string, string>;
}

/** Validates a server create the way Nova does and resolves what it will boot. */
export function planServer(world: WorldJson, inputs: WireObject): ServerPlan {
    const request = "POST /servers";
    // Booting from a volume, the image is the source of the boot block device (Nova API reference,
    // "Create Server": block_device_mapping_v2 with source_type "image", boot_index 0; the provider
    // sends it from block_device, terraform-provider-openstack v1.54.1 compute_instance_v2.go).
    const bootDevice = (Array.isArray(inputs["blockDevices"]) ? inputs["blockDevices"] : [])
        .map((device) => device as WireObject)
        .find((device) => device["sourceType"] === "image" && Number(device["bootIndex"] ?? 0) === 0);
    const imageRef = bootDevice?.["uuid"] ?? inputs["imageId"] ?? live(world, "image").find((image) => image.name === inputs["imageName"])?.id;
    const image = live(world, "image").find((candidate) => candidate.id === imageRef);
    if (image === undefined) throw new CloudError("Nova", request, 400, "Can not find requested image");
    if (image.status !== "active") throw new CloudError("Nova", request, 400, `Image ${image.id} is not active.`);
    const flavorRef = typeof inputs["flavorId"] === "string" ? { id: inputs["flavorId"] } : { name: String(inputs["flavorName"]) };
    const flavor = findFlavor(world, flavorRef);
    if (flavor === undefined) throw new CloudError("Nova", request, 400, `Flavor ${flavorRef.id ?? flavorRef.name} could not be found.`);
    const networkIds: string[] = [];
    for (const network of Array.isArray(inputs["networks"]) ? inputs["networks"] : []) {
        const wanted = network as WireObject;
        const found = live(world, "network").find((candidate) => candidate.id === wanted["uuid"] || (wanted["uuid"] === undefined && candidate.name === wanted["name"]));
        if (found === undefined) throw new CloudError("Nova", request, 400, `Network ${String(wanted["uuid"] ?? wanted["name"])} could not be found.`);
        networkIds.push(found.id);
    }
    for (const group of Array.isArray(inputs["securityGroups"]) ? inputs["securityGroups"] : []) {
        const exists = group === "default" || live(world, "secGroup").some((candidate) => candidate.name === group || candidate.id === group);
        if (!exists) throw new CloudError("Nova", request, 400, `Security group ${String(group)} not found.`);
    }
    const userDataBase64 = userDataAsNovaReceivesIt(typeof inputs["userData"] === "string" ? inputs["userData"] : undefined);
    if (userDataBase64 !== undefined && userDataBase64.length > 65535) {
        throw new CloudError("Nova", request, 400, `Invalid input for field/attribute user_data. Value: <${userDataBase64.length} characters> is too long (at most 65535)`);
    }
    const metadata: Record<string, string> = {};
    for (const [key, value] of Object.entries((inputs["metadata"] ?? {}) as WireObject)) {
        const text = String(value);
        if (!METADATA_KEY.test(key) || text.length > 255) {
            throw new CloudError("Nova", request, 400, `Invalid input for field/attribute metadata. Value: {${key}: <${text.length} characters>} (keys must match ^[a-zA-Z0-9-_:. ]{1,255}$, values at most 255 characters)`);
        }
        metadata[key] = text;
    }
    return { imageId: image.id, flavor, networkIds, userDataBase64, metadata };
}

export const INSTANCE_LOOKUP = "openstack:compute/getInstanceV2:getInstanceV2";

/**
 * The `getInstanceV2` data source by id (terraform-provider-openstack v1.54.1
 * data_source_openstack_compute_instance_v2.go dataSourceComputeInstanceV2Read): GET the server;
 * a 404 is no error but an empty result (CheckDeleted sets the id to ""); `power_state` is
 * Nova's status lowercased, and a status other than active, shutoff, error, migrating, shelved or
 * shelved_offloaded (e.g. BUILD) fails the read with "Invalid power_state for instance".
 */
export function lookUpInstance(world: WorldJson, args: WireObject, statusOf: (id: string) => string): WireObject {
    const id = String(args["id"] ?? "");
    const server = world.objects.find((object) => object.kind === "server" && object.id === id);
    if (server === undefined) return { ...args, id: "" };
    const status = statusOf(id);
    const powerState = status.toLowerCase();
    if (!["active", "shutoff", "error", "migrating", "shelved_offloaded", "shelved"].includes(powerState)) {
        throw new Error(`Invalid power_state for instance ${id}: ${status}`);
    }
    return {
        ...args,
        id,
        name: server.name,
        powerState,
        imageId: server.attributes["imageId"] ?? "",
        flavorId: server.attributes["flavorId"] ?? "",
        metadata: server.attributes["metadata"] ?? {},
        region: world.region,
    };
}
