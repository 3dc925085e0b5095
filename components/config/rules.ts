/**
 * Value rules shared by the stack config schema. Each message says what is
 * expected; the key path and the offending value are added by the formatter.
 */
import { isIP } from "node:net";
import { z } from "zod";

export const isHttpUrl = (value: string, schemes: readonly string[] = ["http:", "https:"]): boolean => {
    try {
        const url = new URL(value);
        return schemes.includes(url.protocol) && url.hostname.length > 0;
    } catch {
        return false;
    }
};

const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]*$/;

export const nonEmptyText = (what: string) =>
    z
        .string({ error: `expected ${what} (a string)` })
        .min(1, `expected ${what}, not an empty string`)
        .regex(NO_CONTROL_CHARS, `expected ${what} without newlines or control characters`);

export const httpUrl = (what: string) =>
    nonEmptyText(what).refine((v) => isHttpUrl(v), `expected ${what} as an http:// or https:// URL`);

export const httpsUrl = (what: string) =>
    nonEmptyText(what).refine((v) => isHttpUrl(v, ["https:"]), `expected ${what} as an https:// URL`);

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** https, or plain http to this machine only (a local GitHub stand-in or tunnel). */
export const httpsOrLoopbackUrl = (what: string) =>
    nonEmptyText(what).refine(
        (v) => isHttpUrl(v, ["https:"]) || (isHttpUrl(v, ["http:"]) && LOOPBACK_HOSTS.has(new URL(v).hostname)),
        `expected ${what} as an https:// URL (plain http:// only to localhost)`,
    );

/** GitHub runner labels, as the seed enforced them. */
export const runnerLabel = z
    .string({ error: "expected a label (a string)" })
    .regex(/^[\w-]+$/, "expected a label of letters, digits, '_' and '-' only (pattern ^[\\w-]+$)");

export const sha256Hex = (what: string) =>
    z.string({ error: `expected ${what} (a string)` }).regex(/^[0-9a-f]{64}$/, `expected ${what} as 64 lowercase hex characters`);

export const ipLiteral = z
    .string({ error: "expected an IP address (a string)" })
    .refine((v) => isIP(v) !== 0, "expected an IPv4 or IPv6 address literal, not a host name");

export const ipv4Cidr = (what: string) =>
    z.string({ error: `expected ${what} (a string)` }).refine(isIpv4Cidr, `expected ${what} as an IPv4 CIDR such as 10.20.0.0/24`);

function isIpv4Cidr(value: string): boolean {
    const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(value);
    return match !== null && isIP(match[1]) === 4 && Number(match[2]) <= 32;
}

/** OpenSSH's fingerprint format: `SHA256:` and 43 characters of unpadded base64. */
export const sshFingerprint = z
    .string({ error: "expected a fingerprint (a string)" })
    .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "expected an OpenSSH fingerprint 'SHA256:' followed by 43 base64 characters");

export const port = z
    .number({ error: "expected a port number" })
    .int("expected a whole port number")
    .min(1, "expected a port from 1 to 65535")
    .max(65535, "expected a port from 1 to 65535");

/** Debian package names (Debian Policy §5.6.1). */
export const debianPackage = z
    .string({ error: "expected a package name (a string)" })
    .regex(/^[a-z0-9][a-z0-9+.-]+$/, "expected a Debian package name (lowercase letters, digits, '+', '-', '.')");

/** Pool and prefix names end up in runner names and hostnames. */
export const dnsLabel = (what: string, maxLength: number) =>
    z
        .string({ error: `expected ${what} (a string)` })
        .regex(
            new RegExp(`^[a-z](?:[a-z0-9-]{0,${maxLength - 2}}[a-z0-9])?$`),
            `expected ${what} of at most ${maxLength} lowercase letters, digits and '-', starting with a letter and not ending with '-'`,
        );

/** A config object with a fixed set of keys; unknown keys are errors (typos do not pass silently). */
export const section = <Shape extends z.core.$ZodLooseShape>(what: string, shape: Shape) =>
    z.strictObject(shape, { error: (issue) => (issue.code === "invalid_type" ? `expected ${what}` : undefined) });
