/**
 * Where a process spent its CPU, from V8 CPU profiles (`node --cpu-prof`, the .cpuprofile JSON of
 * the DevTools protocol's Profiler.Profile: nodes with callFrame and children, samples[] naming
 * the node on top of the stack at each tick, timeDeltas[] the microseconds before each sample).
 * Self time of a node = the time deltas of the samples that hit it; totals add up self times.
 *
 *   npx tsx scripts/bench/profile-summary.ts [--top 20] FILE.cpuprofile...
 *
 * Prints, per file, the top functions and the top code locations (package, project file or
 * Node internals) by self time.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

interface CallFrame {
    functionName: string;
    url: string;
    lineNumber: number;
    columnNumber: number;
}

interface ProfileNode {
    id: number;
    callFrame: CallFrame;
    children?: number[];
}

export interface CpuProfile {
    nodes: ProfileNode[];
    startTime: number;
    endTime: number;
    samples: number[];
    timeDeltas: number[];
}

export interface SelfTime {
    name: string;
    /** Microseconds. */
    micros: number;
}

export interface ProfileSummary {
    totalMicros: number;
    functions: SelfTime[];
    locations: SelfTime[];
    /** Time with the function anywhere on the stack (self + callees), each sample counted once per function. */
    inclusive: SelfTime[];
}

/** Where code lives: "<package>" for node_modules, "project: <path>" for the project's own files, "node:<module>" for Node's. */
export function locationOf(url: string, projectRoot: string): string {
    if (url === "") return "(V8/native)";
    const file = url.startsWith("file://") ? decodeURIComponent(new URL(url).pathname) : url;
    const modules = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
    if (modules >= 0) {
        const parts = file.slice(modules + "/node_modules/".length).split(path.sep);
        return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
    }
    if (file.startsWith(projectRoot + path.sep)) return `project: ${path.relative(projectRoot, file)}`;
    if (file.startsWith("node:")) return file;
    return file;
}

/** Which process wrote the profile: the SDK's dynamic-provider host, its cmd/run (the program), or another (the harness). */
export function processOf(profile: CpuProfile): "provider host" | "program" | "other" {
    const urls = profile.nodes.map((node) => node.callFrame.url);
    if (urls.some((url) => url.includes("/cmd/dynamic-provider/"))) return "provider host";
    if (urls.some((url) => url.includes("/cmd/run/"))) return "program";
    return "other";
}

function sorted(times: Map<string, number>, top: number): SelfTime[] {
    return [...times.entries()]
        .map(([name, micros]) => ({ name, micros }))
        .sort((a, b) => b.micros - a.micros)
        .slice(0, top);
}

export function summarizeProfile(profile: CpuProfile, projectRoot: string, top = 20): ProfileSummary {
    if (!Array.isArray(profile.nodes) || !Array.isArray(profile.samples) || !Array.isArray(profile.timeDeltas) || profile.samples.length !== profile.timeDeltas.length) {
        throw new Error("not a V8 CPU profile: expected nodes[], samples[] and timeDeltas[] of the same length (node --cpu-prof output)");
    }
    const selfByNode = new Map<number, number>();
    profile.samples.forEach((node, index) => selfByNode.set(node, (selfByNode.get(node) ?? 0) + Math.max(0, profile.timeDeltas[index]!)));
    const functions = new Map<string, number>();
    const locations = new Map<string, number>();
    const inclusive = new Map<string, number>();
    const parents = new Map<number, number>();
    const names = new Map<number, string>();
    for (const node of profile.nodes) {
        for (const child of node.children ?? []) parents.set(child, node.id);
        const { functionName, url, lineNumber } = node.callFrame;
        const where = url === "" ? "" : ` ${locationOf(url, projectRoot).replace(/^project: /, "")}:${lineNumber + 1}`;
        names.set(node.id, `${functionName || "(anonymous)"}${where}`);
    }
    let totalMicros = 0;
    for (const node of profile.nodes) {
        const micros = selfByNode.get(node.id) ?? 0;
        if (micros === 0) continue;
        totalMicros += micros;
        const name = names.get(node.id)!;
        const location = locationOf(node.callFrame.url, projectRoot);
        functions.set(name, (functions.get(name) ?? 0) + micros);
        locations.set(location, (locations.get(location) ?? 0) + micros);
        const onStack = new Set<string>();
        for (let id: number | undefined = node.id; id !== undefined; id = parents.get(id)) onStack.add(names.get(id)!);
        for (const caller of onStack) inclusive.set(caller, (inclusive.get(caller) ?? 0) + micros);
    }
    for (const root of ["(root)", "(idle)", "(program)", "(garbage collector)"]) inclusive.delete(root);
    return { totalMicros, functions: sorted(functions, top), locations: sorted(locations, top), inclusive: sorted(inclusive, top) };
}

export function formatSummary(title: string, summary: ProfileSummary): string {
    const line = (entry: SelfTime): string =>
        `  ${(entry.micros / 1000).toFixed(0).padStart(7)} ms  ${((100 * entry.micros) / summary.totalMicros).toFixed(1).padStart(5)}%  ${entry.name}`;
    return [
        `${title}: ${(summary.totalMicros / 1e6).toFixed(1)} s of samples`,
        " top functions by self time:",
        ...summary.functions.map(line),
        " top locations by self time:",
        ...summary.locations.map(line),
        " top functions by total time (self and callees):",
        ...summary.inclusive.map(line),
    ].join("\n");
}

function main(argv: string[]): void {
    let top = 20;
    const files: string[] = [];
    for (let index = 0; index < argv.length; index++) {
        if (argv[index] === "--top") {
            top = Number(argv[++index]);
            if (!Number.isInteger(top) || top < 1) throw new Error(`--top: expected a whole number of at least 1, got ${argv[index]}`);
        } else {
            files.push(argv[index]!);
        }
    }
    if (files.length === 0) throw new Error("usage: npx tsx scripts/bench/profile-summary.ts [--top N] FILE.cpuprofile...");
    const projectRoot = path.resolve(__dirname, "..", "..");
    for (const file of files) {
        const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
        console.log(formatSummary(`${file} (${processOf(profile)})`, summarizeProfile(profile, projectRoot, top)));
    }
}

if (require.main === module) {
    try {
        main(process.argv.slice(2));
    } catch (error) {
        console.error(error instanceof Error ? error.message : String(error));
        process.exitCode = 1;
    }
}
