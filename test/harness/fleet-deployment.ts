/**
 * Repeated deployments of the dev stack with state kept between them: each one runs the
 * program through cmd/run, its dynamic resources through cmd/dynamic-provider, against the
 * fake GitHub, then performs the deletes the engine would.
 */
import type { RecordedRequest } from "../fake-github";
import type { EngineRun } from "./engine-run";
import { randomBytes } from "node:crypto";
import type { StackFileConfig } from "../../scripts/plan/stack-file";
import { GithubWorld, poolsOf, PROJECT, REPO, runStack, stackConfig, type PoolConfig } from "./fleet-stack";
import { DeploymentState, SimulatedEngine, type Step } from "./simulated-engine";

export interface Deployment {
    run: EngineRun;
    steps: Step[];
    /** What the fake GitHub received during this deployment. */
    requests: RecordedRequest[];
    /** The error that stopped the delete phase, if one did. */
    deleteError: string | undefined;
    providerStderr: string;
}

export class FleetDeployments {
    readonly state = new DeploymentState();

    constructor(
        private readonly world: GithubWorld,
        private readonly stack: string,
        private readonly secrets: Record<string, string>,
    ) {}

    /** Deploys (or previews) the stack with its first pool's count set to `poolCount`. */
    async deploy(dryRun: boolean, poolCount: number): Promise<Deployment> {
        return this.deployWith(dryRun, (pools) => {
            pools[0]!.count = poolCount;
        });
    }

    /** Deploys (or previews) the stack with its pools edited first (the objects are the stack file's). */
    async deployWith(dryRun: boolean, editPools: (pools: PoolConfig[]) => void): Promise<Deployment> {
        const config = stackConfig(this.stack, this.secrets, this.world.apiUrl, (values) => {
            const pools = poolsOf({ config: values, secretKeys: [] });
            editPools(pools);
            values[`${PROJECT}:pools`] = JSON.stringify(pools);
        });
        const engine = new SimulatedEngine({ state: this.state, dryRun, programDir: REPO, providerEnv: this.world.front.programEnv });
        const requestsBefore = this.world.fake.requests.length;
        try {
            const run = await runStack(this.world, this.stack, config, {
                dryRun,
                // ts-node's type check is exercised by the preview tests; repeated deployments only
                // need the program's behaviour, so they skip it as PULUMI_NODEJS_TRANSPILE_ONLY allows.
                env: { ...this.world.front.programEnv, PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
                respond: engine.respond,
                onMonitorStarted: (address) => engine.attach(address),
            });
            let deleteError: string | undefined;
            if (run.exit.code === 0) {
                await engine.deleteUnregistered(run.monitor.registrations.map((registration) => registration.urn)).catch((error: unknown) => {
                    deleteError = error instanceof Error ? error.message : String(error);
                });
            }
            return {
                run,
                steps: engine.steps,
                requests: this.world.fake.requests.slice(requestsBefore),
                deleteError,
                providerStderr: engine.providerStderr,
            };
        } finally {
            await engine.close();
        }
    }

    /** `pulumi destroy`: no program run, every resource in the state deleted, dependents first. */
    async destroy(): Promise<Omit<Deployment, "run">> {
        const engine = new SimulatedEngine({ state: this.state, dryRun: false, programDir: REPO, providerEnv: this.world.front.programEnv });
        const requestsBefore = this.world.fake.requests.length;
        let deleteError: string | undefined;
        try {
            // The host only needs an engine address to start; it never calls back during CRUD.
            await engine.attach("127.0.0.1:1");
            await engine.deleteUnregistered([]).catch((error: unknown) => {
                deleteError = error instanceof Error ? error.message : String(error);
            });
            return { steps: engine.steps, requests: this.world.fake.requests.slice(requestsBefore), deleteError, providerStderr: engine.providerStderr };
        } finally {
            await engine.close();
        }
    }
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

export async function startDevFleet(minimumSlots: number): Promise<DevFleet> {
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
    return { world, secrets, config, pool, deployments: new FleetDeployments(world, "dev", secrets) };
}
