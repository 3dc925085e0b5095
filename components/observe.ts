/**
 * What the program reads before it declares anything (all reads, so they also
 * run during a preview): the previous run's outputs (through a reference to
 * this same stack), GitHub's runner listing (which runners are busy), and,
 * for a built image, which runner tarball GitHub lists. Declaring resources
 * only after these reads keeps every resource name known up front.
 */
import { readFileSync } from "node:fs";
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig } from "./config";
import { assignQueuedJobs, parseDemandSnapshot, type DemandSnapshot } from "./demand";
import { createGithubClient } from "./github/client";
import { listRunners, type ObservedRunner } from "./github/runners";
import { readPreviousDeployment, NO_PREVIOUS_DEPLOYMENT, type PreviousDeployment } from "./fleet-outputs";
import type { RunnerLookup } from "./image/build-args";
import { type ImageBuildPlan, resolveImageBuild } from "./image/resolve";
import { powerCheckCandidates, poweredOffSlots } from "./powered-off";

export interface FleetObservation {
    previous: PreviousDeployment;
    /** Every runner of the org, repository or enterprise, as GitHub lists them now. */
    runners: ObservedRunner[];
    /** The resolved build of a built image; undefined for an existing image. */
    imageBuild?: ImageBuildPlan;
    now: Date;
    /** Queued jobs each pool can run, from the reconciler's demand file; undefined without (fresh) demand information. */
    queuedByPool?: Record<string, number>;
    /** Per pool, the slots whose token-mode ephemeral runner is not listed and whose server Nova reports powered off. */
    poweredOff: Record<string, number[]>;
}

/** The environment variable naming the reconciler's demand file (components/demand/snapshot.ts). */
export const DEMAND_FILE_VARIABLE = "RUNNER_DEMAND_FILE";
/** Demand older than this is no information: the pools keep their size rather than follow a stale queue. */
export const DEMAND_MAX_AGE_MS = 15 * 60_000;

/**
 * Queued jobs per pool from the demand file, or undefined when there is none
 * (a preview on a pull request, a plain `pulumi up`) or it is stale. A file
 * that is named but unreadable or malformed fails the run: the reconciler
 * wrote it, so it is a bug worth stopping for, not "no demand".
 */
export function demandPerPool(config: FleetConfig, now: Date, environment: NodeJS.ProcessEnv = process.env): { queuedByPool?: Record<string, number>; note?: string } {
    const file = environment[DEMAND_FILE_VARIABLE];
    if (file === undefined || file === "") return {};
    const snapshot: DemandSnapshot = parseDemandSnapshot(readFileSync(file, "utf8"), file);
    const age = now.getTime() - Date.parse(snapshot.observedAt);
    if (age > DEMAND_MAX_AGE_MS) {
        return { note: `the demand file ${file} was written ${Math.round(age / 60_000)} minutes ago; pools keep their size instead of following a stale queue` };
    }
    const { perPool, unmatched } = assignQueuedJobs(
        config.pools.map((pool) => ({ pool: pool.name, labels: pool.runnerLabels })),
        snapshot.queued,
    );
    const stranded = unmatched.reduce((sum, group) => sum + group.count, 0);
    return { queuedByPool: perPool, ...(stranded > 0 ? { note: `${stranded} queued job(s) ask for labels no pool has: ${unmatched.map((group) => `[${group.labels.join(", ")}]`).join(" ")}` } : {}) };
}

export interface ObserveOptions {
    /** Replaces the GitHub runner-tarball look-up (the offline plan). */
    runnerLookup?: RunnerLookup;
    /** Skip every network read (the offline plan): no previous outputs, no runners. */
    offline?: boolean;
}

async function previousDeployment(): Promise<PreviousDeployment> {
    const self = new pulumi.StackReference(`${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`);
    const [pools, images] = await Promise.all([self.getOutputDetails("pools"), self.getOutputDetails("images")]);
    const { previous, problem } = readPreviousDeployment(pools.value ?? pools.secretValue, images.value ?? images.secretValue);
    if (problem !== undefined) await pulumi.log.warn(problem);
    return previous;
}

export async function observeFleet(config: FleetConfig, options: ObserveOptions = {}): Promise<FleetObservation> {
    const connection = { apiUrl: config.github.apiUrl, auth: config.github.auth };
    const { image } = config;
    const imageBuild =
        image.build === undefined
            ? undefined
            : resolveImageBuild(
                  { source: "build", base: image.base, arch: image.arch, ...image.build, proxy: config.proxy, github: { path: config.github.pathText }, runnerLookup: options.runnerLookup },
                  connection,
              );
    const now = new Date();
    if (options.offline === true) {
        return { previous: NO_PREVIOUS_DEPLOYMENT, runners: [], imageBuild: await imageBuild, now, poweredOff: {} };
    }
    const demand = demandPerPool(config, now);
    if (demand.note !== undefined) await pulumi.log.warn(demand.note);
    const [previous, runners, build] = await Promise.all([
        previousDeployment(),
        // A failed listing stops the run with the listing's error: it never means "no runners".
        listRunners(createGithubClient(connection), config.github.apiUrl, config.github.path),
        imageBuild,
    ]);
    const poweredOff = await poweredOffSlots(powerCheckCandidates(config.pools, previous, runners), novaPowerState);
    return { previous, runners, imageBuild: build, now, queuedByPool: demand.queuedByPool, poweredOff };
}

/** Through the provider's own data source, with the stack's `openstack:*` settings, like every other read. */
async function novaPowerState(serverId: string): Promise<string | undefined> {
    try {
        return (await openstack.compute.getInstanceV2({ id: serverId })).powerState;
    } catch (error) {
        // A server still building has no power state the provider accepts ("Invalid power_state",
        // terraform-provider-openstack v1.54.1 data_source_openstack_compute_instance_v2.go), a
        // deleted one none at all: neither says the runner is done, and the bootstrap timeout still applies.
        await pulumi.log.debug(`no power state for server ${serverId}: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
    }
}
