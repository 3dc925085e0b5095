/**
 * `npm run status -- --stack <name> [--json] [--sweep [--yes]]`: see args.ts
 * (USAGE), run.ts and README.md here.
 */
import { runStatus } from "./run";

// exitCode, not process.exit(): the process ends once stdout has drained.
runStatus(process.argv.slice(2), {
    env: process.env,
    io: { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
}).then((code) => {
    process.exitCode = code;
});
