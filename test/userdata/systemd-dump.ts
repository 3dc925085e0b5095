import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * How the real systemd reads a unit: `systemd --test` loads units (with their
 * drop-ins) from SYSTEMD_UNIT_PATH, dumps its parsed view and exits without
 * starting anything. It refuses to run as root, so it runs as nobody; the unit
 * directories must be world-readable.
 */
export const SYSTEMD_BINARY = "/lib/systemd/systemd";

export interface UnitDump {
    /** Parsed settings, e.g. "User" -> ["ubuntu"], "Environment" -> ["A=1", "B=2"], "ExecStart" -> [command line]. */
    settings: Map<string, string[]>;
    /** systemd's complaints about our unit files (unknown keys, parse errors). */
    warnings: string[];
}

export function dumpUnit(unitName: string, unitDirs: string[]): UnitDump {
    if (!existsSync(SYSTEMD_BINARY)) {
        throw new Error(`${SYSTEMD_BINARY} is missing: install the "systemd" package (apt-get install systemd)`);
    }
    const result = spawnSync(
        "setpriv",
        ["--reuid=65534", "--regid=65534", "--clear-groups", SYSTEMD_BINARY, "--test", "--system", `--unit=${unitName}`, "--no-pager", "--log-target=console"],
        // The trailing ":" appends the host's default unit directories (targets and the like).
        { encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", SYSTEMD_UNIT_PATH: `${unitDirs.join(":")}:` }, timeout: 60_000 },
    );
    const output = `${result.stdout}${result.stderr}`;
    const lines = output.split("\n");
    const start = lines.indexOf(`\t-> Unit ${unitName}:`);
    if (start < 0) {
        throw new Error(`systemd --test did not dump ${unitName} (status ${result.status}):\n${output.slice(0, 2000)}`);
    }
    const settings = new Map<string, string[]>();
    let nested: string | undefined;
    for (const line of lines.slice(start + 1)) {
        if (line.startsWith("\t-> Unit ") || !line.startsWith("\t\t")) {
            break;
        }
        const nestedHeader = /^\t\t-> (\w+):$/.exec(line);
        if (nestedHeader) {
            nested = nestedHeader[1];
            continue;
        }
        const commandLine = /^\t\t\tCommand Line: (.*)$/.exec(line);
        if (commandLine && nested !== undefined) {
            settings.set(nested, [...(settings.get(nested) ?? []), commandLine[1] ?? ""]);
            continue;
        }
        const setting = /^\t\t([^\t:][^:]*): ?(.*)$/.exec(line);
        if (setting) {
            nested = undefined;
            const [, key = "", value = ""] = setting;
            settings.set(key, [...(settings.get(key) ?? []), value]);
        }
    }
    const warnings = lines.filter((line) => unitDirs.some((dir) => line.startsWith(`${dir}/`)));
    return { settings, warnings };
}
