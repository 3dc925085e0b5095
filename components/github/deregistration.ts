/**
 * RunnerDeregistration, the drain guard: make it depend on the runner's VM.
 * Pulumi deletes dependents first, so this resource's delete, which
 * deregisters the runner from GitHub (and fails while the runner is busy),
 * always runs before the VM is deleted. Its create changes nothing on GitHub.
 */
import * as pulumi from "@pulumi/pulumi";
import type { GithubConnection } from "./client";
import { providerLocation, serializableProvider } from "./provider-shim";

export interface RunnerDeregistrationArgs {
    /** Pass it as pulumi.secret. */
    github: pulumi.Input<GithubConnection>;
    path: pulumi.Input<string>;
    runnerName: pulumi.Input<string>;
    /** Known for JIT runners; without it the runner is found by name. */
    runnerId?: pulumi.Input<number | undefined>;
    /** The VM this guard protects: a new VM means a new guard. */
    instanceId: pulumi.Input<string>;
}

const drainGuardProvider = serializableProvider(providerLocation(require.resolve("./deregistration/provider"), "drainGuardProvider"));

export class RunnerDeregistration extends pulumi.dynamic.Resource {
    declare readonly runnerName: pulumi.Output<string>;
    declare readonly instanceId: pulumi.Output<string>;

    constructor(name: string, args: RunnerDeregistrationArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            drainGuardProvider,
            name,
            { ...args, github: pulumi.secret(args.github) },
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["github"] }),
            "github-runners",
            "RunnerDeregistration",
        );
    }
}
