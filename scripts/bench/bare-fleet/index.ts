/**
 * The reconcile benchmark's baseline: `bare-fleet:count` plain openstack.compute.Instance
 * resources on the default provider, booted from the image, flavor and network the benchmark
 * put in the cloud (`bare-fleet:imageId`, `flavorId`, `networkId`), with no components, no
 * dynamic resources and no reads. Run by scripts/bench-reconcile.ts through the engine harness,
 * with the same TypeScript setup as the fleet program (this directory's tsconfig.json extends
 * the project's, so ts-node compiles both with the same options).
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const count = config.requireNumber("count");
const imageId = config.require("imageId");
const flavorId = config.require("flavorId");
const networkId = config.require("networkId");

for (let index = 0; index < count; index++) {
    new openstack.compute.Instance(`bare-${index}`, {
        name: `bare-${index}`,
        imageId,
        flavorId,
        networks: [{ uuid: networkId }],
    });
}
