/**
 * RunnerRegistration: one runner slot's GitHub registration, the reconcile
 * brain of the fleet. Everything the VM is built from flows from its outputs
 * (the instance settings applied at create and the userdata rendered then), so
 * the VM changes only when this resource is replaced, and a busy runner's VM
 * never changes. See registration/provider.ts for the behaviour and
 * registration/decision.ts for when a slot is recycled.
 */
import * as pulumi from "@pulumi/pulumi";
import { LoadedDynamicResource } from "../providers/loader";
import type { InstanceSpec } from "./registration/inputs";
import { REGISTRATION_SECRET_OUTPUTS, REGISTRATION_SETTINGS_OUTPUTS } from "./registration/state";

export interface RunnerRegistrationArgs {
    /** "org", "owner/repo" or "enterprise:slug". */
    path: pulumi.Input<string>;
    /** Org and enterprise only, looked up by name; repository runners use group 1. */
    runnerGroup?: pulumi.Input<string>;
    /** "token": a registration token (servers without JIT; persistent runners). */
    mode: pulumi.Input<"jit" | "token">;
    /** The runner name is `runnerName(namePrefix, random 12 hex)`, made at create. */
    namePrefix: pulumi.Input<string>;
    labels: pulumi.Input<pulumi.Input<string>[]>;
    ephemeral: pulumi.Input<boolean>;
    /** What the VM is built from besides its userdata: kept as applied at create. */
    instance: pulumi.Input<InstanceSpec>;
    /** Canonical JSON of the boot settings. */
    boot: pulumi.Input<string>;
    /** Digest of the userdata template these settings render to with the current code. */
    template: pulumi.Input<string>;
    /** The slot is retiring (scale-in): never recycle it; it goes once its runner is gone. */
    retiring: pulumi.Input<boolean>;
    /** Do not recycle it in this run: GitHub's registration budget for the hour is spent. */
    hold: pulumi.Input<boolean>;
    /** Nova reports the slot's server powered off (a used-up ephemeral runner); see inputs.ts. */
    poweredOff: pulumi.Input<boolean>;
}

export interface RunnerRegistrationOptions extends pulumi.CustomResourceOptions {
    /** The instance or boot settings hold a secret: keep what the slot applied encrypted in the state too. */
    sensitiveSettings?: boolean;
}

export class RunnerRegistration extends LoadedDynamicResource {
    declare readonly runnerName: pulumi.Output<string>;
    /** JIT mode; undefined in token mode. */
    declare readonly runnerId: pulumi.Output<number | undefined>;
    declare readonly createdAt: pulumi.Output<string>;
    /** The instance settings as applied at create: build the VM from these. */
    declare readonly instance: pulumi.Output<InstanceSpec>;
    declare readonly digests: pulumi.Output<Record<string, string>>;
    /** Secret: base64 gzip userdata with the runner's credential inside. */
    declare readonly userData: pulumi.Output<string>;

    constructor(name: string, args: RunnerRegistrationArgs, opts: RunnerRegistrationOptions = {}) {
        const { sensitiveSettings, ...options } = opts;
        const outputs = { runnerName: undefined, runnerId: undefined, createdAt: undefined, digests: undefined, userData: undefined };
        const secretOutputs = [...REGISTRATION_SECRET_OUTPUTS, ...(sensitiveSettings ? REGISTRATION_SETTINGS_OUTPUTS : [])];
        super(
            "registration",
            "RunnerRegistration",
            name,
            { ...args, ...outputs },
            pulumi.mergeOptions(options, {
                additionalSecretOutputs: secretOutputs,
                // The old VM is gone before its replacement boots: a recycled slot never holds double quota.
                deleteBeforeReplace: true,
            }),
        );
    }
}
