/**
 * A deployed example stack for the status tests: the real program deployed by the engine
 * harness (cmd/run, the SDK's dynamic-provider host) against the fake GitHub, with its Nova
 * servers in the fake OpenStack (fake-nova-cloud.ts), its state kept where the `pulumi` CLI
 * test double's backend finds it, and its config in the double's Pulumi.<stack>.yaml
 * (passphrase-encrypted secrets). The status command then runs as `pulumi up` would be run:
 * a child process, the double first on PATH, reading everything through the Automation API.
 *
 *   const world = await StatusWorld.start("dev", (pools) => { pools[0].count = 4; });
 *   await world.up();  ...  const { code, stdout } = await world.status(["--json"]);
 *   await world.dispose();
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { createOpenstackClient, type OpenstackClient, resolveOpenstackCredentials } from "../../components/openstack";
import { FakeGithub } from "../fake-github";
import { FakeOpenstack } from "../fake-openstack";
import { HarnessStack, type OperationResult } from "../harness/harness-stack";
import { OpenStackCloud } from "../harness/openstack-cloud";
import { editStackPools, PROJECT, projectStackOptions, REPO, stackConfig, TYPES } from "../harness/fleet-stack";
import type { StoredResource } from "../harness/deployment-state";
import { DoubleWorld, PROGRAM_ENTRIES, REPO_DIR } from "../pulumi-cli-double/test-world";
import { FakeNovaCloud } from "./fake-nova-cloud";

const run = promisify(execFile);

export type ExampleStack = "dev" | "prod";

/** A pool of the example stack files, as the tests edit it. */
export interface ExamplePool {
    name: string;
    count?: number;
    min?: number;
    max?: number;
    schedules?: unknown[];
    [key: string]: unknown;
}

/** OpenStack project and user of the example stack files (Pulumi.dev.yaml, Pulumi.prod.yaml). */
const OPENSTACK_USER = "ci-deployer";

export interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
}

export class StatusWorld {
    private constructor(
        readonly stackName: ExampleStack,
        readonly github: FakeGithub,
        readonly openstack: FakeOpenstack,
        readonly double: DoubleWorld,
        readonly stack: HarnessStack,
        readonly cloud: FakeNovaCloud,
        readonly nova: OpenstackClient,
        /** Plaintexts of the stack's secrets (random per run, so a leak is recognisable). */
        readonly secrets: Record<string, string>,
        /** The GitHub scope ("acme/widgets" or "acme"). */
        readonly scope: string,
        readonly namePrefix: string,
    ) {}

    /** The config last written to the double's Pulumi.<stack>.yaml (JSON), if any. */
    private published: string | undefined;

    static async start(stackName: ExampleStack, editPools: (pools: ExamplePool[]) => void): Promise<StatusWorld> {
        const github = await FakeGithub.start();
        const openstack = await FakeOpenstack.start();
        const double = DoubleWorld.create(REPO_DIR, PROGRAM_ENTRIES);
        try {
            const password = `pw-${randomBytes(12).toString("hex")}`;
            const secrets: Record<string, string> = { "openstack:password": password };
            let scope: string;
            if (stackName === "dev") {
                const token = `ghp_${randomBytes(18).toString("hex")}`;
                secrets[`${PROJECT}:githubToken`] = token;
                github.addToken(token);
                github.addRepo("acme", "widgets");
                scope = "acme/widgets";
            } else {
                const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
                secrets[`${PROJECT}:githubAppPrivateKey`] = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
                github.addOrg("acme");
                github.addRunnerGroup("acme", "openstack-prod");
                github.addApp({ appId: "123456", installationId: 98765432, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() });
                scope = "acme";
            }
            const config = stackConfig(stackName, secrets, github.apiUrl, (values) => {
                editStackPools(values, editPools);
                values["openstack:authUrl"] = openstack.authUrl;
                if (stackName === "prod") {
                    // The image build runs scripts/build-image.sh as root; status needs an image, not a build.
                    values[`${PROJECT}:image`] = JSON.stringify({ base: "noble", arch: "x64", name: "github-runner-noble-x64" });
                }
            });
            const tenant = config.config["openstack:tenantName"] ?? "";
            openstack.addProject(tenant);
            openstack.addUser({ name: OPENSTACK_USER, password, projects: [tenant] });
            const nova = createOpenstackClient(resolveOpenstackCredentials({ stackConfig: { ...config.config }, env: {} }), { retry: { attempts: 1 } });
            const cloud = new FakeNovaCloud(new OpenStackCloud(), openstack, tenant, nova);
            const stack = await HarnessStack.open({ ...projectStackOptions(stackName, config, cloud), stateFile: double.backend().harnessStateFile(stackName) });
            const namePrefix = config.config[`${PROJECT}:namePrefix`] ?? `gh-${stackName}`;
            return new StatusWorld(stackName, github, openstack, double, stack, cloud, nova, secrets, scope, namePrefix);
        } catch (error) {
            double.dispose();
            await Promise.allSettled([github.stop(), openstack.stop()]);
            throw error;
        }
    }

    /** `pulumi up` through the harness with the pools edited (the stack's config is kept in step in the double's stack file). */
    async up(editPools?: (pools: ExamplePool[]) => void): Promise<OperationResult> {
        if (editPools !== undefined) {
            const config = this.stack.config;
            editStackPools(config.config, editPools);
            this.stack.setConfig(config.config, config.secretKeys);
        }
        const result = await this.stack.up();
        if (result.error !== undefined) throw new Error(`up failed: ${result.error}\n${result.providerStderr.slice(-3000)}`);
        this.published = undefined;
        return result;
    }

    /**
     * Writes the harness stack's config to the double's Pulumi.<stack>.yaml (secrets encrypted with
     * the passphrase), as `pulumi config set` would have; the double's backend keeps the state.
     */
    private publishConfig(): void {
        const { config, secretKeys } = this.stack.config;
        const text = JSON.stringify({ config, secretKeys });
        if (this.published === text) return;
        const backend = this.double.backend();
        if (backend.stackExists(this.stackName)) {
            // initStack refuses an existing stack: drop the backend's record, keep the state file.
            const stateFile = backend.harnessStateFile(this.stackName);
            const saved = readFileSync(stateFile);
            backend.removeStack(this.stackName);
            mkdirSync(path.dirname(stateFile), { recursive: true });
            writeFileSync(stateFile, saved);
        }
        this.double.initStack(this.stackName, Object.fromEntries(Object.entries(config).map(([key, value]) => [key, { value: structured(value), secret: secretKeys.includes(key) }])));
        backend.writeCheckpoint(this.stackName, this.stack.exportDeployment().deployment);
        this.published = text;
    }

    /** Slot resources of one type, by slot name ("fleet-small-0"). */
    resources(type: string): Map<string, StoredResource> {
        const found = new Map<string, StoredResource>();
        for (const resource of this.stack.state.resources.values()) {
            if (resource.type === type) found.set(resource.urn.slice(resource.urn.lastIndexOf("::") + 2), resource);
        }
        return found;
    }

    runnerOf(slot: string): string {
        const registration = this.resources(TYPES.registration).get(slot);
        if (registration === undefined) throw new Error(`no registration ${slot} in the state`);
        return String(registration.outputs["runnerName"]);
    }

    serverOf(slot: string): string {
        const instance = this.resources(TYPES.instance).get(slot);
        if (instance === undefined) throw new Error(`no instance ${slot} in the state`);
        return instance.id;
    }

    /** The environment of a process that uses the double as its `pulumi` (no OS_* variables: credentials come from the stack). */
    env(): Record<string, string> {
        const inherited = Object.fromEntries(Object.entries(process.env).filter(([key, value]) => !key.startsWith("OS_") && value !== undefined)) as Record<string, string>;
        return { ...inherited, ...this.double.env() };
    }

    /** Runs `npm run status -- --stack <stack> --cwd <project> ...` as a child process. */
    async status(args: string[]): Promise<CliResult> {
        this.publishConfig();
        const command = [path.join(REPO, "node_modules", "tsx", "dist", "cli.mjs"), path.join(REPO, "scripts", "status", "main.ts"), "--stack", this.stackName, "--cwd", this.double.projectDir, ...args];
        try {
            const { stdout, stderr } = await run(process.execPath, command, { env: this.env(), cwd: REPO, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
            return { code: 0, stdout, stderr };
        } catch (error) {
            const failure = error as { code?: unknown; stdout?: string; stderr?: string; killed?: boolean };
            if (typeof failure.code !== "number") throw error;
            return { code: failure.code, stdout: failure.stdout ?? "", stderr: failure.stderr ?? "" };
        }
    }

    async dispose(): Promise<void> {
        this.nova.close();
        this.double.dispose();
        await Promise.allSettled([this.github.stop(), this.openstack.stop()]);
    }
}

/** A config value as the stack file holds it: structure for JSON objects and lists, text otherwise. */
function structured(value: string): unknown {
    if (!/^[[{]/.test(value)) return value;
    try {
        return JSON.parse(value) as unknown;
    } catch {
        return value;
    }
}
