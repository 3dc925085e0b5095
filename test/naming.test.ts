import assert from "node:assert/strict";
import { test } from "node:test";
import { isValidHostname, MAX_RUNNER_NAME_LENGTH, runnerHostname, runnerName } from "../components/naming";

test("runner names fit GitHub's 64 characters and keep the unique suffix", () => {
    assert.equal(runnerName("gh-dev-small", "0123456789ab"), "gh-dev-small-0123456789ab");
    const long = runnerName("x".repeat(80), "0123456789ab");
    assert.equal(long.length, MAX_RUNNER_NAME_LENGTH);
    assert.ok(long.endsWith("-0123456789ab"));
    assert.throws(() => runnerName("p", "XYZ"), /12 lowercase hex characters/);
});

test("hostnames are short, valid and end in the unique suffix", () => {
    for (const name of ["gh-dev-small-0123456789ab", "GH_Prod.Pool-0123456789ab", `${"a".repeat(60)}-0123456789ab`, "-0123456789ab"]) {
        const host = runnerHostname(name);
        assert.ok(isValidHostname(host), `${host} from ${name}`);
        assert.ok(host.endsWith("0123456789ab") && host.length <= 33, host);
    }
    assert.equal(runnerHostname("gh-dev-small-0123456789ab"), "gh-dev-small-0123456789ab");
    assert.equal(isValidHostname("-bad"), false);
    assert.equal(isValidHostname("Bad"), false);
});
