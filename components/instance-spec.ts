/**
 * What a runner's VM is built from besides its userdata. A slot's
 * registration keeps these as applied when it was created, and the VM is
 * built only from that applied copy: a change (a new image, another flavor, a
 * server group) reaches a VM only when its slot is recycled, never a running
 * one. See components/runner.ts.
 */
import type * as openstack from "@pulumi/openstack";

// A type alias, not an interface, so it is assignable to the provider's opaque Record<string, unknown>.
export type RunnerInstanceSpec = {
    imageId: string;
    flavorId: string;
    networkId: string;
    securityGroup: string;
    availabilityZone?: string;
    keyPair?: string;
    serverGroupId?: string;
    /** Boot from a volume made from the image (deleted with the server). */
    bootVolume?: { sizeGb: number; type?: string };
    /** Extra server metadata from the stack config. */
    metadata?: Record<string, string>;
};

/** The Instance arguments an applied spec gives (everything but name, userdata and metadata), as plain values. */
export interface InstanceArgsFromSpec {
    imageId?: string;
    flavorId: string;
    networks: { uuid: string }[];
    securityGroups: string[];
    blockDevices?: openstack.types.input.compute.InstanceBlockDevice[];
    availabilityZone?: string;
    keyPair?: string;
    schedulerHints?: { group: string }[];
}

export function instanceArgsOf(spec: RunnerInstanceSpec): InstanceArgsFromSpec {
    const args: InstanceArgsFromSpec = {
        flavorId: spec.flavorId,
        networks: [{ uuid: spec.networkId }],
        securityGroups: [spec.securityGroup],
    };
    if (spec.bootVolume !== undefined) {
        // terraform-provider-openstack v1.54.1 compute_instance_v2 block_device: boot from a new volume made from the image.
        args.blockDevices = [
            {
                sourceType: "image",
                uuid: spec.imageId,
                destinationType: "volume",
                volumeSize: spec.bootVolume.sizeGb,
                ...(spec.bootVolume.type !== undefined ? { volumeType: spec.bootVolume.type } : {}),
                bootIndex: 0,
                deleteOnTermination: true,
            },
        ];
    } else {
        args.imageId = spec.imageId;
    }
    if (spec.availabilityZone !== undefined) args.availabilityZone = spec.availabilityZone;
    if (spec.keyPair !== undefined) args.keyPair = spec.keyPair;
    if (spec.serverGroupId !== undefined) args.schedulerHints = [{ group: spec.serverGroupId }];
    return args;
}
