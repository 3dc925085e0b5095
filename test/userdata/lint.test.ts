import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { renderUserdata, type RunnerUserdataInput } from "../../components/userdata";
import { renderRunnerService } from "../../components/userdata/runner-service";
import { checkInput } from "../../components/userdata/validate";
import { hostileJitInput, hostileTokenInput, jitInput, tokenOrgInput, tokenRepoInput } from "./inputs";

const variants: Record<string, RunnerUserdataInput> = {
    "jit, ephemeral, everything optional set": jitInput(),
    "jit, nothing optional": { runnerName: "bare-0123456789ab", hostname: "bare-0123456789ab", ephemeral: true, start: { mode: "jit", jitConfig: "J" } },
    "token, org, runner group, persistent": tokenOrgInput(),
    "token, repo, ephemeral, proxy": tokenRepoInput(),
    "token, hostile values": hostileTokenInput(),
    "jit, hostile values": hostileJitInput(),
};

function run(command: string, args: string[], input: string): { status: number | null; output: string } {
    const result = spawnSync(command, args, { input, encoding: "utf8" });
    if (result.error) {
        throw new Error(`${command} could not run (${result.error.message}); on Debian/Ubuntu: apt-get install ${command}`);
    }
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

for (const [name, input] of Object.entries(variants)) {
    test(`boot script passes bash -n: ${name}`, () => {
        const result = run("bash", ["-n"], renderUserdata(input));
        assert.equal(result.output, "");
        assert.equal(result.status, 0);
    });

    test(`boot script is shellcheck clean at every severity: ${name}`, () => {
        const result = run("shellcheck", ["--shell=bash", "--severity=style", "--external-sources", "-"], renderUserdata(input));
        assert.equal(result.output, "");
        assert.equal(result.status, 0);
    });

    test(`runner start script passes bash -n and shellcheck: ${name}`, () => {
        const { startScript } = renderRunnerService(checkInput(input));
        assert.equal(run("bash", ["-n"], startScript).status, 0);
        const result = run("shellcheck", ["--shell=bash", "--severity=style", "-"], startScript);
        assert.equal(result.output, "");
        assert.equal(result.status, 0);
    });
}

test("shellcheck really checks here: a script with an unquoted expansion is reported", () => {
    const result = run("shellcheck", ["--shell=bash", "--severity=style", "-"], '#!/bin/bash\nrm $1\n');
    assert.equal(result.status, 1);
    assert.match(result.output, /SC2086/);
});
