/**
 * How demand reaches the program: the reconciler's demand file, named by
 * RUNNER_DEMAND_FILE, turned into queued jobs per pool; no file means no
 * demand information (a pool keeps its size), a stale one too; a malformed one
 * stops the run.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { parseStackConfig } from "../components/config";
import { serializeDemandSnapshot } from "../components/demand";
import { DEMAND_FILE_VARIABLE, demandPerPool } from "../components/observe";
import { rawStackConfig } from "../scripts/plan/stack-file";
import { testPlaintext } from "./support/test-secrets";

const dir = mkdtempSync(join(tmpdir(), "demand-program-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const config = parseStackConfig(rawStackConfig(join(__dirname, "..", "Pulumi.prod.yaml"), "prod", testPlaintext));
const now = new Date("2026-06-10T08:00:00Z");

function demandFile(name: string, observedAt: Date, queued: { labels: string[]; count: number }[]): string {
    const file = join(dir, name);
    writeFileSync(file, serializeDemandSnapshot({ version: 1, observedAt: observedAt.toISOString(), queued }));
    return file;
}

test("without the variable there is no demand information", () => {
    assert.deepEqual(demandPerPool(config, now, {}), {});
});

test("queued jobs count for the first pool whose runners carry all their labels; others are reported", () => {
    const file = demandFile("fresh.json", new Date(now.getTime() - 30_000), [
        { labels: ["linux", "self-hosted"], count: 3 },
        { labels: ["docker", "linux-large"], count: 2 },
        { labels: ["gpu"], count: 4 },
    ]);
    const result = demandPerPool(config, now, { [DEMAND_FILE_VARIABLE]: file });
    assert.deepEqual(result.queuedByPool, { standard: 3, large: 2 });
    assert.match(result.note ?? "", /4 queued job\(s\) ask for labels no pool has: \[gpu\]/);
});

test("a stale demand file is no information, said in a warning", () => {
    const file = demandFile("stale.json", new Date(now.getTime() - 60 * 60_000), [{ labels: ["linux"], count: 9 }]);
    const result = demandPerPool(config, now, { [DEMAND_FILE_VARIABLE]: file });
    assert.equal(result.queuedByPool, undefined);
    assert.match(result.note ?? "", /written 60 minutes ago; pools keep their size/);
});

test("a malformed or missing demand file stops the run with a clear error", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ version: 2, observedAt: "yesterday", queued: [] }));
    assert.throws(() => demandPerPool(config, now, { [DEMAND_FILE_VARIABLE]: bad }), /Invalid demand file .*bad\.json/);
    assert.throws(() => demandPerPool(config, now, { [DEMAND_FILE_VARIABLE]: join(dir, "missing.json") }), /ENOENT/);
});
