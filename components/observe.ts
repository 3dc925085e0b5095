/**
 * What the program reads before it declares anything (all reads, so they also
 * run during a preview): the previous run's outputs (through a reference to
 * this same stack), GitHub's runner listing (which runners are busy), and,
 * for a built image, which runner tarball GitHub lists. Declaring resources
 * only after these reads keeps every resource name known up front.
 */
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig } from "./config";
import { createGithubClient } from "./github/client";
import { listRunners, type ObservedRunner } from "./github/runners";
import { readPreviousDeployment, NO_PREVIOUS_DEPLOYMENT, type PreviousDeployment } from "./fleet-outputs";
import type { RunnerLookup } from "./image/build-args";
import { type ImageBuildPlan, resolveImageBuild } from "./image/resolve";

export interface FleetObservation {
    previous: PreviousDeployment;
    /** Every runner of the org, repository or enterprise, as GitHub lists them now. */
    runners: ObservedRunner[];
    /** The resolved build of a built image; undefined for an existing image. */
    imageBuild?: ImageBuildPlan;
    now: Date;
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
    if (options.offline === true) {
        return { previous: NO_PREVIOUS_DEPLOYMENT, runners: [], imageBuild: await imageBuild, now: new Date() };
    }
    const [previous, runners, build] = await Promise.all([
        previousDeployment(),
        // A failed listing stops the run with the listing's error: it never means "no runners".
        listRunners(createGithubClient(connection), config.github.apiUrl, config.github.path),
        imageBuild,
    ]);
    return { previous, runners, imageBuild: build, now: new Date() };
}
