/** minimumAt: a pool's minimum at a moment, across time zones and daylight saving time changes. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { PoolSizing } from "../components/config";
import { minimumAt } from "../components/pool-sizing";

const demand = (schedules: Array<{ cron: string; timezone: string; min: number }>, min = 0): PoolSizing => ({ kind: "demand", min, max: 10, schedules });
const at = (iso: string) => new Date(iso);

/** The minutes from `fromIso` (inclusive) to `toIso` (exclusive) at which the minimum is `value`. */
function minutesWith(sizing: PoolSizing, value: number, fromIso: string, toIso: string): string[] {
    const found: string[] = [];
    for (let time = Date.parse(fromIso); time < Date.parse(toIso); time += 60_000) {
        if (minimumAt(sizing, new Date(time)) === value) found.push(new Date(time).toISOString().slice(0, 16));
    }
    return found;
}

describe("minimumAt", { timeout: 60_000 }, () => {
    test("a fixed pool's minimum is its count, at any time", () => {
        const fixed: PoolSizing = { kind: "fixed", count: 7 };
        assert.equal(minimumAt(fixed, at("2025-01-06T03:00:00Z")), 7);
        assert.equal(minimumAt(fixed, at("2025-07-12T15:30:00Z")), 7);
    });

    test("without schedules, or when none matches, the pool's min", () => {
        assert.equal(minimumAt(demand([], 2), at("2025-01-06T09:00:00Z")), 2);
        assert.equal(minimumAt(demand([{ cron: "* 3 * * *", timezone: "UTC", min: 5 }], 2), at("2025-01-06T09:00:00Z")), 2);
    });

    test("office hours in Berlin follow local time in winter (UTC+1) and summer (UTC+2)", () => {
        const office = demand([{ cron: "* 8-17 * * 1-5", timezone: "Europe/Berlin", min: 4 }], 1);
        // Monday 6 January 2025, CET.
        assert.equal(minimumAt(office, at("2025-01-06T06:59:59Z")), 1);
        assert.equal(minimumAt(office, at("2025-01-06T07:00:00Z")), 4);
        assert.equal(minimumAt(office, at("2025-01-06T16:59:00Z")), 4);
        assert.equal(minimumAt(office, at("2025-01-06T17:00:00Z")), 1);
        // Monday 7 July 2025, CEST.
        assert.equal(minimumAt(office, at("2025-07-07T05:59:00Z")), 1);
        assert.equal(minimumAt(office, at("2025-07-07T06:00:00Z")), 4);
        assert.equal(minimumAt(office, at("2025-07-07T15:59:00Z")), 4);
        assert.equal(minimumAt(office, at("2025-07-07T16:00:00Z")), 1);
        // Saturday 12 July 2025 at 10:00 local.
        assert.equal(minimumAt(office, at("2025-07-12T08:00:00Z")), 1);
    });

    test("spring forward in Berlin (30 March 2025, 02:00 -> 03:00): the skipped hour never matches", () => {
        const night = demand([{ cron: "* 2 * * *", timezone: "Europe/Berlin", min: 3 }]);
        assert.deepEqual(minutesWith(night, 3, "2025-03-29T22:00:00Z", "2025-03-30T22:00:00Z"), []);
        assert.equal(minutesWith(night, 3, "2025-03-28T23:00:00Z", "2025-03-29T23:00:00Z").length, 60);
        const halfPastTwo = demand([{ cron: "30 2 * * *", timezone: "Europe/Berlin", min: 3 }]);
        assert.deepEqual(minutesWith(halfPastTwo, 3, "2025-03-29T22:00:00Z", "2025-03-31T22:00:00Z"), ["2025-03-31T00:30"]);
    });

    test("fall back in Berlin (26 October 2025, 03:00 -> 02:00): the repeated hour matches twice", () => {
        const halfPastTwo = demand([{ cron: "30 2 * * *", timezone: "Europe/Berlin", min: 3 }]);
        assert.deepEqual(minutesWith(halfPastTwo, 3, "2025-10-25T22:00:00Z", "2025-10-26T23:00:00Z"), ["2025-10-26T00:30", "2025-10-26T01:30"]);
        const night = demand([{ cron: "* 2 * * *", timezone: "Europe/Berlin", min: 3 }]);
        assert.equal(minutesWith(night, 3, "2025-10-25T22:00:00Z", "2025-10-26T23:00:00Z").length, 120);
    });

    test("New York's spring forward (9 March 2025) moves 09:00 local from 14:00 to 13:00 UTC", () => {
        const morning = demand([{ cron: "0 9 * * *", timezone: "America/New_York", min: 2 }]);
        assert.deepEqual(minutesWith(morning, 2, "2025-03-08T00:00:00Z", "2025-03-11T00:00:00Z"), ["2025-03-08T14:00", "2025-03-09T13:00", "2025-03-10T13:00"]);
    });

    test("a half-hour zone (Asia/Kolkata, UTC+5:30) and a southern-hemisphere one (Australia/Sydney)", () => {
        const kolkata = demand([{ cron: "0 9 * * *", timezone: "Asia/Kolkata", min: 2 }]);
        assert.deepEqual(minutesWith(kolkata, 2, "2025-01-06T00:00:00Z", "2025-01-07T00:00:00Z"), ["2025-01-06T03:30"]);
        const sydney = demand([{ cron: "0 9 * * *", timezone: "Australia/Sydney", min: 2 }]);
        // Summer time (AEDT, UTC+11) in January, standard time (AEST, UTC+10) in July.
        assert.deepEqual(minutesWith(sydney, 2, "2025-01-06T00:00:00Z", "2025-01-07T00:00:00Z"), ["2025-01-06T22:00"]);
        assert.deepEqual(minutesWith(sydney, 2, "2025-07-07T00:00:00Z", "2025-07-08T00:00:00Z"), ["2025-07-07T23:00"]);
    });

    test("the first matching schedule wins; each schedule is read in its own time zone", () => {
        const wide = { cron: "* 8-17 * * *", timezone: "UTC", min: 3 };
        const noon = { cron: "* 12 * * *", timezone: "UTC", min: 5 };
        assert.equal(minimumAt(demand([wide, noon]), at("2025-01-06T12:10:00Z")), 3);
        assert.equal(minimumAt(demand([noon, wide]), at("2025-01-06T12:10:00Z")), 5);
        const tokyoNoon = { cron: "* 12 * * *", timezone: "Asia/Tokyo", min: 6 };
        assert.equal(minimumAt(demand([tokyoNoon, noon]), at("2025-01-06T03:10:00Z")), 6);
        assert.equal(minimumAt(demand([tokyoNoon, noon]), at("2025-01-06T12:10:00Z")), 5);
    });

    test("cron has no seconds: the whole minute matches, the next one does not", () => {
        const eight = demand([{ cron: "0 8 * * *", timezone: "UTC", min: 2 }]);
        assert.equal(minimumAt(eight, at("2025-01-06T08:00:00.000Z")), 2);
        assert.equal(minimumAt(eight, at("2025-01-06T08:00:59.999Z")), 2);
        assert.equal(minimumAt(eight, at("2025-01-06T08:01:00.000Z")), 0);
        assert.equal(minimumAt(eight, at("2025-01-06T07:59:59.999Z")), 0);
    });

    test("day of month and day of week both restricted: either one matches (standard cron)", () => {
        const friday13 = demand([{ cron: "0 0 13 * 5", timezone: "UTC", min: 1 }]);
        assert.equal(minimumAt(friday13, at("2025-06-13T00:00:00Z")), 1, "Friday the 13th");
        assert.equal(minimumAt(friday13, at("2025-06-06T00:00:00Z")), 1, "a Friday");
        assert.equal(minimumAt(friday13, at("2025-05-13T00:00:00Z")), 1, "a Tuesday the 13th");
        assert.equal(minimumAt(friday13, at("2025-06-07T00:00:00Z")), 0, "a Saturday the 7th");
    });
});
