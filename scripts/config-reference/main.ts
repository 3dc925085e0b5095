/**
 * Writes stack-config.schema.json and the README's configuration reference
 * from the zod schema; with --check, writes nothing and fails when either file
 * differs from what would be written.
 *
 *   npx tsx scripts/config-reference/main.ts [--check]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readmeWithReference } from "./readme";
import { stackFileSchemaText } from "./stack-file-schema";

const ROOT = join(__dirname, "..", "..");
export const SCHEMA_FILE = "stack-config.schema.json";
export const README_FILE = "README.md";

/** Each generated file and the text it must have now. */
export function generatedFiles(root: string = ROOT): Array<{ file: string; expected: string; current: string | undefined }> {
    const read = (file: string) => {
        try {
            return readFileSync(join(root, file), "utf8");
        } catch {
            return undefined;
        }
    };
    const readme = read(README_FILE);
    if (readme === undefined) throw new Error(`${join(root, README_FILE)} not found`);
    return [
        { file: SCHEMA_FILE, expected: stackFileSchemaText(), current: read(SCHEMA_FILE) },
        { file: README_FILE, expected: readmeWithReference(readme), current: readme },
    ];
}

function main(args: string[]): number {
    const check = args.includes("--check");
    const unknown = args.filter((arg) => arg !== "--check");
    if (unknown.length > 0) {
        console.error(`unknown argument ${unknown.join(" ")}; usage: npx tsx scripts/config-reference/main.ts [--check]`);
        return 2;
    }
    const stale = generatedFiles().filter(({ expected, current }) => expected !== current);
    if (check) {
        for (const { file } of stale) console.error(`${file} is out of date: run \`npm run config-reference\` (npx tsx scripts/config-reference/main.ts)`);
        return stale.length === 0 ? 0 : 1;
    }
    for (const { file, expected } of stale) {
        writeFileSync(join(ROOT, file), expected);
        console.log(`wrote ${file}`);
    }
    if (stale.length === 0) console.log("stack-config.schema.json and README.md are up to date");
    return 0;
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
