/**
 * Names of runners and hosts. GitHub caps runner names at 64 characters; a
 * hostname label is at most 63 characters of [a-z0-9-] (RFC 1123), and Nova
 * turns instance names into hostnames, so the host gets a short name of its own.
 */
import { RESERVED_METADATA_PREFIX } from "./config/pool-schema";

export const MAX_RUNNER_NAME_LENGTH = 64;
/** Random hex characters that make every registration's name unique. */
export const RUNNER_SUFFIX_LENGTH = 12;
const MAX_HOSTNAME_LENGTH = 63;
const HOST_PREFIX_LENGTH = 20;

/** `<prefix>-<suffix>`, the prefix shortened so the whole fits GitHub's limit. */
export function runnerName(prefix: string, suffix: string): string {
    if (!/^[0-9a-f]+$/.test(suffix) || suffix.length !== RUNNER_SUFFIX_LENGTH) {
        throw new Error(`runner name suffix must be ${RUNNER_SUFFIX_LENGTH} lowercase hex characters, got "${suffix}"`);
    }
    const room = MAX_RUNNER_NAME_LENGTH - suffix.length - 1;
    const head = prefix.slice(0, room).replace(/[-_.]+$/, "");
    return head.length > 0 ? `${head}-${suffix}` : suffix;
}

/**
 * A valid, short hostname for a runner: the start of its name, lowercased and
 * reduced to hostname characters, followed by the unique suffix.
 */
export function runnerHostname(name: string): string {
    const suffix = name.slice(-RUNNER_SUFFIX_LENGTH).toLowerCase();
    const head = name
        .slice(0, -RUNNER_SUFFIX_LENGTH)
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^-+/, "")
        .slice(0, HOST_PREFIX_LENGTH)
        .replace(/-+$/, "");
    const host = head.length > 0 ? `${head}-${suffix}` : `runner-${suffix}`;
    return host.slice(0, MAX_HOSTNAME_LENGTH);
}

export function isValidHostname(host: string): boolean {
    return /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(host);
}

/** Metadata keys that mark a server as ours (values are at most 255 characters in Nova); the config refuses user keys under it. */
export const METADATA_PREFIX = RESERVED_METADATA_PREFIX;

export interface ServerOwnership {
    stack: string;
    pool: string;
    slot: number;
    runnerName: string;
}

/** The metadata every runner server carries: which stack, pool and slot own it, and its runner. */
export function ownershipMetadata(owner: ServerOwnership): Record<string, string> {
    return {
        ...stackOwnership(owner.stack),
        [`${METADATA_PREFIX}pool`]: owner.pool,
        [`${METADATA_PREFIX}slot`]: String(owner.slot),
        [`${METADATA_PREFIX}runner`]: owner.runnerName,
    };
}

/** The metadata that marks a server as owned by a stack: what the status tool and the orphan sweep look for. */
export function stackOwnership(stack: string): Record<string, string> {
    return { [`${METADATA_PREFIX}stack`]: stack };
}
