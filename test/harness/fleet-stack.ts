/**
 * What the engine tests share about this repository's program: where it is, its project name,
 * the resource types it registers, its example stacks' config (with test plaintexts for the
 * `secure:` values), and a run of it under the harness against the fake GitHub behind https.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { FakeGithub } from "../fake-github";
import { runUnderEngine, type EngineRun, type EngineRunOptions } from "./engine-run";
import { forwardTo } from "./forward-to";
import { GithubRecorder } from "./github-recorder";
import { openstackFixtures } from "./openstack-fixtures";
import type { CloudBackend } from "./cloud";
import type { HarnessStackOptions } from "./harness-stack";
import type { RecordedRegistration } from "./recording-monitor";
import { readStackConfig, type StackFileConfig as StackConfig } from "../../scripts/plan/stack-file";

export const REPO = path.resolve(__dirname, "..", "..");
export const PROJECT = (yaml.load(readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8")) as { name: string }).name;

export const TYPES = {
    fleet: "github-runners:index:RunnerFleet",
    image: "github-runners:index:RunnerImage",
    network: "github-runners:index:RunnerNetwork",
    pool: "github-runners:index:RunnerPool",
    flavor: "github-runners:index:RunnerFlavor",
    slot: "github-runners:index:RunnerSlot",
    registration: "pulumi-nodejs:dynamic/github-runners:RunnerRegistration",
    drainGuard: "pulumi-nodejs:dynamic/github-runners:RunnerDeregistration",
    instance: "openstack:compute/instance:Instance",
    osNetwork: "openstack:networking/network:Network",
    subnet: "openstack:networking/subnet:Subnet",
    router: "openstack:networking/router:Router",
    routerInterface: "openstack:networking/routerInterface:RouterInterface",
    secGroup: "openstack:networking/secGroup:SecGroup",
    osFlavor: "openstack:compute/flavor:Flavor",
} as const;

export interface PoolConfig {
    name: string;
    /** Fixed pools; pools sized by demand have min/max instead. */
    count: number;
    min?: number;
    max?: number;
    flavor: { existing?: string; vcpus?: number };
    labels: string[];
}

/** A stack's config with the GitHub API URL replaced; `secure:` values get the given plaintexts. */
export function stackConfig(
    stack: string,
    plaintexts: Record<string, string>,
    apiUrl: string,
    override: (config: Record<string, string>) => void = () => {},
): StackConfig {
    const result = readStackConfig(path.join(REPO, `Pulumi.${stack}.yaml`), PROJECT, plaintexts);
    const githubKey = `${PROJECT}:github`;
    const github = JSON.parse(result.config[githubKey] ?? "{}") as Record<string, unknown>;
    result.config[githubKey] = JSON.stringify({ ...github, apiUrl });
    override(result.config);
    return result;
}

/**
 * A stack of this project on the harness with `config` and `cloud`, as the runbook and status
 * worlds run it: transpile-only (the preview tests exercise ts-node's type check), five minutes
 * per operation. Add a `stateFile` to keep the state between processes.
 */
export function projectStackOptions(stack: string, config: StackConfig, cloud: CloudBackend): Omit<HarnessStackOptions, "stateFile"> {
    return {
        programDir: REPO,
        project: PROJECT,
        stack,
        config: config.config,
        secretKeys: config.secretKeys,
        env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
        cloud,
        timeoutMs: 5 * 60_000,
    };
}

export function poolsOf(config: StackConfig): PoolConfig[] {
    return JSON.parse(config.config[`${PROJECT}:pools`] ?? "[]") as PoolConfig[];
}

/** Edits the pools in a stack's config values in place, as an edit of Pulumi.<stack>.yaml would. */
export function editStackPools<Pool = PoolConfig>(values: Record<string, string>, edit: (pools: Pool[]) => void): void {
    const key = `${PROJECT}:pools`;
    const pools = JSON.parse(values[key] ?? "[]") as Pool[];
    edit(pools);
    values[key] = JSON.stringify(pools);
}

/** The fake GitHub, reached by the program through an https front that records what passes. */
export class GithubWorld {
    private constructor(
        readonly fake: FakeGithub,
        readonly front: GithubRecorder,
    ) {}

    static async start(): Promise<GithubWorld> {
        const fake = await FakeGithub.start();
        const front = new GithubRecorder(forwardTo(fake.apiUrl));
        await front.start();
        return new GithubWorld(fake, front);
    }

    get apiUrl(): string {
        return this.front.apiUrl;
    }

    async stop(): Promise<void> {
        await this.front.stop();
        await this.fake.stop();
    }
}

export async function runStack(
    world: GithubWorld,
    stack: string,
    config: StackConfig,
    options: Partial<EngineRunOptions> = {},
): Promise<EngineRun> {
    return runUnderEngine({
        programDir: REPO,
        project: PROJECT,
        stack,
        dryRun: true,
        config: config.config,
        secretKeys: config.secretKeys,
        env: world.front.programEnv,
        invoke: openstackFixtures,
        ...options,
    });
}

/** Logged errors and the program's stderr, for assertion messages (secrets in tests are test values). */
export function diagnostics(run: EngineRun): string {
    const errors = run.monitor.logs.filter((log) => log.severity === "error").map((log) => log.message);
    return [`exit ${run.exit.code}${run.exit.timedOut ? " (timed out)" : ""}`, ...errors, run.exit.stderr].join("\n").slice(0, 4000);
}

export function childrenOf(run: EngineRun, parent: RecordedRegistration, type: string): RecordedRegistration[] {
    return run.monitor.registrations.filter((registration) => registration.parent === parent.urn && registration.type === type);
}

export function dependsOn(dependent: RecordedRegistration, dependency: RecordedRegistration): boolean {
    const propertyDependencies = Object.values(dependent.propertyDependencies).flat();
    return dependent.dependencies.includes(dependency.urn) || propertyDependencies.includes(dependency.urn);
}
