/** The demand file the reconciler writes and the program reads: round trip, and one clear error per bad file. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DemandFileError, parseDemandSnapshot, serializeDemandSnapshot, type DemandSnapshot } from "../components/demand";

const TIMEOUT = { timeout: 10_000 };

const SNAPSHOT: DemandSnapshot = {
    version: 1,
    observedAt: "2025-03-01T10:15:00.000Z",
    queued: [
        { labels: ["linux", "self-hosted"], count: 3 },
        { labels: ["gpu", "linux", "self-hosted"], count: 1 },
    ],
};

test("a snapshot survives the file: serialize then parse gives it back, groups in a stable order", TIMEOUT, () => {
    const text = serializeDemandSnapshot(SNAPSHOT);
    assert.ok(text.endsWith("\n"));
    const parsed = parseDemandSnapshot(text);
    assert.deepEqual(parsed, { ...SNAPSHOT, queued: [SNAPSHOT.queued[1], SNAPSHOT.queued[0]] });
    assert.equal(serializeDemandSnapshot({ ...SNAPSHOT, queued: [...SNAPSHOT.queued].reverse() }), text, "the same queue gives the same bytes");
    assert.deepEqual(parseDemandSnapshot(serializeDemandSnapshot({ version: 1, observedAt: "2025-03-01T11:15:00+01:00", queued: [] })).queued, []);
});

function problemsOf(text: string): string[] {
    try {
        parseDemandSnapshot(text, "/run/demand.json");
    } catch (error) {
        assert.ok(error instanceof DemandFileError, `expected a DemandFileError, got ${String(error)}`);
        assert.match(error.message, /^Invalid demand file \/run\/demand.json \(\d+ problems?\):/);
        return [...error.problems];
    }
    assert.fail("the file was accepted");
}

const good = (change: Record<string, unknown>) => JSON.stringify({ ...SNAPSHOT, ...change });

test("bad demand files: each problem names where it is, what was there and what is expected", TIMEOUT, () => {
    assert.equal(problemsOf("{ not json").length, 1);
    assert.match(problemsOf("{ not json")[0], /^the file is not JSON \(.+\); expected the JSON object the reconciler writes$/);
    assert.deepEqual(problemsOf(good({ version: 2 })), ["version: got 2; expected version 1 (the only demand file version)"]);
    assert.deepEqual(problemsOf(good({ observedAt: "yesterday" })), [
        'observedAt: got "yesterday"; expected an ISO 8601 date and time with a time zone, e.g. 2025-01-31T12:00:00Z',
    ]);
    assert.deepEqual(problemsOf(good({ queued: [{ labels: ["Linux"], count: 1 }] })), [
        'queued[0].labels: got ["Linux"]; expected labels lowercased, sorted and without duplicates',
    ]);
    assert.deepEqual(problemsOf(good({ queued: [{ labels: ["self-hosted", "linux"], count: 1 }] })), [
        'queued[0].labels: got ["self-hosted","linux"]; expected labels lowercased, sorted and without duplicates',
    ]);
    assert.deepEqual(problemsOf(good({ queued: [{ labels: ["linux"], count: 0 }] })), [
        "queued[0].count: got 0; expected at least 1 queued job (leave the group out instead)",
    ]);
    assert.deepEqual(problemsOf(good({ queued: [{ labels: ["linux"], count: 1.5 }] })), ["queued[0].count: got 1.5; expected a whole number of queued jobs"]);
    assert.deepEqual(problemsOf(good({ queued: [{ labels: ["linux"], count: 1 }, { labels: ["linux"], count: 2 }] })), [
        'queued[1].labels: got ["linux"]; expected each label set once; queued[0] has the same labels (add the counts together)',
    ]);
    assert.deepEqual(problemsOf(good({ extra: true })), ["extra: got true; expected no such key"]);
    assert.deepEqual(problemsOf("[]"), ["the file: got []; expected a JSON object with version, observedAt and queued"]);
    assert.deepEqual(problemsOf(good({ queued: ["linux"] })), ['queued[0]: got "linux"; expected a queued job group: an object with labels and count']);
    assert.equal(problemsOf(JSON.stringify({ version: 1 })).length, 2, "every missing key is listed");
    assert.match(problemsOf(JSON.stringify({ version: 1 })).join("\n"), /observedAt: got nothing \(the key is missing\)/);
});

test("serializing refuses a snapshot the parser would refuse", TIMEOUT, () => {
    assert.throws(() => serializeDemandSnapshot({ ...SNAPSHOT, queued: [{ labels: ["linux"], count: -1 }] }), /queued\[0\]\.count: expected at least 1 queued job/);
});
