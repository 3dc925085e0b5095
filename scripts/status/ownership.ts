/**
 * Which runners and servers carry this stack's marks, by the program's own
 * naming rules (components/naming.ts): a slot's runner is named
 * runnerName("<namePrefix>-<pool>-<slot index>", <12 hex>) (components/pool.ts
 * and runner.ts), which cuts a long prefix to fit GitHub's 64 characters; its
 * server carries stackOwnership(stack) plus pool, slot and runner metadata.
 * Pure.
 */
import { METADATA_PREFIX, RUNNER_SUFFIX_LENGTH, runnerName, stackOwnership } from "../../components/naming";

const SUFFIX = new RegExp(`^(.*)-([0-9a-f]{${RUNNER_SUFFIX_LENGTH}})$`);

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * True when `name` is a name the program gives a runner of `pool` under `namePrefix`:
 * recomputed with runnerName for the slot index the name shows (or any index, when the
 * prefix was cut before it), so a prefix that merely starts the same (pool "gpu" and
 * "gpu-large") never matches.
 */
export function isPoolRunnerName(name: string, namePrefix: string, pool: string): boolean {
    const match = SUFFIX.exec(name);
    if (match === null) return false;
    const [, head, suffix] = match as unknown as [string, string, string];
    const poolPrefix = `${namePrefix}-${pool}`;
    const shown = new RegExp(`^${escapeRegExp(poolPrefix)}-(\\d+)`).exec(head);
    const index = shown?.[1] ?? "0";
    return runnerName(`${poolPrefix}-${index}`, suffix) === name;
}

/** The pool (of `pools`) whose runner names `name` fits, or undefined. */
export function poolOfRunnerName(name: string, namePrefix: string, pools: Iterable<string>): string | undefined {
    for (const pool of pools) if (isPoolRunnerName(name, namePrefix, pool)) return pool;
    return undefined;
}

export interface ServerMarks {
    pool: string;
    slot: string | undefined;
    runner: string;
}

/**
 * The pool, slot and runner a server's metadata names, when it carries this stack's
 * ownership mark and a runner name of this stack's naming; undefined otherwise (a server
 * of another stack, or of another project's stack of the same name with another prefix).
 */
export function serverMarks(metadata: Readonly<Record<string, string>>, stack: string, namePrefix: string): ServerMarks | undefined {
    const owned = Object.entries(stackOwnership(stack)).every(([key, value]) => metadata[key] === value);
    if (!owned) return undefined;
    const pool = metadata[`${METADATA_PREFIX}pool`];
    const runner = metadata[`${METADATA_PREFIX}runner`];
    if (pool === undefined || runner === undefined || !isPoolRunnerName(runner, namePrefix, pool)) return undefined;
    return { pool, slot: metadata[`${METADATA_PREFIX}slot`], runner };
}
