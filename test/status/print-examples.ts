/**
 * Prints `npm run status` (text, then the sweep's dry run) for the dev and prod examples in the
 * states of test/status/scenarios.ts: each deployed for real by the engine harness against the
 * fake GitHub and the fake OpenStack, and read as an operator would, through the Automation API
 * and the `pulumi` CLI test double. For the closing note of issue 9:
 *
 *   export PATH=/opt/node22/bin:$PATH; node --import tsx test/status/print-examples.ts
 */
import { deployDevScenario, deployProdScenario } from "./scenarios";
import type { StatusWorld } from "./status-world";

async function show(title: string, world: StatusWorld): Promise<void> {
    try {
        for (const args of [[], ["--sweep"]]) {
            const result = await world.status(args);
            process.stdout.write(`\n=== ${title}: npm run status -- --stack ${world.stackName}${args.length > 0 ? ` ${args.join(" ")}` : ""} (exit ${result.code})\n\n`);
            process.stdout.write(result.stdout);
            if (result.stderr.trim() !== "") process.stdout.write(`[stderr]\n${result.stderr}`);
        }
    } finally {
        await world.dispose();
    }
}

async function main(): Promise<void> {
    await show("dev example", (await deployDevScenario()).world);
    await show("prod example", (await deployProdScenario()).world);
}

main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
});
