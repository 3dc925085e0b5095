/**
 * RunnerSlot: one runner of a pool. The GitHub registration comes first and
 * decides the slot's identity; the instance is built only from what the
 * registration applied (image, flavor, network, boot settings), so a config or
 * image change reaches the VM only when the registration recycles the slot.
 * A drain guard that depends on the instance deregisters the runner before
 * Pulumi deletes the VM.
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { type RunnerBootSettings, bootSettingsHoldCredentials, decodeBootSettings, encodeBootSettings, userdataInput } from "./boot-settings";
import type { GithubConnection } from "./github/client";
import { RunnerDeregistration } from "./github/deregistration";
import { RunnerRegistration } from "./github/registration";
import { renderUserdata } from "./userdata";

/** Metadata keys that mark a server as ours (values are at most 255 characters in Nova). */
export const METADATA_PREFIX = "github-runners";

export interface RunnerSlotArgs {
    stack: string;
    pool: string;
    slotIndex: number;
    github: {
        /** Secret: carries the token or App key. */
        connection: pulumi.Output<GithubConnection>;
        path: string;
        runnerGroup?: string;
        registration: "jit" | "token";
    };
    namePrefix: string;
    bootstrapTimeoutSeconds: number;
    imageId: pulumi.Input<string>;
    flavorId: pulumi.Input<string>;
    networkId: pulumi.Input<string>;
    securityGroupName: pulumi.Input<string>;
    boot: RunnerBootSettings;
}

export class RunnerSlot extends pulumi.ComponentResource {
    public readonly runnerName: pulumi.Output<string>;
    public readonly instanceId: pulumi.Output<string>;

    constructor(name: string, args: RunnerSlotArgs, opts?: pulumi.ComponentResourceOptions) {
        super("github-runners:index:RunnerSlot", name, {}, opts);
        // The applied spec is kept in the registration's state; proxy credentials in it must be encrypted there.
        const sensitiveBoot = bootSettingsHoldCredentials(args.boot);
        const bootText = encodeBootSettings(args.boot);
        const registration = new RunnerRegistration(
            name,
            {
                github: args.github.connection,
                path: args.github.path,
                runnerGroup: args.github.runnerGroup,
                mode: args.github.registration,
                namePrefix: args.namePrefix,
                labels: args.boot.labels,
                ephemeral: args.boot.ephemeral,
                bootstrapTimeoutSeconds: args.bootstrapTimeoutSeconds,
                spec: {
                    imageId: args.imageId,
                    flavorId: args.flavorId,
                    networkId: args.networkId,
                    securityGroup: args.securityGroupName,
                    boot: sensitiveBoot ? pulumi.secret(bootText) : bootText,
                },
            },
            { parent: this, ...(sensitiveBoot ? { additionalSecretOutputs: ["appliedSpec"] } : {}) },
        );
        const applied = registration.appliedSpec;
        // Depend only on outputs this mode always has: during a preview the SDK
        // resolves an output missing from the state as unknown, and an unknown
        // userData would show a change on every steady-state preview.
        const mode = args.github.registration;
        const jit = mode === "jit";
        const credential = jit ? registration.jitConfig : registration.registrationToken;
        const userData = pulumi
            .all([registration.runnerName, registration.hostname, credential, registration.registrationUrl, applied])
            .apply(([runnerName, hostname, secret, registrationUrl, spec]) =>
                renderUserdata(userdataInput({ runnerName, hostname, registrationUrl, mode, credential: secret }, decodeBootSettings(spec.boot))),
            );
        const instance = new openstack.compute.Instance(
            name,
            {
                name: registration.runnerName,
                imageId: applied.imageId,
                flavorId: applied.flavorId,
                networks: [{ uuid: applied.networkId }],
                securityGroups: [applied.securityGroup],
                userData: pulumi.secret(userData),
                metadata: {
                    [`${METADATA_PREFIX}:stack`]: args.stack,
                    [`${METADATA_PREFIX}:pool`]: args.pool,
                    [`${METADATA_PREFIX}:slot`]: String(args.slotIndex),
                    [`${METADATA_PREFIX}:runner`]: registration.runnerName,
                },
            },
            { parent: this, additionalSecretOutputs: ["userData"] },
        );
        new RunnerDeregistration(
            `${name}-drain`,
            {
                github: args.github.connection,
                path: args.github.path,
                runnerName: registration.runnerName,
                // Token-mode runners get their id only when their VM registers; the guard finds them by name.
                ...(jit ? { runnerId: registration.runnerId } : {}),
                instanceId: instance.id,
            },
            { parent: this },
        );
        this.runnerName = registration.runnerName;
        this.instanceId = instance.id;
        this.registerOutputs({ runnerName: this.runnerName, instanceId: this.instanceId });
    }
}
