/**
 * The walk's bookkeeping (walk.ts): what each command printed, recorded under an id
 * (captures.ts), and what happens outside Pulumi, done to the fakes the way GitHub and Nova do
 * it: a runner takes a job (busy), an ephemeral runner's job ends (GitHub removes the runner,
 * the VM powers itself off: SHUTOFF), a new VM's runner comes online.
 */
import { ConfigError, parseStackConfig } from "../../components/config";
import { deleteOrder } from "../harness/engine/graph";
import { PROJECT, TYPES } from "../harness/fleet-stack";
import type { OperationResult } from "../harness/harness-stack";
import { unwrap, type WireObject } from "../harness/pulumi-values";
import { type Capture, trimOperation, trimStatus } from "./captures";
import { type Environment, type Operation, type RunbookWorld, SCOPE, type StackPool } from "./world";

/** The pool of the dev example (Pulumi.dev.yaml). */
export const POOL = "small";

/** GitHub's runners and Nova's servers of one stack (by ownership metadata) at one point. */
export interface WorldSnapshot {
    runners: { name: string; status: string; busy: boolean }[];
    servers: { id: string; name: string; vmState: string }[];
}

export class Recorder {
    readonly captures = new Map<string, Capture>();

    constructor(private readonly log: (line: string) => void) {}

    private add(capture: Capture): Capture {
        if (this.captures.has(capture.id)) throw new Error(`capture ${capture.id} twice`);
        this.captures.set(capture.id, capture);
        this.log(`${capture.id}`);
        return capture;
    }

    /** `npm run status` (text) and, at the same point, `--json`. */
    async status(environment: Environment, id: string, keep: { orphans: boolean } = { orphans: false }): Promise<Capture> {
        const text = await environment.status([]);
        if (text.code !== 0) throw new Error(`${id}: status exited ${text.code}: ${text.stderr}`);
        const report = await environment.report();
        return this.add({ id, text: text.stdout + text.stderr, shown: trimStatus(text.stdout, keep), code: text.code, report });
    }

    /** `npm run status -- <args>` (the sweep), shown whole. */
    async command(environment: Environment, id: string, args: string[]): Promise<Capture> {
        const result = await environment.status(args);
        return this.add({ id, text: result.stdout + result.stderr, shown: (result.stdout + result.stderr).trim(), code: result.code });
    }

    async operation(id: string, running: Promise<Operation>, expect: "succeeds" | "fails"): Promise<OperationResult> {
        const { result, text } = await running;
        if (expect === "succeeds" && result.error !== undefined) {
            throw new Error(`${id}: ${result.operation} failed: ${result.error}\n${result.diagnostics.map((d) => `${d.severity}: ${d.message}`).join("\n")}\n${result.providerStderr.slice(-3000)}`);
        }
        if (expect === "fails" && result.error === undefined) throw new Error(`${id}: ${result.operation} succeeded, and the walk expects it to fail`);
        this.add({ id, text, shown: trimOperation(text), operation: result });
        return result;
    }

    /** A text the walk made itself (e.g. the program's config error). */
    text(id: string, text: string): Capture {
        return this.add({ id, text, shown: text.trim() });
    }

    /** `pulumi stack output pools --json | jq '.<pool> | {desired, current, busy, deferred}'`. */
    outputs(id: string, result: OperationResult): Capture {
        const pools = unwrap(result.outputs["pools"]) as WireObject | undefined;
        const pool = pools?.[POOL] as { desired?: unknown; current?: unknown; busy?: unknown; deferred?: unknown } | undefined;
        if (pool === undefined) throw new Error(`${id}: no pools.${POOL} in the stack outputs`);
        const text = JSON.stringify({ desired: pool.desired, current: pool.current, busy: pool.busy, deferred: pool.deferred }, null, 2);
        return this.add({ id, text, shown: text });
    }
}

/** The VMs of these slots booted: their runners are online and idle. */
export function booted(environment: Environment, slots: number[]): void {
    for (const slot of slots) environment.world.github.setRunner(SCOPE, environment.runnerOf(POOL, slot), { status: "online", busy: false });
}

export function takesJob(environment: Environment, slot: number): string {
    const runner = environment.runnerOf(POOL, slot);
    environment.world.github.setRunner(SCOPE, runner, { status: "online", busy: true });
    return runner;
}

/** The ephemeral runner's job ended: GitHub removes the runner, the VM powers itself off. */
export function jobEnds(environment: Environment, slot: number): void {
    environment.world.github.removeRunner(SCOPE, environment.runnerOf(POOL, slot));
    environment.world.openstack.setServer(environment.serverOf(POOL, slot), { status: "SHUTOFF" });
}

export function setCount(environment: Environment, count: number): void {
    environment.editPools((pools) => {
        pools[0]!.count = count;
    });
}

/**
 * The program's own config check (components/config parseStackConfig, the first thing index.ts
 * runs, before any resource is declared) on the stack's config with its pools edited: the error's
 * message, as `pulumi preview` prints it among its diagnostics.
 */
export function configProblem(environment: Environment, editPools: (pools: StackPool[]) => void): string {
    const { config, secretKeys } = environment.stack.config;
    const prefix = `${PROJECT}:`;
    const values = Object.fromEntries(Object.entries(config).filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key.slice(prefix.length), value]));
    const pools = JSON.parse(values["pools"] ?? "[]") as StackPool[];
    editPools(pools);
    values["pools"] = JSON.stringify(pools);
    const secret = new Set(secretKeys.filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length)));
    try {
        parseStackConfig({ project: PROJECT, stack: environment.name, values, secretKeys: secret });
    } catch (error) {
        if (error instanceof ConfigError) return error.message;
        throw error;
    }
    throw new Error("the program accepted the edited pools");
}

/** The pool's slot indices in the order `pulumi destroy` reaches their drain guards (test/harness/engine/graph.ts deleteOrder). */
export function slotsInDeleteOrder(environment: Environment): [number, number] {
    const guards = deleteOrder([...environment.stack.state.resources.values()]).filter((resource) => resource.type === TYPES.drainGuard);
    const indices = guards.map((guard) => Number(/-(\d+)-drain$/.exec(guard.urn)?.[1]));
    if (indices.length < 2 || indices.some(Number.isNaN)) throw new Error(`expected two drain guards or more, got ${guards.map((guard) => guard.urn).join(", ")}`);
    return [indices[0] as number, indices[1] as number];
}

export function snapshot(world: RunbookWorld, stack: string): WorldSnapshot {
    return {
        runners: world.github.runners(SCOPE).map((runner) => ({ name: runner.name, status: runner.status, busy: runner.busy })),
        servers: world.openstack
            .servers()
            .filter((server) => server.metadata["github-runners:stack"] === stack)
            .map((server) => ({ id: server.id, name: server.name, vmState: server.vmState })),
    };
}
