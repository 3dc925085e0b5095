/**
 * The build branch of RunnerImage: look up the runner tarball on GitHub, run
 * scripts/build-image.sh in a @pulumi/command resource whose trigger is the
 * build hash (same inputs, no rebuild), then upload the qcow2 to Glance.
 */
import * as command from "@pulumi/command";
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { createGithubClient } from "../github/client";
import { findRunnerDownload, type RunnerDownload } from "../github/downloads";
import { parseGithubPath } from "../github/paths";
import type { BuildImageArgs } from "./build-args";
import {
    type BuildInputs,
    buildCommandLine,
    buildHash,
    buildOutputPath,
    buildProxyEnvironment,
    DEFAULT_DISK_GROWTH,
    imageName,
    imageProperties,
    scriptDigest,
    shellQuote,
} from "./build-plan";

export interface BuiltImage {
    imageId: pulumi.Output<string>;
    imageName: pulumi.Output<string>;
    buildHash: pulumi.Output<string>;
}

function lookUpRunner(resourceName: string, args: BuildImageArgs, parent: pulumi.Resource): pulumi.Output<RunnerDownload> {
    const githubPath = parseGithubPath(args.github.path);
    if (githubPath === undefined) {
        throw new pulumi.ResourceError(`${resourceName}: github.path must be "org" or "owner/repo", got "${args.github.path}"`, parent);
    }
    const request = { arch: args.arch, version: args.runnerVersion, sha256: args.runnerSha256 };
    const download = pulumi
        .output(args.github.connection)
        .apply((connection) =>
            args.runnerLookup
                ? args.runnerLookup(connection, args.github.path, request)
                : findRunnerDownload(createGithubClient(connection), githubPath, request),
        );
    // The connection is secret; which tarball GitHub lists is not, and the image name depends on it.
    return pulumi.unsecret(download);
}

export function buildRunnerImage(resourceName: string, args: BuildImageArgs, parent: pulumi.Resource): BuiltImage {
    const digest = scriptDigest();
    const inputs = lookUpRunner(resourceName, args, parent).apply(
        (runner): BuildInputs => ({
            base: args.base,
            arch: args.arch,
            runner,
            extraPackages: args.extraPackages,
            proxy: args.proxy ?? {},
            baseImageUrl: args.baseImageUrl,
            baseImageSha256: args.baseImageSha256,
            yq: args.yq,
            diskGrowth: args.diskGrowth ?? DEFAULT_DISK_GROWTH,
            scriptDigest: digest,
        }),
    );
    const hash = inputs.apply(buildHash);
    const name = pulumi.all([inputs, hash]).apply(([i, h]) => imageName(i, h));
    const output = name.apply((n) => buildOutputPath(args.cacheDir, n));
    const proxyEnvironment = buildProxyEnvironment(args.proxy ?? {});

    const build = new command.local.Command(
        `${resourceName}-build`,
        {
            create: pulumi.all([inputs, output]).apply(([i, o]) => buildCommandLine(i, args.cacheDir, o)),
            // Deleting the build (a newer one replaced it) removes its files from the cache.
            delete: output.apply((o) => `rm -f ${[o, o.replace(/\.qcow2$/, ".manifest.json"), o.replace(/\.qcow2$/, ".build.log")].map(shellQuote).join(" ")}`),
            environment: Object.keys(proxyEnvironment).length > 0 ? pulumi.secret(proxyEnvironment) : undefined,
            triggers: [hash],
            // The script prints steps only; its full log stays in the cache next to the image.
            logging: command.types.enums.local.Logging.StdoutAndStderr,
        },
        { parent, additionalSecretOutputs: ["stdout", "stderr"] },
    );

    const image = new openstack.images.Image(
        `${resourceName}-glance`,
        {
            name,
            localFilePath: output,
            containerFormat: "bare",
            diskFormat: "qcow2",
            visibility: "private",
            properties: pulumi.all([inputs, hash]).apply(([i, h]) => imageProperties(i, h)),
        },
        { parent, dependsOn: [build] },
    );
    return { imageId: image.id, imageName: image.name, buildHash: hash };
}
