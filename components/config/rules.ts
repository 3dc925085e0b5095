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

/** nonEmptyText with an upper bound on its length (OpenStack names and ids stop at 255). */
export const boundedText = (what: string, maxLength: number) =>
    nonEmptyText(what).max(maxLength, `expected ${what} of at most ${maxLength} characters`);

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

/**
 * What is wrong with a Docker Hub mirror URL for dockerd's `registry-mirrors`, or undefined.
 * dockerd's ValidateMirror refuses a path other than "/", a query, a fragment and user info, and
 * the daemon then does not start (moby/moby registry/config.go, ValidateMirror, e.g. at commit
 * c651a535588402f27d8f1a1408c794fc3289f39f, the v24 line). Paths are accepted only from moby v25
 * on (moby/moby pull request 46594); the image's docker.io comes from Ubuntu's archive, where jammy
 * and noble have shipped older dockerd releases, so a path stays refused here. Query, fragment and
 * user info stay refused in every version (daemon/pkg/registry/config.go on moby's master).
 */
export function dockerMirrorProblem(value: string): string | undefined {
    if (!isHttpUrl(value, ["https:"])) {
        return "expected the Docker Hub mirror as an https:// URL";
    }
    const url = new URL(value);
    if (url.username !== "" || url.password !== "") {
        return "expected the Docker Hub mirror without a user or password: dockerd refuses user info in registry-mirrors (and it would be stored in plain state); give the mirror anonymous pull access";
    }
    // Checked on the text, not the parsed URL, which would normalize away e.g. "/./".
    if (!/^https:\/\/[^/?#]+\/?$/i.test(value)) {
        return "expected the Docker Hub mirror as a bare origin such as https://mirror.example.net (dockerd refuses a registry mirror with a path, query or fragment and would not start)";
    }
    return undefined;
}

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
    z.string({ error: `expected ${what} (a string)` }).refine((v) => ipv4CidrPrefix(v) !== undefined, `expected ${what} as an IPv4 CIDR such as 10.20.0.0/24`);

/** The prefix length of an IPv4 CIDR, or undefined when the text is not one. */
export function ipv4CidrPrefix(value: string): number | undefined {
    const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(value);
    return match !== null && isIP(match[1]) === 4 && Number(match[2]) <= 32 ? Number(match[2]) : undefined;
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

export const positiveInt = (what: string, max: number) =>
    z
        .number({ error: `expected ${what} as a number` })
        .int(`expected ${what} as a whole number`)
        .min(1, `expected ${what} of at least 1`)
        .max(max, `expected ${what} of at most ${max}`);

/** A string limited in UTF-8 bytes (what a file or an API stores), not in UTF-16 code units. */
export const utf8Text = (what: string, maxBytes: number) =>
    z.string({ error: `expected ${what} (a string)` }).superRefine((value, ctx) => {
        const bytes = Buffer.byteLength(value, "utf8");
        if (bytes > maxBytes) {
            ctx.addIssue({ code: "custom", message: `expected ${what} of at most ${maxBytes} bytes of UTF-8 (it has ${bytes} bytes)` });
        }
    });

/** A config object with a fixed set of keys; unknown keys are errors (typos do not pass silently). */
export const section = <Shape extends z.core.$ZodLooseShape>(what: string, shape: Shape) =>
    z.strictObject(shape, { error: (issue) => (issue.code === "invalid_type" ? `expected ${what}` : undefined) });
