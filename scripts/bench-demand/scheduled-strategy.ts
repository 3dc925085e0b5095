/**
 * The scheduled strategies: a pool of fixed `count`, and a real `up` (the Automation API, the
 * `pulumi` double, the real program) at 0, P, 2P, ... of simulated time, as a cron job or
 * GitHub's `schedule` trigger would run it, whatever the queue. A used-up ephemeral runner is
 * replaced only by the next of these ups, and its replacement boots before it takes a job.
 */
import { selectStack } from "../reconcile/automation";
import type { SimulatedWorld } from "./simulation";
import { STACK } from "./world";

/** One `up` of the stack; the benchmark's is always the real one (realUp). */
export type RunUp = () => Promise<unknown>;

/** The real `up`: the Automation API on the world's project, which runs the `pulumi` double. */
export async function realUp({ world, clock }: SimulatedWorld): Promise<RunUp> {
    const stack = await clock.track("select the stack", () => selectStack({ stackName: STACK, workDir: world.double.projectDir, envVars: world.pulumiEnv() }));
    const signal = new AbortController().signal;
    return () => stack.up({ signal, onEvent: () => {} });
}

/**
 * Runs the schedule until every job of the trace completed. `up` is injectable so that the
 * schedule itself can be tested without the seconds a real `up` costs; the benchmark passes
 * realUp's.
 */
export async function runScheduled(simulated: SimulatedWorld, periodMs: number, horizonMs: number, up?: RunUp): Promise<void> {
    const { clock, simulation } = simulated;
    const runUp = up ?? (await realUp(simulated));
    const scheduleUp = (atMs: number): void => {
        clock.at(atMs, "scheduled up", async () => {
            // A failed scheduled up is recorded (the table shows it); the schedule goes on, as cron's would.
            await simulation.up(runUp).catch(() => undefined);
            if (!simulation.allCompleted()) scheduleUp(atMs + periodMs);
        });
    };
    scheduleUp(clock.now());
    simulation.scheduleTrace();
    await clock.run(() => simulation.allCompleted(), horizonMs);
}
