/**
 * The userdata as Nova receives it: base64 of the gzip-compressed boot script.
 * cloud-init decompresses gzip user-data before it looks at the content
 * (cloud-init docs, "User data formats": gzip compressed content;
 * cloudinit/user_data.py calls util.decomp_gzip), and the OpenStack provider
 * passes a value that is already base64 to Nova unchanged (gophercloud
 * compute/v2/servers CreateOpts.ToServerCreateMap: base64-encodes only what is
 * not base64 yet). Compressed, a runner's userdata is about half its size, in
 * Nova and in the state. It is compressed once, when the slot's registration
 * is created, and kept: recompressing on later runs could give other bytes
 * after a zlib upgrade, and a changed user_data replaces the server.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { NOVA_USER_DATA_LIMIT, UserdataTooLargeError } from "./size";

export function encodeUserdata(runnerName: string, script: string): string {
    const encoded = gzipSync(Buffer.from(script, "utf8"), { level: 9 }).toString("base64");
    if (encoded.length > NOVA_USER_DATA_LIMIT) {
        throw new UserdataTooLargeError(runnerName, Buffer.byteLength(script, "utf8"), encoded.length);
    }
    return encoded;
}

/** The boot script inside encoded userdata (tests, the offline plan). */
export function decodeUserdata(encoded: string): string {
    return gunzipSync(Buffer.from(encoded, "base64")).toString("utf8");
}
