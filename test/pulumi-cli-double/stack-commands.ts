/**
 * `pulumi stack select|init|ls|output|export|history|rm`, with the JSON shapes
 * of pulumi/pulumi v3.259 pkg/cmd/pulumi/stack: stack_list.go
 * (stackSummaryJSON), stack_output.go (a map of outputs, secrets "[secret]"
 * unless --show-secrets), stack_export.go (the UntypedDeployment, four-space
 * indent), stack_history.go (updateInfoJSON; times as cmd.FormatTime, RFC 5424
 * with milliseconds).
 */
import { existsSync, readFileSync } from "node:fs";
import { parseFlags, flagBool, type FlagSpecs } from "./args";
import { Context, printJson, sortKeys } from "./context";
import type { EngineTarget } from "./engine-binding";
import { CliError } from "./errors";
import { ensureEncryptionSalt, readStackSettings, stackCrypter, writeStackSettings } from "./project";
import { selectStack, selectedStack } from "./workspace";
import type { UpdateInfo } from "./backend";

const STACK: FlagSpecs = { stack: { kind: "string", short: "s" } };

/** What reading a stack's state needs; the program is not run. */
export function stateTarget(context: Context, stack: string, config: { config: Record<string, string>; secretKeys: string[] } = { config: {}, secretKeys: [] }): EngineTarget {
    const project = context.project();
    return {
        stateFile: context.backend().harnessStateFile(stack),
        programDir: project.dir,
        project: project.name,
        stack,
        ...config,
        env: {},
        entryPoint: project.main,
        typescript: project.typescript,
    };
}

/** cmd.FormatTime of a UTC time: 2006-01-02T15:04:05.000Z. */
export function formatTime(unixSeconds: number): string {
    return new Date(unixSeconds * 1000).toISOString();
}

export async function stackCommand(context: Context, sub: string | undefined, args: string[]): Promise<void> {
    switch (sub) {
        case "select": {
            const flags = parseFlags(args, { ...STACK, create: { kind: "bool", short: "c" }, "secrets-provider": { kind: "string" } });
            const stack = context.stackName(flags, flags.positionals[0]);
            if (!context.backend().stackExists(stack)) {
                if (!flagBool(flags, "create")) throw new CliError(`no stack named '${stack}' found`, 6);
                initStack(context, stack);
            }
            selectStack(context.project(), stack, context.env);
            return;
        }
        case "init": {
            const flags = parseFlags(args, { ...STACK, "secrets-provider": { kind: "string" }, "no-select": { kind: "bool" }, "copy-config-from": { kind: "string" } });
            const provider = flags.strings.get("secrets-provider");
            if (provider !== undefined && provider !== "passphrase") throw new CliError(`the pulumi test double supports only the passphrase secrets provider, not ${provider}`, 2);
            const stack = context.stackName(flags, flags.positionals[0]);
            initStack(context, stack);
            if (!flagBool(flags, "no-select")) selectStack(context.project(), stack, context.env);
            // stack_init.go
            context.io.out(`Created stack '${stack}'\n`);
            return;
        }
        case "ls": {
            const flags = parseFlags(args, { json: { kind: "bool", short: "j" }, all: { kind: "bool", short: "a" }, organization: { kind: "string", short: "o" }, project: { kind: "string", short: "p" }, tag: { kind: "string", short: "t" } });
            const backend = context.backend();
            const current = selectedStack(context.project(), context.env);
            const summaries = backend.listStacks().map((name) => {
                const latest = backend.history(name, 1, 1)[0];
                const count = resourceCount(backend.stackFile(name));
                return {
                    name,
                    current: name === current,
                    ...(latest !== undefined ? { lastUpdate: formatTime(latest.endTime) } : {}),
                    ...(count !== undefined ? { resourceCount: count } : {}),
                };
            });
            if (flagBool(flags, "json")) {
                context.io.out(printJson(summaries));
            } else {
                context.io.out(`NAME  LAST UPDATE  RESOURCE COUNT\n${summaries.map((s) => `${s.name}${s.current ? "*" : ""}  ${s.lastUpdate ?? "n/a"}  ${s.resourceCount ?? "n/a"}`).join("\n")}\n`);
            }
            return;
        }
        case "output": {
            const flags = parseFlags(args, { ...STACK, json: { kind: "bool", short: "j" }, "show-secrets": { kind: "bool" }, shell: { kind: "bool" } });
            if (flagBool(flags, "json") && flagBool(flags, "shell")) throw new CliError("only one of --json and --shell may be set", 2);
            const stack = context.existingStack(flags);
            const { massageSecrets, stackOutputs } = require("./engine-binding") as typeof import("./engine-binding");
            const outputs = massageSecrets(await stackOutputs(stateTarget(context, stack)), flagBool(flags, "show-secrets")) as Record<string, unknown>;
            const name = flags.positionals[0];
            if (name !== undefined) {
                if (!(name in outputs)) throw new CliError(`current stack does not have output property '${name}'`);
                context.io.out(flagBool(flags, "json") ? printJson(outputs[name]) : `${typeof outputs[name] === "string" ? outputs[name] : JSON.stringify(outputs[name])}\n`);
            } else if (flagBool(flags, "json")) {
                context.io.out(printJson(sortKeys(outputs)));
            } else {
                const lines = Object.keys(outputs).sort().map((key) => `    ${key}  ${JSON.stringify(outputs[key])}`);
                context.io.out(`Current stack outputs (${lines.length}):\n    OUTPUT  VALUE\n${lines.join("\n")}\n`);
            }
            return;
        }
        case "export": {
            const flags = parseFlags(args, { ...STACK, file: { kind: "string" }, "show-secrets": { kind: "bool" }, version: { kind: "string" } });
            if (flags.strings.has("file")) throw new CliError("the pulumi test double does not support --file", 2);
            if (flags.strings.has("version")) throw new CliError("the pulumi test double does not support --version", 2);
            const stack = context.existingStack(flags);
            const { exportStack } = require("./engine-binding") as typeof import("./engine-binding");
            const deployment = await exportStack(stateTarget(context, stack), flagBool(flags, "show-secrets"));
            context.io.out(`${JSON.stringify(deployment, null, 4)}\n`);
            return;
        }
        case "history": {
            const flags = parseFlags(args, { ...STACK, json: { kind: "bool", short: "j" }, "show-secrets": { kind: "bool" }, "page-size": { kind: "int" }, page: { kind: "int" }, "full-dates": { kind: "bool" } });
            const stack = context.existingStack(flags);
            const updates = context.backend().history(stack, Number(flags.strings.get("page-size") ?? "0"), Number(flags.strings.get("page") ?? "1"));
            if (flagBool(flags, "json")) {
                context.io.out(printJson(updates.map((update) => historyJson(update, flagBool(flags, "show-secrets"), context, stack))));
            } else if (updates.length === 0) {
                context.io.out("Stack has never been updated\n");
            } else {
                for (const update of updates) context.io.out(`Version: ${update.version}\nUpdateKind: ${update.kind}\nStatus: ${update.result}\nMessage: ${update.message}\n\n`);
            }
            return;
        }
        case "rm": {
            const flags = parseFlags(args, { ...STACK, yes: { kind: "bool", short: "y" }, force: { kind: "bool", short: "f" }, "preserve-config": { kind: "bool" } });
            const stack = context.existingStack(flags, flags.positionals[0]);
            if (!flagBool(flags, "yes")) throw new CliError("--yes must be passed in to proceed when running in non-interactive mode", 2);
            context.backend().removeStack(stack);
            context.io.out("Stack 'organization/" + context.project().name + "/" + stack + "' has been removed!\n");
            return;
        }
        default:
            throw new CliError(sub === undefined ? "the pulumi test double needs a stack subcommand (select, init, ls, output, export, history, rm)" : `unknown command "${sub}" for "pulumi stack"`, 2);
    }
}

/** The diy backend's stack summary counts the resources of the stack's checkpoint (backend.go diyStackSummary). */
function resourceCount(checkpointFile: string): number | undefined {
    if (!existsSync(checkpointFile)) return undefined;
    const checkpoint = JSON.parse(readFileSync(checkpointFile, "utf8")) as { checkpoint?: { latest?: { resources?: unknown[] } | null } };
    const latest = checkpoint.checkpoint?.latest;
    return latest === null || latest === undefined ? undefined : (latest.resources ?? []).length;
}

function initStack(context: Context, stack: string): void {
    const settings = readStackSettings(context.project(), stack);
    ensureEncryptionSalt(settings, context.env);
    writeStackSettings(settings);
    context.backend().createStack(stack);
}

/** stack_history.go buildUpdatesJSON; a secret config value shows only with --show-secrets (and then decrypted). */
function historyJson(update: UpdateInfo, showSecrets: boolean, context: Context, stack: string): Record<string, unknown> {
    let decrypt: ((ciphertext: string) => string) | undefined;
    const config: Record<string, { value?: string; objectValue?: unknown; secret: boolean }> = {};
    for (const [key, value] of Object.entries(update.config)) {
        if (typeof value === "string") {
            config[key] = { value, ...objectValue(value), secret: false };
        } else if (showSecrets) {
            decrypt ??= stackDecrypter(context, stack);
            const plain = decrypt(value.secure);
            config[key] = { value: plain, secret: true };
        } else {
            config[key] = { secret: true };
        }
    }
    return {
        version: update.version,
        kind: update.kind,
        startTime: formatTime(update.startTime),
        message: update.message,
        environment: update.environment,
        config,
        result: update.result,
        ...(update.result !== "in-progress" ? { endTime: formatTime(update.endTime), resourceChanges: update.resourceChanges ?? {} } : {}),
    };
}

function objectValue(value: string): { objectValue?: unknown } {
    if (!value.startsWith("{") && !value.startsWith("[")) return {};
    try {
        return { objectValue: JSON.parse(value) as unknown };
    } catch {
        return {};
    }
}

function stackDecrypter(context: Context, stack: string): (ciphertext: string) => string {
    const crypter = stackCrypter(readStackSettings(context.project(), stack), context.env);
    return (ciphertext) => crypter.decrypt(ciphertext);
}
