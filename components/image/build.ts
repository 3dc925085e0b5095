/**
 * The build branch of RunnerImage: one Glance image per build (the resource
 * name carries the build hash), uploaded from the qcow2 that
 * scripts/build-image.sh makes. The build runs in the image's beforeCreate
 * hook, so whenever Glance needs the image created, on whatever machine, the
 * file is made first (see ensure-built.ts). Earlier builds that runners still
 * boot from stay declared (retained) until no slot uses them: deleting an
 * image that servers were cloned from fails on Ceph-backed Glance (409).
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { ensureImageBuilt } from "./ensure-built";
import type { ImageBuildPlan } from "./resolve";

/** The Glance inputs of a built image, as kept in the stack outputs so a later run can keep it declared unchanged. */
export interface GlanceImageInputs {
    name: string;
    localFilePath: string;
    containerFormat: string;
    diskFormat: string;
    visibility: string;
    properties: Record<string, string>;
}

export interface BuiltImageRecord {
    key: string;
    id: string;
    inputs: GlanceImageInputs;
}

export interface BuiltImage {
    imageId: pulumi.Output<string>;
    imageName: pulumi.Output<string>;
    buildHash: pulumi.Output<string>;
    /** The current build and every retained one: the stack output a later run reads. */
    records: pulumi.Output<BuiltImageRecord[]>;
    /** Every declared Glance image: slots depend on them, so a destroy deletes servers before images. */
    resources: openstack.images.Image[];
}

export function glanceInputsOf(plan: ImageBuildPlan): GlanceImageInputs {
    return { name: plan.name, localFilePath: plan.outputPath, containerFormat: "bare", diskFormat: "qcow2", visibility: "private", properties: plan.properties };
}

function glanceImage(resourceName: string, key: string, inputs: GlanceImageInputs, opts: pulumi.CustomResourceOptions): openstack.images.Image {
    return new openstack.images.Image(`${resourceName}-glance-${key}`, { ...inputs }, opts);
}

export function buildRunnerImage(resourceName: string, plan: ImageBuildPlan, retained: readonly BuiltImageRecord[], parent: pulumi.Resource): BuiltImage {
    const keep = retained.filter((record) => record.key !== plan.key);
    const build = new pulumi.ResourceHook(`build-runner-image-${plan.key}`, async () => {
        await ensureImageBuilt(
            plan,
            { info: (line) => pulumi.log.info(line, parent) },
            keep.map((record) => record.inputs.name),
        );
    });
    const inputs = glanceInputsOf(plan);
    const current = glanceImage(resourceName, plan.key, inputs, { parent, hooks: { beforeCreate: [build] } });
    const olds = keep.map((record) => glanceImage(resourceName, record.key, record.inputs, { parent }));
    const records = pulumi.all([current.id, ...olds.map((image) => image.id)]).apply(([currentId, ...oldIds]) => [
        { key: plan.key, id: currentId, inputs },
        ...keep.map((record, index) => ({ ...record, id: oldIds[index] ?? record.id })),
    ]);
    return { imageId: current.id, imageName: current.name, buildHash: pulumi.output(plan.hash), records, resources: [current, ...olds] };
}
