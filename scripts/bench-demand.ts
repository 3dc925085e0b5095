/**
 * The demand benchmark (issue 8 item 7): scheduled `up` every 10 and every 5 minutes against
 * the reconciler with webhooks and with polling, on one seeded job trace (steady arrivals and a
 * burst), with job wait p50/p95/max and idle runner-minutes per job. Every `up` is the real
 * program through the Automation API and the `pulumi` test double on the engine harness, against
 * the fake GitHub; the reconciler strategies run the reconciler's own code. Time is a virtual
 * clock that stands still while real work runs and is advanced by the `up`-time and boot-time
 * parameters (scripts/bench-demand/virtual-clock.ts, --help).
 *
 *   npx tsx scripts/bench-demand.ts [--help] [--quick] [--json] [options]
 */
import { percentile } from "./bench-demand/accounting";
import { parseCommand, SOURCES, USAGE, UsageError } from "./bench-demand/options";
import { formatTable, parameterLines, summarize } from "./bench-demand/report";
import { measureUps, runBenchmark } from "./bench-demand/run";

async function main(): Promise<void> {
    let command;
    try {
        command = parseCommand(process.argv.slice(2));
    } catch (error) {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 2;
        return;
    }
    const progress = (line: string) => process.stderr.write(`${line}\n`);
    switch (command.kind) {
        case "help":
            process.stdout.write(`${USAGE}\n`);
            return;
        case "measure-up": {
            const seconds = await measureUps(command.repeat, command.max, progress);
            process.stdout.write(`steady-state up of the dev stack, ${command.max} runners, ${command.repeat} runs: ${seconds.map((value) => value.toFixed(1)).join(" ")} s; median ${percentile(seconds, 50).toFixed(1)} s\n`);
            return;
        }
        case "run": {
            const { options } = command;
            const started = Date.now();
            const result = await runBenchmark(options, progress);
            const summaries = result.runs.map(summarize);
            if (options.json) {
                process.stdout.write(`${JSON.stringify({ parameters: options, sources: SOURCES, trace: result.trace, strategies: summaries }, null, 2)}\n`);
            } else {
                process.stdout.write(`${parameterLines(options, result.trace).join("\n")}\n\n${formatTable(summaries)}\n\n`);
                process.stdout.write(`total real time ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
            }
            const incomplete = summaries.filter((summary) => summary.completed !== summary.jobs);
            if (incomplete.length > 0) {
                process.stderr.write(`not every job completed in: ${incomplete.map((summary) => summary.strategy).join(", ")}\n`);
                process.exitCode = 1;
            }
            return;
        }
    }
}

main().catch((error: unknown) => {
    process.stderr.write(`bench-demand failed: ${error instanceof UsageError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
});
