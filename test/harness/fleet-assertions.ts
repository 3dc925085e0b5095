/**
 * Assertions over what a run of the fleet program registered, shared by the engine tests of
 * each example stack: the component tree, the per-slot resources and their order, and secrets.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { readFileSync } from "node:fs";
import type { EngineRun } from "./engine-run";
import { childrenOf, dependsOn, REPO, TYPES, type PoolConfig } from "./fleet-stack";
import { plaintextStrings, secretPaths } from "./pulumi-values";
import type { RecordedRegistration } from "./recording-monitor";
import { ROOT_STACK_TYPE } from "./urn";

export function only(registrations: RecordedRegistration[], what: string): RecordedRegistration {
    assert.equal(registrations.length, 1, `expected exactly one ${what}, got ${registrations.map((r) => r.name).join(", ") || "none"}`);
    return registrations[0]!;
}

export function assertCleanExit(run: EngineRun, diagnostics: string): void {
    assert.equal(run.exit.code, 0, diagnostics);
    assert.equal(run.exit.timedOut, false);
    assert.equal(run.monitor.shutdownSignalled, true);
    assert.deepEqual(run.monitor.logs.filter((log) => log.severity === "error"), []);
    assert.deepEqual(run.monitor.errors, []);
}

function installedVersion(module: string): string {
    return (JSON.parse(readFileSync(path.join(REPO, "node_modules", module, "package.json"), "utf8")) as { version: string }).version;
}

/** cmd/run logs (at debug level, to the engine) which compiler and ts-node it loaded, and from where. */
export function assertProjectTypeScript(run: EngineRun, projectDir: string = REPO): void {
    const messages = run.monitor.logs.map((log) => log.message);
    const typescript = `Found typescript version ${installedVersion("typescript")} at ${path.join(projectDir, "node_modules/typescript/lib/typescript.js")}`;
    const tsNode = `Found ts-node version: ${installedVersion("ts-node")} at ${path.join(projectDir, "node_modules/ts-node/dist/index.js")}`;
    assert.ok(messages.includes(typescript), messages.filter((message) => /typescript|ts-node/i.test(message)).join("\n"));
    assert.ok(messages.includes(tsNode));
    assert.ok(!messages.some((message) => message.includes("vendored")));
}

/** Stack -> fleet -> image, network, one component per pool; every parent registered. */
export function assertFleetTree(run: EngineRun, pools: PoolConfig[]): void {
    const root = only(run.monitor.registrationsOfType(ROOT_STACK_TYPE), "stack");
    assert.equal(run.monitor.rootResourceUrn, root.urn);
    const fleet = only(childrenOf(run, root, TYPES.fleet), "fleet under the stack");
    only(childrenOf(run, fleet, TYPES.image), "image component");
    only(childrenOf(run, fleet, TYPES.network), "network component");
    const poolComponents = childrenOf(run, fleet, TYPES.pool);
    assert.deepEqual(poolComponents.map((pool) => pool.name).sort(), pools.map((pool) => `fleet-${pool.name}`).sort());
    for (const registration of run.monitor.registrations) {
        if (registration.type === ROOT_STACK_TYPE) continue;
        assert.ok(run.monitor.byUrn(registration.parent), `${registration.urn} has an unregistered parent ${registration.parent}`);
    }
}

/**
 * Per pool: its flavor (created only when configured so) and its slots (`count`, or for a pool
 * sized by demand the number `slotsOf` gives) of registration, instance, drain guard.
 */
export function assertPoolsAndSlots(run: EngineRun, pools: PoolConfig[], slotsOf: (pool: PoolConfig) => number = (pool) => pool.count): void {
    for (const poolConfig of pools) {
        const pool = only(run.monitor.registrations.filter((r) => r.type === TYPES.pool && r.name === `fleet-${poolConfig.name}`), `pool ${poolConfig.name}`);
        const flavor = only(childrenOf(run, pool, TYPES.flavor), `flavor of ${poolConfig.name}`);
        const createdFlavors = childrenOf(run, flavor, TYPES.osFlavor);
        assert.equal(createdFlavors.length, poolConfig.flavor.existing === undefined ? 1 : 0, `created flavors of ${poolConfig.name}`);
        const slots = childrenOf(run, pool, TYPES.slot);
        assert.equal(slots.length, slotsOf(poolConfig), `slots of pool ${poolConfig.name}`);
        for (const slot of slots) {
            const registration = only(childrenOf(run, slot, TYPES.registration), `registration of ${slot.name}`);
            const instance = only(childrenOf(run, slot, TYPES.instance), `instance of ${slot.name}`);
            const drainGuard = only(childrenOf(run, slot, TYPES.drainGuard), `drain guard of ${slot.name}`);
            assert.ok(dependsOn(instance, registration), `${instance.name} must be built from its registration`);
            // Pulumi deletes dependents first: the guard depending on the instance deregisters before the VM goes.
            assert.ok(dependsOn(drainGuard, instance), `${drainGuard.name} must depend on ${instance.name}`);
        }
    }
    const totalSlots = pools.reduce((sum, pool) => sum + slotsOf(pool), 0);
    for (const type of [TYPES.instance, TYPES.registration, TYPES.drainGuard]) {
        assert.equal(run.monitor.registrationsOfType(type).length, totalSlots, type);
    }
}

/** Dynamic resources arrive with the one-line loader of the stable entry module (components/providers/loader.ts). */
export function assertSerializedProviders(run: EngineRun): void {
    const dynamic = run.monitor.registrations.filter((registration) => registration.type.startsWith("pulumi-nodejs:dynamic"));
    assert.ok(dynamic.length > 0, "no dynamic resources registered");
    for (const registration of dynamic) {
        const provider = registration.inputs["__provider"];
        assert.equal(typeof provider, "string", `${registration.name} has no __provider`);
        assert.match(provider as string, /^exports\.handler = \(\) => require\(require\("path"\)\.resolve\("components\/providers\/entry\.js"\)\)\.\w+;\n$/);
    }
}

/** A PEM key may be re-wrapped or escaped, so look for one of its base64 lines rather than the whole text. */
function recognisablePart(secret: string): string {
    return secret.split("\n").find((line) => line.length >= 32 && !line.startsWith("-----")) ?? secret;
}

/** No secret plaintext outside a secret anywhere in any input, the serialized providers included. */
export function assertSecretsStaySecret(run: EngineRun, secrets: Record<string, string>): void {
    for (const registration of run.monitor.registrations) {
        const clear = plaintextStrings(registration.inputs);
        for (const [key, secret] of Object.entries(secrets)) {
            const needle = recognisablePart(secret);
            assert.ok(!clear.some((text) => text.includes(needle)), `${key} appears in clear in the inputs of ${registration.urn}`);
        }
    }
    for (const registration of [...run.monitor.registrationsOfType(TYPES.registration), ...run.monitor.registrationsOfType(TYPES.drainGuard)]) {
        // Credentials come from the stack config in the providers' configure, never from a resource's inputs.
        assert.equal(registration.inputs["github"], undefined, `${registration.name}: a GitHub connection among its inputs`);
    }
    for (const instance of run.monitor.registrationsOfType(TYPES.instance)) {
        assert.ok(secretPaths(instance.inputs).includes("userData"), `${instance.name}: userData must be a secret input`);
    }
}

/** What the user sees (program output and info/warning/error messages) never shows a secret. */
export function assertSecretsNotShown(run: EngineRun, secrets: Record<string, string>): void {
    const shown = [
        run.exit.stdout,
        run.exit.stderr,
        ...run.monitor.logs.filter((log) => log.severity !== "debug").map((log) => log.message),
    ];
    for (const [key, secret] of Object.entries(secrets)) {
        const needle = recognisablePart(secret);
        assert.ok(!shown.some((text) => text.includes(needle)), `${key} is shown in the program's output or messages`);
    }
}
