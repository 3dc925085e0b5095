/**
 * How many runners a pool keeps at a given moment, from its sizing: a fixed
 * `count`, or by demand its `min`, replaced by the `min` of the first schedule
 * whose cron expression matches that minute in the schedule's time zone. Pure.
 *
 * The semantics are those of the AWS runner module's idle config: the first
 * matching entry wins, otherwise the default (github-aws-runners/terraform-aws-github-runner,
 * lambdas/functions/control-plane/src/scale-runners/scale-down-config.ts, getIdleRunnerCount),
 * matched here minute by minute against the wall-clock time in the schedule's IANA time zone.
 */
import type { PoolSizing } from "./config";
import { parseCron } from "./config/cron";

const MINUTE_MS = 60_000;

export function minimumAt(sizing: PoolSizing, date: Date): number {
    switch (sizing.kind) {
        case "fixed":
            return sizing.count;
        case "demand": {
            // Cron has no seconds: the whole minute matches. Every current IANA offset is whole minutes,
            // so flooring in UTC floors the local time too.
            const minute = new Date(Math.floor(date.getTime() / MINUTE_MS) * MINUTE_MS);
            const active = sizing.schedules.find((schedule) => parseCron(schedule.cron, schedule.timezone).includesDate(minute));
            return active?.min ?? sizing.min;
        }
        default: {
            const unreachable: never = sizing;
            throw new Error(`unknown pool sizing ${JSON.stringify(unreachable)}`);
        }
    }
}
