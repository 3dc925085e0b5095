/**
 * What every command of the double works with: the environment, the working
 * directory (where the Automation API runs the CLI: the project directory),
 * stdout/stderr, the project, the backend and the stack a command is about.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseStackName, DiyBackend } from "./backend";
import type { ParsedFlags } from "./args";
import { CliError } from "./errors";
import { findProject, type Project } from "./project";
import { selectedStack } from "./workspace";

export interface Output {
    out(text: string): void;
    err(text: string): void;
}

/** The CLI version the double answers with: the version of the SDK this project pins (CLI and SDK are released together). */
export function cliVersion(): string {
    const manifest = path.join(__dirname, "..", "..", "node_modules", "@pulumi", "pulumi", "package.json");
    return `v${(JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version}`;
}

export class Context {
    private projectCache: Project | undefined;
    private backendCache: DiyBackend | undefined;

    constructor(
        readonly env: NodeJS.ProcessEnv,
        readonly cwd: string,
        readonly io: Output,
    ) {}

    project(): Project {
        this.projectCache ??= findProject(this.cwd);
        return this.projectCache;
    }

    backend(): DiyBackend {
        this.backendCache ??= DiyBackend.fromEnvironment(this.env, this.project().name);
        return this.backendCache;
    }

    /** --stack, else the positional name, else the selected stack (pkg/cmd/pulumi/stack RequireStack, non-interactive). */
    stackName(flags: ParsedFlags, positional?: string): string {
        const flag = flags.strings.get("stack");
        if (flag !== undefined && positional !== undefined) throw new CliError("only one of --stack or argument stack name may be specified, not both", 2);
        const given = flag ?? positional ?? selectedStack(this.project(), this.env);
        // backenderr.NoStackSelectedError
        if (given === undefined || given === "") throw new CliError("no stack selected; specify a stack name with --stack", 6);
        return parseStackName(given, this.project().name);
    }

    /** The stack, which must exist. */
    existingStack(flags: ParsedFlags, positional?: string): string {
        const stack = this.stackName(flags, positional);
        this.backend().requireStack(stack);
        return stack;
    }
}

/** ui.FprintJSON: two-space indent, no HTML escaping, a trailing newline (struct fields keep their order). */
export function printJson(value: unknown): string {
    return `${JSON.stringify(value, null, 2)}\n`;
}

/** Go's encoding/json writes map keys sorted. */
export function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
}
