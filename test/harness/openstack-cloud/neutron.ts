/**
 * What Neutron refuses on delete while ports still use an object (openstack/neutron 29.0.0b1
 * and neutron-lib 4.1.0, cited per rule); every refusal is a 409 (neutron-lib exceptions InUse):
 * - a network with ports that are not auto-deleted (servers' ports, router interfaces):
 *   NetworkInUse (neutron/db/db_base_plugin_v2.py _ensure_network_not_in_use);
 * - a subnet with IP allocations of such ports: SubnetInUse (db_base_plugin_v2.py delete_subnet);
 * - a router with interfaces attached: RouterInUse "has ports still attached"
 *   (neutron/db/l3_db.py _ensure_router_not_in_use);
 * - a security group bound to ports: SecurityGroupInUse (neutron/extensions/securitygroup.py).
 */
import { CloudError } from "../cloud";
import type { CloudObject, WorldJson } from "./world";

function serversOn(world: WorldJson, networkId: string): CloudObject[] {
    return world.objects.filter((object) => object.kind === "server" && (object.links?.networkIds ?? []).includes(networkId));
}

function interfacesOnSubnets(world: WorldJson, subnetIds: string[]): CloudObject[] {
    return world.objects.filter((object) => object.kind === "routerInterface" && subnetIds.includes(String(object.attributes["subnetId"])));
}

export function checkNeutronDelete(world: WorldJson, object: CloudObject): void {
    switch (object.kind) {
        case "network": {
            const subnets = world.objects.filter((candidate) => candidate.kind === "subnet" && candidate.attributes["networkId"] === object.id).map((subnet) => subnet.id);
            const ports = [...serversOn(world, object.id), ...interfacesOnSubnets(world, subnets)];
            if (ports.length > 0) {
                throw new CloudError("Neutron", `DELETE /v2.0/networks/${object.id}`, 409,
                    `Unable to complete operation on network ${object.id}. There are one or more ports still in use on the network, id for these ports is: ${ports.map((port) => port.id).join(",")}.`);
            }
            return;
        }
        case "subnet": {
            const ports = [...serversOn(world, String(object.attributes["networkId"])), ...interfacesOnSubnets(world, [object.id])];
            if (ports.length > 0) {
                throw new CloudError("Neutron", `DELETE /v2.0/subnets/${object.id}`, 409,
                    `Unable to complete operation on subnet ${object.id}: One or more ports have an IP allocation from this subnet.`);
            }
            return;
        }
        case "router": {
            const attached = world.objects.filter((candidate) => candidate.kind === "routerInterface" && candidate.attributes["routerId"] === object.id);
            if (attached.length > 0) {
                throw new CloudError("Neutron", `DELETE /v2.0/routers/${object.id}`, 409,
                    `Router ${object.id} has ports still attached: ${attached.map((port) => String(port.attributes["portId"])).join(", ")}`);
            }
            return;
        }
        case "secGroup": {
            const users = world.objects.filter((candidate) => candidate.kind === "server" && (candidate.attributes["securityGroups"] as string[] | undefined ?? []).includes(object.name));
            if (users.length > 0) {
                throw new CloudError("Neutron", `DELETE /v2.0/security-groups/${object.id}`, 409, `Security Group ${object.id} in use.`);
            }
            return;
        }
        default:
            return;
    }
}
