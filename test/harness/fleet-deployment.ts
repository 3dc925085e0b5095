/**
 * Repeated deployments of the dev stack with state kept between them, on a HarnessStack: each
 * one runs the program through cmd/run, its dynamic resources through cmd/dynamic-provider against
 * the fake GitHub, its OpenStack resources in the in-memory OpenStack cloud, with the engine's
 * steps, delete phase and delete-before-replace cascades.
 */
import type { RecordedRequest } from "../fake-github";
import type { EngineRun } from "./engine-run";
import { randomBytes } from "node:crypto";
import type { StackFileConfig } from "../../scripts/plan/stack-file";
import type { CloudBackend } from "./cloud";
import { editStackPools, GithubWorld, poolsOf, PROJECT, REPO, stackConfig, type PoolConfig } from "./fleet-stack";
import { HarnessStack, type OperationResult } from "./harness-stack";
import type { DeploymentState, Step } from "./simulated-engine";

export interface Deployment {
    run: EngineRun;
    /** The registrations and deletes of custom resources (what the fleet tests count); `result.steps` has all steps, reads included. */
    steps: Step[];
    /** What the fake GitHub received during this deployment. */
    requests: RecordedRequest[];
    /** The error that stopped the delete phase, if one did. */
    deleteError: string | undefined;
    providerStderr: string;
    /** The whole operation's outcome (error, diagnostics, outputs, hook calls). */
    result: OperationResult;
}

export interface FleetDeploymentOptions {
    cloud?: CloudBackend;
    /** The project directory: this repository (the default), or a copy of it a test changes between runs. */
    programDir?: string;
    /** More environment for the program and the provider host (e.g. RUNNER_DEMAND_FILE). */
    env?: Record<string, string>;
}

export class FleetDeployments {
    readonly stack: HarnessStack;
    readonly programDir: string;

    /** Edits of the stack config applied before each deployment's own (e.g. a different image source). */
    private readonly configEdits: ((config: Record<string, string>) => void)[] = [];

    constructor(
        private readonly world: GithubWorld,
        private readonly stackName: string,
        private readonly secrets: Record<string, string>,
        options: FleetDeploymentOptions = {},
    ) {
        this.programDir = options.programDir ?? REPO;
        this.stack = HarnessStack.inMemory({
            programDir: this.programDir,
            project: PROJECT,
            stack: stackName,
            // ts-node's type check is exercised by the preview tests; repeated deployments only
            // need the program's behaviour, so they skip it as PULUMI_NODEJS_TRANSPILE_ONLY allows.
            env: { ...world.front.programEnv, PULUMI_NODEJS_TRANSPILE_ONLY: "true", ...options.env },
            ...(options.cloud !== undefined ? { cloud: options.cloud } : {}),
        });
    }

    get state(): DeploymentState {
        return this.stack.state;
    }

    get cloud(): CloudBackend {
        return this.stack.cloud;
    }

    /** Keeps `edit` applied to the stack config of every later deployment (as `pulumi config set` would). */
    editConfig(edit: (config: Record<string, string>) => void): void {
        this.configEdits.push(edit);
    }

    /** Deploys (or previews) the stack with its first pool's count set to `poolCount`. */
    async deploy(dryRun: boolean, poolCount: number): Promise<Deployment> {
        return this.deployWith(dryRun, (pools) => {
            pools[0]!.count = poolCount;
        });
    }

    /** Deploys (or previews) the stack with its pools edited first (the objects are the stack file's). */
    async deployWith(dryRun: boolean, editPools: (pools: PoolConfig[]) => void): Promise<Deployment> {
        const config = stackConfig(this.stackName, this.secrets, this.world.apiUrl, (values) => {
            for (const edit of this.configEdits) edit(values);
            editStackPools(values, editPools);
        });
        this.stack.setConfig(config.config, config.secretKeys);
        const requestsBefore = this.world.fake.requests.length;
        const result = dryRun ? await this.stack.preview() : await this.stack.up();
        if (result.run === undefined) throw new Error("the program did not run");
        return {
            run: result.run,
            steps: customSteps(result),
            requests: this.world.fake.requests.slice(requestsBefore),
            deleteError: result.deleteError,
            providerStderr: result.providerStderr,
            result,
        };
    }

    /** `pulumi destroy`: no program run, every resource in the state deleted, dependents first. */
    async destroy(): Promise<Omit<Deployment, "run">> {
        const requestsBefore = this.world.fake.requests.length;
        const result = await this.stack.destroy();
        return {
            steps: customSteps(result),
            requests: this.world.fake.requests.slice(requestsBefore),
            deleteError: result.error,
            providerStderr: result.providerStderr,
            result,
        };
    }
}

function customSteps(result: OperationResult): Step[] {
    return result.steps.filter((step) => step.custom && step.kind !== "read");
}

/** "small-0" for the URN ...::fleet-small-0 */
export function resourceName(urn: string): string {
    return urn.split("::").pop() ?? "";
}

/** The dev stack's first pool, deployed against a fresh fake GitHub that knows its repository and a random token. */
export interface DevFleet {
    world: GithubWorld;
    /** Plaintexts of the stack's secure values (random per run, so a leak is recognisable). */
    secrets: Record<string, string>;
    config: StackFileConfig;
    pool: PoolConfig;
    deployments: FleetDeployments;
}

export async function startDevFleet(minimumSlots: number, options: FleetDeploymentOptions = {}): Promise<DevFleet> {
    const token = `ghp_${randomBytes(18).toString("hex")}`;
    const secrets = { [`${PROJECT}:githubToken`]: token, "openstack:password": `pw-${randomBytes(12).toString("hex")}` };
    const world = await GithubWorld.start();
    world.fake.addToken(token);
    world.fake.addRepo("acme", "widgets");
    const config = stackConfig("dev", secrets, world.apiUrl);
    const pool = poolsOf(config)[0];
    if (pool === undefined || pool.count < minimumSlots) {
        await world.stop();
        throw new Error(`the dev stack needs a pool of at least ${minimumSlots} runners`);
    }
    return { world, secrets, config, pool, deployments: new FleetDeployments(world, "dev", secrets, options) };
}
