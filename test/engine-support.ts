/**
 * What the fleet's engine tests share: a dev fleet on the engine harness (the real program
 * through cmd/run, its dynamic resources in the SDK's host against the fake GitHub, its
 * OpenStack resources in the harness's in-memory cloud), and small readers of what a
 * deployment did.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Deployment, DevFleet } from "./harness/fleet-deployment";
import { resourceName } from "./harness/fleet-deployment";
import { REPO, TYPES } from "./harness/fleet-stack";
import { OpenStackCloud } from "./harness/openstack-cloud";
import type { Step } from "./harness/engine/steps";

export { resourceName, TYPES };

/** "kind type name" of every custom step (reads excluded), e.g. "replace instance fleet-small-1". */
export function stepSummary(deployment: Pick<Deployment, "steps">): string[] {
    const short: Record<string, string> = {
        [TYPES.registration]: "registration",
        [TYPES.drainGuard]: "guard",
        [TYPES.instance]: "instance",
    };
    return deployment.steps.map((step) => `${step.kind} ${short[step.type] ?? step.type} ${resourceName(step.urn)}`);
}

/** The custom steps that are not "same"; a delete-before-replace shows as its "replace" alone (its delete-replaced step left out). */
export function changes(deployment: Pick<Deployment, "steps">): string[] {
    return stepSummary({ steps: deployment.steps.filter((step) => step.op !== "delete-replaced") }).filter((line) => !line.startsWith("same "));
}

export function cloudOf(fleet: DevFleet): OpenStackCloud {
    const cloud = fleet.deployments.cloud;
    assert.ok(cloud instanceof OpenStackCloud, "the fleet runs on the harness's in-memory OpenStack cloud");
    return cloud;
}

/** Nova servers in the cloud by name. */
export function servers(fleet: DevFleet): Map<string, { id: string; status: string | undefined }> {
    return new Map(cloudOf(fleet).objects("server").map((server) => [server.name, { id: server.id, status: server.status }]));
}

/** Runner names per slot from the stack's outputs. */
export function slotRunners(fleet: DevFleet, pool = fleet.pool.name): Map<number, string> {
    const outputs = fleet.deployments.stack.outputs() as { pools?: Record<string, { slots: { index: number; runner: string }[] }> };
    return new Map((outputs.pools?.[pool]?.slots ?? []).map((slot) => [slot.index, slot.runner]));
}

/** The deployment succeeded; otherwise fail with its error and what the program and provider said. */
export function assertSucceeded(deployment: Deployment): void {
    const { result } = deployment;
    assert.equal(result.error, undefined, `${result.operation} failed: ${result.error}\n${result.diagnostics.map((d) => `${d.severity}: ${d.message}`).join("\n")}\n${deployment.providerStderr.slice(-3000)}`);
}

export function warnings(deployment: Deployment): string[] {
    return deployment.result.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message);
}

/** Index of the first step matching, for order assertions. */
export function indexOf(steps: readonly Step[], kind: Step["kind"], type: string, name: string): number {
    return steps.findIndex((step) => step.kind === kind && step.type === type && resourceName(step.urn) === name);
}

/** A PEM key may be re-wrapped or escaped, so look for one of its base64 lines rather than the whole text. */
function recognisablePart(secret: string): string {
    return secret.split("\n").find((line) => line.length >= 32 && !line.startsWith("-----")) ?? secret;
}

/**
 * No secret appears in clear: not in any resource's inputs outside a secret, not in the
 * checkpoint as `pulumi stack export` writes it, not in anything the program or the provider
 * host printed or logged.
 */
export function assertNoSecretInClear(fleet: DevFleet, deployments: readonly Deployment[], secrets: Record<string, string>): void {
    const checkpoint = JSON.stringify(fleet.deployments.stack.exportDeployment());
    for (const [key, secret] of Object.entries(secrets)) {
        const needle = recognisablePart(secret);
        assert.ok(!checkpoint.includes(needle), `${key} is in clear in the checkpoint`);
        for (const deployment of deployments) {
            const shown = [
                deployment.providerStderr,
                deployment.run.exit.stdout,
                deployment.run.exit.stderr,
                ...deployment.result.diagnostics.map((d) => d.message),
                ...deployment.run.monitor.registrations.map((r) => JSON.stringify(plainInputs(r.inputs))),
            ];
            assert.ok(!shown.some((text) => text.includes(needle)), `${key} is shown or in a plain input during ${deployment.result.operation}`);
        }
    }
}

function plainInputs(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(plainInputs);
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") return "[secret]";
        return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, plainInputs(inner)]));
    }
    return value;
}

/**
 * A copy of this project a test may change between runs (a code upgrade, a moved module): every
 * file git knows (tracked or new, not ignored) copied, node_modules linked (a symlink, or a tree
 * of hard links a test may prune). Removed by `dispose`.
 */
export function copyProject(options: { nodeModules?: "symlink" | "hardlink" } = {}): { dir: string; dispose: () => void } {
    const dir = mkdtempSync(path.join(tmpdir(), "project-copy-"));
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO, encoding: "utf8" })
        .split("\0")
        .filter((file) => file !== "" && existsSync(path.join(REPO, file)));
    for (const file of files) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        copyFileSync(path.join(REPO, file), path.join(dir, file));
    }
    if (options.nodeModules === "hardlink") {
        // Its own tree (a test may prune it) without copying 600 MB.
        execFileSync("cp", ["-al", path.join(REPO, "node_modules"), path.join(dir, "node_modules")]);
    } else {
        symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
    }
    return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Replaces `from` by `to` in a project file, failing when `from` is not there (the test would then prove nothing). */
export function editProjectFile(dir: string, file: string, from: string, to: string): void {
    const target = path.join(dir, file);
    const text = readFileSync(target, "utf8");
    assert.ok(text.includes(from), `${file} no longer contains ${JSON.stringify(from)}`);
    writeFileSync(target, text.replace(from, to));
}

/**
 * Moves a TypeScript module of a project copy, as a refactor would: every relative import or
 * require of it under components/ (and index.ts) is rewritten to the new place.
 */
export function moveModule(dir: string, from: string, to: string): void {
    const withoutExtension = (file: string): string => file.replace(/\.(ts|js)$/, "");
    renameSync(path.join(dir, from), path.join(dir, to));
    const sources = execFileSync("find", ["components", "index.ts", "-name", "*.ts", "-o", "-name", "*.js"], { cwd: dir, encoding: "utf8" })
        .split("\n")
        .filter((file) => file !== "");
    let rewritten = 0;
    for (const file of sources) {
        const absolute = path.join(dir, file);
        const text = readFileSync(absolute, "utf8");
        const updated = text.replace(/(from |require\()"(\.{1,2}\/[^"]+)"/g, (whole, lead: string, specifier: string) => {
            const target = path.relative(dir, path.resolve(path.dirname(absolute), specifier));
            if (target !== withoutExtension(from)) return whole;
            rewritten++;
            const relative = path.relative(path.dirname(absolute), path.join(dir, withoutExtension(to)));
            return `${lead}"${relative.startsWith(".") ? relative : `./${relative}`}"`;
        });
        if (updated !== text) writeFileSync(absolute, updated);
    }
    assert.ok(rewritten > 0, `nothing imported ${from}`);
}
