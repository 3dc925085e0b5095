/**
 * Walks the runbook on the engine harness (test/runbook/walk.ts: the dev example deployed for
 * real against the fake GitHub and the fake OpenStack, `npm run status` after every step) and
 * prints the README's Runbook section with the outputs of this run. About 5 minutes on 2 cores.
 * Then check the product still does what the section says of every step:
 * `RUNBOOK_FULL=1 RUNBOOK_README=<file> node --import tsx --test test/runbook.test.ts`.
 *
 *   node --import tsx scripts/runbook/print.ts                  # the section, on stdout
 *   node --import tsx scripts/runbook/print.ts --out FILE       # written to FILE
 *   node --import tsx scripts/runbook/print.ts --write-readme   # replaced in README.md, between its markers
 *
 * Progress goes to stderr. Needs the dev dependencies (the fakes and the harness are test code).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { walkRunbook } from "../../test/runbook/walk";
import { BEGIN_MARKER, END_MARKER, outputIds, readmeWithSection, readTemplate, renderSection, sectionOf } from "./section";

const USAGE = "usage: node --import tsx scripts/runbook/print.ts [--out <file> | --write-readme]";
const README = path.join(__dirname, "..", "..", "README.md");

async function main(): Promise<number> {
    let values;
    try {
        ({ values } = parseArgs({ options: { out: { type: "string" }, "write-readme": { type: "boolean" }, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: false }));
    } catch (error) {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
        return 2;
    }
    if (values.help === true) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    if (values.out !== undefined && values["write-readme"] === true) {
        process.stderr.write(`--out and --write-readme exclude each other\n${USAGE}\n`);
        return 2;
    }
    const template = readTemplate();
    if (values["write-readme"] === true && sectionOf(readFileSync(README, "utf8")) === undefined) {
        // Before the walk (minutes), not after it.
        process.stderr.write(`README.md has no Runbook section between ${BEGIN_MARKER} and ${END_MARKER}: paste one first (--out <file> writes it)\n`);
        return 2;
    }
    const started = Date.now();
    const walk = await walkRunbook({ log: (line) => process.stderr.write(`[${Math.round((Date.now() - started) / 1000)}s] ${line}\n`) });
    const missing = outputIds(template).filter((id) => !walk.captures.has(id));
    if (missing.length > 0) throw new Error(`the template shows outputs the walk does not make: ${missing.join(", ")}`);
    const section = renderSection(template, (id) => walk.captures.get(id)?.shown ?? "");
    if (values["write-readme"] === true) {
        writeFileSync(README, readmeWithSection(readFileSync(README, "utf8"), section));
        process.stderr.write(`README.md: Runbook section replaced\n`);
    } else if (values.out !== undefined) {
        writeFileSync(values.out, section);
        process.stderr.write(`${values.out}: written\n`);
    } else {
        process.stdout.write(section);
    }
    return 0;
}

main().then(
    (code) => {
        process.exitCode = code;
    },
    (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exitCode = 1;
    },
);
