/**
 * The end-to-end scenario of issue 10, for one runner mode: a pool of two
 * ephemeral runners goes through up, a job, a preview, a recycling up and a
 * destroy, with GitHub's state and the VMs' checked after every step and each
 * step's duration on the timeline.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { runnerHostname } from "../../components/naming";
import { consoleTail } from "../boot/qemu-vm";
import type { StandinEvent } from "../fake-github";
import { assertCleanExit } from "../harness/fleet-assertions";
import { resourceName } from "../harness/fleet-deployment";
import { diagnostics, PROJECT, TYPES, type PoolConfig } from "../harness/fleet-stack";
import { unwrap } from "../harness/pulumi-values";
import { assignJob } from "../standin-runner/jobs";
import type { E2eWorld } from "./e2e-world";
import type { RunnerMode } from "./runner-modes";
import { ServerBackedStack, type StackOperation } from "./server-backed-stack";
import { Timeline } from "./timeline";

export interface ScenarioLimits {
    /** From `up` until a runner is online: its VM boots under TCG, maybe beside another. */
    runnerOnlineMs: number;
    /** From a job until its runner is gone and its VM off. */
    powerOffMs: number;
}

interface SlotView {
    runnerName: string;
    instanceId: string;
}

/** [kind, type, resource name] of every step that changes something. */
function changes(operation: StackOperation): string[][] {
    return operation.steps.filter((step) => step.kind !== "same").map((step) => [step.kind, step.type, resourceName(step.urn)]);
}

function assertSucceeded(operation: StackOperation): void {
    const { result } = operation;
    if (result.run !== undefined) assertCleanExit(result.run, `${diagnostics(result.run)}\n${result.providerStderr}`);
    assert.equal(result.error, undefined, result.providerStderr);
}

async function waitUntil(what: string, limitMs: number, done: () => boolean, context: () => string): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (!done()) {
        if (Date.now() > deadline) throw new Error(`${what}: not within ${limitMs / 1000} s\n${context()}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
}

export class RecycleScenario {
    readonly timeline: Timeline;
    private readonly pool: string;

    private constructor(
        private readonly world: E2eWorld,
        private readonly mode: RunnerMode,
        private readonly stack: ServerBackedStack,
        private readonly nicMtu: number,
        private readonly limits: ScenarioLimits,
    ) {
        this.timeline = new Timeline(`e2e: ${mode.title}`);
        const pools = JSON.parse(stack.config().config[`${PROJECT}:pools`] ?? "[]") as PoolConfig[];
        assert.equal(pools.length, 1);
        this.pool = pools[0]!.name;
    }

    static async prepare(world: E2eWorld, mode: RunnerMode, nicMtu: number, limits: ScenarioLimits): Promise<RecycleScenario> {
        mode.prepareGithub(world.fake);
        const stack = await ServerBackedStack.open({
            github: { fake: world.fake, apiUrl: world.front.url },
            stack: mode.stack,
            secrets: mode.secrets,
            backend: world.backend,
            images: [{ id: world.imageId, name: mode.imageName }],
            editConfig: (config) => mode.editConfig(config, world),
        });
        return new RecycleScenario(world, mode, stack, nicMtu, limits);
    }

    async run(): Promise<void> {
        const { fake, backend } = this.world;
        const { timeline, stack, mode } = this;
        const scope = mode.scope;
        const runnerState = (name: string) => [fake.runner(scope, name)?.status, fake.runner(scope, name)?.busy];

        const first = await timeline.step("up: 2 slots, both VMs started", () => stack.up());
        assertSucceeded(first);
        const initial = [this.view(0), this.view(1)];
        assert.deepEqual(backend.liveServers().map((server) => server.request.id).sort(), initial.map((slot) => slot.instanceId).sort(), "one server per slot");
        this.assertServerAsDeclared(first, 0);
        this.assertServerAsDeclared(first, 1);

        await timeline.step("both runners online", () => Promise.all(initial.map((slot) => this.runnerOnline(slot.runnerName))));
        for (const slot of initial) assert.deepEqual(runnerState(slot.runnerName), ["online", false]);
        assert.deepEqual(fake.runners(scope).map((runner) => runner.name).sort(), initial.map((slot) => slot.runnerName).sort());

        const [used, other] = initial as [SlotView, SlotView];
        await timeline.step("job on slot 0, its VM powers off", async () => {
            assignJob(fake, scope, used.runnerName);
            await waitUntil("GitHub removes the used-up runner", this.limits.powerOffMs, () => fake.runner(scope, used.runnerName) === undefined, () => this.consoles());
            await waitUntil("slot 0's VM stops", this.limits.powerOffMs, () => backend.status(used.instanceId) !== "ACTIVE", () => this.consoles());
        });
        assert.equal(backend.status(used.instanceId), "SHUTOFF", "the ephemeral runner's VM powered itself off");
        assert.deepEqual(this.eventsOf(used.runnerName), mode.events.used);
        assert.equal(backend.status(other.instanceId), "ACTIVE");
        assert.deepEqual(runnerState(other.runnerName), ["online", false]);

        const serversBeforePreview = backend.servers().length;
        const preview = await timeline.step("preview", () => stack.preview());
        assertSucceeded(preview);
        const slot0 = this.slot(0);
        const slot0Resources = [[TYPES.drainGuard, `${slot0}-drain`], [TYPES.instance, slot0], [TYPES.registration, slot0]].map((pair) => pair.join(" "));
        const previewed = changes(preview);
        assert.deepEqual([...new Set(previewed.map(([, type, name]) => `${type} ${name}`))].sort(), [...slot0Resources].sort(), "the preview touches exactly the used-up slot");
        assert.deepEqual(previewed.filter(([kind]) => kind === "replace").map(([, type, name]) => `${type} ${name}`).sort(), [...slot0Resources].sort(), "it replaces the slot's registration, instance and drain guard");
        assert.deepEqual(previewed.filter(([kind]) => kind !== "replace" && kind !== "delete"), [], "and does nothing else");
        const previewWrites = preview.requests.filter((request) => request.method !== "GET" && !mode.previewWrites?.test(request.path));
        assert.deepEqual(previewWrites, [], "a preview changes nothing on GitHub");
        assert.equal(backend.servers().length, serversBeforePreview, "a preview boots nothing");

        const recycle = await timeline.step("up: slot 0 recycled, new VM started", () => stack.up());
        assertSucceeded(recycle);
        const fresh = this.view(0);
        assert.notEqual(fresh.runnerName, used.runnerName, "the recycled slot has a new runner");
        assert.notEqual(fresh.instanceId, used.instanceId, "the recycled slot has a new server");
        assert.deepEqual(this.view(1), other, "the other slot kept its runner and server");
        assert.deepEqual(
            changes(recycle).filter(([kind]) => kind === "delete").map(([, type, name]) => `${type} ${name}`),
            slot0Resources,
            "the old slot went, drain guard first",
        );
        assert.notEqual(backend.server(used.instanceId).destroyedAtMs, undefined, "the used-up VM was deleted");
        assert.equal(backend.status(other.instanceId), "ACTIVE");
        assert.equal(backend.server(other.instanceId).vm.result(), undefined, "the other VM kept running");
        assert.equal(backend.servers().filter((server) => server.request.id === other.instanceId).length, 1, "the other server was never rebuilt");
        this.assertServerAsDeclared(recycle, 0);
        assert.equal(recycle.requests.filter((request) => request.method === "POST" && mode.credentialRequest.test(request.path)).length, 1, "one new runner credential");

        await timeline.step("new runner online", () => this.runnerOnline(fresh.runnerName));
        assert.deepEqual(fake.runners(scope).map((runner) => runner.name).sort(), [fresh.runnerName, other.runnerName].sort());
        assert.deepEqual(this.eventsOf(other.runnerName), mode.events.waiting, "the other runner never took a job");

        const runnerIds = fake.runners(scope).map((runner) => runner.id);
        const destroyed = await timeline.step("destroy", () => stack.destroy());
        assertSucceeded(destroyed);
        assert.deepEqual(fake.runners(scope), [], "no runner left on GitHub");
        const runnersPath = scope.includes("/") ? `/repos/${scope}/actions/runners` : `/orgs/${scope}/actions/runners`;
        for (const id of runnerIds) {
            const deregistration = destroyed.requests.find((request) => request.method === "DELETE" && request.path === `${runnersPath}/${id}`);
            assert.equal(deregistration?.status, 204, `runner ${id} was deregistered by the destroy`);
        }
        assert.deepEqual(backend.liveServers(), [], "no server left");
        for (const server of backend.servers()) {
            assert.notEqual(server.vm.result(), undefined, `${server.request.name}'s qemu is gone`);
            assert.equal(existsSync(server.vm.overlayPath), false, `${server.request.name}'s disk is gone`);
        }
        assert.deepEqual([...stack.state.resources.values()].filter((resource) => resource.custom).map((resource) => resource.urn), [], "no resource left in the state");

        await this.assertNoSecretOnAnyConsole();
        fake.assertNoContractViolations();
    }

    private slot(index: number): string {
        return `fleet-${this.pool}-${index}`;
    }

    private view(index: number): SlotView {
        const resources = [...this.stack.state.resources.values()];
        const ofSlot = (type: string) => resources.find((resource) => resource.type === type && resourceName(resource.urn) === this.slot(index));
        const registration = ofSlot(TYPES.registration);
        const instance = ofSlot(TYPES.instance);
        assert.ok(registration && instance, `${this.slot(index)} has a registration and an instance in the state`);
        return { runnerName: String(registration.outputs["runnerName"]), instanceId: instance.id };
    }

    private eventsOf(runnerName: string): string[] {
        return this.world.fake.standinEvents.filter((event) => event.name === runnerName).map((event) => event.event);
    }

    private consoles(): string {
        return this.world.backend
            .servers()
            .map((server) => `--- console of ${server.request.name} (last lines) ---\n${consoleTail(server.vm, 25)}`)
            .join("\n");
    }

    /** The backend runs exactly the server the program declared for the slot. */
    private assertServerAsDeclared(operation: StackOperation, index: number): void {
        const view = this.view(index);
        const declared = operation.result.run?.monitor.registrations.find((registration) => registration.type === TYPES.instance && registration.name === this.slot(index));
        assert.ok(declared, `the program declared ${this.slot(index)}'s Instance`);
        const server = this.world.backend.server(view.instanceId);
        assert.equal(server.request.name, view.runnerName, "the server is named after its runner");
        assert.equal(server.request.imageId, this.world.imageId, "the server boots the stack's image");
        assert.deepEqual(server.request.metadata, unwrap(declared.inputs["metadata"]), "the server carries the declared metadata");
        assert.equal(server.request.metadata["github-runners:runner"], view.runnerName);
        assert.equal(server.request.metadata["github-runners:slot"], String(index));
        assert.ok(server.userData !== undefined && server.userData.length > 0, "the server got user data");
        assert.equal(this.world.backend.status(view.instanceId), "ACTIVE");
    }

    /** The runner's VM booted, and it came online as registered by the program. */
    private async runnerOnline(runnerName: string): Promise<void> {
        const { fake } = this.world;
        const scope = this.mode.scope;
        await waitUntil(`runner ${runnerName} online`, this.limits.runnerOnlineMs, () => fake.runner(scope, runnerName)?.status === "online", () => this.consoles());
        const events: StandinEvent[] = fake.standinEvents.filter((event) => event.name === runnerName);
        this.mode.assertRegistration(runnerName, events, this.world);
        const online = events.find((event) => event.event === "online");
        assert.equal(online?.user, "ubuntu");
        assert.equal(online?.hostname, runnerHostname(runnerName), "the guest's hostname is the runner's short one");
        assert.equal(online?.defaultRouteMtu, this.nicMtu, "the guest's NIC runs at the tenant network's MTU");
    }

    private async assertNoSecretOnAnyConsole(): Promise<void> {
        const secrets = [...Object.values(this.mode.secrets), ...this.world.issued.all()];
        assert.equal(this.world.issued.all().length, this.mode.credentialsIssued, "the credentials of all three runners are checked");
        for (const server of this.world.backend.servers()) {
            const log = await readFile(server.consoleLogPath, "utf8");
            assert.ok(log.length > 1000, `${server.request.name}'s console was captured`);
            for (const secret of secrets) {
                // A PEM key could be re-wrapped: look for one of its base64 lines too.
                const pieces = [secret, secret.slice(Math.floor(secret.length / 3), Math.floor((2 * secret.length) / 3)), ...secret.split("\n").filter((line) => line.length >= 32 && !line.startsWith("-----"))];
                for (const piece of pieces) assert.ok(!log.includes(piece), `a secret (or part of one) appears on ${server.request.name}'s console`);
            }
        }
    }
}
