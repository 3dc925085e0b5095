/** assignQueuedJobs: which pool a queued job group counts for. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assignQueuedJobs, type PoolLabels } from "../components/demand";

const TIMEOUT = { timeout: 10_000 };

const POOLS: PoolLabels[] = [
    { pool: "small", labels: ["self-hosted", "linux", "x64", "jammy"] },
    { pool: "big", labels: ["self-hosted", "linux", "x64", "jammy", "large"] },
    { pool: "gpu", labels: ["self-hosted", "linux", "x64", "jammy", "large", "gpu"] },
];

test("a group counts for the first pool, in config order, whose runners carry all its labels", TIMEOUT, () => {
    const { perPool, unmatched } = assignQueuedJobs(POOLS, [
        { labels: ["linux", "self-hosted"], count: 4 },
        { labels: ["large", "self-hosted"], count: 2 },
        { labels: ["gpu"], count: 1 },
    ]);
    assert.deepEqual(perPool, { small: 4, big: 2, gpu: 1 });
    assert.deepEqual(unmatched, []);
    const reordered = assignQueuedJobs([POOLS[2], POOLS[1], POOLS[0]], [{ labels: ["linux", "self-hosted"], count: 4 }]);
    assert.deepEqual(reordered.perPool, { gpu: 4, big: 0, small: 0 }, "the first fitting pool wins, not the smallest");
});

test("labels compare case-insensitively, as GitHub matches runs-on", TIMEOUT, () => {
    const { perPool } = assignQueuedJobs([{ pool: "p", labels: ["Self-Hosted", "LINUX"] }], [{ labels: ["self-hosted", "Linux"], count: 2 }]);
    assert.deepEqual(perPool, { p: 2 });
});

test("groups no pool can run, and groups without labels, are reported apart; every pool is listed", TIMEOUT, () => {
    const { perPool, unmatched } = assignQueuedJobs(POOLS, [
        { labels: ["ubuntu-latest"], count: 3 },
        { labels: ["self-hosted", "linux", "ARM64"], count: 1 },
        { labels: [], count: 2 },
    ]);
    assert.deepEqual(perPool, { small: 0, big: 0, gpu: 0 });
    assert.deepEqual(unmatched, [
        { labels: ["ubuntu-latest"], count: 3 },
        { labels: ["arm64", "linux", "self-hosted"], count: 1 },
        { labels: [], count: 2 },
    ]);
    assert.deepEqual(assignQueuedJobs([], [{ labels: ["x"], count: 1 }]), { perPool: {}, unmatched: [{ labels: ["x"], count: 1 }] });
});

test("bad input is one clear error", TIMEOUT, () => {
    assert.throws(() => assignQueuedJobs([POOLS[0], POOLS[0]], []), /pool "small" is listed twice; expected unique pool names/);
    assert.throws(() => assignQueuedJobs(POOLS, [{ labels: ["linux"], count: -1 }]), /count -1; expected a whole number of jobs/);
});
