/**
 * The status command's command line. A bad flag gives one error naming the
 * flag, the value given and what is expected.
 */
import { parseArgs } from "node:util";

export const USAGE = `Usage: npm run status -- --stack <name> [--json] [--cwd <dir>]
       npm run status -- --stack <name> --sweep [--yes] [--json] [--cwd <dir>]

Shows each pool's runner slots: the runner, GitHub's view of it (idle, busy,
offline, absent), its VM in Nova, image, age, and what the next \`pulumi up\`
would do with the slot and why; then the orphans on both sides (runners with
this stack's names that no slot owns, servers with this stack's ownership
metadata that no slot owns) and a summary.

With --sweep it lists what it would do with the orphans (dry run); with
--sweep --yes it does it: deregisters idle or offline orphan runners, deletes
orphan servers whose runner is gone or an idle orphan (deregistered first).
It never touches a busy runner, its VM, or anything a slot owns.

Needs what \`pulumi up\` needs: the Pulumi CLI and the stack's backend
(PULUMI_BACKEND_URL or pulumi login), its secrets (PULUMI_CONFIG_PASSPHRASE
for passphrase stacks), and OpenStack credentials from the stack's openstack:*
settings, OS_* variables or clouds.yaml.

Options:
  --stack, -s <name>   the stack (required)
  --cwd <dir>          the project directory (default: the current directory)
  --json               print the report (or the sweep) as JSON
  --sweep              plan the orphan sweep (a dry run unless --yes)
  --yes                with --sweep: carry it out
  -h, --help           this text`;

export interface StatusOptions {
    stack: string;
    cwd: string;
    json: boolean;
    sweep: boolean;
    yes: boolean;
}

export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

/** The options, or "help" for -h/--help. */
export function parseStatusArgs(argv: readonly string[], defaultCwd: string): StatusOptions | "help" {
    let parsed;
    try {
        parsed = parseArgs({
            args: [...argv],
            options: {
                stack: { type: "string", short: "s" },
                cwd: { type: "string" },
                json: { type: "boolean" },
                sweep: { type: "boolean" },
                yes: { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
            allowPositionals: false,
            strict: true,
        });
    } catch (error) {
        throw new UsageError(`${error instanceof Error ? error.message : String(error)} (see --help)`);
    }
    const { values } = parsed;
    if (values.help === true) return "help";
    if (values.stack === undefined || values.stack.trim() === "") {
        throw new UsageError(`--stack is required: the name of the stack to show, e.g. --stack dev${values.stack !== undefined ? ` (got "${values.stack}")` : ""}`);
    }
    if (values.yes === true && values.sweep !== true) throw new UsageError("--yes only goes with --sweep: status alone changes nothing");
    if (values.cwd !== undefined && values.cwd.trim() === "") throw new UsageError('--cwd needs a directory (got "")');
    return { stack: values.stack, cwd: values.cwd ?? defaultCwd, json: values.json === true, sweep: values.sweep === true, yes: values.yes === true };
}
