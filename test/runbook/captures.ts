/**
 * What the runbook shows of a step: the output of one command from the walk (walk.ts), trimmed
 * to the lines that matter there, and the claims a shown output makes, which the runbook test
 * compares between the README and a fresh walk so the README cannot drift from the product:
 *
 * - per slot of a status table: slot, GitHub state, Nova state, image and the next up's action;
 * - per orphan row: its state (runner: GitHub state, pool, with or without a server; server:
 *   Nova state and its runner's GitHub state);
 * - every other line with what differs from run to run masked: runner-name suffixes (12 random
 *   hex), server ids (uuids), times, ages, runner ids, durations.
 */
import type { OperationResult } from "../harness/harness-stack";
import type { StatusReport } from "../../scripts/status/report";

export interface Capture {
    id: string;
    /** What the command printed (stdout, then stderr). */
    text: string;
    /** What the runbook shows of it. */
    shown: string;
    /** Exit code of a status command. */
    code?: number;
    /** The same moment's `npm run status -- --json`, for status captures. */
    report?: StatusReport;
    /** The harness operation, for preview/up/refresh/destroy captures. */
    operation?: OperationResult;
}

/** Drops a status text's first line (stack, scope, time) and, unless wanted, the orphan sections. */
export function trimStatus(text: string, keep: { orphans: boolean }): string {
    const lines = text.split("\n").slice(1);
    const kept: string[] = [];
    let inOrphans = false;
    for (const line of lines) {
        if (line.startsWith("Orphan runners on GitHub")) inOrphans = true;
        if (line.startsWith("Summary:")) inOrphans = false;
        if (inOrphans && !keep.orphans) continue;
        kept.push(line);
    }
    return collapseBlankLines(kept).join("\n").trim();
}

/** Drops the read of the stack's own outputs (every run makes it: components/fleet.ts's StackReference). */
export function trimOperation(text: string): string {
    return collapseBlankLines(text.split("\n").filter((line) => !line.includes("pulumi:pulumi:StackReference"))).join("\n").trim();
}

function collapseBlankLines(lines: string[]): string[] {
    return lines.filter((line, index) => line.trim() !== "" || (index > 0 && (lines[index - 1] ?? "").trim() !== ""));
}

const MASKS: [RegExp, string][] = [
    [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, "<uuid>"],
    [/-[0-9a-f]{12}\b/g, "-<hex>"],
    [/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z\b/g, "<time>"],
    [/\(id \d+\)/g, "(id <n>)"],
    [/\/runners\/\d+/g, "/runners/<n>"],
    [/^Duration: \d+s$/, "Duration: <n>s"],
];

function masked(line: string): string {
    let result = line.trim().replace(/\s+/g, " ");
    for (const [pattern, replacement] of MASKS) result = result.replace(pattern, replacement);
    return result;
}

/** Tables by their header's words; a row's cells are separated by two spaces or more (scripts/status/render.ts pads them). */
const TABLES: [string, (cells: string[]) => string][] = [
    ["SLOT RUNNER GITHUB NOVA IMAGE AGE NEXT UP", ([slot, , github, nova, image, , next]) => `slot ${slot} ${github} ${nova} ${image} ${(next ?? "").split(":")[0]}`],
    ["RUNNER ID GITHUB POOL SERVERS", ([, , github, pool, servers]) => `orphan runner ${github} ${pool} ${servers === "-" ? "without server" : "with server"}`],
    ["SERVER NAME NOVA AGE RUNNER ITS GITHUB", ([, , nova, , , its]) => `orphan server ${nova} ${its}`],
];

/**
 * The claims of a shown output, sorted (parallel steps print in any order). With
 * `slotIndices: false` slot numbers are masked too, for outputs where which slot comes first
 * depends on the order parallel creates finished in (e.g. the order `pulumi destroy` reaches slots);
 * with `images: false` the slot rows' image names are, for a walk that deployed another image.
 */
export function claimsOf(shown: string, options: { slotIndices?: boolean; images?: boolean } = {}): string[] {
    // A slot row's claim is "slot <n> <github> <nova> <image> <next>" (TABLES above).
    const claims = options.images === false ? claimLines(shown).map((claim) => claim.replace(/^(slot \S+ \S+ \S+) \S+ /, "$1 <image> ")) : claimLines(shown);
    if (options.slotIndices !== false) return claims.sort();
    // A slot's row, its resources (fleet-<pool>-<n>, fleet-<pool>-<n>-drain) and its runner (<prefix>-<pool>-<n>-<hex>).
    return claims.map((claim) => claim.replace(/^slot \d+ /, "slot <n> ").replace(/\b(fleet-[a-z0-9]+)-\d+\b/g, "$1-<n>").replace(/-\d+-<hex>/g, "-<n>-<hex>")).sort();
}

function claimLines(shown: string): string[] {
    const claims: string[] = [];
    let table: ((cells: string[]) => string) | undefined;
    for (const line of shown.split("\n")) {
        const words = line.trim().replace(/\s+/g, " ");
        const header = TABLES.find(([columns]) => words === columns);
        if (header !== undefined) {
            table = header[1];
            continue;
        }
        if (table !== undefined && /^ {2}\S/.test(line)) {
            claims.push(masked(table(line.trim().split(/\s{2,}/))));
            continue;
        }
        table = undefined;
        if (line.trim() !== "") claims.push(masked(line));
    }
    return claims;
}
