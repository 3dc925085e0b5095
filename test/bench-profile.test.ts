/**
 * The CPU profile summary (scripts/bench/profile-summary.ts): self time from a V8 profile's
 * samples and time deltas, grouped by function and by package or project file, and which
 * process wrote it.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatSummary, locationOf, processOf, summarizeProfile, type CpuProfile } from "../scripts/bench/profile-summary";

const ROOT = "/work/project";

function frame(functionName: string, url: string, lineNumber = 0) {
    return { functionName, url, lineNumber, columnNumber: 0, scriptId: "0" };
}

/** root -> program (idle), run -> a (pulumi) -> b (project), and GC. */
const profile: CpuProfile = {
    nodes: [
        { id: 1, callFrame: frame("(root)", ""), children: [2, 3, 6] },
        { id: 2, callFrame: frame("(idle)", "") },
        { id: 3, callFrame: frame("run", `file://${ROOT}/node_modules/@pulumi/pulumi/cmd/run/run.js`, 9), children: [4] },
        { id: 4, callFrame: frame("debuggablePromise", `${ROOT}/node_modules/@pulumi/pulumi/runtime/debuggable.js`, 247), children: [5] },
        { id: 5, callFrame: frame("", `${ROOT}/components/runner.ts`, 41) },
        { id: 6, callFrame: frame("(garbage collector)", "") },
    ],
    startTime: 0,
    endTime: 100,
    samples: [2, 4, 4, 5, 6, 4, 5],
    timeDeltas: [10_000, 1_000, 2_000, 5_000, 3_000, 4_000, -7],
};

describe("profile summary", { timeout: 10_000 }, () => {
    test("self time adds the time deltas of each node's samples (a negative delta counts as none)", () => {
        const summary = summarizeProfile(profile, ROOT);
        assert.equal(summary.totalMicros, 25_000);
        assert.deepEqual(summary.functions, [
            { name: "(idle)", micros: 10_000 },
            { name: "debuggablePromise @pulumi/pulumi:248", micros: 7_000 },
            { name: "(anonymous) components/runner.ts:42", micros: 5_000 },
            { name: "(garbage collector)", micros: 3_000 },
        ]);
        assert.deepEqual(summary.locations, [
            { name: "(V8/native)", micros: 13_000 },
            { name: "@pulumi/pulumi", micros: 7_000 },
            { name: "project: components/runner.ts", micros: 5_000 },
        ]);
        assert.equal(summarizeProfile(profile, ROOT, 1).functions.length, 1);
    });

    test("total time counts each sample once for every function on its stack, callers included", () => {
        assert.deepEqual(summarizeProfile(profile, ROOT).inclusive, [
            { name: "debuggablePromise @pulumi/pulumi:248", micros: 12_000 },
            { name: "run @pulumi/pulumi:10", micros: 12_000 },
            { name: "(anonymous) components/runner.ts:42", micros: 5_000 },
        ]);
    });

    test("locations: scoped and plain packages, the project's files, Node's modules", () => {
        assert.equal(locationOf(`${ROOT}/node_modules/@grpc/grpc-js/build/src/call.js`, ROOT), "@grpc/grpc-js");
        assert.equal(locationOf(`file://${ROOT}/node_modules/google-protobuf/google-protobuf.js`, ROOT), "google-protobuf");
        assert.equal(locationOf(`${ROOT}/node_modules/a/node_modules/b/index.js`, ROOT), "b");
        assert.equal(locationOf(`${ROOT}/test/harness/engine/deployment.ts`, ROOT), "project: test/harness/engine/deployment.ts");
        assert.equal(locationOf("node:internal/url", ROOT), "node:internal/url");
    });

    test("the process is told by the SDK entry point it ran", () => {
        assert.equal(processOf(profile), "program");
        const host = { ...profile, nodes: [...profile.nodes, { id: 9, callFrame: frame("main", `${ROOT}/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js`) }] };
        assert.equal(processOf(host), "provider host");
        assert.equal(processOf({ ...profile, nodes: profile.nodes.filter((node) => node.id !== 3) }), "other");
    });

    test("a file that is not a V8 profile gets one clear error", () => {
        assert.throws(() => summarizeProfile({ nodes: [], samples: [1], timeDeltas: [] } as unknown as CpuProfile, ROOT), /not a V8 CPU profile: expected nodes\[\], samples\[\] and timeDeltas\[\] of the same length/);
    });

    test("the printout gives milliseconds and shares of the total", () => {
        const text = formatSummary("prog.cpuprofile (program)", summarizeProfile(profile, ROOT));
        assert.match(text, /^prog\.cpuprofile \(program\): 0\.0 s of samples/);
        assert.match(text, /\n\s+7 ms\s+28\.0%\s+debuggablePromise @pulumi\/pulumi:248\n/);
    });
});
