/**
 * The whole stack configuration as one zod schema: the single source of its
 * types, defaults and error messages. Keys are the Pulumi config keys under the
 * project's namespace (`openstack-github-runners:<key>`).
 */
import { z } from "zod";
import { GITHUB_COM_API_URL, parseGithubPath } from "../github/paths";
import {
    debianPackage,
    section,
    dnsLabel,
    httpUrl,
    httpsOrLoopbackUrl,
    httpsUrl,
    ipLiteral,
    ipv4Cidr,
    nonEmptyText,
    port,
    runnerLabel,
    sha256Hex,
    sshFingerprint,
} from "./rules";

const BASE_ALIASES = { jammy: "jammy", noble: "noble", "22.04": "jammy", "24.04": "noble" } as const;

export const baseSchema = z
    .enum(["jammy", "noble", "22.04", "24.04"], { error: "expected an Ubuntu base: jammy, noble, 22.04 or 24.04" })
    .transform((alias) => BASE_ALIASES[alias]);
export type UbuntuBase = z.output<typeof baseSchema>;

export const archSchema = z.enum(["x64", "arm64"], { error: "expected an architecture: x64 or arm64" });
export type RunnerArch = z.output<typeof archSchema>;

const positiveInt = (what: string, max: number) =>
    z
        .number({ error: `expected ${what} as a number` })
        .int(`expected ${what} as a whole number`)
        .min(1, `expected ${what} of at least 1`)
        .max(max, `expected ${what} of at most ${max}`);

const githubSchema = section("the GitHub settings (path, runnerGroup, apiUrl, registration, app)", {
        path: z
            .string({ error: "expected an organization ('acme') or a repository ('owner/repo')" })
            .refine((v) => parseGithubPath(v) !== undefined, "expected an organization ('acme') or a repository ('owner/repo')"),
        runnerGroup: nonEmptyText("a runner group name").optional(),
        apiUrl: httpsOrLoopbackUrl("the GitHub REST API URL (https://api.github.com or https://HOST/api/v3)").default(GITHUB_COM_API_URL),
        registration: z
            .enum(["jit", "token"], { error: "expected 'jit' (just-in-time config) or 'token' (registration token)" })
            .default("jit"),
        app: section("the GitHub App (appId, installationId)", {
                appId: z.coerce
                    .string({ error: "expected the GitHub App id, a positive whole number" })
                    .regex(/^[1-9]\d*$/, "expected the GitHub App id, a positive whole number"),
                installationId: positiveInt("the installation id", Number.MAX_SAFE_INTEGER),
            })
            .optional(),
    })
    .refine((g) => g.runnerGroup === undefined || parseGithubPath(g.path)?.kind === "org", {
        path: ["runnerGroup"],
        error: "expected no runner group for a repository path: runner groups belong to organizations (repository runners use the default group)",
    });

const imageBuildSchema = section("the image build settings", {
    runnerVersion: z
        .string({ error: "expected a runner version" })
        .regex(/^(latest|\d+\.\d+\.\d+)$/, "expected 'latest' or a runner version such as 2.321.0")
        .default("latest"),
    runnerSha256: sha256Hex("the runner tarball's sha256").optional(),
    extraPackages: z.array(debianPackage, { error: "expected a list of Debian package names" }).default([]),
    baseImageUrl: httpUrl("the base cloud image URL").optional(),
    baseImageSha256: sha256Hex("the base image's sha256").optional(),
    cacheDir: nonEmptyText("a directory for build downloads and outputs").default(".cache/image-build"),
});

const imageSchema = section("the image settings (base, arch, and one of name, id or build)", {
        base: baseSchema,
        arch: archSchema.default("x64"),
        name: nonEmptyText("an existing Glance image name").optional(),
        id: z.uuid({ error: "expected an existing Glance image id (a UUID)" }).optional(),
        build: imageBuildSchema.optional(),
    })
    .refine((i) => [i.name, i.id, i.build].filter((v) => v !== undefined).length === 1, {
        error: "expected exactly one of image.name, image.id (an existing image) or image.build (build one)",
    });

const networkSchema = section("the network settings (existing or create)", {
        existing: nonEmptyText("the name of an existing network").optional(),
        create: section("the network to create (cidr, dnsServers, externalNetwork, sshIngressCidr)", {
                cidr: ipv4Cidr("the subnet range"),
                dnsServers: z.array(ipLiteral, { error: "expected a list of DNS server IP addresses" }).default([]),
                externalNetwork: nonEmptyText("the name of the external (provider) network the router uses for egress"),
                sshIngressCidr: ipv4Cidr("the range allowed to reach the runners by SSH").optional(),
            })
            .optional(),
        securityGroup: nonEmptyText("the name of an existing security group").optional(),
    })
    .refine((n) => (n.existing === undefined) !== (n.create === undefined), {
        error: "expected exactly one of network.existing (a network name) or network.create (cidr, externalNetwork, ...)",
    })
    .refine((n) => n.securityGroup === undefined || n.existing !== undefined, {
        path: ["securityGroup"],
        error: "expected securityGroup only with network.existing: a created network gets its own egress-only group",
    })
    .transform((n): NetworkChoice =>
        n.create !== undefined
            ? { kind: "create", ...n.create }
            : { kind: "existing", name: n.existing ?? "", securityGroup: n.securityGroup },
    );

export type NetworkChoice =
    | { kind: "create"; cidr: string; dnsServers: string[]; externalNetwork: string; sshIngressCidr?: string }
    | { kind: "existing"; name: string; securityGroup?: string };

const flavorSchema = section("the flavor (existing, or vcpus, ramMb and diskGb)", {
        existing: nonEmptyText("the name of an existing flavor").optional(),
        vcpus: positiveInt("vcpus", 512).optional(),
        ramMb: positiveInt("ramMb (MiB of memory)", 4 * 1024 * 1024).optional(),
        diskGb: positiveInt("diskGb (GiB of root disk)", 65536).optional(),
    })
    .refine(
        (f) =>
            f.existing !== undefined
                ? f.vcpus === undefined && f.ramMb === undefined && f.diskGb === undefined
                : f.vcpus !== undefined && f.ramMb !== undefined && f.diskGb !== undefined,
        { error: "expected either flavor.existing (a flavor name) or all of flavor.vcpus, flavor.ramMb and flavor.diskGb" },
    )
    .transform((f): FlavorChoice =>
        f.vcpus !== undefined && f.ramMb !== undefined && f.diskGb !== undefined
            ? { kind: "create", vcpus: f.vcpus, ramMb: f.ramMb, diskGb: f.diskGb }
            : { kind: "existing", name: f.existing ?? "" },
    );

export type FlavorChoice = { kind: "existing"; name: string } | { kind: "create"; vcpus: number; ramMb: number; diskGb: number };

const poolSchema = section("a pool (name, count, flavor, labels, ephemeral)", {
    name: dnsLabel("a pool name", 20),
    count: z
        .number({ error: "expected a runner count (a number)" })
        .int("expected a whole runner count")
        .min(0, "expected a runner count of 0 or more")
        .max(200, "expected a runner count of at most 200"),
    flavor: flavorSchema,
    labels: z.array(runnerLabel, { error: "expected a list of labels" }).default([]),
    ephemeral: z.boolean({ error: "expected true or false" }).default(true),
});

const poolsSchema = z
    .array(poolSchema, { error: "expected a list of runner pools" })
    .min(1, "expected at least one runner pool")
    .superRefine((pools, ctx) => {
        const seen = new Set<string>();
        pools.forEach((pool, index) => {
            if (seen.has(pool.name)) {
                ctx.addIssue({ code: "custom", path: [index, "name"], message: "expected a pool name not used by another pool" });
            }
            seen.add(pool.name);
        });
    });

const proxySchema = section("the proxy settings (http, https, noProxy)", {
        http: httpUrl("the HTTP proxy").optional(),
        https: httpUrl("the HTTPS proxy").optional(),
        noProxy: z
            .string({ error: "expected a comma-separated list of hosts" })
            .regex(/^[^\s,]+(,[^\s,]+)*$/, "expected a comma-separated list of hosts, without spaces")
            .optional(),
    });

const sshDebugSchema = section("an SSH debug server (host, port, rsaFingerprint, ed25519Fingerprint)", {
    host: ipLiteral,
    port: port.default(22),
    rsaFingerprint: sshFingerprint,
    ed25519Fingerprint: sshFingerprint,
});

/** Structured (object or list) config keys; their raw values are JSON. */
export const stackConfigSchema = z.strictObject({
    github: githubSchema,
    githubToken: nonEmptyText("a GitHub token").optional(),
    githubAppPrivateKey: z
        .string({ error: "expected a PEM private key" })
        .regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "expected a PEM private key (-----BEGIN ... PRIVATE KEY-----)")
        .optional(),
    image: imageSchema,
    network: networkSchema,
    pools: poolsSchema,
    proxy: proxySchema.optional(),
    dockerhubMirror: httpsUrl("the Docker Hub mirror").optional(),
    sshDebug: z.array(sshDebugSchema, { error: "expected a list of SSH debug (tmate) servers" }).default([]),
    namePrefix: dnsLabel("a name prefix", 24).optional(),
    bootstrapTimeoutMinutes: z.coerce
        .number({ error: "expected minutes as a number" })
        .int("expected whole minutes")
        .min(1, "expected at least 1 minute")
        .max(1440, "expected at most 1440 minutes (a day)")
        .default(20),
    preJobScript: z.string({ error: "expected a script (a string)" }).max(16384, "expected a script of at most 16384 characters").optional(),
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type StackConfig = z.output<typeof stackConfigSchema>;

/** Keys whose raw Pulumi value is YAML structure (arrives as JSON text). */
export const STRUCTURED_KEYS = ["github", "image", "network", "pools", "proxy", "sshDebug"] as const;
/** Keys that must be set with `pulumi config set --secret`. */
export const SECRET_KEYS = ["githubToken", "githubAppPrivateKey"] as const;
