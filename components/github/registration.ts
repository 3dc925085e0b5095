/**
 * RunnerRegistration: one runner slot's GitHub registration, the reconcile
 * brain of the fleet. Everything the VM is built from flows from its outputs,
 * so the VM changes only when this resource is replaced. See
 * registration/provider.ts for the behaviour and registration/decision.ts for
 * when a slot is recycled.
 */
import * as pulumi from "@pulumi/pulumi";
import type { GithubConnection } from "./client";
import { providerLocation, serializableProvider } from "./provider-shim";
import { REGISTRATION_SECRET_OUTPUTS } from "./registration/state";

export interface RunnerRegistrationArgs {
    /** Pass it as pulumi.secret: it carries the token or App key. */
    github: pulumi.Input<GithubConnection>;
    /** "org" or "owner/repo". */
    path: pulumi.Input<string>;
    /** Org only, looked up by name; repository runners use group 1. */
    runnerGroup?: pulumi.Input<string>;
    /** "token": a registration token (servers without JIT; persistent runners). */
    mode: pulumi.Input<"jit" | "token">;
    /** The runner name is `runnerName(namePrefix, random 12 hex)`, made at create. */
    namePrefix: pulumi.Input<string>;
    labels: pulumi.Input<pulumi.Input<string>[]>;
    ephemeral: pulumi.Input<boolean>;
    bootstrapTimeoutSeconds: pulumi.Input<number>;
    /**
     * The desired instance spec; the instance is built from `appliedSpec`, the spec as of the last
     * create. It must hold no secret: it is kept in plain text in the state as `appliedSpec`.
     */
    spec: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

const registrationProvider = serializableProvider(providerLocation(require.resolve("./registration/provider"), "registrationProvider"));

export class RunnerRegistration extends pulumi.dynamic.Resource {
    declare readonly runnerName: pulumi.Output<string>;
    declare readonly hostname: pulumi.Output<string>;
    /** JIT mode; undefined in token mode. */
    declare readonly runnerId: pulumi.Output<number | undefined>;
    /** Secret. */
    declare readonly jitConfig: pulumi.Output<string | undefined>;
    /** Secret. */
    declare readonly registrationToken: pulumi.Output<string | undefined>;
    /** The web URL for `config.sh --url`. */
    declare readonly registrationUrl: pulumi.Output<string>;
    /** The spec as of the last create: build the instance from this. */
    declare readonly appliedSpec: pulumi.Output<Record<string, string>>;
    declare readonly createdAt: pulumi.Output<string>;

    constructor(name: string, args: RunnerRegistrationArgs, opts?: pulumi.CustomResourceOptions) {
        const outputs = {
            runnerName: undefined,
            hostname: undefined,
            runnerId: undefined,
            jitConfig: undefined,
            registrationToken: undefined,
            registrationUrl: undefined,
            appliedSpec: undefined,
            createdAt: undefined,
        };
        super(
            registrationProvider,
            name,
            { ...args, github: pulumi.secret(args.github), ...outputs },
            pulumi.mergeOptions(opts, { additionalSecretOutputs: [...REGISTRATION_SECRET_OUTPUTS] }),
            "github-runners",
            "RunnerRegistration",
        );
    }
}
