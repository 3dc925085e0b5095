/** Per-pool OpenStack settings in the stack config (issue 9): boot volume, zone, server group, key pair, metadata. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseStackConfig } from "../components/config";
import { dev, onlyProblem, prod, withPool } from "./config-helpers";

describe("per-pool OpenStack settings", { timeout: 60_000 }, () => {
    test("Pulumi.prod.yaml sets each of them; dev's pool leaves them unset", () => {
        const [standard, large] = parseStackConfig(prod()).pools;
        assert.deepEqual(standard.bootVolume, { sizeGb: 80, type: "ssd" });
        assert.equal(standard.availabilityZone, "nova");
        assert.equal(standard.keyPair, "ci-admin");
        assert.deepEqual(large.serverGroup, { policy: "soft-anti-affinity" });
        assert.deepEqual(large.metadata, { "cost-center": "ci-large" });
        const [small] = parseStackConfig(dev()).pools;
        assert.deepEqual(
            [small.bootVolume, small.availabilityZone, small.serverGroup, small.keyPair, small.metadata],
            [undefined, undefined, undefined, undefined, {}],
        );
    });

    test("a boot volume without a type, an anti-affinity group, metadata keys at Nova's limits", () => {
        const longKey = `k${"e".repeat(254)}`;
        const [pool] = parseStackConfig(
            withPool(dev(), (p) => ({
                ...p,
                bootVolume: { sizeGb: 40 },
                serverGroup: { policy: "anti-affinity" },
                metadata: { [longKey]: "v".repeat(255), "team.name: ci_runners-1": "", "github-runner": "not the reserved prefix" },
            })),
        ).pools;
        assert.deepEqual(pool.bootVolume, { sizeGb: 40 });
        assert.deepEqual(pool.serverGroup, { policy: "anti-affinity" });
        assert.equal(Object.keys(pool.metadata).length, 3);
    });
});

/** How an error shows a long string of one repeated character: JSON cut at 80 characters. */
const truncated = (char: string) => `"${char.repeat(79)}…`;

/** [what is wrong, the pool's new keys, key path, shown value, expected text]. */
const badSettings: Array<[string, Record<string, unknown>, string, string, string]> = [
    ["boot volume of 0 GiB", { bootVolume: { sizeGb: 0 } }, "pools[0].bootVolume.sizeGb", "0", "expected sizeGb (GiB of the boot volume) of at least 1"],
    ["boot volume without a size", { bootVolume: { type: "ssd" } }, "pools[0].bootVolume.sizeGb", "nothing (the key is missing)", "expected sizeGb (GiB of the boot volume) as a number"],
    ["boot volume with an empty type", { bootVolume: { sizeGb: 20, type: "" } }, "pools[0].bootVolume.type", '""', "expected a Cinder volume type, not an empty string"],
    ["boot volume as a number", { bootVolume: 20 }, "pools[0].bootVolume", "20", "expected the boot volume (sizeGb, type)"],
    ["availability zone of 256 characters", { availabilityZone: "z".repeat(256) }, "pools[0].availabilityZone", truncated("z"), "expected an availability zone name of at most 255 characters"],
    ["server group policy affinity", { serverGroup: { policy: "affinity" } }, "pools[0].serverGroup.policy", '"affinity"', "expected a policy: anti-affinity or soft-anti-affinity"],
    ["server group without a policy", { serverGroup: {} }, "pools[0].serverGroup.policy", "nothing (the key is missing)", "expected a policy"],
    ["empty key pair name", { keyPair: "" }, "pools[0].keyPair", '""', "expected the name of an existing Nova key pair, not an empty string"],
    ["metadata under the reserved prefix", { metadata: { "github-runners:pool": "x" } }, 'pools[0].metadata.github-runners:pool', '"github-runners:pool"', 'expected a metadata key outside "github-runners:"'],
    ["metadata under the reserved prefix in capitals", { metadata: { "GitHub-Runners:slot": "x" } }, 'pools[0].metadata.GitHub-Runners:slot', '"GitHub-Runners:slot"', "which the program uses for its own keys"],
    ["metadata key with a slash", { metadata: { "team/name": "ci" } }, "pools[0].metadata.team/name", '"team/name"', "expected a metadata key of 1 to 255 letters, digits, spaces and '-', '_', ':', '.' (Nova's rule)"],
    ["metadata key of 256 characters", { metadata: { ["k".repeat(256)]: "v" } }, `pools[0].metadata.${"k".repeat(256)}`, truncated("k"), "(Nova's rule)"],
    ["metadata value of 256 characters", { metadata: { owner: "v".repeat(256) } }, "pools[0].metadata.owner", truncated("v"), "expected a metadata value of at most 255 characters (Nova's limit)"],
    ["metadata value as a number", { metadata: { "cost-center": 4711 } }, "pools[0].metadata.cost-center", "4711", "expected a metadata value as a string (quote numbers and booleans in YAML)"],
    ["metadata as a list", { metadata: ["a=b"] }, "pools[0].metadata", '["a=b"]', "expected server metadata as a map of keys to string values"],
    ["defaultLabels as text", { defaultLabels: "no" }, "pools[0].defaultLabels", '"no"', "expected true or false"],
];

describe("bad per-pool OpenStack settings give one error naming key, value and expectation", { timeout: 60_000 }, () => {
    for (const [what, settings, key, shown, expected] of badSettings) {
        test(what, () => {
            const problem = onlyProblem(withPool(dev(), (p) => ({ ...p, ...settings })));
            assert.equal(problem.key, key);
            assert.equal(problem.shown, shown);
            assert.ok(problem.expected.includes(expected), `"${problem.expected}" should include "${expected}"`);
        });
    }
});

test("a metadata key a dot path cannot carry is named in brackets", { timeout: 60_000 }, () => {
    const problem = onlyProblem(withPool(dev(), (p) => ({ ...p, metadata: { "a.b c": 1 } })));
    assert.equal(problem.key, 'pools[0].metadata["a.b c"]');
});
