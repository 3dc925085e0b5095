/**
 * The two ways the scenario registers runners: JIT runners of a repository
 * (the dev stack) and runners of an organization's runner group registered
 * with a token by config.sh (the prod stack, GitHub App authentication). Each
 * mode sets up the fake GitHub, edits its stack's config for this machine, and
 * checks from what a runner reported that its VM ran exactly the credential
 * GitHub issued for it.
 */
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import type { FakeGithub, StandinEvent } from "../fake-github";
import { PROJECT, type PoolConfig } from "../harness/fleet-stack";
import { GUEST_GITHUB_ADDRESS } from "../boot/boot-with-userdata";
import type { E2eWorld } from "./e2e-world";

export interface RunnerMode {
    title: string;
    stack: "dev" | "prod";
    /** `owner/repo` or `org`, where the runners register. */
    scope: string;
    /** The existing image the stack looks up by name (the backend boots the test image under it). */
    imageName: string;
    /** Plaintexts of the stack's `secure:` values (random, so a leak is recognisable). */
    secrets: Record<string, string>;
    /** The GitHub call that issues a new runner's credential. */
    credentialRequest: RegExp;
    /**
     * Credentials GitHub issues over the scenario's three runners: one JIT config per runner, but
     * one registration token per `up` in token mode (a run's slots share it, to spare GitHub's write budget).
     */
    credentialsIssued: number;
    /** A preview may make this write (an App reads GitHub with an installation token it must mint). */
    previewWrites: RegExp | undefined;
    /** Stand-in events of a runner that took its job, and of one that waits. */
    events: { used: string[]; waiting: string[] };
    prepareGithub(fake: FakeGithub): void;
    editConfig(config: Record<string, string>, world: E2eWorld): void;
    /** The runner's VM registered it with the credential GitHub issued for it, and the stack's settings. */
    assertRegistration(runnerName: string, events: StandinEvent[], world: E2eWorld): void;
}

function sha256(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

function json<T>(config: Record<string, string>, key: string): T {
    return JSON.parse(config[`${PROJECT}:${key}`] ?? "{}") as T;
}

/** The stack's first pool with two slots, and no other pool. */
function twoSlotsOfFirstPool(config: Record<string, string>): void {
    const pools = json<PoolConfig[]>(config, "pools");
    assert.ok(pools[0], "the stack has a pool");
    config[`${PROJECT}:pools`] = JSON.stringify([{ ...pools[0], count: 2 }]);
}

function useImage(config: Record<string, string>, name: string): void {
    const { base, arch } = json<{ base: string; arch: string }>(config, "image");
    config[`${PROJECT}:image`] = JSON.stringify({ base, arch, name });
}

export function jitRepositoryMode(): RunnerMode {
    const token = `ghp_${randomBytes(18).toString("hex")}`;
    return {
        title: "JIT runners of a repository (dev stack)",
        stack: "dev",
        scope: "acme/widgets",
        imageName: "github-runner-jammy-x64",
        secrets: { [`${PROJECT}:githubToken`]: token, "openstack:password": `pw-${randomBytes(12).toString("hex")}` },
        credentialRequest: /^\/repos\/acme\/widgets\/actions\/runners\/generate-jitconfig$/,
        credentialsIssued: 3,
        previewWrites: undefined,
        events: { used: ["online", "busy", "done"], waiting: ["online"] },
        prepareGithub: (fake) => {
            fake.addToken(token);
            fake.addRepo("acme", "widgets");
        },
        editConfig: (config) => {
            twoSlotsOfFirstPool(config);
            // The guests reach "GitHub" (where JIT configs point) directly, as a GitHub Enterprise Server on their network.
            const proxy = json<{ noProxy?: string }>(config, "proxy");
            config[`${PROJECT}:proxy`] = JSON.stringify({ ...proxy, noProxy: [proxy.noProxy, GUEST_GITHUB_ADDRESS].filter(Boolean).join(",") });
        },
        assertRegistration: (runnerName, events, world) => {
            const online = events.find((event) => event.event === "online");
            const issued = world.issued.jitConfigs.get(runnerName);
            assert.ok(online && issued, `GitHub issued a JIT config for ${runnerName}, and its runner came online`);
            assert.equal(online.mode, "jit");
            assert.equal(online.jitconfigSha256, sha256(issued), `${runnerName}'s VM runs exactly the JIT config GitHub issued for it`);
        },
    };
}

export function tokenOrgGroupMode(): RunnerMode {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const app = { appId: 123456, installationId: 98765432 };
    const runnerGroup = "openstack-prod";
    let groupId = 0;
    return {
        title: "runners of an organization's runner group, registered with tokens (prod stack, GitHub App)",
        stack: "prod",
        scope: "acme",
        imageName: "github-runner-e2e",
        secrets: {
            [`${PROJECT}:githubAppPrivateKey`]: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
            "openstack:password": `pw-${randomBytes(12).toString("hex")}`,
        },
        credentialRequest: /^\/orgs\/acme\/actions\/runners\/registration-token$/,
        credentialsIssued: 2,
        previewWrites: /^\/app\/installations\/\d+\/access_tokens$/,
        events: { used: ["configured", "online", "busy", "done"], waiting: ["configured", "online"] },
        prepareGithub: (fake) => {
            fake.addOrg("acme");
            groupId = fake.addRunnerGroup("acme", runnerGroup);
            fake.addApp({ appId: String(app.appId), installationId: app.installationId, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() });
        },
        editConfig: (config, world) => {
            const github = json<Record<string, unknown>>(config, "github");
            assert.equal(github["runnerGroup"], runnerGroup, "the prod stack registers into its runner group");
            assert.deepEqual(github["app"], app, "the prod stack authenticates as its GitHub App");
            config[`${PROJECT}:github`] = JSON.stringify({ ...github, registration: "token" });
            useImage(config, "github-runner-e2e");
            twoSlotsOfFirstPool(config);
            // config.sh reaches GitHub's web URL (the API URL's origin, on the host's loopback) through the cloud's proxy.
            config[`${PROJECT}:proxy`] = JSON.stringify({ http: world.guestProxyUrl, https: world.guestProxyUrl });
        },
        assertRegistration: (runnerName, events, world) => {
            const configured = events.find((event) => event.event === "configured");
            const online = events.find((event) => event.event === "online");
            assert.ok(configured && online, `${runnerName} was configured by config.sh and came online`);
            assert.ok(world.issued.registrationTokens.map(sha256).includes(String(configured.tokenSha256)), `${runnerName} registered with a token GitHub issued`);
            assert.equal(configured.runnerGroup, runnerGroup);
            assert.equal(configured.ephemeral, true);
            assert.equal(configured.scope, "acme");
            assert.equal(online.mode, "token");
            assert.equal(world.fake.runner("acme", runnerName)?.runnerGroupId, groupId, "the runner is in the stack's runner group");
        },
    };
}
