/**
 * RunnerImage: the Glance image runners boot from, either one that already
 * exists (by name or id) or one this stack builds with scripts/build-image.sh
 * (resolved first by image/resolve.ts, built in the Glance image's create hook).
 */
import type * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { buildRunnerImage, type BuiltImageRecord } from "./image/build";
import { type ExistingImageArgs, lookUpExistingImage } from "./image/existing";
import type { ImageBuildPlan } from "./image/resolve";

export type { BuildImageArgs, ImageProxy, RunnerArch, RunnerLookup, UbuntuBase, YqPin } from "./image/build-args";
export type { BuiltImageRecord, GlanceImageInputs } from "./image/build";
export type { ExistingImageArgs } from "./image/existing";
export { resolveImageBuild, type ImageBuildPlan } from "./image/resolve";

export interface BuiltImageArgs {
    source: "build";
    plan: ImageBuildPlan;
    /** Earlier builds the last run declared that runners still boot from. */
    retained: BuiltImageRecord[];
}

export type RunnerImageArgs = ExistingImageArgs | BuiltImageArgs;

export class RunnerImage extends pulumi.ComponentResource {
    public readonly imageId: pulumi.Output<string>;
    public readonly imageName: pulumi.Output<string>;
    /** Content hash of every build input; undefined for an existing image. */
    public readonly buildHash: pulumi.Output<string | undefined>;
    public readonly runnerVersion: string | undefined;
    /** Built images this run declares (the current one and retained ones); empty for an existing image. */
    public readonly builtImages: pulumi.Output<BuiltImageRecord[]>;
    /** The Glance image resources this stack manages. */
    public readonly managed: openstack.images.Image[];

    constructor(name: string, args: RunnerImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("github-runners:index:RunnerImage", name, {}, opts);
        switch (args.source) {
            case "existing": {
                const image = lookUpExistingImage(name, args, this);
                this.imageId = image.imageId;
                this.imageName = image.imageName;
                this.buildHash = pulumi.output(undefined);
                this.runnerVersion = undefined;
                this.builtImages = pulumi.output([]);
                this.managed = [];
                break;
            }
            case "build": {
                const image = buildRunnerImage(name, args.plan, args.retained, this);
                this.imageId = image.imageId;
                this.imageName = image.imageName;
                this.buildHash = image.buildHash;
                this.runnerVersion = args.plan.runnerVersion;
                this.builtImages = image.records;
                this.managed = image.resources;
                break;
            }
            default: {
                const unreachable: never = args;
                throw new pulumi.ResourceError(`${name}: unknown image source ${JSON.stringify(unreachable)}`, this);
            }
        }
        this.registerOutputs({ imageId: this.imageId, imageName: this.imageName, buildHash: this.buildHash });
    }
}
