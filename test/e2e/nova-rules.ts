/**
 * What Nova does with a server's name and user data on their way to the guest
 * (its metadata service), each rule from Nova's source (33.0.0). How the
 * provider encodes user data for Nova is the harness cloud's part
 * (test/harness/openstack-cloud/nova.ts).
 */

/** Nova's limit on the base64 `user_data` of a server create (nova/api/openstack/compute/schemas/servers.py, 33.0.0: maxLength 65535). */
export const NOVA_USER_DATA_MAX_LENGTH = 65_535;

/** Nova's default `[api] dhcp_domain` (nova/conf/api.py, 33.0.0). */
export const NOVA_DEFAULT_DHCP_DOMAIN = "novalocal";

/**
 * The bytes Nova's metadata service serves the guest as user-data: the stored
 * base64 decoded (nova/api/metadata/base.py, 33.0.0: base64.decode_as_bytes).
 * A create whose user_data is longer than Nova's limit is refused (HTTP 400).
 */
export function novaServedUserData(userDataBase64: string): Buffer {
    if (userDataBase64.length > NOVA_USER_DATA_MAX_LENGTH) {
        throw new Error(
            `Nova refuses the server: user_data is ${userDataBase64.length} characters of base64, more than Nova's ${NOVA_USER_DATA_MAX_LENGTH}`,
        );
    }
    return Buffer.from(userDataBase64, "base64");
}

/**
 * Nova's utils.sanitize_hostname (nova/utils.py, 33.0.0), which
 * compute/api.py _populate_instance_names applies to the display name:
 * characters outside Latin-1 dropped, cut to 63 characters, space, "_" and "."
 * turned into "-", everything but word characters, "." and "-" removed,
 * lowercased, "." and "-" stripped from both ends; an empty result becomes
 * "Server-<uuid>".
 */
export function novaInstanceHostname(displayName: string, serverId: string): string {
    const latin1 = [...displayName].filter((character) => character.codePointAt(0)! <= 0xff).join("");
    const host = latin1
        .slice(0, 63)
        .replace(/[ _.]/g, "-")
        // Python's \w on str: Unicode letters and digits, and "_".
        .replace(/[^\p{L}\p{N}_.-]+/gu, "")
        .toLowerCase()
        .replace(/^[.-]+|[.-]+$/g, "");
    return host === "" ? `Server-${serverId}` : host;
}

/**
 * The hostname Nova's metadata service gives the guest (meta_data.json
 * "hostname", which cloud-init's OpenStack datasource copies to
 * local-hostname: canonical/cloud-init cloudinit/sources/helpers/openstack.py
 * KEY_COPIES): the instance hostname, suffixed with `[api] dhcp_domain` when
 * that is set (nova/api/metadata/base.py _get_hostname, 33.0.0).
 */
export function novaMetadataHostname(displayName: string, serverId: string, dhcpDomain = NOVA_DEFAULT_DHCP_DOMAIN): string {
    const host = novaInstanceHostname(displayName, serverId);
    return dhcpDomain === "" ? host : `${host}.${dhcpDomain}`;
}
