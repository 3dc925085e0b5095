/**
 * One strategy's world: the fake GitHub (test/fake-github, with its Actions side: jobs,
 * workflow_job webhooks, runners' busy state, removal of ephemeral runners) and a throwaway
 * project on which the `pulumi` test double (test/pulumi-cli-double) runs this repository's
 * real program on the engine harness. The stack is the dev example stack (Pulumi.dev.yaml):
 * its `secure:` placeholders replaced by generated secrets, GitHub pointed at the fake over
 * plain http to 127.0.0.1 (the config allows http only to loopback, components/config/rules.ts),
 * which lets this process's own GitHub clients (the demand source, the supply check) reach the
 * fake without a TLS front, and its one pool sized as the strategy needs.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { FakeGithub } from "../../test/fake-github";
import { readInvocations, type Invocation } from "../../test/pulumi-cli-double/invocations";
import { DoubleWorld, PROGRAM_ENTRIES, REPO_DIR } from "../../test/pulumi-cli-double/test-world";

export const PROJECT = "openstack-github-runners";
export const STACK = "bench";
export const OWNER = "acme";
export const REPOSITORY = "widgets";
export const REPO_SCOPE = `${OWNER}/${REPOSITORY}`;
/** Preloaded into the double's processes: the provider host's GitHub writes are not spaced (see the file). */
const UNTHROTTLED_WRITES = path.join(__dirname, "..", "bench", "unthrottled-writes.cjs");

export type PoolSizing = { count: number } | { min: number; max: number };

export interface DevPool {
    name: string;
    /** The pool's own labels (the dev example's). */
    labels: string[];
    flavor: unknown;
}

type Yaml = null | boolean | number | string | Yaml[] | { [key: string]: Yaml };

/** The dev example stack's config as DoubleWorld.initStack takes it, and its (only) pool. */
export function devStack(options: { apiUrl: string; secrets: Record<string, string>; sizing: PoolSizing }): { config: Record<string, { value: unknown; secret?: boolean }>; pool: DevPool } {
    const document = yaml.load(readFileSync(path.join(REPO_DIR, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, Yaml> };
    const config: Record<string, { value: unknown; secret?: boolean }> = {};
    for (const [key, value] of Object.entries(document.config)) {
        if (typeof value === "object" && value !== null && !Array.isArray(value) && "secure" in value) {
            const plaintext = options.secrets[key];
            if (plaintext === undefined) throw new Error(`Pulumi.dev.yaml has a secure value at ${key}; the benchmark has no generated secret for it`);
            config[key] = { value: plaintext, secret: true };
        } else {
            config[key] = { value };
        }
    }
    const pools = config[`${PROJECT}:pools`]?.value;
    if (!Array.isArray(pools) || pools.length !== 1) throw new Error(`Pulumi.dev.yaml: expected exactly one pool under ${PROJECT}:pools, the pool the benchmark sizes`);
    const { count: _count, min: _min, max: _max, ...rest } = pools[0] as Record<string, unknown>;
    const pool: DevPool = { name: String(rest["name"]), labels: (rest["labels"] as string[] | undefined) ?? [], flavor: rest["flavor"] };
    config[`${PROJECT}:pools`] = { value: [{ ...rest, ...options.sizing }] };
    const github = config[`${PROJECT}:github`]?.value as Record<string, unknown>;
    config[`${PROJECT}:github`] = { value: { ...github, apiUrl: options.apiUrl } };
    return { config, pool };
}

export class BenchWorld {
    private fakeClockOffsetMs = 0;

    private constructor(
        readonly fake: FakeGithub,
        readonly double: DoubleWorld,
        readonly pool: DevPool,
        /** Every generated secret (for leak checks). */
        readonly secrets: string[],
    ) {}

    static async start(sizing: PoolSizing): Promise<BenchWorld> {
        const fake = await FakeGithub.start();
        let double: DoubleWorld | undefined;
        try {
            const token = `ghp_${randomBytes(18).toString("hex")}`;
            const secrets = { [`${PROJECT}:githubToken`]: token, "openstack:password": `pw-${randomBytes(12).toString("hex")}` };
            fake.addToken(token);
            fake.addRepo(OWNER, REPOSITORY);
            double = DoubleWorld.create(REPO_DIR, PROGRAM_ENTRIES);
            const { config, pool } = devStack({ apiUrl: fake.apiUrl, secrets, sizing });
            double.initStack(STACK, config);
            return new BenchWorld(fake, double, pool, [...Object.values(secrets), double.passphrase]);
        } catch (error) {
            double?.dispose();
            await fake.stop();
            throw error;
        }
    }

    /** The environment of every `pulumi` (double) run: its backend, passphrase, invocation log; GitHub writes unspaced. */
    pulumiEnv(extra: Record<string, string> = {}): Record<string, string> {
        return this.double.env({ NODE_OPTIONS: `--require ${UNTHROTTLED_WRITES}`, ...extra });
    }

    /** The labels a job's `runs-on` names to run on this pool: `self-hosted` and the pool's own labels. */
    get jobLabels(): string[] {
        return ["self-hosted", ...this.pool.labels];
    }

    runnerNames(): Set<string> {
        return new Set(this.fake.runners(REPO_SCOPE).map((runner) => runner.name));
    }

    /** Runners GitHub shows online and not busy. */
    idleRunners(): number {
        return this.fake.runners(REPO_SCOPE).filter((runner) => runner.status === "online" && !runner.busy).length;
    }

    /**
     * Moves the fake GitHub's clock (its timestamps: created_at, started_at, completed_at) up to
     * the simulated time; never back (FakeGithub.advanceTime only moves forward in its contract).
     */
    syncClock(simulatedNowMs: number): void {
        const behind = simulatedNowMs - (Date.now() + this.fakeClockOffsetMs);
        if (behind <= 0) return;
        this.fake.advanceTime(behind);
        this.fakeClockOffsetMs += behind;
    }

    /** Successful JIT registrations GitHub answered (one per runner registered). */
    registrations(): number {
        return this.fake.requests.filter((request) => request.method === "POST" && request.path.endsWith("/generate-jitconfig") && request.status === 201).length;
    }

    invocations(): Invocation[] {
        return readInvocations(this.double.invocationLog);
    }

    async stop(): Promise<void> {
        try {
            await this.fake.stop();
        } finally {
            this.double.dispose();
        }
    }
}
