/**
 * RunnerDeregistration, the drain guard: make it depend on the runner's VM.
 * Pulumi deletes dependents first, so this resource's delete, which
 * deregisters the runner from GitHub (and fails while the runner is busy),
 * always runs before the VM is deleted. With `drain`, its update deregisters
 * an idle runner of a retiring slot. Its create changes nothing on GitHub.
 */
import type * as pulumi from "@pulumi/pulumi";
import { LoadedDynamicResource } from "../providers/loader";

export interface RunnerDeregistrationArgs {
    path: pulumi.Input<string>;
    runnerName: pulumi.Input<string>;
    /** Known for JIT runners; without it the runner is found by name. */
    runnerId?: pulumi.Input<number | undefined>;
    /** The VM this guard protects: a new VM means a new guard. */
    instanceId: pulumi.Input<string>;
    /** The slot is retiring: deregister the runner once it is idle. */
    drain: pulumi.Input<boolean>;
}

export class RunnerDeregistration extends LoadedDynamicResource {
    declare readonly runnerName: pulumi.Output<string>;
    declare readonly instanceId: pulumi.Output<string>;
    declare readonly drained: pulumi.Output<boolean | undefined>;

    constructor(name: string, args: RunnerDeregistrationArgs, opts?: pulumi.CustomResourceOptions) {
        super("drainGuard", "RunnerDeregistration", name, { ...args, drained: undefined }, opts);
    }
}
