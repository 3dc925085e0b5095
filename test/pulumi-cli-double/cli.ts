/**
 * A test double of the `pulumi` CLI for the commands the Automation API issues
 * (see README.md here): the `pulumi` script beside this file runs it, and
 * tests put this directory first on PATH. Errors end as the CLI ends them:
 * "error: <message>" on stderr and the exit code of errors.ts.
 */
import { userInfo } from "node:os";
import { CliUsageError, flagBool, parseFlags } from "./args";
import { Context, cliVersion, printJson } from "./context";
import { CliError } from "./errors";
import { startInvocation } from "./invocations";

async function dispatch(context: Context, argv: string[]): Promise<void> {
    const [command, ...rest] = argv;
    switch (command) {
        case "version":
            parseFlags(rest, {});
            // pkg/cmd/pulumi/version/version.go: the version and a newline.
            context.io.out(`${cliVersion()}\n`);
            return;
        case "whoami": {
            const flags = parseFlags(rest, { json: { kind: "bool", short: "j" }, output: { kind: "string" }, verbose: { kind: "bool" } });
            // whoami.go; the diy backend's user is the OS user, without organizations (backend.go CurrentUser).
            const user = userInfo().username;
            const url = context.backend().url;
            if (flagBool(flags, "json") || flags.strings.get("output") === "json") context.io.out(printJson({ user, url }));
            else if (flagBool(flags, "verbose")) context.io.out(`User: ${user}\nOrganizations: \nBackend URL: ${url}\nToken type: personal\n`);
            else context.io.out(`${user}\n`);
            return;
        }
        // Commands are loaded when used: the engine harness behind them is slow to load.
        case "stack": {
            const sub = rest[0] !== undefined && !rest[0].startsWith("-") ? rest[0] : undefined;
            return (require("./stack-commands") as typeof import("./stack-commands")).stackCommand(context, sub, sub === undefined ? rest : rest.slice(1));
        }
        case "config":
            return (require("./config-commands") as typeof import("./config-commands")).configCommand(context, rest);
        case "preview":
        case "up":
        case "refresh":
        case "destroy":
            return (require("./operation-commands") as typeof import("./operation-commands")).operationCommand(context, command, rest);
        case "update":
            return (require("./operation-commands") as typeof import("./operation-commands")).operationCommand(context, "up", rest);
        case "cancel": {
            const flags = parseFlags(rest, { stack: { kind: "string", short: "s" }, yes: { kind: "bool", short: "y" } });
            const stack = context.existingStack(flags, flags.positionals[0]);
            // cancel.go; the diy backend deletes every lock file of the stack (backend.go CancelCurrentUpdate).
            context.backend().cancel(stack);
            context.io.out(`The currently running update for '${stack}' has been canceled!\n`);
            return;
        }
        case undefined:
            throw new CliUsageError("the pulumi test double needs a command");
        default:
            throw new CliUsageError(`unknown command "${command}" for "pulumi"`);
    }
}

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    const finish = startInvocation(argv, process.env);
    const context = new Context(process.env, process.cwd(), {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
    });
    let exitCode = 0;
    try {
        await dispatch(context, argv);
    } catch (error) {
        exitCode = error instanceof CliError ? error.exitCode : 255;
        const message = error instanceof Error ? error.message : String(error);
        if (message !== "") process.stderr.write(`error: ${message}\n`);
        if (!(error instanceof CliError) && error instanceof Error && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
    }
    finish(exitCode);
    process.exitCode = exitCode;
}

void main();
