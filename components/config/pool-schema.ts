/**
 * One runner pool: its size (a fixed count, or min/max with schedules for
 * sizing by demand), flavor, labels and per-pool OpenStack settings.
 */
import { z } from "zod";
import { CRON_EXAMPLE, cronProblem, isIanaTimeZone } from "./cron";
import { boundedText, dnsLabel, nonEmptyText, positiveInt, runnerLabel, section } from "./rules";

export const MAX_POOL_RUNNERS = 1000;
/** GitHub's limit on a runner's labels: generate-jitconfig takes 1 to 100 (@octokit/openapi 23.0.2, generated/api.github.com.json). */
export const MAX_RUNNER_LABELS = 100;
/** Server metadata keys the program itself sets (components/runner.ts); users may not set keys under it. */
export const RESERVED_METADATA_PREFIX = "github-runners:";

const runnerCount = (noun: string) =>
    z
        .number({ error: `expected a ${noun} (a number)` })
        .int(`expected a whole ${noun}`)
        .min(0, `expected a ${noun} of 0 or more`)
        .max(MAX_POOL_RUNNERS, `expected a ${noun} of at most ${MAX_POOL_RUNNERS}`);

const cronExpression = z.string({ error: "expected a cron expression (a string)" }).superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem !== undefined) {
        ctx.addIssue({
            code: "custom",
            message: `expected a standard five-field cron expression (minute hour day-of-month month day-of-week) such as '${CRON_EXAMPLE}', but ${problem}`,
        });
    }
});

const timeZone = z
    .string({ error: "expected an IANA time zone name (a string)" })
    .refine(isIanaTimeZone, "expected an IANA time zone name such as Europe/Berlin, America/New_York or UTC");

const scheduleSchema = section("a schedule (cron, timezone, min)", {
    cron: cronExpression.describe(`Standard five-field cron expression (minute hour day-of-month month day-of-week), e.g. \`${CRON_EXAMPLE}\`; the schedule applies during every minute it matches.`),
    timezone: timeZone.default("UTC").describe("IANA time zone the cron expression is read in (daylight saving time included), e.g. `Europe/Berlin`."),
    min: runnerCount("minimum of idle runners").describe("Idle runners kept warm while this schedule matches, instead of the pool's `min`."),
});

// Flavor: an existing one by name, or a private flavor the pool creates.
const flavorSchema = section("the flavor (existing, or vcpus, ramMb and diskGb)", {
    existing: nonEmptyText("the name of an existing flavor").optional().describe("Name of an existing Nova flavor."),
    vcpus: positiveInt("vcpus", 512).optional().describe("vCPUs of a private flavor created for the pool."),
    ramMb: positiveInt("ramMb (MiB of memory)", 4 * 1024 * 1024).optional().describe("MiB of memory of a created flavor."),
    diskGb: positiveInt("diskGb (GiB of root disk)", 65536).optional().describe("GiB of root disk of a created flavor."),
})
    .refine(
        (f) =>
            f.existing !== undefined
                ? f.vcpus === undefined && f.ramMb === undefined && f.diskGb === undefined
                : f.vcpus !== undefined && f.ramMb !== undefined && f.diskGb !== undefined,
        { error: "expected either flavor.existing (a flavor name) or all of flavor.vcpus, flavor.ramMb and flavor.diskGb" },
    )
    .transform((f): FlavorChoice =>
        f.vcpus !== undefined && f.ramMb !== undefined && f.diskGb !== undefined
            ? { kind: "create", vcpus: f.vcpus, ramMb: f.ramMb, diskGb: f.diskGb }
            : { kind: "existing", name: f.existing ?? "" },
    );

export type FlavorChoice = { kind: "existing"; name: string } | { kind: "create"; vcpus: number; ramMb: number; diskGb: number };

// Nova's server metadata: keys match ^[a-zA-Z0-9-_:. ]{1,255}$ and values are strings of at most 255
// characters (openstack/nova, nova/api/validation/parameter_types.py, `metadata`).
const metadataKey = z
    .string()
    .regex(/^[a-zA-Z0-9_:. -]{1,255}$/, "expected a metadata key of 1 to 255 letters, digits, spaces and '-', '_', ':', '.' (Nova's rule)")
    .refine(
        (key) => !key.toLowerCase().startsWith(RESERVED_METADATA_PREFIX),
        `expected a metadata key outside "${RESERVED_METADATA_PREFIX}", which the program uses for its own keys`,
    );
const metadataValue = z
    .string({ error: "expected a metadata value as a string (quote numbers and booleans in YAML)" })
    .max(255, "expected a metadata value of at most 255 characters (Nova's limit)");

export type PoolSizing =
    | { kind: "fixed"; count: number }
    | { kind: "demand"; min: number; max: number; schedules: PoolSchedule[] };
export type PoolSchedule = z.output<typeof scheduleSchema>;

export const poolSchema = section("a pool (name, count or min/max, flavor, labels, ...)", {
    name: dnsLabel("a pool name", 20).describe("Pool name, part of runner names and hostnames; unique in the stack."),
    count: runnerCount("runner count")
        .optional()
        .describe(`Fixed size: this many runner slots, 0 to ${MAX_POOL_RUNNERS}. Give either \`count\` or \`min\`/\`max\`.`),
    min: runnerCount("minimum of idle runners").optional().describe("Sizing by demand: idle runners kept warm (default 0)."),
    max: runnerCount("maximum of runners")
        .optional()
        .describe(`Sizing by demand: the most runners the pool ever has, up to ${MAX_POOL_RUNNERS}; required with \`min\` or \`schedules\`.`),
    schedules: z
        .array(scheduleSchema, { error: "expected a list of schedules (cron, timezone, min)" })
        .optional()
        .describe("Sizing by demand: a different `min` while a cron expression matches (e.g. more runners in office hours); the first matching schedule wins."),
    flavor: flavorSchema.describe("The VM size: `existing` (a flavor name) or `vcpus`, `ramMb` and `diskGb` for a private flavor created for the pool."),
    labels: z
        .array(runnerLabel, { error: "expected a list of labels" })
        .max(MAX_RUNNER_LABELS, `expected at most ${MAX_RUNNER_LABELS} labels (GitHub's limit per runner)`)
        .default([])
        .describe("The pool's own runner labels (letters, digits, `_`, `-`). With the default labels, at most 100 labels per runner in total."),
    defaultLabels: z
        .boolean({ error: "expected true or false" })
        .default(true)
        .describe("Whether runners also carry `self-hosted`, `linux`, the arch and the base; `false` leaves only `labels`, which must then not be empty."),
    ephemeral: z.boolean({ error: "expected true or false" }).default(true).describe("Ephemeral runners take one job and power off; persistent ones stay."),
    bootVolume: section("the boot volume (sizeGb, type)", {
        sizeGb: positiveInt("sizeGb (GiB of the boot volume)", 65536).describe("GiB of the boot volume."),
        type: boundedText("a Cinder volume type", 255).optional().describe("Cinder volume type; the cloud's default type when unset."),
    })
        .optional()
        .describe("Boot from a Cinder volume created from the image (deleted with the server) instead of the flavor's local disk."),
    availabilityZone: boundedText("an availability zone name", 255).optional().describe("Nova availability zone of the pool's servers; the cloud's default when unset."),
    serverGroup: section("the server group (policy)", {
        policy: z
            .enum(["anti-affinity", "soft-anti-affinity"], { error: "expected a policy: anti-affinity or soft-anti-affinity" })
            .describe("`anti-affinity`: every server on a different host (a server that does not fit fails); `soft-anti-affinity`: spread where possible."),
    })
        .optional()
        .describe("A server group the pool creates for its servers; Nova's server_group_members quota caps how many runners fit in it."),
    keyPair: boundedText("the name of an existing Nova key pair", 255).optional().describe("Name of an existing Nova key pair, installed for the image's default user."),
    metadata: z
        .record(metadataKey, metadataValue, { error: "expected server metadata as a map of keys to string values" })
        .default({})
        .describe(`Extra server metadata: string values of at most 255 characters; keys of at most 255, not under \`${RESERVED_METADATA_PREFIX}\`.`),
})
    .superRefine((pool, ctx) => {
        const demandKeys = (["min", "max", "schedules"] as const).filter((key) => pool[key] !== undefined);
        if (pool.count !== undefined && demandKeys.length > 0) {
            ctx.addIssue({
                code: "custom",
                path: ["count"],
                message: `expected either count (a fixed size) or ${demandKeys.join("/")} (sizing by demand), not both`,
            });
            return;
        }
        if (pool.count === undefined && demandKeys.length === 0) {
            ctx.addIssue({ code: "custom", path: ["count"], message: "expected count (a fixed number of runners) or min and max (sizing by demand)" });
            return;
        }
        if (pool.count === undefined && pool.max === undefined) {
            ctx.addIssue({ code: "custom", path: ["max"], message: "expected max (the most runners) with min or schedules: sizing by demand needs an upper bound" });
            return;
        }
        if (pool.max !== undefined && pool.min !== undefined && pool.min > pool.max) {
            ctx.addIssue({ code: "custom", path: ["min"], message: `expected a min of at most max (${pool.max})` });
        }
        pool.schedules?.forEach((schedule, index) => {
            if (pool.max !== undefined && schedule.min > pool.max) {
                ctx.addIssue({ code: "custom", path: ["schedules", index, "min"], message: `expected a schedule's min of at most the pool's max (${pool.max})` });
            }
        });
    })
    .superRefine((pool, ctx) => {
        if (!pool.defaultLabels && pool.labels.length === 0) {
            ctx.addIssue({
                code: "custom",
                path: ["labels"],
                message: "expected at least one label when defaultLabels is false: GitHub registers a runner with 1 to 100 labels, and jobs find runners by label",
            });
        }
    })
    .transform(({ count, min, max, schedules, ...rest }) => {
        const sizing: PoolSizing =
            count !== undefined ? { kind: "fixed", count } : { kind: "demand", min: min ?? 0, max: max ?? 0, schedules: schedules ?? [] };
        return { ...rest, sizing };
    });

export const poolsSchema = z
    .array(poolSchema, { error: "expected a list of runner pools" })
    .min(1, "expected at least one runner pool")
    .superRefine((pools, ctx) => {
        const seen = new Set<string>();
        pools.forEach((pool, index) => {
            if (seen.has(pool.name)) {
                ctx.addIssue({ code: "custom", path: [index, "name"], message: "expected a pool name not used by another pool" });
            }
            seen.add(pool.name);
        });
    });
