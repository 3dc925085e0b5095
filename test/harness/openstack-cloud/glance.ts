/**
 * What Glance refuses when an image is deleted:
 * - a protected image: 403 (glance/api/v2/images.py delete, ProtectedImageDelete -> HTTPForbidden);
 * - on a Ceph rbd store, an image that servers were cloned from (Nova's rbd image backend clones
 *   the image's protected snapshot for each server disk): rbd refuses to unprotect the snapshot
 *   (ImageBusy), glance_store raises InUseByStore ("The image cannot be deleted because it is in
 *   use through the backend store outside of Glance.", glance_store 5.4.0 _drivers/rbd.py
 *   _delete_image, exceptions.py InUseByStore) and the API answers 409 "Image %(id)s could not be
 *   deleted because it is in use: %(exc)s" (openstack/glance master 33.0.0b2 glance/api/v2/images.py
 *   delete). A file store has no such link: the delete succeeds.
 */
import { CloudError } from "../cloud";
import type { CloudObject, WorldJson } from "./world";

export const IN_USE_BY_STORE = "The image cannot be deleted because it is in use through the backend store outside of Glance.";

export function checkImageDelete(world: WorldJson, image: CloudObject): void {
    const request = `DELETE /v2/images/${image.id}`;
    if (image.attributes["protected"] === true) {
        throw new CloudError("Glance", request, 403, `Image ${image.id} is protected and cannot be deleted.`);
    }
    const clonedBy = world.objects.filter((object) => object.kind === "server" && object.attributes["imageId"] === image.id);
    if (world.imageStore === "rbd" && clonedBy.length > 0) {
        throw new CloudError("Glance", request, 409, `Image ${image.id} could not be deleted because it is in use: ${IN_USE_BY_STORE}`);
    }
}
