/**
 * A stack run by the harness the way the Pulumi CLI runs one: `preview`, `up`, `destroy` and
 * `refresh` on a state kept between operations (in memory, or in a state file that other
 * processes can pick up: state-file.ts), the program run through the SDK's cmd/run against the
 * simulated engine (engine/deployment.ts), dynamic resources in the SDK's dynamic-provider host,
 * OpenStack resources in a cloud (the in-memory OpenStackCloud by default).
 *
 *   const stack = await HarnessStack.open({ stateFile, programDir, project, stack, config, secretKeys, env, cloud });
 *   const result = await stack.up();   // { steps, diagnostics, outputs, error, ... }
 */
import { existsSync } from "node:fs";
import { checkpointBytesUnder, serializeDeployment, writeCheckpoint, type UntypedDeployment } from "./checkpoint/checkpoint";
import { SymmetricCrypter } from "./checkpoint/crypter";
import type { CloudBackend } from "./cloud";
import { DeploymentState, outputsOf, type StackConfig } from "./deployment-state";
import { Deployment, type Diagnostic } from "./engine/deployment";
import type { Step } from "./engine/steps";
import { runUnderEngine, type EngineRun } from "./engine-run";
import { OpenStackCloud, type OpenStackCloudOptions } from "./openstack-cloud";
import { SECRET_SIG, SIG_KEY, type WireObject } from "./pulumi-values";
import { loadStateFile, saveStateFile, type StackIdentity } from "./state-file";
import { ROOT_STACK_TYPE } from "./urn";

export interface HarnessStackOptions {
    programDir: string;
    project: string;
    stack: string;
    organization?: string;
    /** Config as `pulumi config` holds it: "<namespace>:<key>" -> string. */
    config?: Record<string, string>;
    secretKeys?: string[];
    /** Environment for the program and the dynamic-provider host. */
    env?: Record<string, string>;
    /** Where the state lives between processes; without it the state lives in this object only. */
    stateFile?: string;
    /** What stands behind OpenStack resources; default: an OpenStackCloud (restored from the state file). */
    cloud?: CloudBackend;
    /** Options of the default OpenStackCloud. */
    cloudOptions?: OpenStackCloudOptions;
    /** Pulumi.yaml `main` (default "."). */
    entryPoint?: string;
    /** Pulumi.yaml runtime option `typescript` (default true). */
    typescript?: boolean;
    timeoutMs?: number;
    parallel?: number;
}

export interface OperationResult {
    operation: "preview" | "up" | "destroy" | "refresh";
    steps: Step[];
    /** What the program logged (info, warnings, errors) and what the engine reported, in order. */
    diagnostics: Diagnostic[];
    /** The stack's outputs after the operation (secret ones as secret values). */
    outputs: WireObject;
    /** Why the operation failed: the program's error, a step's provider error or a failed delete. */
    error: string | undefined;
    /** The error that stopped the delete phase, if one did (also in `error`). */
    deleteError: string | undefined;
    /** The program run, when the operation ran the program. */
    run: EngineRun | undefined;
    /** What the dynamic-provider host printed on stderr. */
    providerStderr: string;
    /** The resource hooks the engine called. */
    hookCalls: { hook: string; type: string; urn: string }[];
}

export class HarnessStack {
    readonly identity: StackIdentity;
    private stackConfig: StackConfig;
    private environment: Record<string, string>;

    private constructor(
        private readonly options: HarnessStackOptions,
        readonly state: DeploymentState,
        readonly crypter: SymmetricCrypter,
        readonly cloud: CloudBackend,
    ) {
        this.identity = { project: options.project, stack: options.stack, organization: options.organization ?? "organization" };
        this.stackConfig = { config: { ...(options.config ?? {}) }, secretKeys: [...(options.secretKeys ?? [])] };
        this.environment = { ...(options.env ?? {}) };
    }

    /** A stack whose state lives in this object only (no state file). */
    static inMemory(options: Omit<HarnessStackOptions, "stateFile">): HarnessStack {
        return new HarnessStack(options, new DeploymentState(), SymmetricCrypter.random(), options.cloud ?? new OpenStackCloud(options.cloudOptions));
    }

    static async open(options: HarnessStackOptions): Promise<HarnessStack> {
        const identity = { project: options.project, stack: options.stack, organization: options.organization ?? "organization" };
        if (options.stateFile !== undefined && existsSync(options.stateFile)) {
            const loaded = loadStateFile(options.stateFile, identity);
            const cloud = options.cloud ?? (loaded.cloud !== undefined ? OpenStackCloud.fromJSON(loaded.cloud, options.cloudOptions) : new OpenStackCloud(options.cloudOptions));
            return new HarnessStack(options, loaded.state, loaded.crypter, cloud);
        }
        return new HarnessStack(options, new DeploymentState(), SymmetricCrypter.random(), options.cloud ?? new OpenStackCloud(options.cloudOptions));
    }

    get config(): StackConfig {
        return structuredClone(this.stackConfig);
    }

    /** The config the next preview or up runs with (`pulumi config set`). */
    setConfig(config: Record<string, string>, secretKeys: string[]): void {
        this.stackConfig = { config: { ...config }, secretKeys: [...secretKeys] };
    }

    /** The environment the next operation gives the program and the dynamic-provider host (as a shell's exports would). */
    setEnv(env: Record<string, string>): void {
        this.environment = { ...env };
    }

    preview(): Promise<OperationResult> {
        return this.runProgram("preview", "update", true);
    }

    up(): Promise<OperationResult> {
        return this.runProgram("up", "update", false);
    }

    /**
     * `pulumi destroy`: without the program (the default, as the CLI does), providers are
     * configured from the state and a resource with delete hooks fails (`hook "x" was not
     * registered`); with `runProgram` (--run-program) the program registers its hooks first.
     */
    async destroy(options: { runProgram?: boolean; dryRun?: boolean } = {}): Promise<OperationResult> {
        if (options.runProgram === true) return this.runProgram("destroy", "destroy", options.dryRun ?? false);
        return this.withoutProgram("destroy", options.dryRun ?? false, (deployment) => deployment.destroyAll());
    }

    /** `pulumi refresh` (without the program): every resource read back from its provider. */
    refresh(options: { dryRun?: boolean } = {}): Promise<OperationResult> {
        return this.withoutProgram("refresh", options.dryRun ?? false, (deployment) => deployment.refreshAll());
    }

    /** The root stack's outputs now. */
    outputs(): WireObject {
        const root = [...this.state.resources.values()].find((resource) => resource.type === ROOT_STACK_TYPE);
        return root === undefined ? {} : outputsOf(root);
    }

    /**
     * The checkpoint as `pulumi stack export` gives it: secrets encrypted, or with `showSecrets`
     * (--show-secrets) their plaintext in the envelope's `plaintext` field instead of `ciphertext`
     * (pkg/resource/stack/deployment.go SerializePropertyValue, showSecrets).
     */
    exportDeployment(options: { showSecrets?: boolean } = {}): UntypedDeployment {
        const deployment = serializeDeployment(this.state, this.crypter);
        if (options.showSecrets !== true) return deployment;
        const reveal = (value: unknown): unknown => {
            if (Array.isArray(value)) return value.map(reveal);
            if (value === null || typeof value !== "object") return value;
            const object = value as Record<string, unknown>;
            if (object[SIG_KEY] === SECRET_SIG && typeof object["ciphertext"] === "string") {
                return { [SIG_KEY]: SECRET_SIG, plaintext: this.crypter.decrypt(object["ciphertext"]) };
            }
            return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, reveal(item)]));
        };
        return reveal(deployment) as UntypedDeployment;
    }

    writeCheckpoint(file: string): void {
        writeCheckpoint(this.state, file, this.crypter);
    }

    /** Stored checkpoint bytes of a resource and everything under it (e.g. one runner slot). */
    bytesUnder(parentUrn: string): number {
        return checkpointBytesUnder(this.state, parentUrn, this.crypter);
    }

    save(): void {
        if (this.options.stateFile === undefined) return;
        const world = this.cloud instanceof OpenStackCloud ? this.cloud.toJSON() : undefined;
        saveStateFile(this.options.stateFile, this.identity, { state: this.state, crypter: this.crypter, cloud: world });
    }

    private deployment(mode: "update" | "destroy", dryRun: boolean, config: StackConfig): Deployment {
        return new Deployment({
            mode,
            dryRun,
            state: this.state,
            ...this.identity,
            config,
            programDir: this.options.programDir,
            providerEnv: this.environment,
            runtimeOptions: this.options.typescript === false ? {} : { typescript: "true" },
            cloud: this.cloud,
        });
    }

    private async runProgram(operation: OperationResult["operation"], mode: "update" | "destroy", dryRun: boolean): Promise<OperationResult> {
        // A destroy that runs the program runs it with the last config the stack was deployed with.
        const config = mode === "destroy" ? (this.state.lastConfig ?? this.stackConfig) : this.stackConfig;
        const deployment = this.deployment(mode, dryRun, config);
        let run: EngineRun;
        try {
            run = await runUnderEngine({
                programDir: this.options.programDir,
                project: this.identity.project,
                stack: this.identity.stack,
                organization: this.identity.organization,
                dryRun,
                config: config.config,
                secretKeys: config.secretKeys,
                env: this.environment,
                engine: deployment,
                signal: deployment.failed.signal,
                onMonitorStarted: (address) => deployment.providers.attach(address),
                ...(this.options.entryPoint !== undefined ? { entryPoint: this.options.entryPoint } : {}),
                ...(this.options.typescript !== undefined ? { typescript: this.options.typescript } : {}),
                ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
                ...(this.options.parallel !== undefined ? { parallel: this.options.parallel } : {}),
            });
            await deployment.settled();
            deployment.commit();
            if (!dryRun) this.save();
        } finally {
            // Stops the provider host (its stderr is kept for the result).
            await deployment.close();
        }
        const programLogs: Diagnostic[] = run.monitor.logs
            .filter((log) => log.severity !== "debug")
            .map((log) => ({ severity: log.severity as Diagnostic["severity"], urn: log.urn, message: log.message }));
        let error = deployment.stepError ?? deployment.deleteError;
        if (error === undefined && (run.exit.code !== 0 || run.exit.timedOut)) {
            const logged = programLogs.filter((log) => log.severity === "error").map((log) => log.message);
            error = `the program exited ${run.exit.timedOut ? "after its time limit" : `with code ${run.exit.code}`}: ${logged.join("\n") || run.exit.stderr.slice(-2000)}`;
        }
        return this.result(operation, deployment, { run, error, programLogs });
    }

    private async withoutProgram(operation: OperationResult["operation"], dryRun: boolean, act: (deployment: Deployment) => Promise<void>): Promise<OperationResult> {
        const deployment = this.deployment(operation === "destroy" ? "destroy" : "update", dryRun, this.state.lastConfig ?? this.stackConfig);
        let error: string | undefined;
        try {
            await act(deployment).catch((cause: unknown) => {
                error = cause instanceof Error ? cause.message : String(cause);
            });
            deployment.commit();
            if (!dryRun) this.save();
        } finally {
            await deployment.close();
        }
        return this.result(operation, deployment, { run: undefined, error: error ?? deployment.deleteError, programLogs: [] });
    }

    private result(operation: OperationResult["operation"], deployment: Deployment, extra: { run: EngineRun | undefined; error: string | undefined; programLogs: Diagnostic[] }): OperationResult {
        const root = [...deployment.result.resources.values()].find((resource) => resource.type === ROOT_STACK_TYPE);
        return {
            operation,
            steps: deployment.steps,
            diagnostics: [...extra.programLogs, ...deployment.diagnostics],
            outputs: root === undefined ? {} : outputsOf(root),
            error: extra.error,
            deleteError: deployment.deleteError,
            run: extra.run,
            providerStderr: deployment.providers.providerStderr,
            hookCalls: deployment.hooks.calls,
        };
    }
}
