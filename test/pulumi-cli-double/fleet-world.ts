/**
 * For tests: this repository's program behind the `pulumi` double, against the
 * fake GitHub (through the harness's https front, as the stack config takes
 * only https API URLs). The stack is the dev example stack (Pulumi.dev.yaml)
 * with GitHub pointed at the fake, real secrets encrypted with the world's
 * passphrase, and the pools a test asks for.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { GithubWorld } from "../harness/fleet-stack";
import { DoubleWorld, PROGRAM_ENTRIES, REPO_DIR } from "./test-world";

export const FLEET_PROJECT = "openstack-github-runners";
export const REPO_SCOPE = "acme/widgets";

export interface FleetWorldOptions {
    stack: string;
    /** The stack's pools (replacing the dev example's). */
    pools: Record<string, unknown>[];
}

export class FleetWorld {
    private constructor(
        readonly double: DoubleWorld,
        readonly github: GithubWorld,
        readonly stack: string,
        /** The GitHub token the stack uses (a secret: tests check it never shows). */
        readonly token: string,
        readonly openstackPassword: string,
    ) {}

    static async start(options: FleetWorldOptions): Promise<FleetWorld> {
        const github = await GithubWorld.start();
        let double: DoubleWorld | undefined;
        try {
            const token = `ghp_${randomBytes(18).toString("hex")}`;
            const openstackPassword = `pw-${randomBytes(12).toString("hex")}`;
            github.fake.addToken(token);
            github.fake.addRepo("acme", "widgets");
            double = DoubleWorld.create(REPO_DIR, PROGRAM_ENTRIES);
            double.initStack(options.stack, devStackConfig({ apiUrl: github.apiUrl, token, openstackPassword, pools: options.pools }));
            return new FleetWorld(double, github, options.stack, token, openstackPassword);
        } catch (error) {
            double?.dispose();
            await github.stop();
            throw error;
        }
    }

    /** The environment of a process that runs Pulumi (the double) and reaches the fake GitHub. */
    env(extra: Record<string, string> = {}): Record<string, string> {
        return this.double.env({ ...this.github.front.programEnv, ...extra });
    }

    /** Runner names of the repository on the fake GitHub. */
    runnerNames(): string[] {
        return this.github.fake.runners(REPO_SCOPE).map((runner) => runner.name).sort();
    }

    async stop(): Promise<void> {
        try {
            await this.github.stop();
        } finally {
            this.double.dispose();
        }
    }
}

type Yaml = null | boolean | number | string | Yaml[] | { [key: string]: Yaml };

/**
 * The dev example stack's config (Pulumi.dev.yaml), as top-level keys for
 * DoubleWorld.initStack: its placeholders for secure values replaced by test
 * secrets, GitHub's API URL and the pools replaced.
 */
function devStackConfig(options: { apiUrl: string; token: string; openstackPassword: string; pools: Record<string, unknown>[] }): Record<string, { value: unknown; secret?: boolean }> {
    const document = yaml.load(readFileSync(path.join(REPO_DIR, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, Yaml> };
    const secrets: Record<string, string> = { "openstack:password": options.openstackPassword, [`${FLEET_PROJECT}:githubToken`]: options.token };
    const config: Record<string, { value: unknown; secret?: boolean }> = {};
    for (const [key, value] of Object.entries(document.config)) {
        if (typeof value === "object" && value !== null && !Array.isArray(value) && "secure" in value) {
            const plaintext = secrets[key];
            if (plaintext === undefined) throw new Error(`Pulumi.dev.yaml has a secure value at ${key} the fleet world has no test secret for`);
            config[key] = { value: plaintext, secret: true };
        } else {
            config[key] = { value };
        }
    }
    const github = config[`${FLEET_PROJECT}:github`]?.value as Record<string, unknown> | undefined;
    config[`${FLEET_PROJECT}:github`] = { value: { ...github, apiUrl: options.apiUrl } };
    config[`${FLEET_PROJECT}:pools`] = { value: options.pools };
    return config;
}
