/**
 * The demand file the program reads (env RUNNER_DEMAND_FILE): written before
 * each `up`, whole or not at all (a temporary file renamed over the old one,
 * atomic within a file system), so a program never reads half a file.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { serializeDemandSnapshot, type DemandSnapshot } from "../../components/demand/snapshot";

export const DEMAND_FILE_VARIABLE = "RUNNER_DEMAND_FILE";

export function writeDemandFile(file: string, snapshot: DemandSnapshot): void {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}.tmp`;
    try {
        writeFileSync(temporary, serializeDemandSnapshot(snapshot), { mode: 0o600 });
        renameSync(temporary, file);
    } catch (error) {
        rmSync(temporary, { force: true });
        throw error;
    }
}
