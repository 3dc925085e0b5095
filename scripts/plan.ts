/**
 * Offline plan: what a stack would deploy, without cloud or GitHub
 * credentials and without the Pulumi CLI. Run `npm run plan -- --help`.
 *
 * This file is the command-line front: arguments, finding and reading the
 * stack file, and writing the result. `secure:` values cannot be decrypted
 * without the stack's key, so scripts/plan/ evaluates the program with
 * placeholders for them (masked in the output). A bad config fails with the
 * same message `pulumi up` would give.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import yaml from "js-yaml";
import { PROJECT, stackConfigFromYaml } from "./plan/stack-file";

const USAGE = `Usage: npm run plan -- --stack <name> [--dir <path>] [--json] [--no-userdata] [--without-environment]

Shows what a stack would deploy (resources, key properties, rendered userdata)
from its stack file Pulumi.<name>.yaml, without cloud or GitHub credentials and
without the Pulumi CLI. secure: values cannot be decrypted here: they are
planned with placeholders and printed masked.

Options:
  -s, --stack <name>       the stack to plan (required; the offline plan cannot
                           ask the Pulumi CLI which stack is selected)
  -d, --dir <path>         the project directory holding the stack files (default: .)
      --json               machine-readable output
      --no-userdata        leave the rendered userdata out of the text output
      --without-environment
                           plan a stack file that imports Pulumi ESC environments
                           (environment:) from its own config: alone
  -h, --help               show this help

Exit status: 0 planned; 2 bad arguments, missing or unreadable stack file, or
invalid configuration; 1 any other failure.
`;

const OPTIONS = {
    stack: { type: "string", short: "s" },
    dir: { type: "string", short: "d" },
    json: { type: "boolean" },
    "no-userdata": { type: "boolean" },
    "without-environment": { type: "boolean" },
    help: { type: "boolean", short: "h" },
} as const;

/** A mistake on the command line: printed with a pointer to --help, exit status 2. */
class UsageError extends Error {}
/** A stack file the offline plan cannot use (missing, unreadable, not YAML, ESC, invalid config): exit status 2. */
class StackFileError extends Error {}

interface PlanArguments {
    stack: string;
    dir: string;
    json: boolean;
    userdata: boolean;
    withoutEnvironment: boolean;
}

const optionLabel = (name: string) => {
    const short = (OPTIONS as Record<string, { short?: string }>)[name]?.short;
    return short === undefined ? `--${name}` : `-${short}/--${name}`;
};

/** Parses argv leniently, then checks every token itself, so each mistake gets its own message. */
function parseArguments(argv: string[]): PlanArguments | "help" {
    const { values, tokens } = parseArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
    for (const token of tokens) {
        if (token.kind === "positional") {
            throw new UsageError(`unexpected argument "${token.value}"; name the stack with --stack ${token.value}`);
        }
        if (token.kind !== "option") continue;
        const option = (OPTIONS as Record<string, { type: "string" | "boolean" }>)[token.name];
        if (option === undefined) throw new UsageError(`unknown option ${token.rawName}`);
        if (option.type === "string" && (token.value === undefined || token.value === "")) {
            throw new UsageError(`${optionLabel(token.name)} needs a value`);
        }
        if (option.type === "string" && token.inlineValue !== true && token.value?.startsWith("-")) {
            throw new UsageError(`${optionLabel(token.name)} needs a value; got the option ${token.value}`);
        }
        if (option.type === "boolean" && token.value !== undefined) {
            throw new UsageError(`${token.rawName} takes no value (got "${token.value}")`);
        }
    }
    if (values.help === true) return "help";
    const stack = values.stack;
    if (typeof stack !== "string") {
        throw new UsageError("name the stack to plan with --stack <name> (the offline plan reads Pulumi.<name>.yaml and cannot ask the Pulumi CLI which stack is selected)");
    }
    checkStackName(stack);
    return {
        stack,
        dir: typeof values.dir === "string" ? values.dir : ".",
        json: values.json === true,
        userdata: values["no-userdata"] !== true,
        withoutEnvironment: values["without-environment"] === true,
    };
}

/** Pulumi's own rule, from pulumi/pulumi pkg/backend/diy/backend.go (validateStackName): ^[A-Za-z0-9_.-]{1,100}$. */
function checkStackName(stack: string): void {
    if (stack.includes("/")) {
        const short = stack.slice(stack.lastIndexOf("/") + 1);
        throw new UsageError(`--stack takes the stack's own name, as in Pulumi.<name>.yaml (got "${stack}"); for a qualified name give the part after the last "/": --stack ${short}`);
    }
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(stack)) {
        throw new UsageError(`--stack "${stack}" is not a stack name: expected 1 to 100 letters, digits, "-", "_" or "."`);
    }
}

const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;

function stacksIn(dir: string): string[] {
    return readdirSync(dir)
        .map((name) => STACK_FILE.exec(name)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

function readStackFile(dir: string, stack: string): { file: string; text: string } {
    const directory = resolve(dir);
    let isDirectory: boolean;
    try {
        isDirectory = statSync(directory).isDirectory();
    } catch {
        isDirectory = false;
    }
    if (!isDirectory) throw new UsageError(`--dir ${dir}: no such directory (expected the project directory, the one with Pulumi.yaml)`);
    const file = join(directory, `Pulumi.${stack}.yaml`);
    try {
        return { file, text: readFileSync(file, "utf8") };
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== "ENOENT") throw new StackFileError(`cannot read the stack file ${file} (${code ?? String(error)})`);
        const stacks = stacksIn(directory);
        const known =
            stacks.length === 0
                ? `There is no Pulumi.<stack>.yaml in ${directory}; is it the project directory (the one with Pulumi.yaml)? Pass it with --dir.`
                : `Stacks with a file there: ${stacks.join(", ")}.`;
        throw new StackFileError(`no stack file for stack "${stack}": ${file} does not exist. ${known}`);
    }
}

/** The environments a stack file's `environment:` imports, as Pulumi reads them (pulumi/pulumi sdk/go/common/workspace/project.go, Environment.Imports): a list of names, or an inline ESC definition with `imports:` (and maybe `values:`). */
function escImports(environment: unknown): string[] {
    const importName = (entry: unknown) => (typeof entry === "string" ? entry : entry !== null && typeof entry === "object" ? Object.keys(entry).join(", ") : String(entry));
    if (Array.isArray(environment)) return environment.map(importName);
    if (environment !== null && typeof environment === "object") {
        const definition = environment as { imports?: unknown; values?: unknown };
        const names = Array.isArray(definition.imports) ? definition.imports.map(importName) : [];
        return definition.values === undefined ? names : [...names, "inline values"];
    }
    return [String(environment)];
}

/** The stack file's YAML, checked for what the offline plan cannot do; secrets stay out of every message (no YAML snippet is echoed). */
function checkStackDocument(file: string, text: string, withoutEnvironment: boolean): void {
    let document: unknown;
    try {
        document = yaml.load(text);
    } catch (error) {
        if (!(error instanceof yaml.YAMLException)) throw error;
        throw new StackFileError(`${file}: not valid YAML: ${error.reason} (line ${error.mark.line + 1}, column ${error.mark.column + 1})`);
    }
    if (document === undefined || document === null) return;
    if (typeof document !== "object" || Array.isArray(document)) {
        throw new StackFileError(`${file}: expected a mapping at the top level (with a config: section), got ${Array.isArray(document) ? "a list" : typeof document}`);
    }
    const environment = (document as Record<string, unknown>).environment;
    if (environment === undefined || environment === null || withoutEnvironment) return;
    throw new StackFileError(
        `${file}: the stack imports Pulumi ESC environments (environment: ${escImports(environment).join(", ")}), and the offline plan cannot open them: ` +
            "Pulumi Cloud resolves them when the Pulumi CLI runs. Plan the file's own config: without them with --without-environment, or use `pulumi preview`.",
    );
}

const PLACEHOLDER_PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\noffline plan placeholder\n-----END PRIVATE KEY-----\n";
const placeholder = (path: string) => (path.endsWith(":githubAppPrivateKey") ? PLACEHOLDER_PRIVATE_KEY : "offline-plan-placeholder");

/** Resolves once the text is handed to the OS: exiting earlier cuts a piped plan at the pipe's buffer. */
function writeFully(stream: NodeJS.WriteStream, text: string): Promise<void> {
    return new Promise((done, fail) => stream.write(text, (error) => (error ? fail(error) : done())));
}

async function plan(args: PlanArguments): Promise<void> {
    const { file, text } = readStackFile(args.dir, args.stack);
    checkStackDocument(file, text, args.withoutEnvironment);
    if (args.withoutEnvironment) process.stderr.write(`plan: ${file}: planning without its environment: section; values its ESC environments provide are missing\n`);
    const { config, secretKeys } = stackConfigFromYaml(text, PROJECT, placeholder);
    // Loaded only now: the program and the SDK take a second to load, which --help and bad arguments need not wait for.
    const [{ ConfigError }, { evaluateOffline }, { renderPlanJson, renderPlanText }] = await Promise.all([
        import("../components/config/index.js"),
        import("./plan/offline-engine.js"),
        import("./plan/render.js"),
    ]);
    const run = await evaluateOffline({ project: PROJECT, stack: args.stack, config, secretKeys, preview: true }).catch((error: unknown) => {
        throw error instanceof ConfigError ? new StackFileError(`${file}: ${error.message}`) : error;
    });
    await writeFully(process.stdout, args.json ? renderPlanJson(run, args.stack) : renderPlanText(run, args.stack, args.userdata));
}

function isBrokenPipe(error: unknown): boolean {
    return (error as NodeJS.ErrnoException | undefined)?.code === "EPIPE";
}

async function main(argv: string[]): Promise<number> {
    // Without a listener a stream error would crash the process; the pending write's callback reports it to the catch below.
    process.stdout.on("error", () => undefined);
    try {
        const args = parseArguments(argv);
        if (args === "help") {
            await writeFully(process.stdout, USAGE);
            return 0;
        }
        await plan(args);
        return 0;
    } catch (error) {
        // A reader that goes away early (`| head`) is not a failure of the plan.
        if (isBrokenPipe(error)) return 0;
        if (error instanceof UsageError) {
            await writeFully(process.stderr, `plan: ${error.message}\nRun with --help for usage.\n`);
            return 2;
        }
        if (error instanceof StackFileError) {
            await writeFully(process.stderr, `plan: ${error.message}\n`);
            return 2;
        }
        await writeFully(process.stderr, `plan failed: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
    }
}

// exitCode, not process.exit(): the process ends once stdout has drained.
main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
});
