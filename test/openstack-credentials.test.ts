/**
 * Credential resolution as the openstack provider does it: the stack's
 * openstack:* keys, then OS_* variables, or a clouds.yaml entry (with
 * secure.yaml) when a cloud is named; every failure names the missing or
 * contradictory setting and where to set it, and never shows a secret.
 * Every test points cwd, home and the site directory at temporary
 * directories, so the machine's own clouds.yaml is never read.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { after, describe, test } from "node:test";
import {
    OpenstackCredentialsError,
    type OpenstackCredentials,
    resolveOpenstackCredentials,
    type StackConfig,
} from "../components/openstack";

const PASSWORD = "Pa55-word-never-shown";
const APP_SECRET = "app-secret-never-shown";
const TOKEN = "gAAAAAB-token-never-shown";

const roots: string[] = [];
after(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
});

interface Layout {
    /** Files by location: "cwd/clouds.yaml", "home/.config/openstack/secure.yaml", "site/clouds.yml", "other/x.yaml". */
    files?: Record<string, string>;
}

function sandbox(layout: Layout = {}) {
    const root = mkdtempSync(path.join(tmpdir(), "os-creds-"));
    roots.push(root);
    const dirs = { cwd: path.join(root, "cwd"), home: path.join(root, "home"), site: path.join(root, "site"), other: path.join(root, "other") };
    for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
    for (const [relative, content] of Object.entries(layout.files ?? {})) {
        const file = path.join(root, relative);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, content);
    }
    return {
        root,
        resolve: (stackConfig: StackConfig, env: Record<string, string> = {}): OpenstackCredentials =>
            resolveOpenstackCredentials({ stackConfig, env, cwd: dirs.cwd, homeDir: dirs.home, siteConfigDir: dirs.site }),
    };
}

/** The error a resolution throws; fails the test when it resolves, or throws something else. */
function failure(run: () => unknown): OpenstackCredentialsError {
    try {
        run();
    } catch (error) {
        assert.ok(error instanceof OpenstackCredentialsError, `expected OpenstackCredentialsError, got ${String(error)}`);
        for (const secret of [PASSWORD, APP_SECRET, TOKEN]) assert.ok(!error.message.includes(secret), `a secret leaked into: ${error.message}`);
        return error;
    }
    return assert.fail("expected the resolution to fail");
}

const STACK: StackConfig = {
    "openstack:authUrl": "https://keystone.example.net:5000/v3",
    "openstack:region": "RegionOne",
    "openstack:tenantName": "ci-runners",
    "openstack:userName": "ci-deployer",
    "openstack:userDomainName": "Users",
    "openstack:projectDomainName": "Projects",
    "openstack:password": PASSWORD,
    "openstack-github-runners:pools": [{ name: "other namespaces are ignored" }],
};

const ENV = {
    OS_AUTH_URL: "https://keystone.example.net:5000/v3",
    OS_REGION_NAME: "RegionOne",
    OS_PROJECT_NAME: "ci-runners",
    OS_USERNAME: "ci-deployer",
    OS_USER_DOMAIN_NAME: "Users",
    OS_PROJECT_DOMAIN_NAME: "Projects",
    OS_PASSWORD: PASSWORD,
};

const EXPECTED_PASSWORD_AUTH = {
    method: "password",
    user: { name: "ci-deployer", domain: { name: "Users" } },
    project: { name: "ci-runners", domain: { name: "Projects" } },
};

function authWithoutSecret(credentials: OpenstackCredentials) {
    const { auth } = credentials;
    if (auth.method === "password") return { method: auth.method, user: auth.user, project: auth.project, secret: auth.password.reveal() };
    return { ...auth, secret: auth.secret.reveal() };
}

describe("stack config and OS_* variables", () => {
    test("the stack's openstack:* keys alone give a project-scoped password login", () => {
        const credentials = sandbox().resolve(STACK);
        assert.deepEqual(authWithoutSecret(credentials), { ...EXPECTED_PASSWORD_AUTH, secret: PASSWORD });
        assert.equal(credentials.authUrl, "https://keystone.example.net:5000/v3");
        assert.equal(credentials.region, "RegionOne");
        assert.equal(credentials.interface, "public");
        assert.deepEqual(credentials.tls, { insecure: false });
        assert.deepEqual(credentials.origin, {});
    });

    test("OS_* variables alone give the same login", () => {
        const credentials = sandbox().resolve({}, ENV);
        assert.deepEqual(authWithoutSecret(credentials), { ...EXPECTED_PASSWORD_AUTH, secret: PASSWORD });
        assert.equal(credentials.region, "RegionOne");
    });

    test("a stack key wins over its OS_* variable, key by key", () => {
        const credentials = sandbox().resolve(
            { "openstack:userName": "from-stack", "openstack:region": "RegionStack" },
            { ...ENV, OS_USERNAME: "from-env", OS_PASSWORD: "env-password" },
        );
        const auth = authWithoutSecret(credentials);
        assert.deepEqual(auth.user, { name: "from-stack", domain: { name: "Users" } });
        assert.equal(auth.secret, "env-password");
        assert.equal(credentials.region, "RegionStack");
    });

    test("without any domain, the provider's default domain id \"default\" scopes user and project", () => {
        const credentials = sandbox().resolve({}, { OS_AUTH_URL: ENV.OS_AUTH_URL, OS_USERNAME: "u", OS_PASSWORD: PASSWORD, OS_PROJECT_NAME: "p" });
        assert.deepEqual(authWithoutSecret(credentials), {
            method: "password",
            user: { name: "u", domain: { id: "default" } },
            project: { name: "p", domain: { id: "default" } },
            secret: PASSWORD,
        });
    });

    test("openstack:domainName stands in for both unset domains, before the default domain", () => {
        const credentials = sandbox().resolve({ ...STACK, "openstack:userDomainName": undefined, "openstack:projectDomainName": "", "openstack:domainName": "Shared" });
        const auth = authWithoutSecret(credentials);
        assert.deepEqual(auth.user, { name: "ci-deployer", domain: { name: "Shared" } });
        assert.deepEqual(auth.project, { name: "ci-runners", domain: { name: "Shared" } });
    });

    test("a project id wins over a project name; OS_TENANT_ID is read before OS_PROJECT_ID (provider schema order)", () => {
        const credentials = sandbox().resolve({}, { ...ENV, OS_TENANT_ID: "tenant-id", OS_PROJECT_ID: "project-id" });
        assert.deepEqual(authWithoutSecret(credentials).project, { id: "tenant-id" });
    });

    test("an application credential by id needs no user or project; its secret stays masked", () => {
        const credentials = sandbox().resolve({
            "openstack:authUrl": STACK["openstack:authUrl"],
            "openstack:applicationCredentialId": "ac-id",
            "openstack:applicationCredentialSecret": APP_SECRET,
        });
        assert.deepEqual(authWithoutSecret(credentials), { method: "application_credential", id: "ac-id", secret: APP_SECRET });
        for (const text of [JSON.stringify(credentials), inspect(credentials, { depth: 10 }), String(credentials.auth.method === "application_credential" && credentials.auth.secret)]) {
            assert.ok(!text.includes(APP_SECRET), `secret visible in ${text}`);
        }
    });

    test("an application credential by name belongs to a user given with its domain", () => {
        const credentials = sandbox().resolve({}, {
            OS_AUTH_URL: ENV.OS_AUTH_URL,
            OS_APPLICATION_CREDENTIAL_NAME: "runners-status",
            OS_APPLICATION_CREDENTIAL_SECRET: APP_SECRET,
            OS_USERNAME: "ci-deployer",
            OS_USER_DOMAIN_NAME: "Users",
        });
        assert.deepEqual(authWithoutSecret(credentials), {
            method: "application_credential",
            name: "runners-status",
            user: { name: "ci-deployer", domain: { name: "Users" } },
            secret: APP_SECRET,
        });
    });

    test("endpoint type, insecure, CA file and endpoint overrides are read like the provider reads them", () => {
        const credentials = sandbox().resolve(
            { ...STACK, "openstack:insecure": true, "openstack:endpointOverrides": { compute: "https://nova.internal/v2.1", image: "https://glance.internal/v2" } },
            { OS_ENDPOINT_TYPE: "internalURL", OS_CACERT: "/etc/ssl/cloud-ca.pem" },
        );
        assert.equal(credentials.interface, "internal");
        assert.deepEqual(credentials.tls, { insecure: true, caCertFile: "/etc/ssl/cloud-ca.pem" });
        assert.deepEqual(credentials.endpointOverrides, { compute: "https://nova.internal/v2.1", image: "https://glance.internal/v2" });
        assert.equal(sandbox().resolve(STACK, { OS_INSECURE: "1" }).tls.insecure, true);
        assert.equal(sandbox().resolve({ ...STACK, "openstack:insecure": "false" }, { OS_INSECURE: "true" }).tls.insecure, false);
    });
});

describe("clouds.yaml", () => {
    const CLOUDS = `clouds:
  mycloud:
    region_name: RegionYaml
    cacert: /etc/ssl/yaml-ca.pem
    verify: false
    auth:
      auth_url: https://yaml-keystone.example.net:5000/v3
      username: yaml-user
      project_name: yaml-project
      user_domain_name: YamlUsers
      project_domain_id: yaml-domain-id
    regions:
      - RegionYaml
      - name: RegionTwo
        values:
          auth:
            project_name: region-two-project
  other:
    auth:
      auth_url: https://other.example.net/v3
`;
    const SECURE = `clouds:
  mycloud:
    auth:
      password: ${PASSWORD}
`;

    test("OS_CLOUD selects an entry in ./clouds.yaml; secure.yaml adds the password", () => {
        const box = sandbox({ files: { "cwd/clouds.yaml": CLOUDS, "home/.config/openstack/secure.yaml": SECURE } });
        const credentials = box.resolve({}, { OS_CLOUD: "mycloud" });
        assert.equal(credentials.authUrl, "https://yaml-keystone.example.net:5000/v3");
        assert.deepEqual(authWithoutSecret(credentials), {
            method: "password",
            user: { name: "yaml-user", domain: { name: "YamlUsers" } },
            project: { name: "yaml-project", domain: { id: "yaml-domain-id" } },
            secret: PASSWORD,
        });
        assert.equal(credentials.region, "RegionYaml");
        assert.deepEqual(credentials.tls, { insecure: true, caCertFile: "/etc/ssl/yaml-ca.pem" });
        assert.equal(credentials.origin.cloud, "mycloud");
        assert.equal(credentials.origin.cloudsFile, path.join(box.root, "cwd/clouds.yaml"));
        assert.equal(credentials.origin.secureFile, path.join(box.root, "home/.config/openstack/secure.yaml"));
    });

    test("with a cloud named, the stack's auth keys are ignored as the provider ignores them, but its region and TLS keys win", () => {
        const box = sandbox({ files: { "cwd/clouds.yaml": CLOUDS, "cwd/secure.yaml": SECURE } });
        const credentials = box.resolve(
            { "openstack:cloud": "mycloud", "openstack:userName": "stack-user", "openstack:password": "stack-password", "openstack:region": "RegionTwo", "openstack:insecure": "false" },
            {},
        );
        const auth = authWithoutSecret(credentials);
        assert.deepEqual(auth.user, { name: "yaml-user", domain: { name: "YamlUsers" } });
        assert.equal(auth.secret, PASSWORD);
        assert.equal(credentials.region, "RegionTwo");
        // The RegionTwo entry of `regions` overrides the project for that region.
        assert.deepEqual(auth.project, { name: "region-two-project", domain: { id: "yaml-domain-id" } });
        assert.equal(credentials.tls.insecure, false);
        assert.deepEqual(credentials.origin.ignoredStackKeys, ["openstack:userName", "openstack:password"]);
    });

    test("OS_* variables fill what the entry leaves empty; there OS_PROJECT_ID wins over OS_TENANT_ID (gophercloud/utils v3auth)", () => {
        const box = sandbox({ files: { "cwd/clouds.yaml": "clouds:\n  bare:\n    auth:\n      auth_url: https://k.example.net/v3\n" } });
        const credentials = box.resolve({ "openstack:cloud": "bare" }, {
            OS_USER_ID: "user-id",
            OS_PASSWORD: PASSWORD,
            OS_TENANT_ID: "tenant-id",
            OS_PROJECT_ID: "project-id",
        });
        assert.deepEqual(authWithoutSecret(credentials), { method: "password", user: { id: "user-id" }, project: { id: "project-id" }, secret: PASSWORD });
    });

    test("search order: OS_CLIENT_CONFIG_FILE, then ./, ~/.config/openstack, /etc/openstack; .yml only when no .yaml exists anywhere", () => {
        const entry = (url: string) => `clouds:\n  c:\n    auth:\n      auth_url: ${url}\n      application_credential_id: x\n      application_credential_secret: ${APP_SECRET}\n`;
        const all = {
            "other/explicit.yaml": entry("https://explicit/v3"),
            "cwd/clouds.yml": entry("https://cwd-yml/v3"),
            "home/.config/openstack/clouds.yaml": entry("https://home/v3"),
            "site/clouds.yaml": entry("https://site/v3"),
        };
        const box = sandbox({ files: all });
        assert.equal(box.resolve({}, { OS_CLOUD: "c", OS_CLIENT_CONFIG_FILE: path.join(box.root, "other/explicit.yaml") }).authUrl, "https://explicit/v3");
        assert.equal(box.resolve({}, { OS_CLOUD: "c" }).authUrl, "https://home/v3", "a .yaml in home wins over a .yml in cwd");
        assert.equal(box.resolve({}, { OS_CLOUD: "c", OS_CLIENT_CONFIG_FILE: path.join(box.root, "missing.yaml") }).authUrl, "https://home/v3");
        const siteOnly = sandbox({ files: { "site/clouds.yaml": entry("https://site/v3"), "cwd/clouds.yml": entry("https://cwd-yml/v3") } });
        assert.equal(siteOnly.resolve({}, { OS_CLOUD: "c" }).authUrl, "https://site/v3");
        const ymlOnly = sandbox({ files: { "cwd/clouds.yml": entry("https://cwd-yml/v3") } });
        assert.equal(ymlOnly.resolve({}, { OS_CLOUD: "c" }).authUrl, "https://cwd-yml/v3");
    });

    test("a named cloud missing from clouds.yaml, or no clouds.yaml at all, names what was looked for", () => {
        const box = sandbox({ files: { "cwd/clouds.yaml": CLOUDS } });
        const missing = failure(() => box.resolve({ "openstack:cloud": "nosuch" }));
        assert.match(missing.message, /openstack:cloud in the stack config names the cloud "nosuch", which .*clouds\.yaml does not define \(it defines: "mycloud", "other"\)/);
        const none = sandbox();
        const nothing = failure(() => none.resolve({}, { OS_CLOUD: "mycloud" }));
        assert.match(nothing.message, /OS_CLOUD names the cloud "mycloud", but no clouds\.yaml exists; looked at .*cwd\/clouds\.yaml, .*home\/\.config\/openstack\/clouds\.yaml, .*site\/clouds\.yaml/);
    });

    test("invalid YAML is reported by line without quoting the file", () => {
        const box = sandbox({ files: { "cwd/clouds.yaml": `clouds:\n  c:\n    auth:\n      password: ${PASSWORD}\n     bad: [\n` } });
        const error = failure(() => box.resolve({}, { OS_CLOUD: "c" }));
        assert.match(error.message, /clouds\.yaml is not valid YAML \(.* at line \d+\); fix the file/);
    });

    test("vendor profiles are refused instead of being ignored", () => {
        const box = sandbox({ files: { "cwd/clouds.yaml": "clouds:\n  c:\n    profile: vexxhost\n    auth:\n      username: u\n" } });
        assert.match(failure(() => box.resolve({}, { OS_CLOUD: "c" })).message, /uses a vendor profile/);
    });
});

describe("missing or contradictory settings give one error naming the key and where to set it", () => {
    const cases: { name: string; stack?: StackConfig; env?: Record<string, string>; expect: RegExp }[] = [
        { name: "no auth URL", stack: { ...STACK, "openstack:authUrl": undefined }, expect: /no Keystone auth URL; set openstack:authUrl, OS_AUTH_URL or auth\.auth_url in clouds\.yaml/ },
        { name: "auth URL not a URL", stack: { ...STACK, "openstack:authUrl": "keystone:5000" }, expect: /the auth URL from openstack:authUrl in the stack config is "keystone:5000"; expected an http\(s\) URL/ },
        { name: "auth URL unparseable", stack: { ...STACK, "openstack:authUrl": "http://[keystone" }, expect: /is "http:\/\/\[keystone", which is not a URL; expected e\.g\. https:\/\/keystone\.example\.net:5000\/v3/ },
        { name: "auth URL with a password in it", stack: { ...STACK, "openstack:authUrl": `https://deployer:${PASSWORD}@keystone.example.net/v3` }, expect: /carries a user or password; put them in the user name and password settings/ },
        { name: "no password", stack: { ...STACK, "openstack:password": undefined }, expect: /no password and no application credential; set openstack:password \(pulumi config set --secret openstack:password\), OS_PASSWORD/ },
        { name: "no project", stack: { ...STACK, "openstack:tenantName": undefined }, expect: /no project to scope the token to; set openstack:tenantName, OS_PROJECT_NAME/ },
        { name: "no user", stack: { ...STACK, "openstack:userName": undefined }, expect: /no user; set openstack:userName/ },
        { name: "user name and id", stack: { ...STACK, "openstack:userId": "uid" }, expect: /both a user name \(from openstack:userName in the stack config\) and a user id \(from openstack:userId in the stack config\)/ },
        { name: "user domain id and name", stack: STACK, env: { OS_USER_DOMAIN_ID: "d" }, expect: /both a user domain id \(from the environment variable OS_USER_DOMAIN_ID\) and a user domain name/ },
        { name: "password and application credential", stack: { ...STACK, "openstack:applicationCredentialId": "ac" }, expect: /both a password \(from openstack:password in the stack config\) and an application credential/ },
        {
            name: "application credential without secret",
            stack: { "openstack:authUrl": STACK["openstack:authUrl"], "openstack:applicationCredentialId": "ac" },
            expect: /an application credential is set but not its secret; set openstack:applicationCredentialSecret/,
        },
        {
            name: "application credential by name without a user",
            env: { OS_AUTH_URL: ENV.OS_AUTH_URL, OS_APPLICATION_CREDENTIAL_NAME: "n", OS_APPLICATION_CREDENTIAL_SECRET: APP_SECRET },
            expect: /the application credential "n" is given by name, so its user is needed; set openstack:userName/,
        },
        { name: "token auth", stack: { ...STACK, "openstack:password": undefined }, env: { OS_AUTH_TOKEN: TOKEN }, expect: /token authentication \(from the environment variable OS_AUTH_TOKEN\) is not supported/ },
        { name: "Keystone v2.0 URL", stack: { ...STACK, "openstack:authUrl": "https://k.example.net:5000/v2.0" }, expect: /selects Keystone v2\.0, which this tool does not speak/ },
        { name: "OS_IDENTITY_API_VERSION=2", stack: STACK, env: { OS_IDENTITY_API_VERSION: "2" }, expect: /OS_IDENTITY_API_VERSION selects Keystone v2\.0/ },
        { name: "bad endpoint type", stack: { ...STACK, "openstack:endpointType": "private" }, expect: /the endpoint type from openstack:endpointType in the stack config is "private"; expected one of public, publicURL, internal/ },
        { name: "bad insecure", stack: STACK, env: { OS_INSECURE: "yes" }, expect: /openstack:insecure from the environment variable OS_INSECURE is "yes"; expected true or false/ },
        { name: "non-string stack value", stack: { ...STACK, "openstack:authUrl": 5000 }, expect: /openstack:authUrl in the stack config is number 5000; expected a string/ },
        { name: "secret of the wrong type", stack: { ...STACK, "openstack:password": 12345678 }, expect: /openstack:password in the stack config is a value; expected a string/ },
        { name: "bad endpoint overrides", stack: { ...STACK, "openstack:endpointOverrides": { compute: "nova" } }, expect: /"compute" must be an http\(s\) URL/ },
    ];
    for (const c of cases) {
        test(c.name, () => {
            const error = failure(() => sandbox().resolve(c.stack ?? {}, c.env ?? {}));
            assert.match(error.message, /^OpenStack credentials: /);
            assert.match(error.message, c.expect);
        });
    }

    test("in cloud mode, a user name needs a domain from the entry or OS_*: the provider's default domain does not apply there", () => {
        const box = sandbox({ files: { "cwd/clouds.yaml": `clouds:\n  c:\n    auth:\n      auth_url: https://k/v3\n      username: u\n      password: ${PASSWORD}\n      project_id: p\n` } });
        const error = failure(() => box.resolve({ "openstack:cloud": "c", "openstack:userDomainName": "Ignored" }));
        assert.match(error.message, /the user "u" is given by name, so its domain is needed; set openstack:userDomainName, OS_USER_DOMAIN_NAME or auth\.user_domain_name in clouds\.yaml/);
        assert.match(error.message, /note: openstack:userDomainName in the stack config is ignored while a clouds\.yaml cloud is selected/);
        assert.deepEqual(authWithoutSecret(box.resolve({ "openstack:cloud": "c" }, { OS_DEFAULT_DOMAIN: "dflt" })).user, { name: "u", domain: { id: "dflt" } });
    });
});
