/**
 * The benchmark's arithmetic and its table: timings summarised (min, median, max), the ratio of
 * the fleet to the bare baseline, and the targets (issue 8 item 8): a steady-state `up`
 * at N=1000 within 1.5x the bare baseline and under 1 GB, demand event -> `up` finished under
 * 30 s at N=100. Pure: the benchmark measures, this only computes and formats.
 */

export interface Spread {
    min: number;
    median: number;
    max: number;
}

export function spread(values: readonly number[]): Spread {
    if (values.length === 0) throw new Error("spread: no values; expected at least one measurement");
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
    return { min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
}

/** One program's steady-state `up`s at N runners (or instances). */
export interface UpSeries {
    label: string;
    runners: number;
    /** Seconds per `up`. */
    seconds: number[];
    /** Peak RSS in bytes per process role over all the measured `up`s. */
    peaks: Record<string, number>;
    /** CPU seconds per `up`, per process role (what a loaded machine distorts least). */
    cpuSeconds: Record<string, number[]>;
}

export const TARGETS = {
    /** Steady-state `up` of the fleet, as a multiple of the bare baseline's (medians). */
    ratio: 1.5,
    /** Peak RSS of the program's processes (program + dynamic-provider host), bytes. */
    memoryBytes: 1024 ** 3,
    /** Demand event -> `up` finished, seconds (at N=100). */
    demandSeconds: 30,
} as const;

/** The processes a real `pulumi up` runs for this program besides the (Go) engine the harness stands in for. */
export const PROGRAM_ROLES = ["program", "provider host"] as const;

export function programPeak(series: UpSeries): number {
    return PROGRAM_ROLES.reduce((sum, role) => sum + (series.peaks[role] ?? 0), 0);
}

export interface Verdicts {
    ratio: number;
    ratioPasses: boolean;
    memoryPasses: boolean;
    demandPasses: boolean | undefined;
}

export function verdicts(fleet: UpSeries, bare: UpSeries, demandSeconds: readonly number[]): Verdicts {
    const ratio = spread(fleet.seconds).median / spread(bare.seconds).median;
    return {
        ratio,
        ratioPasses: ratio <= TARGETS.ratio,
        memoryPasses: programPeak(fleet) < TARGETS.memoryBytes,
        demandPasses: demandSeconds.length === 0 ? undefined : spread(demandSeconds).max < TARGETS.demandSeconds,
    };
}

const MB = 1024 * 1024;

function seconds(value: number): string {
    return value.toFixed(1);
}

function megabytes(bytes: number | undefined): string {
    return bytes === undefined ? "-" : `${Math.round(bytes / MB)} MB`;
}

function pad(cells: string[][]): string {
    const widths = cells[0]!.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
    return cells.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n");
}

export function formatTable(fleet: UpSeries, bare: UpSeries, demand: { runners: number; seconds: number[] } | undefined, roles: readonly string[]): string {
    const verdict = verdicts(fleet, bare, demand?.seconds ?? []);
    const header = ["program", "N", "s/up min", "median", "max", "ms/runner", "x bare", ...roles.map((role) => `peak ${role}`), ...roles.map((role) => `cpu s ${role}`), "cpu x bare"];
    const cpuTotal = (series: UpSeries): number => roles.reduce((sum, role) => sum + (series.cpuSeconds[role] === undefined ? 0 : spread(series.cpuSeconds[role]).median), 0);
    const row = (series: UpSeries, ratio: string): string[] => {
        const s = spread(series.seconds);
        return [
            series.label,
            String(series.runners),
            seconds(s.min),
            seconds(s.median),
            seconds(s.max),
            ((s.median * 1000) / series.runners).toFixed(1),
            ratio,
            ...roles.map((role) => megabytes(series.peaks[role])),
            ...roles.map((role) => (series.cpuSeconds[role] === undefined ? "-" : seconds(spread(series.cpuSeconds[role]).median))),
            (cpuTotal(series) / cpuTotal(bare)).toFixed(2),
        ];
    };
    const lines = [pad([header, row(fleet, verdict.ratio.toFixed(2)), row(bare, "1.00")]), ""];
    const pass = (ok: boolean | undefined): string => (ok === undefined ? "not measured" : ok ? "PASS" : "FAIL");
    lines.push(`target: steady-state up within ${TARGETS.ratio}x the bare baseline (medians): ${verdict.ratio.toFixed(2)}x  ${pass(verdict.ratioPasses)}`);
    lines.push(`target: program + provider host peak under ${megabytes(TARGETS.memoryBytes)}: ${megabytes(programPeak(fleet))}  ${pass(verdict.memoryPasses)}`);
    if (demand !== undefined) {
        const d = spread(demand.seconds);
        lines.push(
            `target: demand event -> up finished under ${TARGETS.demandSeconds} s at N=${demand.runners}: min ${seconds(d.min)} / median ${seconds(d.median)} / max ${seconds(d.max)} s  ${pass(verdict.demandPasses)}`,
        );
    }
    return lines.join("\n");
}
