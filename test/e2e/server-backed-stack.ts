/**
 * The one piece of glue between the engine harness and the qemu backend: a
 * HarnessStack (cmd/run, the SDK's dynamic-provider host, the simulated engine,
 * state kept between operations) whose OpenStack cloud puts a ServerBackend
 * behind its Nova servers, so every openstack.compute.Instance the engine
 * creates boots with exactly the Nova inputs the provider would send, and
 * every one it deletes is destroyed. The cloud's Glance holds the images the
 * backend can boot, under the names the stacks look up.
 */
import type { StackFileConfig } from "../../scripts/plan/stack-file";
import type { FakeGithub, RecordedRequest } from "../fake-github";
import type { ServerBackend } from "../harness/cloud";
import { PROJECT, REPO, stackConfig } from "../harness/fleet-stack";
import { HarnessStack, type OperationResult } from "../harness/harness-stack";
import { OpenStackCloud } from "../harness/openstack-cloud";
import type { DeploymentState, Step } from "../harness/simulated-engine";

export interface ServerBackedStackOptions {
    /** The fake GitHub, and the API URL through which the program reaches it. */
    github: { fake: FakeGithub; apiUrl: string };
    stack: string;
    /** Plaintexts of the stack file's `secure:` values. */
    secrets: Record<string, string>;
    backend: ServerBackend;
    /** Glance images in the cloud (the backend boots them). */
    images: Array<{ id: string; name: string }>;
    /** Edits the stack's config (`namespace:key` -> value) before every operation. */
    editConfig: (config: Record<string, string>) => void;
    /** Each program run is killed after this long; default 3 minutes. */
    programTimeoutMs?: number;
}

export interface StackOperation {
    result: OperationResult;
    /** Registrations, replacements and deletes of custom resources (no reads). */
    steps: Step[];
    /** What the fake GitHub received during the operation. */
    requests: RecordedRequest[];
}

export class ServerBackedStack {
    private constructor(
        private readonly options: ServerBackedStackOptions,
        readonly harness: HarnessStack,
        readonly cloud: OpenStackCloud,
    ) {}

    static async open(options: ServerBackedStackOptions): Promise<ServerBackedStack> {
        const cloud = new OpenStackCloud({ servers: options.backend });
        for (const image of options.images) cloud.addImage(image);
        const harness = await HarnessStack.open({
            programDir: REPO,
            project: PROJECT,
            stack: options.stack,
            // As FleetDeployments: the preview tests exercise ts-node's type check; these runs need only the behaviour.
            env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
            cloud,
            timeoutMs: options.programTimeoutMs ?? 180_000,
        });
        return new ServerBackedStack(options, harness, cloud);
    }

    get state(): DeploymentState {
        return this.harness.state;
    }

    /** The config the next operation runs with (after editConfig). */
    config(): StackFileConfig {
        return stackConfig(this.options.stack, this.options.secrets, this.options.github.apiUrl, this.options.editConfig);
    }

    preview(): Promise<StackOperation> {
        return this.operation(() => this.harness.preview());
    }

    up(): Promise<StackOperation> {
        return this.operation(() => this.harness.up());
    }

    /** `pulumi destroy` (without running the program, as the CLI does). */
    destroy(): Promise<StackOperation> {
        return this.operation(() => this.harness.destroy());
    }

    private async operation(run: () => Promise<OperationResult>): Promise<StackOperation> {
        const config = this.config();
        this.harness.setConfig(config.config, config.secretKeys);
        const requestsBefore = this.options.github.fake.requests.length;
        const result = await run();
        return {
            result,
            steps: result.steps.filter((step) => step.custom && step.kind !== "read"),
            requests: this.options.github.fake.requests.slice(requestsBefore),
        };
    }
}
