/**
 * Identifiers shaped as OpenStack's: Nova and Glance use dashed UUIDs, Keystone
 * 32-hex ids (uuid4().hex), request ids are `req-<uuid>` (oslo.middleware
 * request_id), token ids are opaque (Fernet tokens are url-safe base64).
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";

export const uuid = (): string => randomUUID();
export const hexId = (): string => randomUUID().replace(/-/g, "");
export const requestId = (): string => `req-${randomUUID()}`;
export const tokenId = (): string => `gAAAAAB${randomBytes(96).toString("base64url")}`;
export const auditId = (): string => randomBytes(16).toString("base64url").slice(0, 22);

/** Nova's hostId: sha224 of project id and host, "" without a host (nova/utils.py generate_hostid). */
export function hostId(host: string | undefined, projectId: string): string {
    if (!host) return "";
    return createHash("sha224").update(projectId + host).digest("hex");
}

/** A locally administered, unicast MAC address derived from a seed. */
export function macAddress(seed: string): string {
    const bytes = createHash("sha256").update(seed).digest().subarray(0, 6);
    bytes[0] = (bytes[0] & 0xfe) | 0x02;
    return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(":");
}
