/**
 * A server as Nova shows it to a non-admin user at a microversion
 * (nova 33.0.2 nova/api/openstack/compute/views/servers.py ViewBuilder.show):
 * links self (versioned) and bookmark (unversioned); image {id, links} or ""
 * for a volume-backed server; flavor {id, links} before 2.47, the embedded
 * flavor from 2.47 (extra_specs only with the admin-only policy, so left out);
 * addresses hidden ({}) while building; `fault` only in ERROR/DELETED;
 * `progress` only in ACTIVE/BUILD/REBUILD/RESIZE/VERIFY_RESIZE/MIGRATING;
 * `locked` from 2.9, `description` from 2.19, `tags` from 2.26; times in
 * nova.utils.isotime form (seconds, Z), except launched_at, a serialized
 * timezone-aware datetime (microseconds, +00:00).
 */
import { hostId } from "./ids";
import { atLeast, type Microversion } from "./microversion";
import { statusOf } from "./nova-states";
import type { FakeServer } from "./state";

const PROGRESS_STATUSES = new Set(["ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING"]);
const FAULT_STATUSES = new Set(["ERROR", "DELETED"]);

export function novaTime(ms: number): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `base` is the endpoint the request came in on (…/compute/v2.1); bookmarks drop the version. */
export function serverView(server: FakeServer, version: Microversion, base: string): Record<string, unknown> {
    const unversioned = base.replace(/\/v2(\.1)?$/, "");
    const status = statusOf(server.vmState, server.taskState);
    const view: Record<string, unknown> = {
        accessIPv4: "",
        accessIPv6: "",
        addresses: server.vmState === "building" ? {} : addressesView(server),
        config_drive: "",
        created: novaTime(server.createdMs),
        flavor: atLeast(version, "2.47")
            ? { vcpus: server.flavor.vcpus, ram: server.flavor.ram, disk: server.flavor.disk, ephemeral: server.flavor.ephemeral, swap: server.flavor.swap, original_name: server.flavor.name }
            : { id: server.flavor.id, links: [{ rel: "bookmark", href: `${unversioned}/flavors/${server.flavor.id}` }] },
        hostId: hostId(server.host, server.projectId),
        id: server.id,
        image: server.imageId === undefined ? "" : { id: server.imageId, links: [{ rel: "bookmark", href: `${unversioned}/images/${server.imageId}` }] },
        key_name: server.keyName,
        links: [
            { rel: "self", href: `${base}/servers/${server.id}` },
            { rel: "bookmark", href: `${unversioned}/servers/${server.id}` },
        ],
        metadata: { ...server.metadata },
        name: server.name,
        "os-extended-volumes:volumes_attached": [],
        status,
        tenant_id: server.projectId,
        updated: novaTime(server.updatedMs),
        user_id: server.userId,
        "OS-DCF:diskConfig": "MANUAL",
        "OS-EXT-AZ:availability_zone": server.vmState === "building" ? "" : server.availabilityZone,
        "OS-EXT-STS:power_state": server.powerState,
        "OS-EXT-STS:task_state": server.taskState,
        "OS-EXT-STS:vm_state": server.vmState,
        "OS-SRV-USG:launched_at": server.launchedMs === null ? null : new Date(server.launchedMs).toISOString().replace(/\.(\d{3})Z$/, ".$1000+00:00"),
        "OS-SRV-USG:terminated_at": null,
    };
    if (server.securityGroups.length > 0) view.security_groups = server.securityGroups.map((name) => ({ name }));
    if (FAULT_STATUSES.has(status) && server.fault) {
        view.fault = { code: server.fault.code, created: novaTime(server.fault.createdMs), message: server.fault.message };
    }
    if (PROGRESS_STATUSES.has(status)) view.progress = status === "BUILD" ? 0 : 100;
    if (atLeast(version, "2.9")) view.locked = server.locked;
    if (atLeast(version, "2.19")) view.description = server.description;
    if (atLeast(version, "2.26")) view.tags = [...server.tags];
    return view;
}

function addressesView(server: FakeServer): Record<string, unknown[]> {
    return Object.fromEntries(
        Object.entries(server.addresses).map(([network, list]) => [
            network,
            list.map((a) => ({ addr: a.addr, version: a.version, "OS-EXT-IPS:type": a.type, "OS-EXT-IPS-MAC:mac_addr": a.mac })),
        ]),
    );
}
