/**
 * The guest's network as a VM on an OpenStack subnet sees it: one NIC with an
 * address and a default route through the subnet's gateway. The guest runs
 * under qemu's user networking with restrict=on, isolated but for the
 * forwarded addresses, and then libslirp's DHCP offers no router (src/bootp.c
 * leaves out the gateway and DNS options when restricted). So the address and
 * the default route come from cloud-init network config in the seed, as
 * cloud-init configures a static subnet from OpenStack's network_data.json
 * (canonical/cloud-init cloudinit/sources/helpers/openstack.py,
 * convert_net_json: a physical link by MAC, a static subnet with its routes).
 * Packets sent to the gateway still go nowhere (restrict=on).
 */

/** qemu's first guest address on its user network (qemu docs, -netdev user: dhcpstart defaults to the 15th address). */
export const GUEST_ADDRESS = "10.0.2.15/24";
/** The host side of qemu's user network (qemu docs, -netdev user: host defaults to the 2nd address). */
export const GUEST_GATEWAY = "10.0.2.2";
/** qemu's MAC address for a guest's first NIC when none is given. */
export const DEFAULT_GUEST_MAC = "52:54:00:12:34:56";
const INTERFACE_NAME = "eth0";

/** cloud-init network config (version 1) for the guest's NIC; JSON, which is YAML. */
export function guestNetworkConfig(mac: string): string {
    const config = {
        version: 1,
        config: [
            {
                type: "physical",
                name: INTERFACE_NAME,
                mac_address: mac,
                subnets: [{ type: "static", address: GUEST_ADDRESS, gateway: GUEST_GATEWAY }],
            },
        ],
    };
    return `${JSON.stringify(config, null, 2)}\n`;
}
