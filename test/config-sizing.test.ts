/** Pool sizing in the stack config (issue 8): count, or min/max/schedules, and every bad combination. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseStackConfig } from "../components/config";
import { dev, onlyProblem, problemsOf, withPool } from "./config-helpers";

/** dev's pool with its sizing keys replaced by `sizing`. */
const sized = (sizing: Record<string, unknown>) =>
    withPool(dev(), (pool) => {
        const { count: _count, ...rest } = pool;
        return { ...rest, ...sizing };
    });

const sizingOf = (sizing: Record<string, unknown>) => parseStackConfig(sized(sizing)).pools[0].sizing;

describe("valid pool sizes", { timeout: 60_000 }, () => {
    test("count is a fixed size from 0 to 1000", () => {
        assert.deepEqual(sizingOf({ count: 0 }), { kind: "fixed", count: 0 });
        assert.deepEqual(sizingOf({ count: 1000 }), { kind: "fixed", count: 1000 });
        assert.equal("count" in parseStackConfig(dev()).pools[0], false, "PoolConfig carries sizing, not count");
    });

    test("max alone sizes by demand with min 0 and no schedules", () => {
        assert.deepEqual(sizingOf({ max: 5 }), { kind: "demand", min: 0, max: 5, schedules: [] });
    });

    test("min, max and schedules; a schedule's time zone defaults to UTC; min may equal max", () => {
        const sizing = sizingOf({
            min: 1,
            max: 8,
            schedules: [
                { cron: "*/15 8-17 * * mon-fri", timezone: "Europe/Berlin", min: 8 },
                { cron: "0 22 * * 0,6", min: 0 },
            ],
        });
        assert.deepEqual(sizing, {
            kind: "demand",
            min: 1,
            max: 8,
            schedules: [
                { cron: "*/15 8-17 * * mon-fri", timezone: "Europe/Berlin", min: 8 },
                { cron: "0 22 * * 0,6", timezone: "UTC", min: 0 },
            ],
        });
    });

    test("standard cron forms and IANA zone names are accepted", () => {
        for (const cron of ["* * * * *", "30 2 1 jan *", "* * * * 7", "0 9-17/2 * * 1-5", "0,30 * 1,15 * *", "0 0 * dec sun"]) {
            assert.equal(sizingOf({ max: 2, schedules: [{ cron, min: 1 }] }).kind, "demand", cron);
        }
        for (const timezone of ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "US/Eastern"]) {
            assert.equal(sizingOf({ max: 2, schedules: [{ cron: "* * * * *", timezone, min: 1 }] }).kind, "demand", timezone);
        }
    });
});

/** [what is wrong, sizing keys, key path, shown value, expected text]. */
const badSizings: Array<[string, Record<string, unknown>, string, string, string]> = [
    ["count and min", { count: 2, min: 1 }, "pools[0].count", "2", "expected either count (a fixed size) or min (sizing by demand), not both"],
    ["count, max and schedules", { count: 2, max: 4, schedules: [] }, "pools[0].count", "2", "or max/schedules (sizing by demand), not both"],
    ["neither count nor min/max", {}, "pools[0].count", "nothing (the key is missing)", "expected count (a fixed number of runners) or min and max (sizing by demand)"],
    ["min without max", { min: 1 }, "pools[0].max", "nothing (the key is missing)", "sizing by demand needs an upper bound"],
    ["schedules without max", { schedules: [{ cron: "* * * * *", min: 1 }] }, "pools[0].max", "nothing (the key is missing)", "expected max (the most runners) with min or schedules"],
    ["min above max", { min: 5, max: 3 }, "pools[0].min", "5", "expected a min of at most max (3)"],
    ["a schedule's min above max", { max: 3, schedules: [{ cron: "* * * * *", min: 1 }, { cron: "* 8 * * *", min: 4 }] }, "pools[0].schedules[1].min", "4", "expected a schedule's min of at most the pool's max (3)"],
    ["count above 1000", { count: 1001 }, "pools[0].count", "1001", "expected a runner count of at most 1000"],
    ["max above 1000", { max: 1001 }, "pools[0].max", "1001", "expected a maximum of runners of at most 1000"],
    ["negative min", { min: -1, max: 2 }, "pools[0].min", "-1", "expected a minimum of idle runners of 0 or more"],
    ["fractional max", { max: 2.5 }, "pools[0].max", "2.5", "expected a whole maximum of runners"],
    ["schedules not a list", { max: 2, schedules: { cron: "* * * * *", min: 1 } }, "pools[0].schedules", '{"cron":"* * * * *","min":1}', "expected a list of schedules"],
    ["a schedule without cron", { max: 2, schedules: [{ min: 1 }] }, "pools[0].schedules[0].cron", "nothing (the key is missing)", "expected a cron expression (a string)"],
    ["a misspelt schedule key", { max: 2, schedules: [{ cron: "* * * * *", min: 1, timeZone: "UTC" }] }, "pools[0].schedules[0].timeZone", '"UTC"', "expected no such key"],
    ["a schedule's negative min", { max: 2, schedules: [{ cron: "* * * * *", min: -1 }] }, "pools[0].schedules[0].min", "-1", "of 0 or more"],
];

const CRON_EXPECTED = "expected a standard five-field cron expression (minute hour day-of-month month day-of-week) such as '* 8-17 * * 1-5', but ";

/** [cron expression, what the message says is wrong]. */
const badCrons: Array<[string, string]> = [
    ["61 * * * *", "Constraint error, got value 61 expected range 0-59"],
    ["* * * *", "it has 4 fields"],
    ["0 * * * * *", "it has 6 fields"],
    ["", "it has 0 fields"],
    ["@daily", "it has 1 fields"],
    ["0 0 L * *", `its day of month field "L" is not standard cron`],
    ["0 0 * * 5#3", `its day of week field "5#3" is not standard cron`],
    ["H * * * *", `its minute field "H" is not standard cron`],
    ["0 ? * * *", `its hour field "?" is not standard cron`],
    ["* * 31 2 *", "Invalid explicit day of month definition"],
    ["5-1 * * * *", "Invalid range: 5-1"],
    ["* * * foo *", `Validation error, cannot resolve alias "foo"`],
    ["*/0 * * * *", "cannot repeat at every 0 time"],
];

const badTimeZones = ["Mars/Olympus", "+01:00", "GMT+1", "", "Europe/Berlin "];

describe("bad pool sizes give one error naming key, value and expectation", { timeout: 60_000 }, () => {
    for (const [what, sizing, key, shown, expected] of badSizings) {
        test(what, () => {
            const problem = onlyProblem(sized(sizing));
            assert.equal(problem.key, key);
            assert.equal(problem.shown, shown);
            assert.ok(problem.expected.includes(expected), `"${problem.expected}" should include "${expected}"`);
        });
    }

    for (const [cron, reason] of badCrons) {
        test(`cron ${JSON.stringify(cron)}: ${reason}`, () => {
            const problem = onlyProblem(sized({ max: 2, schedules: [{ cron, min: 1 }] }));
            assert.equal(problem.key, "pools[0].schedules[0].cron");
            assert.equal(problem.shown, JSON.stringify(cron));
            assert.ok(problem.expected.startsWith(CRON_EXPECTED), problem.expected);
            assert.ok(problem.expected.includes(reason), `"${problem.expected}" should include "${reason}"`);
        });
    }

    for (const timezone of badTimeZones) {
        test(`time zone ${JSON.stringify(timezone)}`, () => {
            const problem = onlyProblem(sized({ max: 2, schedules: [{ cron: "* * * * *", timezone, min: 1 }] }));
            assert.equal(problem.key, "pools[0].schedules[0].timezone");
            assert.equal(problem.shown, JSON.stringify(timezone));
            assert.match(problem.expected, /expected an IANA time zone name such as Europe\/Berlin/);
        });
    }

    test("faults in two pools' sizes are reported together", () => {
        const raw = withPool(dev(), (pool) => pool);
        const pools = JSON.parse(raw.values.pools);
        const error = problemsOf({ ...raw, values: { ...raw.values, pools: JSON.stringify([{ ...pools[0], min: 1 }, { ...pools[0], name: "other", count: undefined, min: 3, max: 2 }]) } });
        assert.deepEqual(error.problems.map((p) => p.key), ["pools[0].count", "pools[1].min"]);
    });
});
