/**
 * RunnerFlavor: the size of a pool's runners, either a private flavor created
 * for the pool (with access for the deploying project) or an existing one by name.
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";

export type RunnerFlavorArgs =
    | { kind: "create"; flavorName: string; vcpus: number; ramMb: number; diskGb: number; projectId: pulumi.Input<string> }
    | { kind: "existing"; flavorName: string };

export class RunnerFlavor extends pulumi.ComponentResource {
    public readonly flavorId: pulumi.Output<string>;

    constructor(name: string, args: RunnerFlavorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("github-runners:index:RunnerFlavor", name, {}, opts);
        const parent = { parent: this };
        if (args.kind === "create") {
            const flavor = new openstack.compute.Flavor(
                name,
                { name: args.flavorName, vcpus: args.vcpus, ram: args.ramMb, disk: args.diskGb, isPublic: false },
                parent,
            );
            const access = new openstack.compute.FlavorAccess(`${name}-access`, { flavorId: flavor.id, tenantId: args.projectId }, parent);
            this.flavorId = pulumi.all([flavor.id, access.id]).apply(([id]) => id);
        } else {
            this.flavorId = openstack.compute.getFlavorOutput({ name: args.flavorName }, parent).id;
        }
        this.registerOutputs({ flavorId: this.flavorId });
    }
}
