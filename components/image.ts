/**
 * RunnerImage: the Glance image runners boot from, either one that already
 * exists (by name or id) or one this stack builds with scripts/build-image.sh.
 */
import * as pulumi from "@pulumi/pulumi";
import type { BuildImageArgs } from "./image/build-args";
import { buildRunnerImage } from "./image/build";
import { type ExistingImageArgs, lookUpExistingImage } from "./image/existing";

export type { BuildImageArgs, ImageProxy, RunnerArch, RunnerLookup, UbuntuBase, YqPin } from "./image/build-args";
export type { ExistingImageArgs } from "./image/existing";

export type RunnerImageArgs = ExistingImageArgs | BuildImageArgs;

export class RunnerImage extends pulumi.ComponentResource {
    public readonly imageId: pulumi.Output<string>;
    public readonly imageName: pulumi.Output<string>;
    /** Content hash of every build input; undefined for an existing image. */
    public readonly buildHash: pulumi.Output<string | undefined>;

    constructor(name: string, args: RunnerImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("github-runners:index:RunnerImage", name, {}, opts);
        switch (args.source) {
            case "existing": {
                const image = lookUpExistingImage(name, args, this);
                this.imageId = image.imageId;
                this.imageName = image.imageName;
                this.buildHash = pulumi.output(undefined);
                break;
            }
            case "build": {
                const image = buildRunnerImage(name, args, this);
                this.imageId = image.imageId;
                this.imageName = image.imageName;
                this.buildHash = image.buildHash;
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
