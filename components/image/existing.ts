/**
 * An image that already exists in Glance, found by id or by name (the most
 * recent one when several images share the name).
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";

export interface ExistingImageArgs {
    source: "existing";
    /** Glance image name; the most recently created image wins when several share it. */
    name?: string;
    /** Glance image id. */
    id?: string;
}

export interface ResolvedImage {
    imageId: pulumi.Output<string>;
    imageName: pulumi.Output<string>;
}

/** Exactly one of name/id must be set and non-empty; the error names what was wrong. */
export function validateExistingImageArgs(args: ExistingImageArgs, where: string): { by: "name" | "id"; value: string } {
    const name = args.name?.trim();
    const id = args.id?.trim();
    if (name && id) {
        throw new Error(`${where}: an existing image is chosen by name or by id, not both (got name "${name}" and id "${id}")`);
    }
    if (name) {
        return { by: "name", value: name };
    }
    if (id) {
        return { by: "id", value: id };
    }
    throw new Error(`${where}: an existing image needs a non-empty "name" or "id" of a Glance image`);
}

export function lookUpExistingImage(
    resourceName: string,
    args: ExistingImageArgs,
    parent: pulumi.Resource,
): ResolvedImage {
    const choice = validateExistingImageArgs(args, resourceName);
    if (choice.by === "name") {
        // The data source has no id filter, so only names go through it.
        const found = openstack.images.getImageOutput({ name: choice.value, mostRecent: true }, { parent });
        return { imageId: found.id, imageName: found.apply((image) => image.name ?? choice.value) };
    }
    // Reading the resource by id fails the deployment clearly when no such image exists.
    const image = openstack.images.Image.get(`${resourceName}-existing`, choice.value, undefined, { parent });
    return { imageId: image.id, imageName: image.name };
}
