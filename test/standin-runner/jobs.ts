/**
 * GitHub's side of handing a job to a stand-in runner (bin/Runner.Listener):
 * the stand-in waits online until the fake shows it busy, then runs its job.
 * GitHub gives a job only to an online, idle runner whose labels match; here
 * the test picks the runner.
 */
import type { FakeGithub } from "../fake-github";

/** Gives one job to an idle, online runner; throws (naming the runner's state) otherwise. */
export function assignJob(fake: FakeGithub, scope: string, runnerName: string): void {
    const runner = fake.runner(scope, runnerName);
    if (runner === undefined) throw new Error(`no runner "${runnerName}" in ${scope} to give a job to`);
    if (runner.status !== "online" || runner.busy) {
        throw new Error(`runner "${runnerName}" in ${scope} cannot take a job: it is ${runner.status}${runner.busy ? " and busy" : ""}, not online and idle`);
    }
    fake.setRunner(scope, runnerName, { busy: true });
}

export interface JobQueue {
    /** Why a job could not be given, one line each. */
    readonly problems: string[];
    stop(): void;
}

/**
 * A queue that always has work: every stand-in runner that reports online from
 * now on gets one job at once (the boot test's runners: online, busy, done).
 */
export function assignJobsWhenOnline(fake: FakeGithub): JobQueue {
    const problems: string[] = [];
    let seen = fake.standinEvents.length;
    const timer = setInterval(() => {
        for (; seen < fake.standinEvents.length; seen++) {
            const event = fake.standinEvents[seen];
            if (event?.event !== "online") continue;
            try {
                if (typeof event.scope !== "string") throw new Error(`runner "${event.name}" reported online without its scope`);
                assignJob(fake, event.scope, event.name);
            } catch (error) {
                problems.push(error instanceof Error ? error.message : String(error));
            }
        }
    }, 100);
    return { problems, stop: () => clearInterval(timer) };
}
