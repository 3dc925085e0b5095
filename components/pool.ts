/**
 * RunnerPool: a pool's flavor and its `count` runner slots. Slots are numbered,
 * so scaling down removes the highest-numbered slots; each slot's drain guard
 * refuses to delete a busy runner.
 */
import * as pulumi from "@pulumi/pulumi";
import { type SshDebugServer, sshDebugForSlot } from "./boot-settings";
import type { PoolConfig } from "./config";
import { RunnerFlavor } from "./flavor";
import { RunnerSlot, type RunnerSlotArgs } from "./runner";

export interface RunnerPoolArgs {
    pool: PoolConfig;
    /** Fleet-wide name prefix; the pool adds its own name. */
    namePrefix: string;
    /** Labels every runner of the fleet carries (base, arch, ...), before the pool's own. */
    fleetLabels: string[];
    projectId: pulumi.Input<string>;
    sshDebug: SshDebugServer[];
    slot: Omit<RunnerSlotArgs, "pool" | "slotIndex" | "namePrefix" | "flavorId" | "boot"> & {
        boot: Omit<RunnerSlotArgs["boot"], "labels" | "ephemeral" | "sshDebug">;
    };
}

export class RunnerPool extends pulumi.ComponentResource {
    public readonly runnerNames: pulumi.Output<string[]>;
    public readonly instanceIds: pulumi.Output<string[]>;

    constructor(name: string, args: RunnerPoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super("github-runners:index:RunnerPool", name, {}, opts);
        const { pool } = args;
        const poolPrefix = `${args.namePrefix}-${pool.name}`;
        const flavor = new RunnerFlavor(
            `${name}-flavor`,
            pool.flavor.kind === "existing"
                ? { kind: "existing", flavorName: pool.flavor.name }
                : { ...pool.flavor, flavorName: poolPrefix, projectId: args.projectId },
            { parent: this },
        );
        const labels = [...new Set([...args.fleetLabels, ...pool.labels])];
        const slots: RunnerSlot[] = [];
        for (let index = 0; index < pool.count; index++) {
            slots.push(
                new RunnerSlot(
                    `${name}-${index}`,
                    {
                        ...args.slot,
                        github: { ...args.slot.github, registration: pool.registration },
                        pool: pool.name,
                        slotIndex: index,
                        namePrefix: poolPrefix,
                        flavorId: flavor.flavorId,
                        boot: {
                            ...args.slot.boot,
                            labels,
                            ephemeral: pool.ephemeral,
                            sshDebug: sshDebugForSlot(args.sshDebug, index),
                        },
                    },
                    { parent: this },
                ),
            );
        }
        this.runnerNames = pulumi.all(slots.map((slot) => slot.runnerName));
        this.instanceIds = pulumi.all(slots.map((slot) => slot.instanceId));
        this.registerOutputs({ runnerNames: this.runnerNames, instanceIds: this.instanceIds });
    }
}
