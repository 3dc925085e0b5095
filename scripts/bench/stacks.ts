/**
 * The two stacks the reconcile benchmark compares, each on its own engine harness stack
 * (test/harness/harness-stack.ts) with the in-memory OpenStack cloud:
 *
 * - the fleet: this repository's program with the dev stack's config, one pool of N runners
 *   (a fixed `count`, or `min`/`max` for the demand measurement), against the fake GitHub
 *   behind https; after its set-up `up` every runner is marked online, as booted runners are;
 * - the bare baseline: bare-fleet/ (N plain openstack.compute.Instance resources) booted from
 *   an image, flavor and network put in the cloud beforehand.
 *
 * Set-up `up`s create everything; the benchmark then times `up`s that must change nothing.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import yaml from "js-yaml";
import { serializeDemandSnapshot } from "../../components/demand";
import { DEMAND_FILE_VARIABLE } from "../../components/observe";
import { HarnessStack, type OperationResult } from "../../test/harness/harness-stack";
import { GithubWorld, poolsOf, PROJECT, REPO, stackConfig } from "../../test/harness/fleet-stack";
import { OpenStackCloud } from "../../test/harness/openstack-cloud";

export const BARE_DIR = path.join(__dirname, "bare-fleet");
const BARE_PROJECT = "bare-fleet";
const UNTHROTTLED_WRITES = path.join(__dirname, "unthrottled-writes.cjs");
const REPO_SCOPE = "acme/widgets";

/** GitHub allows 1000 runners per pool here; the set-up registers them all in one `up`. */
const SETUP_REGISTRATIONS_PER_HOUR = 100_000;

/** What the CLI's language host takes from Pulumi.yaml: `main` (default ".") and the runtime option `typescript` (default true). */
export interface ProjectSettings {
    entryPoint: string;
    typescript: boolean;
}

export function projectSettings(programDir: string): ProjectSettings {
    const file = path.join(programDir, "Pulumi.yaml");
    const project = yaml.load(readFileSync(file, "utf8")) as { main?: unknown; runtime?: { options?: { typescript?: unknown } } | string } | null;
    const main = project?.main;
    const typescript = typeof project?.runtime === "object" ? project.runtime.options?.typescript : undefined;
    if (main !== undefined && typeof main !== "string") throw new Error(`${file}: main is ${JSON.stringify(main)}; expected a path (a string)`);
    if (typescript !== undefined && typeof typescript !== "boolean") throw new Error(`${file}: runtime.options.typescript is ${JSON.stringify(typescript)}; expected true or false`);
    return { entryPoint: main ?? ".", typescript: typescript ?? true };
}

export type PoolSizing = { count: number } | { min: number; max: number };

/** The custom steps that are not "same": what a steady-state `up` must not have. */
export function changesOf(result: OperationResult): string[] {
    return result.steps.filter((step) => step.custom && step.kind !== "read" && step.kind !== "same").map((step) => `${step.kind} ${step.urn}`);
}

/** Throws with the operation's error (and the program's and provider's last words) unless it succeeded. */
export function requireSuccess(result: OperationResult, what: string): OperationResult {
    if (result.error === undefined) return result;
    const said = result.diagnostics.filter((d) => d.severity !== "info").map((d) => `${d.severity}: ${d.message}`);
    throw new Error(`${what} failed: ${result.error}\n${said.join("\n").slice(0, 3000)}\n${result.providerStderr.slice(-2000)}`);
}

/** A steady-state `up`: fails unless it succeeded with no change. */
export function requireNoChanges(result: OperationResult, what: string): void {
    requireSuccess(result, what);
    const changes = changesOf(result);
    if (changes.length > 0) throw new Error(`${what} was to change nothing, but: ${changes.slice(0, 10).join("; ")}${changes.length > 10 ? ` (+${changes.length - 10} more)` : ""}`);
}

export class FleetBenchStack {
    private readonly dir = mkdtempSync(path.join(tmpdir(), "bench-reconcile-"));
    readonly demandFile = path.join(this.dir, "demand.json");

    private constructor(
        readonly world: GithubWorld,
        readonly stack: HarnessStack,
        /** The environment of a measured `up` (set-up and demand `up`s add to it). */
        readonly env: Record<string, string>,
        readonly poolName: string,
        readonly poolLabels: string[],
    ) {}

    /** The dev stack's config with one pool sized as given (programDir: the fleet program to run). */
    static async open(sizing: PoolSizing, programDir = REPO): Promise<FleetBenchStack> {
        const token = `ghp_${randomBytes(18).toString("hex")}`;
        const secrets = { [`${PROJECT}:githubToken`]: token, "openstack:password": `pw-${randomBytes(12).toString("hex")}` };
        const world = await GithubWorld.start();
        try {
            world.fake.addToken(token);
            world.fake.addRepo("acme", "widgets");
            const config = stackConfig("dev", secrets, world.apiUrl, (values) => {
                const [pool] = poolsOf({ config: values, secretKeys: [] });
                if (pool === undefined) throw new Error("the dev stack has no pool");
                const { count: _count, ...rest } = pool;
                values[`${PROJECT}:pools`] = JSON.stringify([{ ...rest, ...sizing }]);
                const github = JSON.parse(values[`${PROJECT}:github`] ?? "{}") as Record<string, unknown>;
                values[`${PROJECT}:github`] = JSON.stringify({ ...github, registrationsPerHour: SETUP_REGISTRATIONS_PER_HOUR });
            });
            const [pool] = poolsOf(config);
            const baseEnv = { ...world.front.programEnv, PULUMI_NODEJS_TRANSPILE_ONLY: "true" };
            const stack = HarnessStack.inMemory({
                programDir,
                project: PROJECT,
                stack: "dev",
                config: config.config,
                secretKeys: config.secretKeys,
                env: baseEnv,
                ...projectSettings(programDir),
                timeoutMs: 900_000,
            });
            return new FleetBenchStack(world, stack, baseEnv, pool!.name, pool!.labels);
        } catch (error) {
            await world.stop();
            throw error;
        }
    }

    /** Deploys every runner (GitHub writes unthrottled) and marks each online, as a booted runner reports. */
    async setUp(): Promise<OperationResult> {
        this.stack.setEnv({ ...this.env, NODE_OPTIONS: `--require ${UNTHROTTLED_WRITES}` });
        const result = requireSuccess(await this.stack.up(), "the fleet's set-up up");
        this.stack.setEnv(this.env);
        this.markOnline();
        return result;
    }

    markOnline(): void {
        for (const runner of this.world.fake.runners(REPO_SCOPE)) {
            if (runner.status !== "online") this.world.fake.setRunner(REPO_SCOPE, runner.name, { status: "online" });
        }
    }

    runnerCount(): number {
        return this.world.fake.runners(REPO_SCOPE).length;
    }

    /** Writes the demand file the reconciler would: `queued` jobs for this pool's labels, observed now; the next `up` reads it. */
    writeDemand(queued: number, extraEnv: Record<string, string> = {}): void {
        const text = serializeDemandSnapshot({ version: 1, observedAt: new Date().toISOString(), queued: [{ labels: [...this.poolLabels].sort(), count: queued }] });
        writeFileSync(this.demandFile, text);
        this.stack.setEnv({ ...this.env, ...extraEnv, [DEMAND_FILE_VARIABLE]: this.demandFile });
    }

    async close(): Promise<void> {
        rmSync(this.dir, { recursive: true, force: true });
        await this.world.stop();
    }
}

export class BareBenchStack {
    private constructor(
        readonly stack: HarnessStack,
        /** The environment of a measured `up`. */
        readonly env: Record<string, string>,
    ) {}

    static open(count: number): BareBenchStack {
        const cloud = new OpenStackCloud();
        const imageId = cloud.addImage({ name: "bare-image" });
        const flavorId = cloud.addFlavor({ name: "bare-flavor", vcpus: 2, ram: 4096, disk: 30 });
        const networkId = cloud.addNetwork({ name: "bare-network" });
        const config = {
            [`${BARE_PROJECT}:count`]: String(count),
            [`${BARE_PROJECT}:imageId`]: imageId,
            [`${BARE_PROJECT}:flavorId`]: flavorId,
            [`${BARE_PROJECT}:networkId`]: networkId,
        };
        // The same settings the fleet runs with (FleetBenchStack), so only the programs differ.
        const env = { PULUMI_NODEJS_TRANSPILE_ONLY: "true" };
        const stack = HarnessStack.inMemory({
            programDir: BARE_DIR,
            project: BARE_PROJECT,
            stack: "bench",
            config,
            secretKeys: [],
            env,
            ...projectSettings(BARE_DIR),
            cloud,
            timeoutMs: 900_000,
        });
        return new BareBenchStack(stack, env);
    }

    async setUp(): Promise<OperationResult> {
        return requireSuccess(await this.stack.up(), "the bare baseline's set-up up");
    }
}
