/**
 * RunnerSlot: one runner of a pool. The GitHub registration comes first and
 * decides the slot's identity; the instance is built only from what the
 * registration applied at create (instance settings and the userdata rendered
 * then), so a config, image or code change reaches the VM only when the
 * registration recycles the slot, and a busy runner's VM never changes.
 * A drain guard that depends on the instance deregisters the runner before
 * Pulumi deletes the VM.
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { encodeBootSettings, type RunnerBootSettings } from "./boot-settings";
import { RunnerDeregistration } from "./github/deregistration";
import { RunnerRegistration } from "./github/registration";
import { instanceArgsOf, type RunnerInstanceSpec } from "./instance-spec";
import { ownershipMetadata } from "./naming";

export interface RunnerSlotArgs {
    stack: string;
    pool: string;
    slotIndex: number;
    github: { path: string; runnerGroup?: string; registration: "jit" | "token" };
    /** The runner's name starts with this, then the slot's index and a random suffix. */
    namePrefix: string;
    labels: string[];
    ephemeral: boolean;
    instance: pulumi.Input<RunnerInstanceSpec>;
    boot: RunnerBootSettings;
    /** Digest of the userdata template (boot-settings.ts userdataTemplateDigest). */
    template: string;
    /** The slot's settings hold a secret (proxy credentials, a secret config key): keep them encrypted in the state. */
    sensitive: boolean;
    /** Not part of the pool's wanted size: never recycled, and its guard drains the runner when `drain`. */
    retiring: boolean;
    drain: boolean;
    /** Not recycled in this run (GitHub's registration budget is spent). */
    hold: boolean;
    /** Nova reports the slot's server powered off: a token-mode ephemeral runner absent from GitHub is used up. */
    poweredOff: boolean;
    /** The registration depends on these too (the Glance images the fleet manages). */
    dependsOn?: pulumi.Resource[];
}

/** An output that may resolve to undefined, for an optional input: the SDK leaves an undefined property out. */
function optional<T>(output: pulumi.Output<T | undefined>): pulumi.Output<T> {
    return output as pulumi.Output<T>;
}

/**
 * Settles when the engine has answered the registration of `resource`: its URN resolves then, known
 * in a preview too; or when that registration failed. `apply` would never call back on a failure,
 * so this reads the Output's promise, which the SDK keeps internal (@pulumi/pulumi 3.276.0
 * output.js, OutputImpl.promise).
 */
function registrationAnswered(resource: pulumi.CustomResource): Promise<void> {
    const urn = resource.urn as unknown as { promise(withUnknowns?: boolean): Promise<unknown> };
    return urn.promise(true).then(
        () => undefined,
        () => undefined,
    );
}

export class RunnerSlot extends pulumi.ComponentResource {
    public readonly runnerName: pulumi.Output<string>;
    public readonly instanceId: pulumi.Output<string>;
    /** The instance settings this slot's VM was built from. */
    public readonly applied: pulumi.Output<RunnerInstanceSpec>;
    /** Identity digests as applied at create (compare with identityDigests of the desired inputs). */
    public readonly appliedDigests: pulumi.Output<Record<string, string>>;
    public readonly createdAt: pulumi.Output<string>;
    /** Settles when the engine has answered the slot's last registration (its drain guard's), or it failed. */
    public readonly answered: Promise<void>;

    constructor(name: string, args: RunnerSlotArgs, opts?: pulumi.ComponentResourceOptions) {
        super("github-runners:index:RunnerSlot", name, {}, opts);
        const bootText = encodeBootSettings(args.boot);
        const registration = new RunnerRegistration(
            name,
            {
                path: args.github.path,
                runnerGroup: args.github.runnerGroup,
                mode: args.github.registration,
                namePrefix: `${args.namePrefix}-${args.slotIndex}`,
                labels: args.labels,
                ephemeral: args.ephemeral,
                instance: args.sensitive ? pulumi.secret(args.instance) : args.instance,
                boot: args.sensitive ? pulumi.secret(bootText) : bootText,
                template: args.template,
                retiring: args.retiring,
                hold: args.hold,
                poweredOff: args.poweredOff,
            },
            { parent: this, sensitiveSettings: args.sensitive, dependsOn: args.dependsOn },
        );
        const applied = registration.instance.apply((spec) => spec as unknown as RunnerInstanceSpec);
        const built = applied.apply(instanceArgsOf);
        const instance = new openstack.compute.Instance(
            name,
            {
                name: registration.runnerName,
                flavorId: built.apply((a) => a.flavorId),
                imageId: optional(built.apply((a) => a.imageId)),
                networks: built.apply((a) => a.networks),
                securityGroups: built.apply((a) => a.securityGroups),
                blockDevices: optional(built.apply((a) => a.blockDevices)),
                availabilityZone: optional(built.apply((a) => a.availabilityZone)),
                keyPair: optional(built.apply((a) => a.keyPair)),
                schedulerHints: optional(built.apply((a) => a.schedulerHints)),
                userData: pulumi.secret(registration.userData),
                metadata: pulumi
                    .all([applied, registration.runnerName])
                    .apply(([spec, runnerName]) => ({
                        ...(spec.metadata ?? {}),
                        ...ownershipMetadata({ stack: args.stack, pool: args.pool, slot: args.slotIndex, runnerName }),
                    })),
            },
            { parent: this, additionalSecretOutputs: ["userData"] },
        );
        const guard = new RunnerDeregistration(
            `${name}-drain`,
            {
                path: args.github.path,
                runnerName: registration.runnerName,
                // Token-mode runners get their id only when their VM registers; the guard finds them by name.
                ...(args.github.registration === "jit" ? { runnerId: registration.runnerId } : {}),
                instanceId: instance.id,
                drain: args.drain,
            },
            { parent: this },
        );
        this.runnerName = registration.runnerName;
        this.instanceId = instance.id;
        this.applied = applied;
        this.appliedDigests = registration.digests;
        this.createdAt = registration.createdAt;
        this.answered = registrationAnswered(guard);
        this.registerOutputs({ runnerName: this.runnerName, instanceId: this.instanceId });
    }
}
