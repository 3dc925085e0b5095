/**
 * The provider's data sources answered from the cloud's world. An object the test did not create
 * is made up the way openstack-fixtures.ts always did (a stable id per lookup) and then kept in the
 * world, so a server booted from a looked-up image, flavor or network finds it.
 */
import { openstackFixtures } from "../openstack-fixtures";
import type { WireObject } from "../pulumi-values";
import type { CloudObject, ObjectKind, WorldJson } from "./world";

const LOOKUP_KINDS: Readonly<Record<string, ObjectKind>> = {
    "openstack:images/getImage:getImage": "image",
    "openstack:compute/getFlavor:getFlavor": "flavor",
    "openstack:networking/getNetwork:getNetwork": "network",
    "openstack:networking/getSecGroup:getSecGroup": "secGroup",
};

function matches(object: CloudObject, token: string, args: WireObject): boolean {
    if (args["name"] !== undefined && object.name !== args["name"]) return false;
    if (token === "openstack:compute/getFlavor:getFlavor" && args["flavorId"] !== undefined) {
        return object.id === args["flavorId"] || object.attributes["flavorId"] === args["flavorId"];
    }
    if (token === "openstack:networking/getNetwork:getNetwork" && args["external"] !== undefined) {
        return object.attributes["external"] === args["external"];
    }
    return true;
}

function answerFor(world: WorldJson, token: string, object: CloudObject, args: WireObject): WireObject {
    const base = { ...args, id: object.id, name: object.name, region: world.region };
    switch (token) {
        case "openstack:images/getImage:getImage":
            return {
                ...base,
                status: object.status ?? "active",
                diskFormat: object.attributes["diskFormat"] ?? "qcow2",
                containerFormat: object.attributes["containerFormat"] ?? "bare",
                minDiskGb: object.attributes["minDiskGb"] ?? 0,
                sizeBytes: object.attributes["sizeBytes"] ?? 2147483648,
            };
        case "openstack:compute/getFlavor:getFlavor":
            return {
                ...base,
                flavorId: object.id,
                vcpus: object.attributes["vcpus"] ?? 2,
                ram: object.attributes["ram"] ?? 4096,
                disk: object.attributes["disk"] ?? 30,
                isPublic: object.attributes["isPublic"] ?? true,
            };
        case "openstack:networking/getNetwork:getNetwork":
            return {
                ...base,
                adminStateUp: "true",
                external: object.attributes["external"] ?? false,
                subnets: world.objects.filter((candidate) => candidate.kind === "subnet" && candidate.attributes["networkId"] === object.id).map((subnet) => subnet.id),
            };
        default:
            return { ...base, tenantId: world.projectId };
    }
}

/** Keeps a made-up answer as a pre-existing object of the world. */
function remember(world: WorldJson, kind: ObjectKind, answer: WireObject): void {
    const id = String(answer["id"]);
    if (world.objects.some((object) => object.id === id)) return;
    const name = String(answer["name"]);
    const attributes: WireObject = { ...answer };
    world.objects.push({ id, kind, name, attributes, preexisting: true, ...(kind === "image" ? { status: String(answer["status"] ?? "active") } : {}) });
    if (kind === "network") {
        for (const subnetId of (answer["subnets"] as string[] | undefined) ?? []) {
            world.objects.push({ id: subnetId, kind: "subnet", name: `${name}-subnet`, attributes: { networkId: id, cidr: "10.0.0.0/24" }, preexisting: true });
        }
    }
}

export function lookUp(world: WorldJson, token: string, args: WireObject): WireObject | undefined {
    if (token === "openstack:identity/getAuthScope:getAuthScope") {
        const fixture = openstackFixtures(token, args);
        return fixture === undefined ? undefined : { ...fixture, projectId: world.projectId, region: world.region };
    }
    const kind = LOOKUP_KINDS[token];
    if (kind === undefined) return openstackFixtures(token, args);
    const candidates = world.objects.filter((object) => object.kind === kind && matches(object, token, args));
    // terraform-provider-openstack v1.54.1 data_source_openstack_{images_image,compute_flavor,networking_network}_v2.go:
    // several matches fail the lookup unless `most_recent` picks the newest (the world keeps creation order).
    if (candidates.length > 1 && args["mostRecent"] !== true) {
        throw new Error(`${token}: Your query returned more than one result. Please try a more specific search criteria, or set \`most_recent\` attribute to true.`);
    }
    const found = candidates[candidates.length - 1];
    if (found !== undefined) return answerFor(world, token, found, args);
    const fixture = openstackFixtures(token, args);
    if (fixture !== undefined) remember(world, kind, fixture);
    return fixture;
}
