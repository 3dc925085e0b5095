/**
 * `pulumi config [--json] [--show-secrets]`, `config get <key> [--json]` and
 * `config set <key> [--secret|--plaintext] -- <value>` on Pulumi.<stack>.yaml
 * (pulumi/pulumi v3.259 pkg/cmd/pulumi/config/config.go listConfig, getConfig,
 * set: configValueJSON {value, objectValue, secret}; secrets shown as
 * "[secret]" without --show-secrets). `--path` is not simulated.
 */
import { parseFlags, flagBool } from "./args";
import { Context, printJson } from "./context";
import { CliError, UnsupportedFlagError } from "./errors";
import { readStackSettings, stackConfig, stackCrypter, writeStackSettings } from "./project";

const STACK = { stack: { kind: "string", short: "s" } } as const;

function entry(value: string, secret: boolean, showSecrets: boolean): { value: string; objectValue?: unknown; secret: boolean } {
    const shown = secret && !showSecrets ? "[secret]" : value;
    let objectValue: unknown;
    if (shown.startsWith("{") || shown.startsWith("[")) {
        try {
            objectValue = JSON.parse(shown);
        } catch {
            objectValue = undefined;
        }
    }
    return { value: shown, ...(objectValue !== undefined ? { objectValue } : {}), secret };
}

/** A key as the CLI takes it: "ns:key", or "key" in the project's namespace. */
function fullKey(context: Context, key: string): string {
    return key.includes(":") ? key : `${context.project().name}:${key}`;
}

export async function configCommand(context: Context, args: string[]): Promise<void> {
    const sub = args[0] !== undefined && !args[0].startsWith("-") ? args[0] : undefined;
    const rest = sub === undefined ? args : args.slice(1);
    switch (sub) {
        case undefined: {
            const flags = parseFlags(rest, { ...STACK, json: { kind: "bool", short: "j" }, "show-secrets": { kind: "bool" }, open: { kind: "bool" } });
            const stack = context.existingStack(flags);
            const showSecrets = flagBool(flags, "show-secrets");
            const settings = readStackSettings(context.project(), stack);
            // Without --show-secrets nothing is decrypted (config.go: the blinding decrypter).
            const values = showSecrets ? stackConfig(context.project(), settings, context.env) : blinded(context, settings);
            const secret = new Set(values.secretKeys);
            const keys = Object.keys(values.config).sort();
            if (flagBool(flags, "json")) {
                context.io.out(printJson(Object.fromEntries(keys.map((key) => [key, entry(values.config[key] as string, secret.has(key), showSecrets)]))));
            } else {
                context.io.out(`KEY  VALUE\n${keys.map((key) => `${key}  ${secret.has(key) && !showSecrets ? "[secret]" : values.config[key]}`).join("\n")}\n`);
            }
            return;
        }
        case "get": {
            const flags = parseFlags(rest, { ...STACK, json: { kind: "bool", short: "j" }, path: { kind: "bool" }, open: { kind: "bool" } });
            if (flagBool(flags, "path")) throw new UnsupportedFlagError("path");
            const key = flags.positionals[0];
            if (key === undefined) throw new CliError('accepts 1 arg(s), received 0', 2);
            const stack = context.existingStack(flags);
            const values = stackConfig(context.project(), readStackSettings(context.project(), stack), context.env);
            const value = values.config[fullKey(context, key)];
            if (value === undefined) throw new CliError(`configuration key '${key}' not found for stack '${stack}'`);
            context.io.out(flagBool(flags, "json") ? printJson(entry(value, values.secretKeys.includes(fullKey(context, key)), true)) : `${value}\n`);
            return;
        }
        case "set": {
            const flags = parseFlags(rest, { ...STACK, secret: { kind: "bool" }, plaintext: { kind: "bool" }, path: { kind: "bool" }, type: { kind: "string" } });
            if (flagBool(flags, "path")) throw new UnsupportedFlagError("path");
            if (flagBool(flags, "secret") && flagBool(flags, "plaintext")) throw new CliError("only one of --secret and --plaintext may be set", 2);
            const [key, value] = flags.positionals;
            if (key === undefined || value === undefined) throw new CliError("the pulumi test double needs the value as an argument (it does not read stdin)", 2);
            const stack = context.existingStack(flags);
            const settings = readStackSettings(context.project(), stack);
            const stored = flagBool(flags, "secret") ? { secure: stackCrypter(settings, context.env).encrypt(value) } : value;
            const shortKey = key.startsWith(`${context.project().name}:`) ? key.slice(context.project().name.length + 1) : key;
            settings.document.config = { ...(settings.document.config ?? {}), [shortKey]: stored };
            writeStackSettings(settings);
            return;
        }
        default:
            throw new CliError(`the pulumi test double does not support \`pulumi config ${sub}\``, 2);
    }
}

/** Config with every secure value left undecrypted (shown as "[secret]" by the caller). */
function blinded(context: Context, settings: ReturnType<typeof readStackSettings>): { config: Record<string, string>; secretKeys: string[] } {
    return stackConfig(context.project(), settings, { ...context.env }, () => "[secret]");
}
