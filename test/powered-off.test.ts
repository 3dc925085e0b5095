import assert from "node:assert/strict";
import { test } from "node:test";
import type { PoolConfig } from "../components/config";
import type { PreviousDeployment } from "../components/fleet-outputs";
import type { ObservedRunner } from "../components/github/runners";
import { powerCheckCandidates, poweredOffSlots } from "../components/powered-off";

const pool = (name: string, registration: "jit" | "token", ephemeral: boolean) => ({ name, registration, ephemeral }) as unknown as PoolConfig;
const slot = (index: number, runner: string, extra: { retiring?: boolean; serverId?: string } = {}) => ({
    index,
    runner,
    retiring: extra.retiring ?? false,
    imageId: "img",
    ...(extra.serverId !== undefined ? { serverId: extra.serverId } : {}),
});
const listed = (name: string): ObservedRunner => ({ name, status: "online", busy: false }) as unknown as ObservedRunner;

const previous: PreviousDeployment = {
    pools: {
        tok: { desired: 4, slots: [slot(0, "t-0", { serverId: "s0" }), slot(1, "t-1", { serverId: "s1" }), slot(2, "t-2", { serverId: "s2", retiring: true }), slot(3, "t-3")] },
        jit: { desired: 1, slots: [slot(0, "j-0", { serverId: "sj" })] },
        persistent: { desired: 1, slots: [slot(0, "p-0", { serverId: "sp" })] },
    },
    images: [],
};
const pools = [pool("tok", "token", true), pool("jit", "jit", true), pool("persistent", "token", false)];

test("only token-mode ephemeral slots whose runner GitHub does not list, with a known server and not retiring, are looked up", () => {
    const candidates = powerCheckCandidates(pools, previous, [listed("t-1")]);
    assert.deepEqual(candidates, [{ pool: "tok", index: 0, serverId: "s0" }]);
    assert.deepEqual(powerCheckCandidates(pools, previous, [listed("t-0"), listed("t-1")]), [], "a steady fleet costs no call");
});

test("a slot counts as powered off only when Nova says shutoff; an unknown or other state does not", async () => {
    const states: Record<string, string | undefined> = { a: "shutoff", b: "active", c: undefined, d: "error" };
    const asked: string[] = [];
    const result = await poweredOffSlots(
        [
            { pool: "p", index: 0, serverId: "a" },
            { pool: "p", index: 1, serverId: "b" },
            { pool: "q", index: 2, serverId: "c" },
            { pool: "q", index: 3, serverId: "d" },
        ],
        async (id) => {
            asked.push(id);
            return states[id];
        },
    );
    assert.deepEqual(result, { p: [0] });
    assert.deepEqual(asked.sort(), ["a", "b", "c", "d"]);
});
