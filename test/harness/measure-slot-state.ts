/**
 * Prints how many bytes each runner slot of the dev stack takes in the stored checkpoint after an
 * `up` on the harness (the program, the fake GitHub, the in-memory OpenStack cloud), with the
 * share of each resource of the slot; optionally writes the whole checkpoint as
 * `pulumi stack export` prints it.
 *
 *   node --import tsx test/harness/measure-slot-state.ts [checkpoint.json]
 */
import { serializeResource } from "./checkpoint/checkpoint";
import { resourceName, startDevFleet } from "./fleet-deployment";
import { TYPES } from "./fleet-stack";

async function main(): Promise<void> {
    const fleet = await startDevFleet(1);
    try {
        const up = await fleet.deployments.deploy(false, fleet.pool.count);
        if (up.result.error !== undefined) throw new Error(`the up failed: ${up.result.error}`);
        const { stack } = fleet.deployments;
        const resources = [...stack.state.resources.values()];
        for (const slot of resources.filter((resource) => resource.type === TYPES.slot)) {
            console.log(`${resourceName(slot.urn)}: ${stack.bytesUnder(slot.urn)} bytes`);
            for (const child of resources.filter((resource) => resource.parent === slot.urn)) {
                const bytes = Buffer.byteLength(JSON.stringify(serializeResource(child, stack.crypter)));
                console.log(`  ${child.type} ${resourceName(child.urn)}: ${bytes} bytes`);
            }
        }
        const file = process.argv[2];
        if (file !== undefined) {
            stack.writeCheckpoint(file);
            console.log(`checkpoint written to ${file}`);
        }
    } finally {
        await fleet.world.stop();
    }
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
});
