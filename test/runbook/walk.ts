/**
 * The operators' runbook, each step tried: the dev example deployed for real on the engine
 * harness (world.ts) and taken through every task of the README's Runbook section, with
 * `npm run status` run after each step. The walk records what each command printed
 * (recorder.ts, captures.ts); test/runbook.test.ts asserts what the runbook claims about each
 * step, and scripts/runbook/print.ts renders the README section from the same captures.
 * The tasks run in this order, each from where the previous one left the fleet.
 */
import { editStackPools, PROJECT, TYPES } from "../harness/fleet-stack";
import type { FakeNovaCloud } from "../status/fake-nova-cloud";
import type { Capture } from "./captures";
import { bootWithoutState, pendingCreate, registerWithoutState } from "./interrupted";
import { booted, configProblem, jobEnds, POOL, Recorder, setCount, slotsInDeleteOrder, snapshot, takesJob, type WorldSnapshot } from "./recorder";
import { type Environment, RunbookWorld, SCOPE, type StackPool, TOKEN_KEY } from "./world";

export { POOL };
/** The dev example's image (Pulumi.dev.yaml image.name) and the one the image rotation moves to. */
export const IMAGE_V1 = "github-runner-jammy-x64";
export const IMAGE_V2 = "github-runner-jammy-x64-2025-07";
/** Nova's answer when the project's instance quota is used up (nova/exception.py TooManyInstances, HTTP 403). */
export const QUOTA_MESSAGE = "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances";

export interface WalkFacts {
    scale: { retiredRunner: string; retiredServer: string };
    /** `previewWrites`: requests that changed something on GitHub during the preview. */
    image: { busyRunner: string; busyServer: string; idleRunnerBefore: string; previewWrites: number };
    /** `refusedDuringRotation`: GitHub's 401 answers during the preview and up after `config set`. */
    token: { refusedDuringRotation: number };
    drain: { busyRunner: string; idleRunner: string; servers: string[]; previewWrites: number };
    recover: {
        handDeletedServer: string;
        busyOrphan: { runner: string; server: string };
        offlineOrphan: string;
        /** GitHub writes plus servers deleted by the sweep's dry run. */
        sweepPlanChanges: number;
    };
    env: { stagingRunner: string; devRunners: string[]; sharedSweepWrites: number };
    /** `firstDeleted`: the slot a destroy deletes first; `busySlot`: the next one, whose runner is busy. */
    destroy: { busyRunner: string; busySlot: number; firstDeleted: number };
    /** The dev stack's runners and servers at points the test checks. */
    snapshots: Record<string, WorldSnapshot>;
    /** Every secret plaintext of the walk (tokens, the OpenStack password): none may be printed. */
    secrets: string[];
    /** Requests or answers of the fakes that broke GitHub's or OpenStack's published API descriptions. */
    contractViolations: string[];
}

export interface Walk {
    captures: Map<string, Capture>;
    facts: WalkFacts;
}

export interface WalkOptions {
    /** Progress lines (the walk takes minutes). */
    log?: (line: string) => void;
}

interface Context {
    rec: Recorder;
    world: RunbookWorld;
    dev: Environment;
    snapshots: Record<string, WorldSnapshot>;
    /** Secret plaintexts met on the way. */
    secrets: string[];
}

/**
 * A change applied while a slot's runner is busy: `<step>.preview` when `preview` (counting the
 * GitHub writes it made, which should be none), `<step>.up` with its outputs, a snapshot and
 * `<step>.status-after`; then that slot's job ends and `<step>.status-job-done`.
 */
async function upWhileBusy({ rec, world, dev, snapshots }: Context, step: string, busySlot: number, preview: boolean): Promise<number> {
    const writesBeforePreview = world.github.writes().length;
    if (preview) await rec.operation(`${step}.preview`, dev.preview(), "succeeds");
    const previewWrites = world.github.writes().length - writesBeforePreview;
    rec.outputs(`${step}.outputs`, await rec.operation(`${step}.up`, dev.up(), "succeeds"));
    snapshots[`${step}.after-up`] = snapshot(world, "dev");
    await rec.status(dev, `${step}.status-after`);
    jobEnds(dev, busySlot);
    await rec.status(dev, `${step}.status-job-done`);
    return previewWrites;
}

/** Deploy the example (pool small, count 2); both VMs boot. */
async function deploy({ rec, dev }: Context): Promise<void> {
    await rec.operation("deploy.up", dev.up(), "succeeds");
    booted(dev, [0, 1]);
    await rec.status(dev, "deploy.status");
}

/** Scale a pool: 2 -> 3, then back to 2 (two ups: the drain, then the delete). */
async function scaleTask({ rec, world, dev, snapshots }: Context): Promise<WalkFacts["scale"]> {
    setCount(dev, 3);
    await rec.operation("scale.up-out", dev.up(), "succeeds");
    await rec.status(dev, "scale.status-out");
    booted(dev, [2]);
    setCount(dev, 2);
    await rec.status(dev, "scale.status-before-in");
    const retiredRunner = dev.runnerOf(POOL, 2);
    const retiredServer = dev.serverOf(POOL, 2);
    await rec.operation("scale.up-in", dev.up(), "succeeds");
    snapshots["scale.after-up-in"] = snapshot(world, "dev");
    await rec.status(dev, "scale.status-in");
    await rec.operation("scale.up-in-2", dev.up(), "succeeds");
    snapshots["scale.after-up-in-2"] = snapshot(world, "dev");
    await rec.status(dev, "scale.status-done");
    return { retiredRunner, retiredServer };
}

/** Rotate the image (image.name) while slot 1's runner is busy, then after its job. */
async function rotateImage(context: Context): Promise<WalkFacts["image"]> {
    const { rec, world, dev } = context;
    const busyRunner = takesJob(dev, 1);
    const busyServer = dev.serverOf(POOL, 1);
    const idleRunnerBefore = dev.runnerOf(POOL, 0);
    world.addImage(IMAGE_V2);
    dev.editConfig((values) => {
        const key = `${PROJECT}:image`;
        values[key] = JSON.stringify({ ...(JSON.parse(values[key] ?? "{}") as object), name: IMAGE_V2 });
    });
    const previewWrites = await upWhileBusy(context, "image", 1, true);
    await rec.operation("image.up-2", dev.up(), "succeeds");
    await rec.status(dev, "image.status-done");
    booted(dev, [0, 1]);
    return { busyRunner, busyServer, idleRunnerBefore, previewWrites };
}

/**
 * Rotate the GitHub token: first the wrong order (the old token revoked before the up), then the
 * right one. `whole: false` (the quick walk): only the right order's `config set`, up and status.
 */
async function rotateToken({ rec, world, dev, secrets }: Context, whole = true): Promise<WalkFacts["token"]> {
    const oldToken = dev.token;
    const newToken = world.newToken();
    secrets.push(oldToken, newToken);
    dev.setSecret(TOKEN_KEY, newToken);
    if (whole) {
        world.github.revokeToken(oldToken);
        await rec.operation("token.refresh-too-early", dev.refresh({ dryRun: true }), "fails");
        // Back to "not revoked yet" (the fake's stand-in for doing it in the right order).
        world.github.addToken(oldToken);
    }
    const requestsBefore = world.github.requests.length;
    if (whole) await rec.operation("token.preview", dev.preview(), "succeeds");
    await rec.operation("token.up", dev.up(), "succeeds");
    const refusedDuringRotation = world.github.requests.slice(requestsBefore).filter((request) => request.status === 401).length;
    world.github.revokeToken(oldToken);
    await rec.status(dev, "token.status");
    if (whole) await rec.operation("token.refresh", dev.refresh({ dryRun: true }), "succeeds");
    return { refusedDuringRotation };
}

/**
 * Drain the pool (count: 0) while slot 0's runner is busy; `enabled: false` is not a key.
 * `whole: false` (the quick walk) stops once the job is done: no preview, no second up.
 */
async function drain(context: Context, whole = true): Promise<WalkFacts["drain"]> {
    const { rec, world, dev, snapshots } = context;
    rec.text(
        "drain.enabled-false",
        configProblem(dev, (pools) => {
            pools[0]!["enabled"] = false;
        }),
    );
    setCount(dev, 0);
    const busyRunner = takesJob(dev, 0);
    const idleRunner = dev.runnerOf(POOL, 1);
    const servers = [dev.serverOf(POOL, 0), dev.serverOf(POOL, 1)];
    await rec.status(dev, "drain.status-before");
    const previewWrites = await upWhileBusy(context, "drain", 0, whole);
    if (!whole) return { busyRunner, idleRunner, servers, previewWrites };
    await rec.operation("drain.up-2", dev.up(), "succeeds");
    snapshots["drain.after-up-2"] = snapshot(world, "dev");
    await rec.status(dev, "drain.status-empty");
    return { busyRunner, idleRunner, servers, previewWrites };
}

/** Recover from a failed up, from changes made by hand (then `pulumi refresh`), and from a killed up (then the sweep). */
async function recover(context: Context): Promise<WalkFacts["recover"]> {
    const { rec, world, dev } = context;
    // A failed up (Nova's quota refuses the server), then the up again.
    setCount(dev, 1);
    world.cloud.failNextCreate("server", 403, QUOTA_MESSAGE);
    await rec.operation("recover.failed-up", dev.up(), "fails");
    await rec.status(dev, "recover.status-failed");
    await rec.operation("recover.retry-up", dev.up(), "succeeds");
    await rec.status(dev, "recover.status-retried");
    booted(dev, [0]);

    // By hand, outside Pulumi: the runner removed in GitHub, its VM deleted in Nova (the provider's own delete path).
    const instance = dev.resources(TYPES.instance).get(`fleet-${POOL}-0`);
    if (instance === undefined) throw new Error("no instance fleet-small-0 after the retried up");
    world.github.removeRunner(SCOPE, dev.runnerOf(POOL, 0));
    await (dev.stack.cloud as FakeNovaCloud).delete({ urn: instance.urn, type: instance.type, name: instance.name, id: instance.id, inputs: instance.inputs, outputs: instance.outputs });
    await rec.status(dev, "recover.status-by-hand");
    await rec.operation("recover.refresh", dev.refresh(), "succeeds");
    await rec.status(dev, "recover.status-refreshed");

    // An up raising the pool to 3 was killed: slot 1's runner and VM were created but never
    // saved (the runner then took a job); slot 2's registration was being created.
    setCount(dev, 3);
    const orphans = await orphansOfKilledUp(context);
    dev.pendingOperations.push(pendingCreate(orphans.offlineOrphanUrn));
    await rec.status(dev, "recover.status-interrupted", { orphans: true });
    // `pulumi refresh --clear-pending-creates` drops the pending operation from the checkpoint.
    dev.pendingOperations.length = 0;
    await rec.operation("recover.up-after-interrupt", dev.up(), "succeeds");
    await rec.status(dev, "recover.status-after-interrupt", { orphans: true });
    const swept = await sweep(context, orphans);
    booted(dev, [0, 1, 2]);
    return { handDeletedServer: instance.id, ...swept };
}

export type SweepFacts = Omit<WalkFacts["recover"], "handDeletedServer">;

/**
 * What a killed up that was raising the pool to 3 left: slot 1's runner and VM created but never
 * saved (the runner then took a job), slot 2's registration created but never saved.
 */
async function orphansOfKilledUp({ world, dev }: Context): Promise<{ busyOrphan: { runner: string; server: string }; offlineOrphan: string; offlineOrphanUrn: string }> {
    const busyOrphan = await registerWithoutState(dev, POOL, 0, 1);
    world.github.setRunner(SCOPE, busyOrphan.name, { status: "online", busy: true });
    const busyOrphanServer = bootWithoutState(dev, { pool: POOL, slot: 1, runner: busyOrphan.name });
    const offlineOrphan = await registerWithoutState(dev, POOL, 0, 2);
    return { busyOrphan: { runner: busyOrphan.name, server: busyOrphanServer }, offlineOrphan: offlineOrphan.name, offlineOrphanUrn: offlineOrphan.urn };
}

/** The orphan sweep: a dry run, `--yes`, and `--yes` again once the busy orphan's job is done. */
async function sweep({ rec, world, dev }: Context, orphans: Omit<SweepFacts, "sweepPlanChanges">): Promise<SweepFacts> {
    const writesBeforePlan = world.github.writes().length;
    const serversBeforePlan = world.openstack.servers().length;
    await rec.command(dev, "recover.sweep-plan", ["--sweep"]);
    const sweepPlanChanges = world.github.writes().length - writesBeforePlan + (serversBeforePlan - world.openstack.servers().length);
    await rec.command(dev, "recover.sweep", ["--sweep", "--yes"]);
    await rec.status(dev, "recover.status-swept", { orphans: true });
    world.github.removeRunner(SCOPE, orphans.busyOrphan.runner);
    world.openstack.setServer(orphans.busyOrphan.server, { status: "SHUTOFF" });
    await rec.command(dev, "recover.sweep-after-job", ["--sweep", "--yes"]);
    await rec.status(dev, "recover.status-clean", { orphans: true });
    return { busyOrphan: orphans.busyOrphan, offlineOrphan: orphans.offlineOrphan, sweepPlanChanges };
}

/** A second environment: a copy of the stack file with its own namePrefix and network, in the same repository and project. */
async function secondEnvironment({ rec, world, dev, secrets }: Context): Promise<{ facts: WalkFacts["env"]; staging: Environment }> {
    const staging = world.environment("staging", (values) => {
        values[`${PROJECT}:namePrefix`] = "gh-staging";
        const network = JSON.parse(values[`${PROJECT}:network`] ?? "{}") as { create: Record<string, unknown> };
        network.create["cidr"] = "10.43.0.0/24";
        values[`${PROJECT}:network`] = JSON.stringify(network);
        editStackPools<StackPool>(values, (pools) => {
            pools[0]!.count = 1;
        });
    });
    secrets.push(staging.token);
    await rec.operation("env.up", staging.up(), "succeeds");
    booted(staging, [0]);
    await rec.status(staging, "env.status-staging", { orphans: true });
    await rec.status(dev, "env.status-dev", { orphans: true });
    // What a copy that kept Pulumi.dev.yaml's `namePrefix: gh-dev` would see.
    staging.editConfig((values) => {
        values[`${PROJECT}:namePrefix`] = "gh-dev";
    });
    await rec.status(staging, "env.status-shared-prefix", { orphans: true });
    const writesBefore = world.github.writes().length;
    await rec.command(staging, "env.sweep-shared-prefix", ["--sweep"]);
    const sharedSweepWrites = world.github.writes().length - writesBefore;
    staging.editConfig((values) => {
        values[`${PROJECT}:namePrefix`] = "gh-staging";
    });
    const devRunners = [0, 1, 2].map((slot) => dev.runnerOf(POOL, slot));
    return { facts: { stagingRunner: staging.runnerOf(POOL, 0), devRunners, sharedSweepWrites }, staging };
}

/**
 * Destroy the dev stack while a runner is busy: the one whose drain guard comes second in the
 * delete order, so the first slot goes and the destroy then stops; again once its job is done.
 */
async function destroy({ rec, world, dev, snapshots }: Context, staging: Environment): Promise<WalkFacts["destroy"]> {
    const [firstDeleted, busySlot] = slotsInDeleteOrder(dev);
    const busyRunner = takesJob(dev, busySlot);
    await rec.operation("destroy.first", dev.destroy(), "fails");
    await rec.status(dev, "destroy.status-blocked", { orphans: true });
    const busyServer = dev.serverOf(POOL, busySlot);
    world.github.removeRunner(SCOPE, busyRunner);
    world.openstack.setServer(busyServer, { status: "SHUTOFF" });
    await rec.operation("destroy.second", dev.destroy(), "succeeds");
    snapshots["destroy.after"] = snapshot(world, "dev");
    await rec.status(dev, "destroy.status-after", { orphans: true });
    await rec.status(staging, "destroy.status-staging", { orphans: true });
    return { busyRunner, busySlot, firstDeleted };
}

/** The facts every walk records, whatever its tasks. */
export type CommonFacts = Pick<WalkFacts, "snapshots" | "secrets" | "contractViolations">;

/** Starts the world, deploys the dev example, runs `tasks` from there, and disposes of the world whatever happens. */
async function walkWith<T>(options: WalkOptions, tasks: (context: Context) => Promise<T>): Promise<{ captures: Map<string, Capture>; common: CommonFacts; facts: T }> {
    const rec = new Recorder(options.log ?? (() => {}));
    const world = await RunbookWorld.start();
    try {
        world.addImage(IMAGE_V1);
        const dev = world.environment("dev");
        const context: Context = { rec, world, dev, snapshots: {}, secrets: [dev.token, world.password] };
        await deploy(context);
        const facts = await tasks(context);
        const contractViolations = [
            ...world.github.contractViolations.map((violation) => `GitHub: ${JSON.stringify(violation)}`),
            ...world.openstack.contractViolations.map((violation) => `OpenStack: ${JSON.stringify(violation)}`),
        ];
        return { captures: rec.captures, common: { snapshots: context.snapshots, secrets: context.secrets, contractViolations }, facts };
    } finally {
        await world.dispose();
    }
}

/** Every task of the runbook, in the README's order of need (minutes: about 20 `pulumi` operations). */
export async function walkRunbook(options: WalkOptions = {}): Promise<Walk> {
    const { captures, common, facts } = await walkWith(options, async (context) => {
        const scale = await scaleTask(context);
        const image = await rotateImage(context);
        const token = await rotateToken(context);
        const drained = await drain(context);
        const recovered = await recover(context);
        const env = await secondEnvironment(context);
        const destroyed = await destroy(context, env.staging);
        return { scale, image, token, drain: drained, recover: recovered, env: env.facts, destroy: destroyed };
    });
    return { captures, facts: { ...facts, ...common } };
}

/**
 * The quick walk (`npm test`; three `pulumi up`s): deploy; rotate the token (config set, up,
 * revoke, status); drain the pool with a busy runner (status, up, status, the job ends, status);
 * then the orphans a killed up leaves, and the sweep.
 */
export interface QuickWalk {
    captures: Map<string, Capture>;
    facts: CommonFacts & Pick<WalkFacts, "token" | "drain"> & { sweep: SweepFacts };
}

export async function walkQuickly(options: WalkOptions = {}): Promise<QuickWalk> {
    const { captures, common, facts } = await walkWith(options, async (context) => {
        const token = await rotateToken(context, false);
        const drained = await drain(context, false);
        const swept = await sweep(context, await orphansOfKilledUp(context));
        return { token, drain: drained, sweep: swept };
    });
    return { captures, facts: { ...common, ...facts } };
}
