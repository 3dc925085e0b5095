/**
 * RunnerFleet: everything one stack deploys: the image, the network and the
 * pools of runner slots, from a validated FleetConfig and what the program
 * observed before declaring anything (components/observe.ts).
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { bootSettingsHoldCredentials } from "./boot-settings";
import type { FleetConfig, PoolConfig } from "./config";
import { imagesInUse, type FleetOutputs, type PoolOutput } from "./fleet-outputs";
import { githubWebUrl } from "./github/paths";
import { RunnerImage, type RunnerImageArgs } from "./image";
import { RunnerNetwork, type RunnerNetworkArgs } from "./network";
import type { FleetObservation } from "./observe";
import { RunnerPool, type PoolSettings } from "./pool";
import { planFleetPools } from "./fleet-plan";
import type { PoolPlan } from "./pool-plan";

export interface RunnerFleetArgs {
    config: FleetConfig;
    observed: FleetObservation;
    /** Slots a pool declares at once (slot-window.ts); the default when not given. */
    slotWindow?: number;
}

/** Config keys whose values reach a runner's boot or instance settings: set with --secret, they make the slot's settings secret. */
const SLOT_SETTING_KEYS = ["proxy", "dockerhubMirror", "preJobScript", "sshDebug"] as const;

function imageArgs(config: FleetConfig, observed: FleetObservation): RunnerImageArgs {
    const { image } = config;
    if (image.build === undefined) return { source: "existing", name: image.name, id: image.id };
    if (observed.imageBuild === undefined) throw new Error("unreachable: a built image is resolved before the fleet is declared");
    const inUse = imagesInUse(observed.previous);
    const retained = observed.previous.images.filter((record) => inUse.has(record.id));
    return { source: "build", plan: observed.imageBuild, retained };
}

function networkArgs(config: FleetConfig): RunnerNetworkArgs {
    const { network, namePrefix } = config;
    return network.kind === "create"
        ? { ...network, namePrefix }
        : { kind: "existing", namePrefix, networkName: network.name, securityGroupName: network.securityGroup };
}

function poolSettingsOf(pool: PoolConfig): PoolSettings {
    const settings: PoolSettings = {
        name: pool.name,
        flavor: pool.flavor.kind === "existing" ? { kind: "existing", name: pool.flavor.name } : { kind: "create", vcpus: pool.flavor.vcpus, ramMb: pool.flavor.ramMb, diskGb: pool.flavor.diskGb },
        labels: pool.runnerLabels,
        noDefaultLabels: !pool.defaultLabels,
        ephemeral: pool.ephemeral,
        registration: pool.registration,
        metadata: pool.metadata,
    };
    if (pool.availabilityZone !== undefined) settings.availabilityZone = pool.availabilityZone;
    if (pool.keyPair !== undefined) settings.keyPair = pool.keyPair;
    if (pool.serverGroup !== undefined) settings.serverGroupPolicy = pool.serverGroup.policy;
    if (pool.bootVolume !== undefined) settings.bootVolume = pool.bootVolume;
    return settings;
}




export class RunnerFleet extends pulumi.ComponentResource {
    public readonly imageId: pulumi.Output<string>;
    public readonly networkId: pulumi.Output<string>;
    public readonly pools: Record<string, RunnerPool> = {};
    public readonly plans: Record<string, PoolPlan> = {};
    /** The stack outputs (see fleet-outputs.ts). */
    public readonly stackOutputs: pulumi.Output<FleetOutputs>;

    constructor(name: string, args: RunnerFleetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("github-runners:index:RunnerFleet", name, {}, opts);
        const { config } = args;
        const parent = { parent: this };
        const image = new RunnerImage(`${name}-image`, imageArgs(config, args.observed), parent);
        const network = new RunnerNetwork(`${name}-network`, networkArgs(config), parent);
        const createsFlavor = config.pools.some((pool) => pool.flavor.kind === "create");
        const projectId = createsFlavor
            ? openstack.identity.getAuthScopeOutput({ name: "current" }, parent).projectId
            : pulumi.output("");
        const boot = { proxy: config.proxy, dockerhubMirror: config.dockerhubMirror, preJobScript: config.preJobScript };
        const sensitive = bootSettingsHoldCredentials({ ...boot, labels: [], ephemeral: true }) || SLOT_SETTING_KEYS.some((key) => config.secretKeys.has(key));
        const fleetPlan = planFleetPools({
            pools: config.pools,
            registrationsPerHour: config.github.registrationsPerHour,
            previous: args.observed.previous,
            runners: args.observed.runners,
            now: args.observed.now,
            queuedByPool: args.observed.queuedByPool,
        });
        const { registrations } = fleetPlan;
        if (registrations.deferred > 0) {
            void pulumi.log.warn(
                `GitHub's registration budget (${registrations.perHour} an hour) allows ${registrations.left} more now: ${registrations.deferred} registration(s) wait for a later up`,
                this,
            );
        }
        const poolOutputs: Record<string, pulumi.Output<PoolOutput>> = {};
        for (const pool of config.pools) {
            const { plan, existing } = fleetPlan.pools[pool.name] ?? { plan: { desired: 0, busy: 0, slots: [] }, existing: [] };
            this.plans[pool.name] = plan;
            const runnerPool = new RunnerPool(
                `${name}-${pool.name}`,
                {
                    pool: poolSettingsOf(pool),
                    plan,
                    stack: config.stack,
                    namePrefix: config.namePrefix,
                    projectId,
                    sshDebug: config.sshDebug,
                    github: {
                        path: config.github.pathText,
                        runnerGroup: config.github.runnerGroup,
                        registrationUrl: githubWebUrl(config.github.apiUrl, config.github.path),
                    },
                    imageId: image.imageId,
                    networkId: network.networkId,
                    securityGroupName: network.securityGroupName,
                    boot,
                    sensitive,
                    busySlots: new Set(existing.filter((slot) => slot.runner === "busy").map((slot) => slot.index)),
                    poweredOffSlots: new Set(args.observed.poweredOff[pool.name] ?? []),
                    dependsOn: image.managed,
                    ...(args.slotWindow !== undefined ? { slotWindow: args.slotWindow } : {}),
                },
                parent,
            );
            this.pools[pool.name] = runnerPool;
            poolOutputs[pool.name] = pulumi.all([runnerPool.slots, runnerPool.deferred]).apply(([slots, deferred]) => ({
                desired: plan.desired,
                current: existing.filter((slot) => slot.runner !== "absent").length,
                busy: plan.busy,
                slots,
                deferred: deferred.map((entry) => entry.runner),
            }));
        }
        this.imageId = image.imageId;
        this.networkId = network.networkId;
        this.stackOutputs = pulumi
            .all([pulumi.all(poolOutputs), image.imageId, image.imageName, image.buildHash, image.builtImages, network.networkId])
            .apply(([pools, imageId, imageName, buildHash, images, networkId]) => ({
                pools,
                registrations,
                image: {
                    id: imageId,
                    name: imageName,
                    ...(image.runnerVersion !== undefined ? { runnerVersion: image.runnerVersion } : {}),
                    ...(buildHash !== undefined ? { buildHash } : {}),
                },
                images,
                networkId,
            }));
        this.registerOutputs({ imageId: this.imageId, networkId: this.networkId });
    }
}
