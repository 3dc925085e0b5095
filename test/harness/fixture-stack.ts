/**
 * The harness's own test program (fixtures/tiny) as a HarnessStack, with a temporary directory
 * for its state file and the fixture log, removed by `dispose` whatever the outcome.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { CloudBackend } from "./cloud";
import { HarnessStack } from "./harness-stack";
import type { OpenStackCloudOptions } from "./openstack-cloud";

export const FIXTURE_DIR = path.join(__dirname, "fixtures", "tiny");
export const FIXTURE_PROJECT = "harness-fixture";

export interface FixtureEvent {
    op: string;
    pid: number;
    [key: string]: unknown;
}

export interface FixtureStackOptions {
    scenario: string;
    config?: Record<string, string>;
    /** Keys (without namespace) of config values that are secret. */
    secret?: string[];
    cloud?: CloudBackend;
    cloudOptions?: OpenStackCloudOptions;
    stack?: string;
    /** Keep the state in a file in the temporary directory. */
    persistent?: boolean;
}

export class FixtureStack {
    private constructor(
        readonly stack: HarnessStack,
        readonly dir: string,
        readonly logFile: string,
        readonly stateFile: string,
        private readonly options: FixtureStackOptions,
    ) {}

    static async open(options: FixtureStackOptions): Promise<FixtureStack> {
        const dir = mkdtempSync(path.join(tmpdir(), "harness-fixture-"));
        const logFile = path.join(dir, "events.jsonl");
        const stateFile = path.join(dir, "state.json");
        try {
            const stack = await HarnessStack.open({
                programDir: FIXTURE_DIR,
                project: FIXTURE_PROJECT,
                stack: options.stack ?? "test",
                ...FixtureStack.configOf(options.scenario, options.config ?? {}, options.secret ?? []),
                env: { HARNESS_FIXTURE_LOG: logFile, PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
                ...(options.persistent === true ? { stateFile } : {}),
                ...(options.cloud !== undefined ? { cloud: options.cloud } : {}),
                ...(options.cloudOptions !== undefined ? { cloudOptions: options.cloudOptions } : {}),
                entryPoint: "index.ts",
                timeoutMs: 120_000,
            });
            return new FixtureStack(stack, dir, logFile, stateFile, options);
        } catch (error) {
            rmSync(dir, { recursive: true, force: true });
            throw error;
        }
    }

    private static configOf(scenario: string, values: Record<string, string>, secret: string[]): { config: Record<string, string>; secretKeys: string[] } {
        const config: Record<string, string> = { [`${FIXTURE_PROJECT}:scenario`]: scenario };
        for (const [key, value] of Object.entries(values)) config[key.includes(":") ? key : `${FIXTURE_PROJECT}:${key}`] = value;
        return { config, secretKeys: secret.map((key) => (key.includes(":") ? key : `${FIXTURE_PROJECT}:${key}`)) };
    }

    /** Changes config values for the next preview or up (keeps the others). */
    configure(values: Record<string, string>): void {
        const merged = { ...this.options.config, ...values };
        this.options.config = merged;
        const { config, secretKeys } = FixtureStack.configOf(this.options.scenario, merged, this.options.secret ?? []);
        this.stack.setConfig(config, secretKeys);
    }

    events(): FixtureEvent[] {
        if (!existsSync(this.logFile)) return [];
        return readFileSync(this.logFile, "utf8").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as FixtureEvent);
    }

    dispose(): void {
        rmSync(this.dir, { recursive: true, force: true });
    }
}
