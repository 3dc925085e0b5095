/**
 * The reconcile benchmark's command line and how it tells the processes of an `up` apart
 * (scripts/bench-reconcile.ts).
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { measuredNodeOptions, parseOptions, roleOf } from "../scripts/bench-reconcile";
import { REPO } from "./harness/fleet-stack";

describe("bench-reconcile options", { timeout: 30_000 }, () => {
    test("defaults: 1000 runners, 3 repeats, demand at 100, no profile, this repository's program", () => {
        assert.deepEqual(parseOptions([]), { runners: 1000, repeat: 3, demandRunners: 100, demand: true, profileDir: undefined, programDir: REPO, nodeOptions: "" });
    });

    test("every flag is read", () => {
        const options = parseOptions(["--runners", "20", "--repeat", "2", "--demand-runners", "5", "--no-demand", "--profile", "prof", "--program-dir", "/tmp/copy", "--node-options", " --max-old-space-size=768 "]);
        assert.deepEqual(options, { runners: 20, repeat: 2, demandRunners: 5, demand: false, profileDir: path.resolve("prof"), programDir: "/tmp/copy", nodeOptions: "--max-old-space-size=768" });
    });

    test("bad input gets one clear error naming the flag, what it got and what is expected", () => {
        assert.throws(() => parseOptions(["--runners", "1001"]), /--runners: got "1001"; expected a whole number from 1 to 1000/);
        assert.throws(() => parseOptions(["--runners", "2.5"]), /--runners: got "2.5"; expected a whole number/);
        assert.throws(() => parseOptions(["--repeat"]), /--repeat: got null; expected a whole number from 1 to 100/);
        assert.throws(() => parseOptions(["--profile", "--no-demand"]), /--profile: expected a directory after it/);
        assert.throws(() => parseOptions(["--fast"]), /unknown argument "--fast"\nusage:/);
        assert.throws(() => parseOptions(["--node-options", " "]), /--node-options: expected Node.js options after it/);
        assert.throws(() => parseOptions(["--demand-runners", "999", "--repeat", "3"]), /exceed a pool's 1000/);
    });

    test("a measured up's NODE_OPTIONS: the user's, then the profiler and its SIGTERM handler when profiling", () => {
        assert.equal(measuredNodeOptions("", undefined), "");
        assert.equal(measuredNodeOptions("--max-old-space-size=768", undefined), "--max-old-space-size=768");
        assert.match(measuredNodeOptions("--max-old-space-size=768", "/p/fleet-1"), /^--max-old-space-size=768 --cpu-prof --cpu-prof-dir=\/p\/fleet-1 --require \S+exit-on-sigterm\.cjs$/);
        assert.match(measuredNodeOptions("", "/p"), /^--cpu-prof --cpu-prof-dir=\/p --require /);
    });

    test("the program is cmd/run, the provider host cmd/dynamic-provider, anything else 'other'", () => {
        const node = "/usr/bin/node";
        assert.equal(roleOf([node, "/p/node_modules/@pulumi/pulumi/cmd/run", "--monitor", "x"]), "program");
        assert.equal(roleOf([node, "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js", "127.0.0.1:1"]), "provider host");
        assert.equal(roleOf([node, "/p/scripts/other.js", "/cmd/run"]), "other");
        assert.equal(roleOf([]), "other");
    });
});
