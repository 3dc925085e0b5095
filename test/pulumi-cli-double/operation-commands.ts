/**
 * `pulumi preview|up|refresh|destroy` on the engine harness. As the diy backend
 * does (pulumi/pulumi v3.259 pkg/backend/diy/backend.go): an update, refresh or
 * destroy takes the stack lock first and releases it at the end (a preview, or
 * --preview-only, takes none); a non-preview run saves the checkpoint and adds
 * an UpdateInfo to the stack's history (state.go addToHistory), failed or not.
 * The program gets the stack's config (Pulumi.<stack>.yaml, secrets decrypted
 * with the passphrase) and the CLI's environment, as the language host passes
 * os.Environ(). A flag whose effect the double does not simulate is refused.
 */
import { flagBool, parseFlags, type FlagSpecs, type ParsedFlags } from "./args";
import { Context } from "./context";
import { renderOperation } from "./display";
import { runOperation, type EngineTarget, type Operation } from "./engine-binding";
import { BailError, CliError, NoConfirmationError, UnsupportedFlagError } from "./errors";
import { engineEvents, resourceChanges, writeEventLog } from "./events";
import { readStackSettings, stackConfig, stackCrypter, type StackConfigValues } from "./project";
import type { UpdateInfo } from "./backend";

/** Flags of up/preview/refresh/destroy (pkg/cmd/pulumi/operations/*.go) the double accepts. */
const COMMON: FlagSpecs = {
    stack: { kind: "string", short: "s" },
    message: { kind: "string", short: "m" },
    "event-log": { kind: "string" },
    "exec-kind": { kind: "string" },
    "exec-agent": { kind: "string" },
    yes: { kind: "bool", short: "y" },
    "skip-preview": { kind: "bool", short: "f" },
    diff: { kind: "bool" },
    debug: { kind: "bool", short: "d" },
    parallel: { kind: "int", short: "p" },
    "suppress-outputs": { kind: "bool" },
    "suppress-progress": { kind: "bool" },
    "suppress-permalink": { kind: "string" },
    "show-secrets": { kind: "bool" },
    "show-sames": { kind: "bool" },
    "show-reads": { kind: "bool" },
    "show-config": { kind: "bool" },
    "show-replacement-steps": { kind: "bool" },
    "preview-only": { kind: "bool" },
    "run-program": { kind: "bool" },
    // Recognised, not simulated: refused with a clear error.
    "expect-no-changes": { kind: "bool" },
    refresh: { kind: "bool", short: "r" },
    replace: { kind: "strings" },
    target: { kind: "strings", short: "t" },
    exclude: { kind: "strings" },
    "target-dependents": { kind: "bool" },
    "exclude-dependents": { kind: "bool" },
    "target-replace": { kind: "strings" },
    "policy-pack": { kind: "strings" },
    "policy-pack-config": { kind: "strings" },
    plan: { kind: "string" },
    "save-plan": { kind: "string" },
    "import-file": { kind: "string" },
    client: { kind: "string" },
    "continue-on-error": { kind: "bool" },
    "attach-debugger": { kind: "bool" },
    "config-file": { kind: "string" },
    config: { kind: "strings", short: "c" },
    "config-path": { kind: "bool" },
    json: { kind: "bool", short: "j" },
    remove: { kind: "bool" },
    "exclude-protected": { kind: "bool" },
    "clear-pending-creates": { kind: "bool" },
    "skip-pending-creates": { kind: "bool" },
};

const UNSUPPORTED = [
    "expect-no-changes", "refresh", "replace", "target", "exclude", "target-dependents", "exclude-dependents", "target-replace",
    "policy-pack", "policy-pack-config", "plan", "save-plan", "import-file", "client", "continue-on-error", "attach-debugger",
    "config-file", "config", "config-path", "json", "remove", "exclude-protected", "clear-pending-creates", "skip-pending-creates",
];

/** Update kinds as the history records them (apitype.UpdateKind). */
const UPDATE_KIND: Record<Operation, UpdateInfo["kind"]> = { preview: "preview", up: "update", refresh: "refresh", destroy: "destroy" };

function refuseUnsimulated(flags: ParsedFlags): void {
    for (const flag of UNSUPPORTED) {
        if (flags.bools.get(flag) === true || flags.strings.has(flag) || flags.lists.has(flag)) throw new UnsupportedFlagError(flag);
    }
}

/** The environment the program runs with: the CLI's own (pulumi-language-nodejs passes os.Environ()). */
function programEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
    return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** The config as the history stores it (config.Map JSON): secret values re-encrypted with the stack's key. */
function storedConfig(values: StackConfigValues, encrypt: () => (plaintext: string) => string): UpdateInfo["config"] {
    const secret = new Set(values.secretKeys);
    return Object.fromEntries(Object.entries(values.config).map(([key, value]) => [key, secret.has(key) ? { secure: encrypt()(value) } : value]));
}

export async function operationCommand(context: Context, operation: Operation, args: string[]): Promise<void> {
    const flags = parseFlags(args, COMMON);
    refuseUnsimulated(flags);
    if (operation === "preview" && flagBool(flags, "preview-only")) throw new CliError("unknown flag: --preview-only", 2);
    // Only destroy can run the program here (HarnessStack.destroy runProgram); the harness refreshes without it.
    if (operation !== "destroy" && flags.bools.get("run-program") === true) throw new UnsupportedFlagError("run-program");
    const confirmed = flagBool(flags, "yes") || flagBool(flags, "skip-preview");
    const dryRun = operation === "preview" || flagBool(flags, "preview-only");
    // The double always runs non-interactively, as the Automation API asks (--non-interactive).
    if (!dryRun && !confirmed) throw new NoConfirmationError();

    const stack = context.existingStack(flags);
    const project = context.project();
    const settings = readStackSettings(project, stack);
    const values = stackConfig(project, settings, context.env);
    const backend = context.backend();
    const target: EngineTarget = {
        stateFile: backend.harnessStateFile(stack),
        programDir: project.dir,
        project: project.name,
        stack,
        config: values.config,
        secretKeys: values.secretKeys,
        env: programEnvironment(context.env),
        entryPoint: project.main,
        typescript: project.typescript,
    };
    const runProgram = flagBool(flags, "run-program");

    let cancelled = false;
    const onInterrupt = () => {
        // The first ^C lets running steps finish and then stops (pkg/backend/cancellation_scope.go).
        cancelled = true;
        context.io.err("^C received; cancelling. If you would like to terminate immediately, press ^C again.\n");
    };
    process.on("SIGINT", onInterrupt);
    if (!dryRun) backend.lock(stack);
    try {
        if (operation === "up" && !flagBool(flags, "skip-preview")) {
            // PreviewThenPromptThenExecute: with --yes and without --skip-preview, a preview runs first.
            const preview = await runOperation("preview", target, { dryRun: true, runProgram });
            context.io.out(renderOperation(project.name, stack, "preview", true, preview, 0));
            if (preview.error !== undefined) throw new BailError();
        }
        const startTime = Math.floor(Date.now() / 1000);
        const outcome = await runOperation(operation, target, { dryRun, runProgram });
        const endTime = Math.floor(Date.now() / 1000);
        const durationSeconds = endTime - startTime;
        const eventLog = flags.strings.get("event-log");
        if (eventLog !== undefined) {
            await writeEventLog(eventLog, engineEvents(outcome, { preview: dryRun, config: values.config, secretKeys: values.secretKeys, durationSeconds, cancelled }));
        }
        context.io.out(renderOperation(project.name, stack, operation, dryRun, outcome, durationSeconds));
        if (!dryRun) {
            backend.writeCheckpoint(stack, outcome.checkpoint);
            let encrypt: ((plaintext: string) => string) | undefined;
            backend.addToHistory(stack, {
                kind: UPDATE_KIND[operation],
                startTime,
                message: flags.strings.get("message") ?? "",
                environment: {
                    "exec.kind": flags.strings.get("exec-kind") ?? "cli",
                    ...(flags.strings.has("exec-agent") ? { "exec.agent": flags.strings.get("exec-agent") as string } : {}),
                },
                config: storedConfig(values, () => {
                    if (encrypt === undefined) {
                        const crypter = stackCrypter(settings, context.env);
                        encrypt = (plaintext) => crypter.encrypt(plaintext);
                    }
                    return encrypt;
                }),
                version: 0,
                // A cancelled update is a failed one (diy backend.go apply: any engine error, context.Canceled too).
                result: outcome.error === undefined && !cancelled ? "succeeded" : "failed",
                endTime,
                resourceChanges: resourceChanges(outcome.steps),
            });
        }
        if (outcome.error !== undefined) throw new BailError();
        if (cancelled) throw new CliError(`${operation === "up" ? "update" : operation} cancelled`, 8);
    } finally {
        if (!dryRun) backend.unlock(stack);
        process.removeListener("SIGINT", onInterrupt);
    }
}
