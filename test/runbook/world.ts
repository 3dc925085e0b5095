/**
 * The world the runbook is tried in: one fake GitHub (repository acme/widgets, token auth) and
 * one fake OpenStack project, shared by every environment (stack) a step adds, as two stacks
 * of one organisation share a repository and a cloud project. Each environment is the real
 * program deployed by the engine harness (cmd/run, the SDK's dynamic-provider host against the
 * fake GitHub; OpenStack resources in the harness's in-memory cloud, which refuses what Nova,
 * Glance and Neutron refuse; servers mirrored into the fake Nova, test/status/fake-nova-cloud.ts),
 * and `npm run status` is the command's own runStatus reading that stack (stack-source.ts).
 *
 *   const world = await RunbookWorld.start();
 *   const dev = world.environment("dev", (values) => { ... });   // Pulumi.dev.yaml, edited
 *   await dev.up();  const status = await dev.status([]);
 *   await world.dispose();
 */
import { randomBytes } from "node:crypto";
import { createOpenstackClient, type OpenstackClient, resolveOpenstackCredentials } from "../../components/openstack";
import { runStatus } from "../../scripts/status/run";
import type { StatusReport } from "../../scripts/status/report";
import { FakeGithub } from "../fake-github";
import { FakeOpenstack } from "../fake-openstack";
import { editStackPools, PROJECT, projectStackOptions, stackConfig, TYPES } from "../harness/fleet-stack";
import { HarnessStack, type OperationResult } from "../harness/harness-stack";
import { OpenStackCloud } from "../harness/openstack-cloud";
import type { StoredResource } from "../harness/deployment-state";
import { FakeNovaCloud } from "../status/fake-nova-cloud";
import { operationText } from "./operation-text";
import { harnessStackSource } from "./stack-source";

export const SCOPE = "acme/widgets";
export const TOKEN_KEY = `${PROJECT}:githubToken`;
/** The OpenStack user of the example stack files. */
const OPENSTACK_USER = "ci-deployer";
/** The OpenStack project of Pulumi.dev.yaml (`openstack:tenantName`); every environment here shares it. */
export const TENANT = "ci-runners-dev";

/** A pool of a stack file, as the steps edit it. */
export interface StackPool {
    name: string;
    count?: number;
    [key: string]: unknown;
}

export interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
}

export interface Operation {
    result: OperationResult;
    /** What the `pulumi` CLI prints for it (test/pulumi-cli-double/display.ts). */
    text: string;
}

export class RunbookWorld {
    /** One in-memory cloud for every environment: one OpenStack project holds them all. */
    readonly cloud = new OpenStackCloud();

    private constructor(
        readonly github: FakeGithub,
        readonly openstack: FakeOpenstack,
        readonly nova: OpenstackClient,
        readonly password: string,
    ) {}

    static async start(): Promise<RunbookWorld> {
        const github = await FakeGithub.start();
        const openstack = await FakeOpenstack.start().catch(async (error: unknown) => {
            await github.stop();
            throw error;
        });
        const password = `pw-${randomBytes(12).toString("hex")}`;
        github.addRepo("acme", "widgets");
        openstack.addProject(TENANT);
        openstack.addUser({ name: OPENSTACK_USER, password, projects: [TENANT] });
        const nova = createOpenstackClient(
            resolveOpenstackCredentials({
                stackConfig: { "openstack:authUrl": openstack.authUrl, "openstack:userName": OPENSTACK_USER, "openstack:password": password, "openstack:tenantName": TENANT, "openstack:userDomainName": "Default", "openstack:projectDomainName": "Default" },
                env: {},
            }),
            { retry: { attempts: 1 } },
        );
        return new RunbookWorld(github, openstack, nova, password);
    }

    /** A Glance image, in both the fake Glance (status reads its name) and the harness's cloud (the program looks it up). */
    addImage(name: string): string {
        const image = this.openstack.addImage({ name, project: TENANT, visibility: "private", status: "active" });
        this.cloud.addImage({ name, id: image.id });
        return image.id;
    }

    /** A new GitHub token the fake accepts. */
    newToken(): string {
        const token = `ghp_${randomBytes(18).toString("hex")}`;
        this.github.addToken(token);
        return token;
    }

    /**
     * A stack of this project: Pulumi.dev.yaml (the example) with the GitHub API pointed at the fake
     * and OpenStack at the fake's Keystone, then `edit` (as a copied, edited stack file would be).
     */
    environment(stackName: string, edit: (values: Record<string, string>) => void = () => {}): Environment {
        const token = this.newToken();
        const secrets = { [TOKEN_KEY]: token, "openstack:password": this.password };
        const config = stackConfig("dev", secrets, this.github.apiUrl, (values) => {
            values["openstack:authUrl"] = this.openstack.authUrl;
            edit(values);
        });
        const stack = HarnessStack.inMemory(projectStackOptions(stackName, config, new FakeNovaCloud(this.cloud, this.openstack, TENANT, this.nova)));
        return new Environment(this, stack);
    }

    async dispose(): Promise<void> {
        this.nova.close();
        await Promise.allSettled([this.github.stop(), this.openstack.stop()]);
    }
}

export class Environment {
    /** What a killed `pulumi up` left in the checkpoint (interrupted.ts); `pulumi refresh --clear-pending-creates` empties it. */
    readonly pendingOperations: unknown[] = [];

    constructor(
        readonly world: RunbookWorld,
        readonly stack: HarnessStack,
    ) {}

    get name(): string {
        return this.stack.identity.stack;
    }

    get namePrefix(): string {
        return this.stack.config.config[`${PROJECT}:namePrefix`] ?? `gh-${this.name}`;
    }

    get token(): string {
        return this.stack.config.config[TOKEN_KEY] ?? "";
    }

    /** `pulumi config set` (or an edit of Pulumi.<stack>.yaml): applies to the next operation and to status. */
    editConfig(edit: (values: Record<string, string>, secretKeys: Set<string>) => void): void {
        const { config, secretKeys } = this.stack.config;
        const secret = new Set(secretKeys);
        edit(config, secret);
        this.stack.setConfig(config, [...secret]);
    }

    editPools(edit: (pools: StackPool[]) => void): void {
        this.editConfig((values) => editStackPools(values, edit));
    }

    /** `pulumi config set --secret <key> <value>`. */
    setSecret(key: string, value: string): void {
        this.editConfig((values, secretKeys) => {
            values[key] = value;
            secretKeys.add(key);
        });
    }

    preview(): Promise<Operation> {
        return this.operation(() => this.stack.preview(), true);
    }

    up(): Promise<Operation> {
        return this.operation(() => this.stack.up(), false);
    }

    refresh(options: { dryRun?: boolean } = {}): Promise<Operation> {
        return this.operation(() => this.stack.refresh(options), options.dryRun ?? false);
    }

    destroy(): Promise<Operation> {
        return this.operation(() => this.stack.destroy(), false);
    }

    private async operation(run: () => Promise<OperationResult>, dryRun: boolean): Promise<Operation> {
        const started = Date.now();
        const result = await run();
        return { result, text: operationText(this.stack, result, dryRun, Math.max(1, Math.round((Date.now() - started) / 1000))) };
    }

    /** `npm run status -- --stack <name> <args>`: the command's runStatus, the stack read as the Automation API reads it. */
    async status(args: readonly string[]): Promise<CliResult> {
        let stdout = "";
        let stderr = "";
        const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("OS_")));
        const code = await runStatus(["--stack", this.name, ...args], {
            env,
            io: { out: (text) => (stdout += text), err: (text) => (stderr += text) },
            openSource: async () => harnessStackSource(this.stack, this.pendingOperations),
        });
        return { code, stdout, stderr };
    }

    /** `npm run status -- --stack <name> --json`, parsed; fails on a non-zero exit. */
    async report(): Promise<StatusReport> {
        const result = await this.status(["--json"]);
        if (result.code !== 0) throw new Error(`status --json exited ${result.code}: ${result.stderr}`);
        return JSON.parse(result.stdout) as StatusReport;
    }

    /** Slot resources of one type, by slot name ("fleet-small-0"). */
    resources(type: string): Map<string, StoredResource> {
        const found = new Map<string, StoredResource>();
        for (const resource of this.stack.state.resources.values()) {
            if (resource.type === type) found.set(resource.urn.slice(resource.urn.lastIndexOf("::") + 2), resource);
        }
        return found;
    }

    /** The runner of slot `index` of pool `pool`, from the state. */
    runnerOf(pool: string, index: number): string {
        const registration = this.resources(TYPES.registration).get(`fleet-${pool}-${index}`);
        if (registration === undefined) throw new Error(`no registration fleet-${pool}-${index} in the state of ${this.name}`);
        return String(registration.outputs["runnerName"]);
    }

    /** The Nova id of slot `index`'s server, from the state. */
    serverOf(pool: string, index: number): string {
        const instance = this.resources(TYPES.instance).get(`fleet-${pool}-${index}`);
        if (instance === undefined) throw new Error(`no instance fleet-${pool}-${index} in the state of ${this.name}`);
        return instance.id;
    }
}
