/**
 * The built runner image through the engine, on a copy of this project whose build script is a
 * quick stand-in (the real build is build-image.test.ts's subject) and on a Ceph (rbd) Glance,
 * which refuses to delete an image that servers were cloned from:
 * - a rebuild while a busy runner still runs on the old image completes; the old image stays
 *   until no slot uses it and goes in a later up;
 * - a Glance upload that failed on one machine succeeds from a machine without the build cache
 *   (a fresh CI runner): the image's create hook builds the qcow2 there first;
 * - without changes, a machine without the cache builds nothing and changes nothing.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startDevFleet, type Deployment, type DevFleet } from "./harness/fleet-deployment";
import { PROJECT } from "./harness/fleet-stack";
import { assertSucceeded, changes, cloudOf, copyProject, servers, slotRunners } from "./engine-support";

const REPO_SCOPE = "acme/widgets";
const BUILD_LOG = "build-runs.log";

/** Writes the --output file (after the real script's atomic rename, a finished build) and logs the run. */
const STANDIN_BUILD_SCRIPT = `#!/bin/sh
set -eu
output=""
while [ $# -gt 0 ]; do
    if [ "$1" = "--output" ]; then output="$2"; fi
    shift
done
[ -n "$output" ] || { echo "no --output" >&2; exit 2; }
mkdir -p "$(dirname "$output")"
printf 'QFI\\373 stand-in image\\n' > "$output.partial"
mv "$output.partial" "$output"
echo "$output" >> ${BUILD_LOG}
echo "built $output"
`;

interface ImagesOutput {
    image: { id: string; name: string };
    images: { key: string; id: string }[];
}

describe("a built image: rebuild with a busy runner on Ceph, a fresh machine after a failed upload", () => {
    let project: ReturnType<typeof copyProject>;
    let fleet: DevFleet;
    let builds: () => string[];
    const packages: string[][] = [["jq"], ["jq", "tree"]];
    let first: Deployment;
    let firstImageId: string;
    let serverImagesAfterFirst: string[];
    let busyRunner: string;
    let rebuild: Deployment;
    let imagesAfterRebuild: string[];
    let serverImagesAfterRebuild: Map<string, string>;
    let buildsAfterRebuild: number;
    let afterJob: Deployment;
    let cleanup: Deployment;
    let imagesAfterCleanup: string[];
    let failedUpload: Deployment;
    let freshMachine: Deployment;
    let buildsBeforeFresh: number;
    let buildsAfterFresh: number;
    let imagesAfterFresh: string[];
    let steadyFresh: Deployment;
    let buildsAfterSteady: number;

    const setPackages = (extraPackages: string[]): void =>
        fleet.deployments.editConfig((values) => {
            values[`${PROJECT}:image`] = JSON.stringify({ base: "jammy", arch: "x64", build: { runnerVersion: "latest", extraPackages } });
        });
    const removeBuildCache = (): void => rmSync(path.join(project.dir, ".cache"), { recursive: true, force: true });
    const glanceImageIds = (): string[] => cloudOf(fleet).objects("image").filter((image) => !image.preexisting).map((image) => image.id).sort();

    before(async () => {
        project = copyProject();
        const script = path.join(project.dir, "scripts", "build-image.sh");
        writeFileSync(script, STANDIN_BUILD_SCRIPT);
        chmodSync(script, 0o755);
        builds = () => (existsSync(path.join(project.dir, BUILD_LOG)) ? readFileSync(path.join(project.dir, BUILD_LOG), "utf8").split("\n").filter(Boolean) : []);
        fleet = await startDevFleet(2, { programDir: project.dir });
        const { world, deployments } = fleet;

        setPackages(packages[0]!);
        first = await deployments.deploy(false, 2);
        firstImageId = (first.result.outputs as unknown as ImagesOutput).image.id;
        serverImagesAfterFirst = cloudOf(fleet).objects("server").map((server) => String(server.attributes["imageId"]));
        const runners = slotRunners(fleet);
        for (const runner of runners.values()) world.fake.setRunner(REPO_SCOPE, runner, { status: "online" });
        busyRunner = runners.get(1)!;
        world.fake.setRunner(REPO_SCOPE, busyRunner, { status: "online", busy: true });

        // The image's inputs change while slot 1's runner is busy on the old image.
        setPackages(packages[1]!);
        rebuild = await deployments.deploy(false, 2);
        imagesAfterRebuild = glanceImageIds();
        serverImagesAfterRebuild = new Map(cloudOf(fleet).objects("server").map((server) => [server.name, String(server.attributes["imageId"])]));
        buildsAfterRebuild = builds().length;

        // The job ends: the slot moves to the new image in this up, the old image goes in the next.
        world.fake.removeRunner(REPO_SCOPE, busyRunner);
        afterJob = await deployments.deploy(false, 2);
        cleanup = await deployments.deploy(false, 2);
        imagesAfterCleanup = glanceImageIds();

        // Machine A builds a third image, but Glance fails the upload; machine B has no build cache.
        setPackages(["jq", "tree", "htop"]);
        cloudOf(fleet).failNextCreate("image", 503, "Service Unavailable: the upload was cut off");
        failedUpload = await deployments.deploy(false, 2);
        removeBuildCache();
        buildsBeforeFresh = builds().length;
        freshMachine = await deployments.deploy(false, 2);
        buildsAfterFresh = builds().length;
        imagesAfterFresh = glanceImageIds();

        // Another fresh machine, nothing changed.
        removeBuildCache();
        steadyFresh = await deployments.deploy(false, 2);
        buildsAfterSteady = builds().length;
    });
    after(async () => {
        await fleet?.world.stop();
        project?.dispose();
    });

    test("the first up builds the image once, uploads it and boots every VM from it", () => {
        assertSucceeded(first);
        assert.equal(builds()[0]?.includes((first.result.outputs as unknown as ImagesOutput).image.name), true, builds().join("\n"));
        assert.deepEqual(serverImagesAfterFirst, [firstImageId, firstImageId]);
    });

    test("a rebuild while a runner is busy on the old image completes; the busy VM and the old image stay", () => {
        assertSucceeded(rebuild);
        assert.equal(buildsAfterRebuild, 2, "one build per build hash");
        assert.equal(imagesAfterRebuild.length, 2, `Glance images: ${imagesAfterRebuild.join(", ")}`);
        assert.ok(imagesAfterRebuild.includes(firstImageId));
        assert.equal(serverImagesAfterRebuild.get(busyRunner), firstImageId, "the busy runner's VM moved");
        const newImageId = (rebuild.result.outputs as unknown as ImagesOutput).image.id;
        assert.notEqual(newImageId, firstImageId);
        const others = [...serverImagesAfterRebuild.entries()].filter(([name]) => name !== busyRunner);
        assert.deepEqual(others.map(([, image]) => image), [newImageId], "the idle slot is recycled onto the new image");
        assert.deepEqual((rebuild.result.outputs as unknown as ImagesOutput).images.map((image) => image.id).sort(), [...imagesAfterRebuild].sort());
    });

    test("after the job the slot takes the new image, and the next up deletes the old image (nothing boots from it any more)", () => {
        assertSucceeded(afterJob);
        assertSucceeded(cleanup);
        assert.ok(changes(cleanup).includes(`delete openstack:images/image:Image fleet-image-glance-${(first.result.outputs as unknown as ImagesOutput).images[0]!.key}`), changes(cleanup).join("\n"));
        assert.equal(imagesAfterCleanup.length, 1);
        assert.ok(!imagesAfterCleanup.includes(firstImageId));
        assert.equal(servers(fleet).size, 2);
    });

    test("a failed upload fails that up with Glance's answer; a machine without the build cache then builds and uploads", () => {
        assert.match(failedUpload.result.error ?? "", /503|Service Unavailable/);
        assertSucceeded(freshMachine);
        assert.equal(buildsAfterFresh, buildsBeforeFresh + 1, "the create hook did not build on the fresh machine");
        const uploaded = (freshMachine.result.outputs as unknown as ImagesOutput).image.id;
        assert.ok(imagesAfterFresh.includes(uploaded), `the new image ${uploaded} is not in Glance: ${imagesAfterFresh.join(", ")}`);
    });

    test("a machine without the build cache and nothing changed builds nothing and changes nothing", () => {
        assertSucceeded(steadyFresh);
        assert.equal(buildsAfterSteady, buildsAfterFresh);
        assert.deepEqual(changes(steadyFresh).filter((line) => !line.startsWith("delete openstack:images/image:Image")), []);
    });
});
