import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, parseStackConfig, type RawStackConfig } from "../components/config";
import { PROJECT, rawStackConfig } from "../scripts/plan/stack-file";
import { TEST_SECRETS, testPlaintext } from "./support/test-secrets";

const dev = () => rawStackConfig("Pulumi.dev.yaml", "dev", testPlaintext);
const prod = () => rawStackConfig("Pulumi.prod.yaml", "prod", testPlaintext);

/**
 * A copy of `raw` with one top-level key's value replaced, or a nested value changed through `edit`.
 * `edit` receives decoded YAML of any shape; each case reaches into it freely, hence `any`.
 */
function changed(raw: RawStackConfig, key: string, edit: (value: any) => unknown): RawStackConfig {
    const current = raw.values[key] === undefined ? undefined : safeJson(raw.values[key]);
    const next = edit(structuredClone(current));
    const values = { ...raw.values };
    if (next === undefined) {
        delete values[key];
    } else {
        values[key] = typeof next === "string" ? next : JSON.stringify(next);
    }
    return { ...raw, values };
}

function safeJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

function problemsOf(raw: RawStackConfig): ConfigError {
    try {
        parseStackConfig(raw);
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return error;
    }
    assert.fail("expected the config to be rejected");
}

describe("example stacks", () => {
    test("Pulumi.dev.yaml: a repository fleet with a token, a created network and one pool", () => {
        const config = parseStackConfig(dev());
        assert.deepEqual(config.github.path, { kind: "repo", owner: "acme", repo: "widgets" });
        assert.equal(config.github.apiUrl, "https://api.github.com");
        assert.deepEqual(config.github.auth, { kind: "token", token: TEST_SECRETS[`${PROJECT}:githubToken`] });
        assert.equal(config.image.base, "jammy");
        assert.equal(config.image.name, "github-runner-jammy-x64");
        assert.equal(config.network.kind, "create");
        assert.equal(config.pools.length, 1);
        assert.deepEqual(config.pools[0].flavor, { kind: "create", vcpus: 2, ramMb: 4096, diskGb: 30 });
        assert.equal(config.pools[0].ephemeral, true);
        assert.equal(config.pools[0].registration, "jit");
        assert.equal(config.bootstrapTimeoutMinutes, 20);
        assert.equal(config.sshDebug[0].port, 10022);
        assert.equal(config.namePrefix, "gh-dev");
    });

    test("Pulumi.prod.yaml: an organization fleet with a GitHub App, a runner group, two pools, an existing network", () => {
        const config = parseStackConfig(prod());
        assert.deepEqual(config.github.path, { kind: "org", org: "acme" });
        assert.equal(config.github.runnerGroup, "openstack-prod");
        assert.equal(config.github.auth.kind, "app");
        assert.equal(config.github.auth.kind === "app" && config.github.auth.appId, "123456");
        assert.deepEqual(config.network, { kind: "existing", name: "ci-runners", securityGroup: "ci-runners-egress" });
        assert.deepEqual(
            config.pools.map((p) => [p.name, p.count, p.flavor.kind]),
            [
                ["standard", 6, "existing"],
                ["large", 2, "create"],
            ],
        );
        assert.equal(config.image.build?.runnerVersion, "latest");
        assert.deepEqual(config.image.build?.extraPackages, ["build-essential", "pkg-config"]);
    });

    test("aliases and defaults: 24.04 is noble, arch defaults to x64, a persistent pool registers by token", () => {
        let raw = changed(dev(), "image", (image) => ({ base: "24.04", name: image.name }));
        raw = changed(raw, "pools", (pools) => [{ ...pools[0], ephemeral: false }]);
        raw = changed(raw, "namePrefix", () => undefined);
        const config = parseStackConfig({ ...raw, stack: "Team_EU.staging" });
        assert.equal(config.image.base, "noble");
        assert.equal(config.image.arch, "x64");
        assert.equal(config.pools[0].registration, "token");
        assert.equal(config.namePrefix, "gh-team-eu-staging");
    });
});

/** [what is wrong, the config with that fault, key path, shown value, expected text]. */
const badConfigs: Array<[string, () => RawStackConfig, string, string, string]> = [
    ["path with three parts", () => changed(dev(), "github", (g) => ({ ...g, path: "acme/widgets/extra" })), "github.path", '"acme/widgets/extra"', "expected an organization ('acme') or a repository ('owner/repo')"],
    ["plain-http API URL", () => changed(dev(), "github", (g) => ({ ...g, apiUrl: "http://ghe.example.com/api/v3" })), "github.apiUrl", '"http://ghe.example.com/api/v3"', "as an https:// URL (plain http:// only to localhost)"],
    ["unknown registration mode", () => changed(dev(), "github", (g) => ({ ...g, registration: "pat" })), "github.registration", '"pat"', "expected 'jit' (just-in-time config) or 'token'"],
    ["runner group on a repository", () => changed(dev(), "github", (g) => ({ ...g, runnerGroup: "linux" })), "github.runnerGroup", '"linux"', "runner groups belong to organizations"],
    ["App id not a number", () => changed(prod(), "github", (g) => ({ ...g, app: { ...g.app, appId: "my-app" } })), "github.app.appId", '"my-app"', "expected the GitHub App id, a positive whole number"],
    ["misspelt github key", () => changed(dev(), "github", (g) => ({ ...g, runnergroup: "x" })), "github.runnergroup", '"x"', "expected no such key"],
    ["no token and no App", () => changed(dev(), "githubToken", () => undefined), "githubToken", "nothing (the key is missing)", "expected a GitHub token (secret)"],
    ["token set in plain text", () => ({ ...dev(), secretKeys: new Set<string>() }), "githubToken", "a plain (unencrypted) value", "set it with `pulumi config set --secret githubToken ...`"],
    ["App without its private key", () => changed(prod(), "githubAppPrivateKey", () => undefined), "githubAppPrivateKey", "nothing (the key is missing)", "because github.app is set"],
    ["private key not PEM, shown masked", () => changed(prod(), "githubAppPrivateKey", () => "not-a-key-but-secret"), "githubAppPrivateKey", "[secret]", "expected a PEM private key"],
    ["unknown base", () => changed(dev(), "image", (i) => ({ ...i, base: "focal" })), "image.base", '"focal"', "expected an Ubuntu base: jammy, noble, 22.04 or 24.04"],
    ["unknown arch", () => changed(dev(), "image", (i) => ({ ...i, arch: "amd64" })), "image.arch", '"amd64"', "expected an architecture: x64 or arm64"],
    ["image by name and id", () => changed(dev(), "image", (i) => ({ ...i, id: "0b1c6b2c-3f0e-4f4e-9a39-0f2b3c4d5e6f" })), "image", '{"base":"jammy"', "expected exactly one of image.name, image.id"],
    ["image id not a UUID", () => changed(dev(), "image", (i) => ({ base: i.base, id: "ubuntu-22.04" })), "image.id", '"ubuntu-22.04"', "expected an existing Glance image id (a UUID)"],
    ["runner version with a v", () => changed(prod(), "image", (i) => ({ ...i, build: { ...i.build, runnerVersion: "v2.320.0" } })), "image.build.runnerVersion", '"v2.320.0"', "expected 'latest' or a runner version such as 2.321.0"],
    ["runner sha256 too short", () => changed(prod(), "image", (i) => ({ ...i, build: { ...i.build, runnerSha256: "abc123" } })), "image.build.runnerSha256", '"abc123"', "as 64 lowercase hex characters"],
    ["extra package with a space", () => changed(prod(), "image", (i) => ({ ...i, build: { ...i.build, extraPackages: ["build-essential", "Bad Pkg"] } })), "image.build.extraPackages[1]", '"Bad Pkg"', "expected a Debian package name"],
    ["network neither created nor existing", () => changed(dev(), "network", () => ({})), "network", "{}", "expected exactly one of network.existing"],
    ["CIDR prefix too long", () => changed(dev(), "network", (n) => ({ create: { ...n.create, cidr: "10.42.0.0/33" } })), "network.create.cidr", '"10.42.0.0/33"', "as an IPv4 CIDR"],
    ["DNS server as a host name", () => changed(dev(), "network", (n) => ({ create: { ...n.create, dnsServers: ["dns.example.net"] } })), "network.create.dnsServers[0]", '"dns.example.net"', "expected an IPv4 or IPv6 address literal"],
    ["security group with a created network", () => changed(dev(), "network", (n) => ({ ...n, securityGroup: "default" })), "network.securityGroup", '"default"', "expected securityGroup only with network.existing"],
    ["network missing", () => changed(dev(), "network", () => undefined), "network", "nothing (the key is missing)", "expected the network settings (existing or create)"],
    ["network as a plain string", () => changed(dev(), "network", () => "ci-runners"), "network", '"ci-runners"', "expected YAML structure"],
    ["no pools", () => changed(dev(), "pools", () => []), "pools", "[]", "expected at least one runner pool"],
    ["negative count", () => changed(dev(), "pools", (p) => [{ ...p[0], count: -1 }]), "pools[0].count", "-1", "expected a runner count of 0 or more"],
    ["fractional count", () => changed(dev(), "pools", (p) => [{ ...p[0], count: 1.5 }]), "pools[0].count", "1.5", "expected a whole runner count"],
    ["pool name with capitals and underscore", () => changed(dev(), "pools", (p) => [{ ...p[0], name: "Big_Pool" }]), "pools[0].name", '"Big_Pool"', "expected a pool name of at most 20 lowercase letters"],
    ["two pools with one name", () => changed(dev(), "pools", (p) => [p[0], p[0]]), "pools[1].name", '"small"', "expected a pool name not used by another pool"],
    ["label with a space", () => changed(dev(), "pools", (p) => [{ ...p[0], labels: ["ok", "has space"] }]), "pools[0].labels[1]", '"has space"', "expected a label of letters, digits, '_' and '-' only"],
    ["flavor missing its disk", () => changed(dev(), "pools", (p) => [{ ...p[0], flavor: { vcpus: 2, ramMb: 2048 } }]), "pools[0].flavor", '{"vcpus":2,"ramMb":2048}', "or all of flavor.vcpus, flavor.ramMb and flavor.diskGb"],
    ["ephemeral as text", () => changed(dev(), "pools", (p) => [{ ...p[0], ephemeral: "yes" }]), "pools[0].ephemeral", '"yes"', "expected true or false"],
    ["proxy with an ftp scheme", () => changed(dev(), "proxy", (p) => ({ ...p, http: "ftp://proxy.example.net" })), "proxy.http", '"ftp://proxy.example.net"', "expected the HTTP proxy as an http:// or https:// URL"],
    ["noProxy with spaces", () => changed(dev(), "proxy", (p) => ({ ...p, noProxy: "localhost, .example.net" })), "proxy.noProxy", '"localhost, .example.net"', "without spaces"],
    ["docker hub mirror over http", () => changed(dev(), "dockerhubMirror", () => "http://mirror.example.net"), "dockerhubMirror", '"http://mirror.example.net"', "expected the Docker Hub mirror as an https:// URL"],
    ["SSH debug host as a name", () => changed(dev(), "sshDebug", (s) => [{ ...s[0], host: "tmate.example.net" }]), "sshDebug[0].host", '"tmate.example.net"', "not a host name"],
    ["SSH debug port out of range", () => changed(dev(), "sshDebug", (s) => [{ ...s[0], port: 70000 }]), "sshDebug[0].port", "70000", "expected a port from 1 to 65535"],
    ["RSA fingerprint in MD5 form", () => changed(dev(), "sshDebug", (s) => [{ ...s[0], rsaFingerprint: "MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48" }]), "sshDebug[0].rsaFingerprint", '"MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48"', "expected an OpenSSH fingerprint 'SHA256:'"],
    ["name prefix in capitals", () => changed(dev(), "namePrefix", () => "GH-Dev"), "namePrefix", '"GH-Dev"', "expected a name prefix of at most 24 lowercase letters"],
    ["bootstrap timeout of zero", () => changed(dev(), "bootstrapTimeoutMinutes", () => "0"), "bootstrapTimeoutMinutes", '"0"', "expected at least 1 minute"],
    ["bootstrap timeout not a number", () => changed(dev(), "bootstrapTimeoutMinutes", () => "soon"), "bootstrapTimeoutMinutes", '"soon"', "expected minutes as a number"],
    ["unknown top-level key", () => changed(dev(), "pool", () => "small"), "pool", '"small"', "expected no such key"],
];

describe("bad configs give one error naming key, value and expectation", () => {
    for (const [what, make, key, shown, expected] of badConfigs) {
        test(what, () => {
            const error = problemsOf(make());
            assert.equal(error.problems.length, 1, `expected exactly one problem, got:\n${error.message}`);
            const [problem] = error.problems;
            assert.equal(problem.key, key);
            assert.equal(problem.shown, shown.startsWith("{") && !shown.endsWith("}") ? problem.shown : shown);
            assert.ok(problem.shown.startsWith(shown), `shown value ${problem.shown} should start with ${shown}`);
            assert.ok(problem.expected.includes(expected), `"${problem.expected}" should include "${expected}"`);
            assert.ok(error.message.includes(`${PROJECT}:${key}: got ${problem.shown}; `), error.message);
            assert.ok(error.message.includes("nothing was created"));
        });
    }

    test("several faults are reported together in one error", () => {
        let raw = changed(dev(), "pools", (p) => [{ ...p[0], count: -1 }]);
        raw = changed(raw, "dockerhubMirror", () => "http://mirror.example.net");
        const error = problemsOf(raw);
        assert.deepEqual(error.problems.map((p) => p.key).sort(), ["dockerhubMirror", "pools[0].count"]);
    });

    test("no secret value appears in any error message", () => {
        const secret = "ghp_DO_NOT_PRINT_ME_0123456789";
        let raw = changed(dev(), "githubToken", () => secret);
        raw = { ...raw, secretKeys: new Set<string>() };
        const error = problemsOf(raw);
        assert.ok(!error.message.includes(secret), error.message);
        const badKey = changed(prod(), "githubAppPrivateKey", () => secret);
        assert.ok(!problemsOf(badKey).message.includes(secret));
    });
});
