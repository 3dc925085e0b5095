/**
 * The reconcile benchmark's arithmetic and table (scripts/bench/summary.ts): spreads, the ratio
 * to the bare baseline, the targets, and what the table prints.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatTable, programPeak, spread, TARGETS, verdicts, type UpSeries } from "../scripts/bench/summary";

const MB = 1024 * 1024;

function series(label: string, seconds: number[], peaks: Record<string, number> = {}, cpuSeconds: Record<string, number[]> = {}): UpSeries {
    return { label, runners: 1000, seconds, peaks, cpuSeconds };
}

describe("bench summary", { timeout: 10_000 }, () => {
    test("spread gives min, median (middle or mean of the two middles) and max, whatever the order", () => {
        assert.deepEqual(spread([3, 1, 2]), { min: 1, median: 2, max: 3 });
        assert.deepEqual(spread([4, 1, 3, 2]), { min: 1, median: 2.5, max: 4 });
        assert.deepEqual(spread([7]), { min: 7, median: 7, max: 7 });
        assert.throws(() => spread([]), /no values; expected at least one measurement/);
    });

    test("the ratio is of medians and passes at 1.5x or less; memory counts the program and the provider host, not the harness", () => {
        const bare = series("bare", [10, 100, 9]);
        const atLimit = verdicts(series("fleet", [15, 16.5, 1]), bare, []);
        assert.equal(atLimit.ratio, 1.5);
        assert.equal(atLimit.ratioPasses, true);
        assert.equal(verdicts(series("fleet", [15.1, 16.6, 17]), bare, []).ratioPasses, false);

        const heavy = series("fleet", [1], { program: 700 * MB, "provider host": 400 * MB, harness: 5000 * MB });
        assert.equal(programPeak(heavy), 1100 * MB);
        assert.equal(verdicts(heavy, bare, []).memoryPasses, false);
        assert.equal(verdicts(series("fleet", [1], { program: 700 * MB, harness: 5000 * MB }), bare, []).memoryPasses, true);
    });

    test("the demand target is judged on the slowest event, and is 'not measured' without one", () => {
        const bare = series("bare", [1]);
        const fleet = series("fleet", [1]);
        assert.equal(verdicts(fleet, bare, [5, TARGETS.demandSeconds - 0.1]).demandPasses, true);
        assert.equal(verdicts(fleet, bare, [5, TARGETS.demandSeconds]).demandPasses, false);
        assert.equal(verdicts(fleet, bare, []).demandPasses, undefined);
        assert.doesNotMatch(formatTable(fleet, bare, undefined, ["program"]), /demand event/);
    });

    test("the table has a row per program with seconds, ms per runner, ratio, peaks and CPU, and a verdict per target", () => {
        const fleet = series("fleet", [30, 20, 40], { program: 900 * MB, "provider host": 200 * MB, harness: 300 * MB }, { program: [10, 12, 14], "provider host": [2, 2, 2] });
        const bare = series("bare", [10, 10, 10], { program: 400 * MB, harness: 250 * MB }, { program: [4, 4, 4] });
        const table = formatTable(fleet, bare, { runners: 100, seconds: [12, 40] }, ["program", "provider host", "harness"]);
        const [header, fleetRow, bareRow] = table.split("\n");
        assert.match(header!, /^program\s+N\s+s\/up min\s+median\s+max\s+ms\/runner\s+x bare\s+peak program\s+peak provider host\s+peak harness\s+cpu s program/);
        assert.match(fleetRow!, /^fleet\s+1000\s+20\.0\s+30\.0\s+40\.0\s+30\.0\s+3\.00\s+900 MB\s+200 MB\s+300 MB\s+12\.0\s+2\.0\s+-\s+3\.50$/);
        assert.match(bareRow!, /^bare\s+1000\s+10\.0\s+10\.0\s+10\.0\s+10\.0\s+1\.00\s+400 MB\s+-\s+250 MB\s+4\.0\s+-\s+-\s+1\.00$/);
        assert.match(table, /within 1\.5x the bare baseline \(medians\): 3\.00x {2}FAIL/);
        assert.match(table, /program \+ provider host peak under 1024 MB: 1100 MB {2}FAIL/);
        assert.match(table, /under 30 s at N=100: min 12\.0 \/ median 26\.0 \/ max 40\.0 s {2}FAIL/);
    });
});
