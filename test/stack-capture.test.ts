import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { limitStackCapture, STACK_TRACES_VARIABLE } from "../components/stack-capture";

const original = Error.stackTraceLimit;
afterEach(() => {
    Error.stackTraceLimit = original;
});

function framesOf(error: Error): string[] {
    return (error.stack ?? "").split("\n").filter((line) => line.trimStart().startsWith("at "));
}

test("stack capture is off for the program's run: an error carries its message and no frames", () => {
    limitStackCapture({});
    assert.equal(Error.stackTraceLimit, 0);
    const error = new Error("openstack-github-runners:pools[0].count: got -1; expected 0 or more");
    assert.deepEqual(framesOf(error), []);
    assert.match(error.stack ?? "", /pools\[0\]\.count: got -1/);
});

test(`${STACK_TRACES_VARIABLE}=1 keeps full stacks`, () => {
    Error.stackTraceLimit = 10;
    limitStackCapture({ [STACK_TRACES_VARIABLE]: "1" });
    assert.equal(Error.stackTraceLimit, 10);
    assert.ok(framesOf(new Error("x")).length > 0);
});

test("the SDK still records each resource's source position (Resource.callsites raises the limit itself)", () => {
    limitStackCapture({});
    // callsites is internal to the SDK (resource.js); it is what fills a registration's source position.
    const { callsites } = pulumi.Resource as unknown as { callsites(): Array<{ file?: string }> };
    const files = callsites.call(pulumi.Resource).map((site) => site.file ?? "");
    assert.ok(files.some((file) => file.endsWith("stack-capture.test.ts")), `callsites saw ${files.length} frames`);
    assert.equal(Error.stackTraceLimit, 0, "and puts the limit back");
});
