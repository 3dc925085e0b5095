/**
 * RunnerPool: a pool's flavor (and server group) and the runner slots its
 * plan declares (components/pool-plan.ts): the wanted ones, plus retiring ones
 * that wait for a job to finish or for their guard to drain an idle runner.
 * Slots are declared a window at a time (slot-window.ts).
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { type RunnerBootSettings, type SshDebugServer, sshDebugForSlot, userdataTemplateDigest } from "./boot-settings";
import { RunnerFlavor, type FlavorSize } from "./flavor";
import { identityDigests } from "./github/registration/identity";
import type { RunnerInstanceSpec } from "./instance-spec";
import type { PoolPlan } from "./pool-plan";
import { RunnerSlot } from "./runner";
import { declareInWindow, DEFAULT_SLOT_WINDOW } from "./slot-window";

/** What one pool declares, as the fleet derived it from the stack config. */
export interface PoolSettings {
    name: string;
    flavor: { kind: "existing"; name: string } | ({ kind: "create" } & FlavorSize);
    /** Every label the pool's runners carry. */
    labels: string[];
    /** The default labels are off: token-mode runners register with --no-default-labels. */
    noDefaultLabels: boolean;
    ephemeral: boolean;
    registration: "jit" | "token";
    availabilityZone?: string;
    keyPair?: string;
    serverGroupPolicy?: "anti-affinity" | "soft-anti-affinity";
    bootVolume?: { sizeGb: number; type?: string };
    metadata: Record<string, string>;
}

export interface RunnerPoolArgs {
    pool: PoolSettings;
    plan: PoolPlan;
    stack: string;
    /** Fleet-wide name prefix; the pool adds its own name. */
    namePrefix: string;
    projectId: pulumi.Input<string>;
    sshDebug: SshDebugServer[];
    github: { path: string; runnerGroup?: string; registrationUrl: string };
    imageId: pulumi.Input<string>;
    networkId: pulumi.Input<string>;
    securityGroupName: pulumi.Input<string>;
    boot: Omit<RunnerBootSettings, "labels" | "ephemeral" | "sshDebug" | "runnerGroup">;
    /** The boot or instance settings hold a secret. */
    sensitive: boolean;
    /** Runners GitHub reports busy now, by slot index (for deferred-change reports). */
    busySlots: ReadonlySet<number>;
    /** Slots whose server Nova reports powered off (observe.ts), by index. */
    poweredOffSlots: ReadonlySet<number>;
    /** Resources every slot's registration depends on (the Glance images), so a destroy deletes servers first. */
    dependsOn: pulumi.Resource[];
    /** Slots declared at once (slot-window.ts); DEFAULT_SLOT_WINDOW when not given. */
    slotWindow?: number;
}

export interface SlotSummary {
    index: number;
    runner: string;
    retiring: boolean;
    imageId: string;
    createdAt: string;
    serverId: string;
}

/** What a busy runner waits for when its slot is no longer wanted (scale-in, a disabled pool). */
export const RETIRING_CHANGE = "removal";

export class RunnerPool extends pulumi.ComponentResource {
    public readonly runnerNames: pulumi.Output<string[]>;
    public readonly slots: pulumi.Output<SlotSummary[]>;
    /** Runners that are busy while their slot has a pending change, with the keys that changed. */
    public readonly deferred: pulumi.Output<{ runner: string; changed: string[] }[]>;

    constructor(name: string, args: RunnerPoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super("github-runners:index:RunnerPool", name, {}, opts);
        const { pool } = args;
        const parent = { parent: this };
        const poolPrefix = `${args.namePrefix}-${pool.name}`;
        const flavor = new RunnerFlavor(
            `${name}-flavor`,
            pool.flavor.kind === "existing"
                ? { kind: "existing", flavorName: pool.flavor.name }
                : { kind: "create", namePrefix: poolPrefix, size: pool.flavor, projectId: args.projectId },
            parent,
        );
        const serverGroup =
            pool.serverGroupPolicy === undefined
                ? undefined
                : new openstack.compute.ServerGroup(
                      `${name}-servers`,
                      // policies force a new group (terraform-provider-openstack v1.54.1 compute_servergroup_v2): the name carries the policy.
                      { name: `${poolPrefix}-${pool.serverGroupPolicy}`, policies: [pool.serverGroupPolicy] },
                      parent,
                  );
        const instance: pulumi.Output<RunnerInstanceSpec> = pulumi
            .all([args.imageId, flavor.flavorId, args.networkId, args.securityGroupName, serverGroup?.id])
            .apply(([imageId, flavorId, networkId, securityGroup, serverGroupId]) => {
                const spec: RunnerInstanceSpec = { imageId, flavorId, networkId, securityGroup };
                if (pool.availabilityZone !== undefined) spec.availabilityZone = pool.availabilityZone;
                if (pool.keyPair !== undefined) spec.keyPair = pool.keyPair;
                if (serverGroupId !== undefined) spec.serverGroupId = serverGroupId;
                if (pool.bootVolume !== undefined) spec.bootVolume = pool.bootVolume;
                if (Object.keys(pool.metadata).length > 0) spec.metadata = pool.metadata;
                return spec;
            });
        const summaries: pulumi.Output<SlotSummary>[] = [];
        const deferred: pulumi.Output<{ runner: string; changed: string[] } | undefined>[] = [];
        const declareSlot = (planned: PoolPlan["slots"][number]): Promise<void> => {
            const boot: RunnerBootSettings = {
                ...args.boot,
                labels: pool.labels,
                ...(pool.noDefaultLabels ? { noDefaultLabels: true } : {}),
                ephemeral: pool.ephemeral,
                runnerGroup: args.github.runnerGroup,
                sshDebug: sshDebugForSlot(args.sshDebug, planned.index),
            };
            const template = userdataTemplateDigest(pool.registration, args.github.registrationUrl, boot);
            const slot = new RunnerSlot(
                `${name}-${planned.index}`,
                {
                    stack: args.stack,
                    pool: pool.name,
                    slotIndex: planned.index,
                    github: { path: args.github.path, runnerGroup: args.github.runnerGroup, registration: pool.registration },
                    namePrefix: poolPrefix,
                    labels: pool.labels,
                    ephemeral: pool.ephemeral,
                    instance,
                    boot,
                    template,
                    sensitive: args.sensitive,
                    retiring: planned.retiring,
                    drain: planned.drain,
                    hold: planned.hold === true,
                    poweredOff: args.poweredOffSlots.has(planned.index),
                    dependsOn: args.dependsOn,
                },
                parent,
            );
            summaries.push(
                pulumi.all([slot.runnerName, slot.applied, slot.createdAt, slot.instanceId]).apply(([runner, applied, createdAt, serverId]) => ({
                    index: planned.index,
                    runner,
                    retiring: planned.retiring,
                    imageId: applied.imageId,
                    createdAt,
                    serverId,
                })),
            );
            if (args.busySlots.has(planned.index) && planned.retiring) {
                deferred.push(
                    slot.runnerName.apply((runner) => {
                        pulumi.log.warn(`runner ${runner} is busy: its slot is no longer wanted and goes once its job is done`, this);
                        return { runner, changed: [RETIRING_CHANGE] };
                    }),
                );
            } else if (args.busySlots.has(planned.index)) {
                const desired = pulumi.all([instance]).apply(([spec]) =>
                    identityDigests({
                        path: args.github.path,
                        runnerGroup: args.github.runnerGroup,
                        mode: pool.registration,
                        namePrefix: `${poolPrefix}-${planned.index}`,
                        labels: pool.labels,
                        ephemeral: pool.ephemeral,
                        instance: spec,
                        template,
                    }),
                );
                deferred.push(
                    pulumi.all([slot.runnerName, slot.appliedDigests, desired]).apply(([runner, applied, wanted]) => {
                        const changed = Object.keys(wanted).filter((key) => applied[key] !== wanted[key as keyof typeof wanted]);
                        if (changed.length === 0) return undefined;
                        pulumi.log.warn(`runner ${runner} is busy: its change of ${changed.join(", ")} waits until its job is done`, this);
                        return { runner, changed };
                    }),
                );
            }
            return slot.answered;
        };
        // The pool's outputs wait until the last slot is declared, then for the slots' own outputs.
        const declared = pulumi.output(declareInWindow(args.plan.slots, args.slotWindow ?? DEFAULT_SLOT_WINDOW, declareSlot).then(() => true));
        this.slots = declared.apply(() => pulumi.all(summaries));
        this.runnerNames = this.slots.apply((slots) => slots.filter((slot) => !slot.retiring).map((slot) => slot.runner));
        this.deferred = declared.apply(() => pulumi.all(deferred)).apply((entries) => entries.filter((entry) => entry !== undefined));
        this.registerOutputs({ slots: this.slots, deferred: this.deferred });
    }
}
