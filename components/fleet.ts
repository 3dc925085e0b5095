/**
 * RunnerFleet: everything one stack deploys: the image, the network and the
 * pools of runner slots, from a validated FleetConfig.
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig } from "./config";
import type { GithubConnection } from "./github/client";
import { RunnerImage, type RunnerImageArgs } from "./image";
import type { RunnerLookup } from "./image/build-args";
import { RunnerNetwork, type RunnerNetworkArgs } from "./network";
import { RunnerPool } from "./pool";

export interface RunnerFleetArgs {
    config: FleetConfig;
    /** Replaces the GitHub look-up of the runner tarball of a built image (the offline plan has no GitHub). */
    runnerLookup?: RunnerLookup;
}

function imageArgs(config: FleetConfig, connection: pulumi.Output<GithubConnection>, runnerLookup: RunnerLookup | undefined): RunnerImageArgs {
    const { image } = config;
    if (image.build !== undefined) {
        return {
            source: "build",
            base: image.base,
            arch: image.arch,
            ...image.build,
            proxy: config.proxy,
            github: { connection, path: config.github.pathText },
            runnerLookup,
        };
    }
    return { source: "existing", name: image.name, id: image.id };
}

function networkArgs(config: FleetConfig): RunnerNetworkArgs {
    const { network, namePrefix } = config;
    return network.kind === "create"
        ? { ...network, namePrefix }
        : { kind: "existing", namePrefix, networkName: network.name, securityGroupName: network.securityGroup };
}

export class RunnerFleet extends pulumi.ComponentResource {
    public readonly imageId: pulumi.Output<string>;
    public readonly networkId: pulumi.Output<string>;
    public readonly pools: Record<string, RunnerPool> = {};

    constructor(name: string, args: RunnerFleetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("github-runners:index:RunnerFleet", name, {}, opts);
        const { config } = args;
        const parent = { parent: this };
        const connection = pulumi.secret<GithubConnection>({ apiUrl: config.github.apiUrl, auth: config.github.auth });
        const image = new RunnerImage(`${name}-image`, imageArgs(config, connection, args.runnerLookup), parent);
        const network = new RunnerNetwork(`${name}-network`, networkArgs(config), parent);
        const createsFlavor = config.pools.some((pool) => pool.flavor.kind === "create");
        const projectId = createsFlavor
            ? openstack.identity.getAuthScopeOutput({ name: "current" }, parent).projectId
            : pulumi.output("");
        for (const pool of config.pools) {
            this.pools[pool.name] = new RunnerPool(
                `${name}-${pool.name}`,
                {
                    pool,
                    namePrefix: config.namePrefix,
                    fleetLabels: ["self-hosted", "linux", config.image.arch, config.image.base],
                    projectId,
                    sshDebug: config.sshDebug,
                    slot: {
                        stack: config.stack,
                        github: {
                            connection,
                            path: config.github.pathText,
                            runnerGroup: config.github.runnerGroup,
                            registration: pool.registration,
                        },
                        bootstrapTimeoutSeconds: config.bootstrapTimeoutMinutes * 60,
                        imageId: image.imageId,
                        networkId: network.networkId,
                        securityGroupName: network.securityGroupName,
                        boot: { runnerGroup: config.github.runnerGroup, proxy: config.proxy, dockerhubMirror: config.dockerhubMirror, preJobScript: config.preJobScript },
                    },
                },
                parent,
            );
        }
        this.imageId = image.imageId;
        this.networkId = network.networkId;
        this.registerOutputs({ imageId: this.imageId, networkId: this.networkId });
    }
}
