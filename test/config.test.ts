import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseStackConfig, type RawStackConfig } from "../components/config";
import { PROJECT } from "../scripts/plan/stack-file";
import { TEST_SECRETS } from "./support/test-secrets";
import { changed, dev, problemsOf, prod, withPool, withSecret } from "./config-helpers";

describe("example stacks", { timeout: 60_000 }, () => {
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
            config.pools.map((p) => [p.name, p.sizing, p.flavor.kind]),
            [
                ["standard", { kind: "fixed", count: 6 }, "existing"],
                ["large", { kind: "demand", min: 0, max: 4, schedules: [{ cron: "* 8-17 * * 1-5", timezone: "Europe/Berlin", min: 2 }] }, "create"],
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

const labelsNamed = (n: number) => Array.from({ length: n }, (_, i) => `l${i}`);

/** [what is wrong, the config with that fault, key path, shown value, expected text]. */
const badConfigs: Array<[string, () => RawStackConfig, string, string, string]> = [
    ["path with three parts", () => changed(dev(), "github", (g) => ({ ...g, path: "acme/widgets/extra" })), "github.path", '"acme/widgets/extra"', "expected an enterprise ('enterprise:acme'), an organization ('acme') or a repository ('owner/repo')"],
    ["plain-http API URL", () => changed(dev(), "github", (g) => ({ ...g, apiUrl: "http://ghe.example.com/api/v3" })), "github.apiUrl", '"http://ghe.example.com/api/v3"', "as an https:// URL (plain http:// only to localhost)"],
    ["unknown registration mode", () => changed(dev(), "github", (g) => ({ ...g, registration: "pat" })), "github.registration", '"pat"', "expected 'jit' (just-in-time config) or 'token'"],
    ["runner group on a repository", () => changed(dev(), "github", (g) => ({ ...g, runnerGroup: "linux" })), "github.runnerGroup", '"linux"', "runner groups belong to enterprises and organizations"],
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
    // Issue 7: checks that used to fire late, crash or let bad values through.
    ["multibyte pre-job script over 16384 bytes (16000 characters)", () => changed(dev(), "preJobScript", () => "€".repeat(16000)), "preJobScript", '"€€€', "expected a script of at most 16384 bytes of UTF-8 (it has 48000 bytes)"],
    ["101 labels with the default labels", () => withPool(dev(), (p) => ({ ...p, labels: labelsNamed(97) })), "pools[0].labels", '["l0","l1"', "expected at most 100 labels per runner (GitHub's limit): with the default labels self-hosted, linux, x64, jammy this pool's runners would carry 101"],
    ["101 labels of the pool's own", () => withPool(dev(), (p) => ({ ...p, labels: labelsNamed(101), defaultLabels: false })), "pools[0].labels", '["l0","l1"', "expected at most 100 labels (GitHub's limit per runner)"],
    ["docker hub mirror with a path", () => changed(dev(), "dockerhubMirror", () => "https://registry.example.net/v2/mirror"), "dockerhubMirror", '"https://registry.example.net/v2/mirror"', "expected the Docker Hub mirror as a bare origin such as https://mirror.example.net (dockerd refuses"],
    ["docker hub mirror with a query", () => changed(dev(), "dockerhubMirror", () => "https://mirror.example.net/?ns=hub"), "dockerhubMirror", '"https://mirror.example.net/?ns=hub"', "as a bare origin"],
    ["docker hub mirror with a fragment", () => changed(dev(), "dockerhubMirror", () => "https://mirror.example.net#hub"), "dockerhubMirror", '"https://mirror.example.net#hub"', "as a bare origin"],
    ["docker hub mirror with a user and password, masked", () => changed(dev(), "dockerhubMirror", () => "https://bob:hunter2@mirror.example.net"), "dockerhubMirror", '"https://***@mirror.example.net"', "expected the Docker Hub mirror without a user or password"],
    ["SSH from the whole internet without the flag", () => changed(dev(), "network", (n) => ({ create: { ...n.create, sshIngressCidr: "0.0.0.0/0" } })), "network.create.sshIngressCidr", '"0.0.0.0/0"', "also set network.create.allowSshFromAnywhere: true"],
    ["SSH from anywhere spelt with another address", () => changed(dev(), "network", (n) => ({ create: { ...n.create, sshIngressCidr: "10.1.2.3/0" } })), "network.create.sshIngressCidr", '"10.1.2.3/0"', "allowSshFromAnywhere: true"],
    ["allowSshFromAnywhere with a narrow range", () => changed(dev(), "network", (n) => ({ create: { ...n.create, allowSshFromAnywhere: true } })), "network.create.allowSshFromAnywhere", "true", "expected allowSshFromAnywhere only together with an sshIngressCidr of /0"],
    ["base image over plain http without a checksum", () => changed(prod(), "image", (i) => ({ ...i, build: { ...i.build, baseImageUrl: "http://images.example.net/noble.img" } })), "image.build.baseImageUrl", '"http://images.example.net/noble.img"', "or image.build.baseImageSha256 with a plain http:// URL"],
    ["invalid proxy URL with a password, masked", () => changed(dev(), "proxy", (p) => ({ ...p, http: "http://bob:hunter2@proxy example.net:3128" })), "proxy.http", '"http://***@proxy example.net:3128"', "expected the HTTP proxy as an http:// or https:// URL"],
    ["pools set as a secret", () => withSecret(dev(), "pools"), "pools", "a secret value", "pool names are part of runner names, OpenStack names and Pulumi resource names (URNs), which Pulumi never encrypts, so it cannot be kept secret"],
    ["namePrefix set as a secret", () => withSecret(dev(), "namePrefix"), "namePrefix", "a secret value", "cannot be kept secret; set it again without --secret"],
    ["a bad value of a key set as a secret, masked", () => withSecret(changed(dev(), "dockerhubMirror", () => "ftp://mirror.example.net"), "dockerhubMirror"), "dockerhubMirror", "[secret]", "expected the Docker Hub mirror as an https:// URL"],
    ["an enterprise path with a GitHub App", () => changed(prod(), "github", (g) => ({ ...g, path: "enterprise:acme-corp" })), "github.app", '{"appId":"123456","installationId":98765432}', "GitHub's enterprise runner endpoints do not accept App installation tokens"],
];

describe("bad configs give one error naming key, value and expectation", { timeout: 60_000 }, () => {
    for (const [what, make, key, shown, expected] of badConfigs) {
        test(what, () => {
            const error = problemsOf(make());
            assert.equal(error.problems.length, 1, `expected exactly one problem, got:\n${error.message}`);
            const [problem] = error.problems;
            assert.equal(problem.key, key);
            // An unfinished JSON text in the table is the start of a longer value; anything else is exact.
            const unfinished = /^[{["]/.test(shown) && !(shown.length > 1 && shown.endsWith({ "{": "}", "[": "]", '"': '"' }[shown[0]] ?? ""));
            assert.equal(problem.shown, unfinished ? problem.shown : shown);
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

describe("the limits of issue 7's checks (what still passes)", { timeout: 60_000 }, () => {
    test("preJobScript: 16384 bytes of UTF-8 pass, one byte more does not, however few characters", () => {
        const exact = `${"€".repeat(5461)}a`; // 5461 * 3 + 1 = 16384 bytes in 5462 characters
        assert.equal(parseStackConfig(changed(dev(), "preJobScript", () => exact)).preJobScript, exact);
        assert.equal(parseStackConfig(changed(dev(), "preJobScript", () => "a".repeat(16384))).preJobScript?.length, 16384);
        const error = problemsOf(changed(dev(), "preJobScript", () => `${exact}b`));
        assert.match(error.message, /it has 16385 bytes/);
    });

    test("labels: 96 of the pool's own plus the 4 default labels make 100; a default label repeated counts once", () => {
        const own = Array.from({ length: 96 }, (_, i) => `l${i}`);
        const config = parseStackConfig(withPool(dev(), (p) => ({ ...p, labels: own })));
        assert.equal(config.pools[0].runnerLabels.length, 100);
        assert.deepEqual(config.pools[0].runnerLabels.slice(0, 4), ["self-hosted", "linux", "x64", "jammy"]);
        const repeated = parseStackConfig(withPool(dev(), (p) => ({ ...p, labels: [...own, "linux"] })));
        assert.equal(repeated.pools[0].runnerLabels.length, 100);
    });

    test("defaultLabels: false leaves only the pool's labels (up to 100), which must not be empty", () => {
        const own = Array.from({ length: 100 }, (_, i) => `l${i}`);
        const config = parseStackConfig(withPool(dev(), (p) => ({ ...p, labels: own, defaultLabels: false })));
        assert.deepEqual(config.pools[0].runnerLabels, own);
        assert.equal(config.pools[0].defaultLabels, false);
        assert.equal(parseStackConfig(dev()).pools[0].defaultLabels, true);
        const error = problemsOf(withPool(dev(), (p) => ({ ...p, labels: [], defaultLabels: false })));
        assert.deepEqual(
            error.problems.map((p) => [p.key, p.shown]),
            [["pools[0].labels", "[]"]],
        );
        assert.match(error.problems[0].expected, /at least one label when defaultLabels is false/);
    });

    test("dockerhubMirror: an https origin with a port or a trailing slash is accepted", () => {
        for (const mirror of ["https://mirror.example.net/", "https://mirror.example.net:5000", "https://10.0.0.5:5000/"]) {
            assert.equal(parseStackConfig(changed(dev(), "dockerhubMirror", () => mirror)).dockerhubMirror, mirror);
        }
    });

    test("sshIngressCidr 0.0.0.0/0 passes with allowSshFromAnywhere: true, and the flag does not reach FleetConfig", () => {
        const config = parseStackConfig(changed(dev(), "network", (n) => ({ create: { ...n.create, sshIngressCidr: "0.0.0.0/0", allowSshFromAnywhere: true } })));
        assert.deepEqual(config.network, { kind: "create", cidr: "10.42.0.0/24", dnsServers: ["10.0.0.2", "10.0.0.3"], externalNetwork: "public", sshIngressCidr: "0.0.0.0/0" });
    });

    test("baseImageUrl: plain http with a sha256, or https without one, is accepted", () => {
        const sha = "a".repeat(64);
        const http = parseStackConfig(changed(prod(), "image", (i) => ({ ...i, build: { ...i.build, baseImageUrl: "http://images.example.net/noble.img", baseImageSha256: sha } })));
        assert.equal(http.image.build?.baseImageUrl, "http://images.example.net/noble.img");
        const https = parseStackConfig(changed(prod(), "image", (i) => ({ ...i, build: { ...i.build, baseImageUrl: "https://images.example.net/noble.img" } })));
        assert.equal(https.image.build?.baseImageSha256, undefined);
    });

    test("a proxy URL with a user and password is accepted as it is (the components need it, and keep it secret)", () => {
        const proxy = "http://bob:hunter2@proxy.example.net:3128";
        const config = parseStackConfig(changed(dev(), "proxy", (p) => ({ ...p, http: proxy })));
        assert.equal(config.proxy?.http, proxy);
    });
});

describe("secret flags", { timeout: 60_000 }, () => {
    test("FleetConfig.secretKeys lists every top-level key set with --secret, so components keep those values secret", () => {
        assert.deepEqual([...parseStackConfig(dev()).secretKeys], ["githubToken"]);
        const config = parseStackConfig(withSecret(dev(), "preJobScript", "proxy", "github"));
        assert.deepEqual([...config.secretKeys].sort(), ["github", "githubToken", "preJobScript", "proxy"]);
    });

    test("a secret key's values never appear in an error, whichever key it is", () => {
        const marker = "s3cr3t-MARKER";
        const cases: Array<[string, RawStackConfig]> = [
            ["proxy", changed(dev(), "proxy", (p) => ({ ...p, http: `ftp://${marker}` }))],
            ["preJobScript", changed(dev(), "preJobScript", () => `${marker}${"x".repeat(16384)}`)],
            ["sshDebug", changed(dev(), "sshDebug", (s) => [{ ...s[0], host: marker }])],
            ["github", changed(dev(), "github", (g) => ({ ...g, path: `${marker}/a/b` }))],
            ["image", changed(dev(), "image", (i) => ({ ...i, name: undefined, id: marker }))],
            ["network", changed(dev(), "network", () => `not json ${marker}`)],
            ["dockerhubMirror", changed(dev(), "dockerhubMirror", () => `https://${marker}.example.net/path`)],
        ];
        for (const [key, raw] of cases) {
            const plainError = problemsOf(raw);
            assert.ok(plainError.message.includes(marker), `the case for ${key} should show its value when it is not secret:\n${plainError.message}`);
            const secretError = problemsOf(withSecret(raw, key));
            assert.ok(!secretError.message.includes(marker), `${key} set with --secret leaked:\n${secretError.message}`);
            assert.match(secretError.message, /got \[secret\]/);
        }
    });

    test("a URL password is masked in every error even when its key is not secret", () => {
        const error = problemsOf(changed(dev(), "proxy", (p) => ({ ...p, https: "hunter2-user:hunter2@proxy:3128", http: "http://u:hunter2@bad host" })));
        assert.equal(error.problems.length, 2, error.message);
        assert.ok(!error.message.includes("hunter2"), error.message);
    });
});

describe("enterprise paths", { timeout: 60_000 }, () => {
    test("enterprise:<slug> parses, with a token and a runner group", () => {
        let raw = changed(dev(), "github", (g) => ({ ...g, path: "enterprise:acme-corp", runnerGroup: "openstack" }));
        const config = parseStackConfig(raw);
        assert.deepEqual(config.github.path, { kind: "enterprise", enterprise: "acme-corp" });
        assert.equal(config.github.pathText, "enterprise:acme-corp");
        assert.equal(config.github.runnerGroup, "openstack");
        raw = changed(dev(), "github", (g) => ({ ...g, path: "enterprise:" }));
        assert.equal(problemsOf(raw).problems[0].key, "github.path");
    });
});
