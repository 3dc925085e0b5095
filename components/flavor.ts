/**
 * RunnerFlavor: the size of a pool's runners, either a private flavor created
 * for the pool (with access for the deploying project) or an existing one by name.
 *
 * A created flavor's name carries its size. name, ram, vcpus and disk force a
 * new flavor (terraform-provider-openstack v1.54.1,
 * resource_openstack_compute_flavor_v2.go: ForceNew), Pulumi creates the
 * replacement before it deletes the old one, and Nova refuses a second flavor
 * of the same name (POST /flavors: 409 Conflict). With the size in the name, a
 * resize creates a differently named flavor and the old one goes at the end of
 * the run (Nova lets a flavor be deleted while servers use it: they keep a copy).
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";

export interface FlavorSize {
    vcpus: number;
    ramMb: number;
    diskGb: number;
}

export type RunnerFlavorArgs =
    | { kind: "create"; namePrefix: string; size: FlavorSize; projectId: pulumi.Input<string> }
    | { kind: "existing"; flavorName: string };

/** `<prefix>-<vcpus>c<ram>m<disk>g`, e.g. gh-dev-small-2c4096m30g. */
export function createdFlavorName(namePrefix: string, size: FlavorSize): string {
    return `${namePrefix}-${size.vcpus}c${size.ramMb}m${size.diskGb}g`;
}

export class RunnerFlavor extends pulumi.ComponentResource {
    public readonly flavorId: pulumi.Output<string>;

    constructor(name: string, args: RunnerFlavorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("github-runners:index:RunnerFlavor", name, {}, opts);
        const parent = { parent: this };
        if (args.kind === "create") {
            const { size } = args;
            const flavor = new openstack.compute.Flavor(
                name,
                { name: createdFlavorName(args.namePrefix, size), vcpus: size.vcpus, ram: size.ramMb, disk: size.diskGb, isPublic: false },
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
