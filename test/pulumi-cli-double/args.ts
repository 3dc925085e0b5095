/**
 * Command-line parsing as the Pulumi CLI's (cobra + pflag) does it, for the
 * commands the double answers: command words first, then flags anywhere
 * (`--name value`, `--name=value`, booleans as `--name` or `--name=false`,
 * single-letter shorthands), `--` ending the flags. An unknown flag or command
 * is refused the way cobra words it ("unknown flag: --x", "unknown command").
 */
import { CliError } from "./errors";

export type FlagKind = "string" | "bool" | "int" | "strings";

export interface FlagSpec {
    kind: FlagKind;
    short?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

/**
 * Persistent flags of the root command (pulumi/pulumi pkg/cmd/pulumi/pulumi.go NewPulumiCmd),
 * accepted by every command.
 */
export const GLOBAL_FLAGS: FlagSpecs = {
    "non-interactive": { kind: "bool" },
    color: { kind: "string" },
    logflow: { kind: "bool" },
    logtostderr: { kind: "bool" },
    verbose: { kind: "int", short: "v" },
    tracing: { kind: "string" },
    "tracing-header": { kind: "string" },
    profiling: { kind: "string" },
    memprofilerate: { kind: "int" },
    emoji: { kind: "bool" },
    "disable-integrity-checking": { kind: "bool" },
    "fully-qualify-stack-names": { kind: "bool" },
    "otel-traces": { kind: "string" },
};

/** A malformed command line: exit code 2 (ExitConfigurationError). */
export class CliUsageError extends CliError {
    constructor(message: string) {
        super(message, 2);
    }
}

export interface ParsedFlags {
    strings: Map<string, string>;
    bools: Map<string, boolean>;
    lists: Map<string, string[]>;
    positionals: string[];
}

const TRUE_WORDS = new Set(["1", "t", "T", "true", "TRUE", "True"]);
const FALSE_WORDS = new Set(["0", "f", "F", "false", "FALSE", "False"]);

/** Parses the flags after the command words; `specs` are the command's own flags (the global ones are added). */
export function parseFlags(args: readonly string[], specs: FlagSpecs): ParsedFlags {
    const all: FlagSpecs = { ...GLOBAL_FLAGS, ...specs };
    const byShort = new Map(Object.entries(all).filter(([, spec]) => spec.short !== undefined).map(([name, spec]) => [spec.short as string, name]));
    const parsed: ParsedFlags = { strings: new Map(), bools: new Map(), lists: new Map(), positionals: [] };
    for (let i = 0; i < args.length; i++) {
        const arg = args[i] as string;
        if (arg === "--") {
            parsed.positionals.push(...args.slice(i + 1));
            break;
        }
        let name: string;
        let inline: string | undefined;
        if (arg.startsWith("--")) {
            const eq = arg.indexOf("=");
            name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
            inline = eq < 0 ? undefined : arg.slice(eq + 1);
            if (all[name] === undefined) throw new CliUsageError(`unknown flag: --${name}`);
        } else if (arg.startsWith("-") && arg.length > 1) {
            const short = arg.slice(1, 2);
            const long = byShort.get(short);
            if (long === undefined) throw new CliUsageError(`unknown shorthand flag: '${short}' in ${arg}`);
            name = long;
            inline = arg.length > 2 ? arg.slice(arg[2] === "=" ? 3 : 2) : undefined;
        } else {
            parsed.positionals.push(arg);
            continue;
        }
        const spec = all[name] as FlagSpec;
        if (spec.kind === "bool") {
            if (inline === undefined) parsed.bools.set(name, true);
            else if (TRUE_WORDS.has(inline)) parsed.bools.set(name, true);
            else if (FALSE_WORDS.has(inline)) parsed.bools.set(name, false);
            else throw new CliUsageError(`invalid argument "${inline}" for "--${name}" flag: strconv.ParseBool: parsing "${inline}": invalid syntax`);
            continue;
        }
        let value = inline;
        if (value === undefined) {
            if (i + 1 >= args.length) throw new CliUsageError(`flag needs an argument: --${name}`);
            value = args[++i] as string;
        }
        if (spec.kind === "int" && !/^-?\d+$/.test(value)) {
            throw new CliUsageError(`invalid argument "${value}" for "--${name}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`);
        }
        if (spec.kind === "strings") parsed.lists.set(name, [...(parsed.lists.get(name) ?? []), value]);
        else parsed.strings.set(name, value);
    }
    return parsed;
}

export function flagBool(flags: ParsedFlags, name: string): boolean {
    return flags.bools.get(name) ?? false;
}
