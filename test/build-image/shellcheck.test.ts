import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { runCommand } from "./run-command";

const repo = path.resolve(__dirname, "..", "..");
const scripts = [
    "scripts/build-image.sh",
    ...readdirSync(path.join(repo, "scripts/image"))
        .filter((f) => f.endsWith(".sh"))
        .map((f) => `scripts/image/${f}`),
    "test/build-image/make-base-image.sh",
];

function shellcheckMissing(): string | undefined {
    try {
        execFileSync("shellcheck", ["--version"], { stdio: "ignore" });
        return undefined;
    } catch {
        return "shellcheck is not installed (apt-get install shellcheck)";
    }
}

test("the image build scripts are shellcheck clean, sourced files followed", { skip: shellcheckMissing() }, async () => {
    const result = await runCommand("shellcheck", ["--external-sources", ...scripts], { cwd: repo });
    assert.equal(result.status, 0, result.stdout + result.stderr);
});

test("the image build scripts parse with bash -n", async () => {
    for (const script of scripts) {
        const result = await runCommand("bash", ["-n", script], { cwd: repo });
        assert.equal(result.status, 0, `${script}: ${result.stderr}`);
    }
});
