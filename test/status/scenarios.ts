/**
 * The example stacks in the states the status tests (and the closing-note script,
 * print-examples.ts) show: deployed for real through the engine harness, then moved on the
 * way a fleet moves on: a runner takes a job, one is used up (gone from GitHub, VM shut off),
 * one still boots, a pool shrinks while a runner is idle (its slot retires and is drained), and
 * interrupted runs leave orphans behind on both sides.
 */
import { randomBytes } from "node:crypto";
import { createGithubClient, type GithubConnection } from "../../components/github/client";
import { parseGithubPath } from "../../components/github/paths";
import { generateJitConfig } from "../../components/github/runner-credentials";
import { createRegistration } from "../../components/github/registration/provider";
import { requireRegistrationInputs } from "../../components/github/registration/inputs";
import { setSharedClientTuning } from "../../components/github/shared-client";
import { ownershipMetadata, runnerName, stackOwnership } from "../../components/naming";
import { setProviderSettings } from "../../components/providers/settings";
import { PROJECT, TYPES } from "../harness/fleet-stack";
import { StatusWorld } from "./status-world";

/**
 * What a run that stopped right after a registration's create leaves behind: the runner
 * GitHub registered (JIT: it exists at once, offline) whose outputs never reached the state.
 * It is the provider's own create, with the inputs the slot's registration had.
 */
export async function registerWithoutState(world: StatusWorld, slot: string): Promise<{ name: string; id: number }> {
    const registration = world.resources(TYPES.registration).get(slot);
    if (registration === undefined) throw new Error(`no registration ${slot} in the state`);
    setSharedClientTuning({ retries: 1, retryAfterBaseMs: 1, writeSpacingMs: 0 });
    setProviderSettings({ connection: connectionOf(world), bootstrapTimeoutSeconds: 1200 });
    try {
        const outputs = await createRegistration(requireRegistrationInputs(registration.inputs, "RunnerRegistration"));
        if (outputs.runnerId === undefined) throw new Error(`${slot} does not register JIT runners`);
        return { name: outputs.runnerName, id: outputs.runnerId };
    } finally {
        setProviderSettings(undefined);
        setSharedClientTuning({});
    }
}

/** A JIT runner of the given name in the world's scope (a runner this stack's naming does not cover). */
async function registerNamed(world: StatusWorld, name: string): Promise<string> {
    const path = parseGithubPath(world.scope);
    if (path === undefined) throw new Error(`bad scope ${world.scope}`);
    const client = createGithubClient(connectionOf(world), { retries: 0, writeSpacingMs: 0 });
    return (await generateJitConfig(client, world.github.apiUrl, path, { name, runnerGroupId: 1, labels: ["self-hosted"] })).runnerName;
}

function connectionOf(world: StatusWorld): GithubConnection {
    const token = world.secrets[`${PROJECT}:githubToken`];
    if (token !== undefined) return { apiUrl: world.github.apiUrl, auth: { kind: "token", token } };
    const privateKey = world.secrets[`${PROJECT}:githubAppPrivateKey`] as string;
    return { apiUrl: world.github.apiUrl, auth: { kind: "app", appId: "123456", installationId: 98765432, privateKey } };
}

/** A server the program created but whose state write was lost: the slot's ownership metadata, no slot holding its id. */
export function addServerWithoutState(world: StatusWorld, owner: { pool: string; slot: number; runner: string; status?: string }): string {
    const tenant = world.stack.config.config["openstack:tenantName"] as string;
    return world.openstack.addServer({
        name: owner.runner,
        project: tenant,
        status: owner.status ?? "ACTIVE",
        metadata: ownershipMetadata({ stack: world.stackName, pool: owner.pool, slot: owner.slot, runnerName: owner.runner }),
    }).id;
}

export function randomSuffix(): string {
    return randomBytes(6).toString("hex");
}

export interface DevScenario {
    world: StatusWorld;
    /** Runner names of slots 0..3 of pool "small". */
    slotRunners: string[];
    /** Server ids of slots 0..3. */
    slotServers: string[];
    /** JIT runner of an interrupted create: offline, no server. */
    crashedRunner: string;
    /** An idle orphan runner and the orphan server that runs it. */
    idleOrphan: { runner: string; server: string };
    /** A busy orphan runner and its server. */
    busyOrphan: { runner: string; server: string };
    /** An orphan server whose runner is gone from GitHub. */
    goneRunnerServer: string;
    /** A stray server naming slot 2's runner (its VM's create ran twice, one state write lost). */
    strayCopyServer: string;
    /** Marked for another stack, or named by another prefix: never this stack's orphans. */
    foreign: { runner: string; servers: string[] };
}

/**
 * The dev example with pool "small" deployed with 4 slots, then shrunk to 3:
 * slot 0 busy, slot 1 used up (gone from GitHub, VM SHUTOFF), slot 2 booting (offline),
 * slot 3 retiring (drained by the shrink: it was the idle offline one), plus orphans.
 */
export async function deployDevScenario(): Promise<DevScenario> {
    const world = await StatusWorld.start("dev", (pools) => {
        pools[0]!.count = 4;
    });
    try {
        await world.up();
        const slot = (index: number) => `fleet-small-${index}`;
        const runners = [0, 1, 2, 3].map((index) => world.runnerOf(slot(index)));
        const [busy, used, , ] = runners as [string, string, string, string];
        world.github.setRunner(world.scope, busy, { status: "online", busy: true });
        world.github.setRunner(world.scope, used, { status: "online", busy: false });
        // 4 -> 3: busy slot 0 and online slot 1 stay, then offline slot 2 (lower index) before slot 3.
        await world.up((pools) => {
            pools[0]!.count = 3;
        });
        const servers = [0, 1, 2, 3].map((index) => world.serverOf(slot(index)));
        // Slot 1's ephemeral runner ran its job: GitHub removed it and the VM powered off.
        world.github.removeRunner(world.scope, used);
        world.openstack.setServer(servers[1] as string, { status: "SHUTOFF" });

        const crashed = await registerWithoutState(world, slot(2));
        const idle = await registerWithoutState(world, slot(0));
        world.github.setRunner(world.scope, idle.name, { status: "online", busy: false });
        const idleServer = addServerWithoutState(world, { pool: "small", slot: 0, runner: idle.name });
        const busyOrphan = await registerWithoutState(world, slot(1));
        world.github.setRunner(world.scope, busyOrphan.name, { status: "online", busy: true });
        const busyServer = addServerWithoutState(world, { pool: "small", slot: 1, runner: busyOrphan.name });
        const goneRunnerServer = addServerWithoutState(world, { pool: "small", slot: 1, runner: runnerName(`${world.namePrefix}-small-1`, randomSuffix()), status: "SHUTOFF" });
        const strayCopyServer = addServerWithoutState(world, { pool: "small", slot: 2, runner: runners[2] as string });

        // Another stack's server, a server of a stack of the same name under another prefix, and a runner of another prefix.
        const tenant = world.stack.config.config["openstack:tenantName"] as string;
        const otherStack = world.openstack.addServer({ name: "other", project: tenant, metadata: { ...stackOwnership("prod"), "github-runners:pool": "small", "github-runners:runner": runnerName("gh-prod-small-0", randomSuffix()) } }).id;
        const otherPrefix = world.openstack.addServer({ name: "other-prefix", project: tenant, metadata: ownershipMetadata({ stack: "dev", pool: "small", slot: 0, runnerName: runnerName("gh-devx-small-0", randomSuffix()) }) }).id;
        const foreignRunner = await registerNamed(world, runnerName("gh-devx-small-0", randomSuffix()));
        return {
            world,
            slotRunners: runners,
            slotServers: servers,
            crashedRunner: crashed.name,
            idleOrphan: { runner: idle.name, server: idleServer },
            busyOrphan: { runner: busyOrphan.name, server: busyServer },
            goneRunnerServer,
            strayCopyServer,
            foreign: { runner: foreignRunner, servers: [otherStack, otherPrefix] },
        };
    } catch (error) {
        await world.dispose();
        throw error;
    }
}

export interface ProdScenario {
    world: StatusWorld;
    standardRunners: string[];
    largeRunner: string;
    crashedRunner: string;
    goneRunnerServer: string;
}

/**
 * The prod example (an org, a GitHub App, a runner group; pool "standard" of a fixed size and
 * pool "large" sized by demand) with 2 standard slots and 1 large one: standard-0 busy,
 * standard-1 used up, large-0 booting; an interrupted create in pool large and a stray server.
 */
export async function deployProdScenario(): Promise<ProdScenario> {
    const world = await StatusWorld.start("prod", (pools) => {
        pools[0]!.count = 2;
        // The harness's in-memory Nova boots only from an image (imageId/imageName), not from a volume's block device.
        delete pools[0]!.bootVolume;
        // Demand-sized as in the example, without the office-hours schedule (the wanted size must not depend on the hour).
        delete pools[1]!.schedules;
        pools[1]!.min = 1;
        pools[1]!.max = 2;
    });
    try {
        await world.up();
        const standard = [0, 1].map((index) => world.runnerOf(`fleet-standard-${index}`));
        world.github.setRunner(world.scope, standard[0] as string, { status: "online", busy: true });
        world.github.removeRunner(world.scope, standard[1] as string);
        world.openstack.setServer(world.serverOf("fleet-standard-1"), { status: "SHUTOFF" });
        const crashed = await registerWithoutState(world, "fleet-large-0");
        const goneRunnerServer = addServerWithoutState(world, { pool: "standard", slot: 1, runner: runnerName(`${world.namePrefix}-standard-1`, randomSuffix()), status: "SHUTOFF" });
        return { world, standardRunners: standard, largeRunner: world.runnerOf("fleet-large-0"), crashedRunner: crashed.name, goneRunnerServer };
    } catch (error) {
        await world.dispose();
        throw error;
    }
}
