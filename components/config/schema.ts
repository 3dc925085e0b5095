/**
 * The whole stack configuration as one zod schema: the single source of its
 * types, defaults, error messages and the documentation (descriptions feed the
 * README's configuration reference and stack-config.schema.json). Keys are the
 * Pulumi config keys under the project's namespace (`openstack-github-runners:<key>`).
 */
import { z } from "zod";
import { GITHUB_COM_API_URL, parseGithubPath } from "../github/paths";
import { poolsSchema } from "./pool-schema";
import {
    debianPackage,
    dnsLabel,
    dockerMirrorProblem,
    httpUrl,
    httpsOrLoopbackUrl,
    ipLiteral,
    ipv4Cidr,
    ipv4CidrPrefix,
    isHttpUrl,
    nonEmptyText,
    port,
    positiveInt,
    section,
    sha256Hex,
    sshFingerprint,
    utf8Text,
} from "./rules";

const BASE_ALIASES = { jammy: "jammy", noble: "noble", "22.04": "jammy", "24.04": "noble" } as const;

export const baseSchema = z
    .enum(["jammy", "noble", "22.04", "24.04"], { error: "expected an Ubuntu base: jammy, noble, 22.04 or 24.04" })
    .transform((alias) => BASE_ALIASES[alias]);
export type UbuntuBase = z.output<typeof baseSchema>;

export const archSchema = z.enum(["x64", "arm64"], { error: "expected an architecture: x64 or arm64" });
export type RunnerArch = z.output<typeof archSchema>;

const GITHUB_PATH_EXPECTED = "expected an enterprise ('enterprise:acme'), an organization ('acme') or a repository ('owner/repo')";

const githubSchema = section("the GitHub settings (path, runnerGroup, apiUrl, registration, app)", {
    path: z
        .string({ error: GITHUB_PATH_EXPECTED })
        .refine((v) => parseGithubPath(v) !== undefined, GITHUB_PATH_EXPECTED)
        .describe("Where runners register: `enterprise:<slug>`, an organization (`acme`) or a repository (`owner/repo`)."),
    runnerGroup: nonEmptyText("a runner group name")
        .optional()
        .describe("Runner group of an enterprise or organization, looked up by name; the default group when unset (not for repositories)."),
    apiUrl: httpsOrLoopbackUrl("the GitHub REST API URL (https://api.github.com or https://HOST/api/v3)")
        .default(GITHUB_COM_API_URL)
        .describe("REST API root; GitHub Enterprise Server: `https://HOST/api/v3` (plain http only to localhost)."),
    registration: z
        .enum(["jit", "token"], { error: "expected 'jit' (just-in-time config) or 'token' (registration token)" })
        .default("jit")
        .describe("`jit` configs, or registration `token`s for servers without JIT; persistent pools always use tokens."),
    registrationsPerHour: z
        .number({ error: "expected a number of JIT registrations per hour" })
        .int("expected a whole number of registrations per hour")
        .min(1, "expected at least 1 registration per hour")
        .max(100_000, "expected at most 100000 registrations per hour")
        .default(450)
        .describe(
            "Most JIT runner registrations (POST generate-jitconfig) in any hour: GitHub allows about 500 content-creating requests an hour per account; an `up` registers at most what is left, and the rest waits for a later `up`.",
        ),
    app: section("the GitHub App (appId, installationId)", {
        appId: z.coerce
            .string({ error: "expected the GitHub App id, a positive whole number" })
            .regex(/^[1-9]\d*$/, "expected the GitHub App id, a positive whole number")
            .describe("The GitHub App's id."),
        installationId: positiveInt("the installation id", Number.MAX_SAFE_INTEGER).describe("The App installation's id."),
    })
        .optional()
        .describe("Authenticate as a GitHub App installation (its token is refreshed automatically) instead of `githubToken`; not for enterprise paths."),
})
    .refine((g) => g.runnerGroup === undefined || parseGithubPath(g.path)?.kind !== "repo", {
        path: ["runnerGroup"],
        error: "expected no runner group for a repository path: runner groups belong to enterprises and organizations (repository runners use the default group)",
    })
    .describe("Where and how runners register with GitHub.");

const imageBuildSchema = section("the image build settings", {
    runnerVersion: z
        .string({ error: "expected a runner version" })
        .regex(/^(latest|\d+\.\d+\.\d+)$/, "expected 'latest' or a runner version such as 2.321.0")
        .default("latest")
        .describe("Actions runner to bake in: `latest` or a version such as `2.321.0`."),
    runnerSha256: sha256Hex("the runner tarball's sha256").optional().describe("SHA-256 of the runner tarball; needed for a pinned version GitHub no longer lists."),
    extraPackages: z
        .array(debianPackage, { error: "expected a list of Debian package names" })
        .default([])
        .describe("More Debian packages in the image."),
    baseImageUrl: httpUrl("the base cloud image URL")
        .optional()
        .describe("Another base cloud image instead of Ubuntu's; plain `http://` only together with `baseImageSha256`."),
    baseImageSha256: sha256Hex("the base image's sha256").optional().describe("SHA-256 of `baseImageUrl` (by default Ubuntu's SHA256SUMS entry)."),
    cacheDir: nonEmptyText("a directory for build downloads and outputs")
        .default(".cache/image-build")
        .describe("Downloads and built images on the machine running `pulumi up`, relative to the project."),
})
    .refine((b) => b.baseImageUrl === undefined || !isHttpUrl(b.baseImageUrl, ["http:"]) || b.baseImageSha256 !== undefined, {
        path: ["baseImageUrl"],
        error: "expected an https:// URL, or image.build.baseImageSha256 with a plain http:// URL: nothing else would verify a download anyone on the way could change",
    })
    .describe("Build the image here (with `scripts/build-image.sh`) and upload it to Glance.");

const imageSchema = section("the image settings (base, arch, and one of name, id or build)", {
    base: baseSchema.describe("Ubuntu base of the runner image: `jammy` (`22.04`) or `noble` (`24.04`)."),
    arch: archSchema.default("x64").describe("Runner architecture."),
    name: nonEmptyText("an existing Glance image name").optional().describe("An existing Glance image by name (the most recently created one of that name)."),
    id: z.uuid({ error: "expected an existing Glance image id (a UUID)" }).optional().describe("An existing Glance image by id."),
    build: imageBuildSchema.optional(),
})
    .refine((i) => [i.name, i.id, i.build].filter((v) => v !== undefined).length === 1, {
        error: "expected exactly one of image.name, image.id (an existing image) or image.build (build one)",
    })
    .describe("The runner image: exactly one of `name`, `id` (an existing image) or `build`.");

const networkCreateSchema = section("the network to create (cidr, dnsServers, externalNetwork, sshIngressCidr)", {
    cidr: ipv4Cidr("the subnet range").describe("Subnet of the created network, an IPv4 CIDR such as `10.42.0.0/24`."),
    dnsServers: z.array(ipLiteral, { error: "expected a list of DNS server IP addresses" }).default([]).describe("DNS servers (IP addresses) of the subnet."),
    externalNetwork: nonEmptyText("the name of the external (provider) network the router uses for egress").describe(
        "External network the router uses for egress.",
    ),
    sshIngressCidr: ipv4Cidr("the range allowed to reach the runners by SSH")
        .optional()
        .describe("The only range allowed in (SSH, port 22); no ingress when unset. `0.0.0.0/0` needs `allowSshFromAnywhere`."),
    allowSshFromAnywhere: z
        .boolean({ error: "expected true or false" })
        .default(false)
        .describe("Must be `true` for an `sshIngressCidr` of `/0` (SSH open to the whole internet)."),
})
    .superRefine((create, ctx) => {
        const anywhere = create.sshIngressCidr !== undefined && ipv4CidrPrefix(create.sshIngressCidr) === 0;
        if (anywhere && !create.allowSshFromAnywhere) {
            ctx.addIssue({
                code: "custom",
                path: ["sshIngressCidr"],
                message: "expected a narrower range than the whole internet; to really open SSH to everyone, also set network.create.allowSshFromAnywhere: true",
            });
        }
        if (!anywhere && create.allowSshFromAnywhere) {
            ctx.addIssue({
                code: "custom",
                path: ["allowSshFromAnywhere"],
                message: "expected allowSshFromAnywhere only together with an sshIngressCidr of /0 such as 0.0.0.0/0 (it has no other effect)",
            });
        }
    })
    .describe("Create a network, subnet, router and egress-only security group.");

const networkSchema = section("the network settings (existing or create)", {
    existing: nonEmptyText("the name of an existing network").optional().describe("Use an existing network by name."),
    create: networkCreateSchema.optional(),
    securityGroup: nonEmptyText("the name of an existing security group")
        .optional()
        .describe("An existing security group (only with `existing`); a created network gets its own egress-only group."),
})
    .refine((n) => (n.existing === undefined) !== (n.create === undefined), {
        error: "expected exactly one of network.existing (a network name) or network.create (cidr, externalNetwork, ...)",
    })
    .refine((n) => n.securityGroup === undefined || n.existing !== undefined, {
        path: ["securityGroup"],
        error: "expected securityGroup only with network.existing: a created network gets its own egress-only group",
    })
    .transform(
        (n): NetworkChoice =>
            n.create !== undefined
                ? {
                      kind: "create",
                      cidr: n.create.cidr,
                      dnsServers: n.create.dnsServers,
                      externalNetwork: n.create.externalNetwork,
                      ...(n.create.sshIngressCidr !== undefined ? { sshIngressCidr: n.create.sshIngressCidr } : {}),
                  }
                : { kind: "existing", name: n.existing ?? "", securityGroup: n.securityGroup },
    )
    .describe("The runners' network: exactly one of `existing` or `create`.");

export type NetworkChoice =
    | { kind: "create"; cidr: string; dnsServers: string[]; externalNetwork: string; sshIngressCidr?: string }
    | { kind: "existing"; name: string; securityGroup?: string };

const proxySchema = section("the proxy settings (http, https, noProxy)", {
    http: httpUrl("the HTTP proxy").optional().describe("HTTP proxy URL; a `user:password@` in it is kept secret."),
    https: httpUrl("the HTTPS proxy").optional().describe("Proxy URL for HTTPS traffic; a `user:password@` in it is kept secret."),
    noProxy: z
        .string({ error: "expected a comma-separated list of hosts" })
        .regex(/^[^\s,]+(,[^\s,]+)*$/, "expected a comma-separated list of hosts, without spaces")
        .optional()
        .describe("Comma-separated hosts and domains not proxied."),
}).describe("Proxies for the image build, the runner, docker and apt.");

const sshDebugSchema = section("an SSH debug server (host, port, rsaFingerprint, ed25519Fingerprint)", {
    host: ipLiteral.describe("IP address of the tmate server."),
    port: port.default(22).describe("SSH port of the tmate server."),
    rsaFingerprint: sshFingerprint.describe("The server's RSA host key fingerprint, `SHA256:...`."),
    ed25519Fingerprint: sshFingerprint.describe("The server's Ed25519 host key fingerprint, `SHA256:...`."),
});

export const PRE_JOB_SCRIPT_MAX_BYTES = 16384;

export const stackConfigSchema = z.strictObject({
    github: githubSchema,
    githubToken: nonEmptyText("a GitHub token")
        .optional()
        .describe("Personal access token (for an enterprise: a classic one with `manage_runners:enterprise`); required without `github.app`."),
    githubAppPrivateKey: z
        .string({ error: "expected a PEM private key" })
        .regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "expected a PEM private key (-----BEGIN ... PRIVATE KEY-----)")
        .optional()
        .describe("The GitHub App's private key (PEM); required with `github.app`."),
    image: imageSchema,
    network: networkSchema,
    pools: poolsSchema.describe("The runner pools. Never a secret: pool names are part of resource names."),
    proxy: proxySchema.optional(),
    dockerhubMirror: nonEmptyText("the Docker Hub mirror")
        .superRefine((value, ctx) => {
            const problem = dockerMirrorProblem(value);
            if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
        })
        .optional()
        .describe("Docker Hub mirror for dockerd's `registry-mirrors` and `DOCKERHUB_MIRROR`: an https origin without path, query or user info."),
    sshDebug: z
        .array(sshDebugSchema, { error: "expected a list of SSH debug (tmate) servers" })
        .default([])
        .describe("tmate servers for SSH debugging of jobs; slot `i` gets server `i mod n`."),
    namePrefix: dnsLabel("a name prefix", 24)
        .optional()
        .describe("Prefix of every OpenStack and runner name (default `gh-<stack>`). Never a secret: it is part of resource names."),
    bootstrapTimeoutMinutes: z.coerce
        .number({ error: "expected minutes as a number" })
        .int("expected whole minutes")
        .min(1, "expected at least 1 minute")
        .max(1440, "expected at most 1440 minutes (a day)")
        .default(20)
        .describe("A runner still offline this long after its creation is replaced."),
    preJobScript: utf8Text("a script", PRE_JOB_SCRIPT_MAX_BYTES)
        .optional()
        .describe(`Script run before each job (\`ACTIONS_RUNNER_HOOK_JOB_STARTED\`), at most ${PRE_JOB_SCRIPT_MAX_BYTES} bytes of UTF-8.`),
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type StackConfig = z.output<typeof stackConfigSchema>;
/** The top-level keys of the project's namespace. */
export type StackConfigKey = keyof StackConfigInput;
export const STACK_CONFIG_KEYS = Object.keys(stackConfigSchema.shape) as StackConfigKey[];

/** Keys whose raw Pulumi value is YAML structure (arrives as JSON text). */
export const STRUCTURED_KEYS = ["github", "image", "network", "pools", "proxy", "sshDebug"] as const satisfies readonly StackConfigKey[];
