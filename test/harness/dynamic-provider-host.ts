/**
 * The SDK's own dynamic-provider host (@pulumi/pulumi/cmd/dynamic-provider), started the way the
 * engine starts the `pulumi-resource-pulumi-nodejs` plugin: `node <cmd/dynamic-provider> <engine>`
 * in the program's directory; it prints its gRPC port, and is then driven over gRPC with the
 * ResourceProvider messages shipped in @pulumi/pulumi/proto.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import type { Readable } from "node:stream";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb.js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb.js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb.js";
import {
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    UpdateRequest,
    UpdateResponse,
} from "@pulumi/pulumi/proto/provider_pb.js";
import type { WireObject } from "./pulumi-values";

export interface ResourceRef {
    urn: string;
    name: string;
    type: string;
}

export interface DiffResult {
    changes: "none" | "some" | "unknown";
    replaces: string[];
    deleteBeforeReplace: boolean;
}

const DIFF_CHANGES: Record<DiffResponse.DiffChanges, DiffResult["changes"]> = {
    [DiffResponse.DiffChanges.DIFF_UNKNOWN]: "unknown",
    [DiffResponse.DiffChanges.DIFF_NONE]: "none",
    [DiffResponse.DiffChanges.DIFF_SOME]: "some",
};

function struct(object: WireObject): Struct {
    return Struct.fromJavaScript(object);
}

function plain(value: Struct | undefined): WireObject {
    // toJavaScript() yields JSON-shaped values, which is exactly what WireObject describes.
    return (value?.toJavaScript() ?? {}) as WireObject;
}

type UnaryCallback<Res> = (error: grpc.ServiceError | null, response: Res) => void;

/** No provider call may outlast this: a provider stuck in retries must fail the test, not hang it. */
const CALL_TIMEOUT_MS = 60_000;

function callOptions(): [grpc.Metadata, grpc.CallOptions] {
    return [new grpc.Metadata(), { deadline: Date.now() + CALL_TIMEOUT_MS }];
}

/** Promisifies one unary call of the generated client. */
function call<Res>(start: (callback: UnaryCallback<Res>) => void): Promise<Res> {
    return new Promise((resolve, reject) => {
        start((error, response) => (error ? reject(new Error(error.details || error.message)) : resolve(response)));
    });
}

export class DynamicProviderHost {
    private stderrText = "";

    private constructor(
        private readonly child: ChildProcessByStdio<null, Readable, Readable>,
        private readonly client: ResourceProviderClient,
    ) {
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (this.stderrText += chunk));
    }

    /** What the provider host wrote to stderr (its error reports). */
    get stderr(): string {
        return this.stderrText;
    }

    static async start(programDir: string, engineAddress: string, env: Record<string, string> = {}): Promise<DynamicProviderHost> {
        const requireFromProgram = createRequire(path.join(programDir, "package.json"));
        const script = requireFromProgram.resolve("@pulumi/pulumi/cmd/dynamic-provider");
        const child = spawn(process.execPath, [script, engineAddress], {
            cwd: programDir,
            env: { ...withoutTestRunnerVariables(process.env), ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        const killOnExit = (): void => {
            child.kill("SIGKILL");
        };
        process.once("exit", killOnExit);
        child.once("exit", () => process.removeListener("exit", killOnExit));
        try {
            const port = await firstLine(child.stdout, 30_000);
            const client = new ResourceProviderClient(`127.0.0.1:${port.trim()}`, grpc.credentials.createInsecure(), {
                "grpc.max_receive_message_length": 1024 * 1024 * 400,
            });
            const host = new DynamicProviderHost(child, client);
            await host.configure();
            return host;
        } catch (error) {
            child.kill("SIGKILL");
            throw error;
        }
    }

    private async configure(): Promise<void> {
        // The engine sends the `pulumi-nodejs:*` config (none here) as args; the host refuses a request without them.
        const request = new ConfigureRequest().setArgs(struct({})).setAcceptsecrets(true).setAcceptresources(true);
        await call<ConfigureResponse>((callback) => this.client.configure(request, ...callOptions(), callback));
    }

    async check(resource: ResourceRef, olds: WireObject, news: WireObject): Promise<{ inputs: WireObject; failures: string[] }> {
        const request = new CheckRequest().setUrn(resource.urn).setName(resource.name).setType(resource.type).setOlds(struct(olds)).setNews(struct(news));
        const response = await call<CheckResponse>((callback) => this.client.check(request, ...callOptions(), callback));
        return {
            inputs: plain(response.getInputs()),
            failures: response.getFailuresList().map((failure) => `${failure.getProperty()}: ${failure.getReason()}`),
        };
    }

    async diff(resource: ResourceRef, id: string, oldInputs: WireObject, oldOutputs: WireObject, news: WireObject): Promise<DiffResult> {
        const request = new DiffRequest()
            .setUrn(resource.urn).setName(resource.name).setType(resource.type).setId(id)
            .setOlds(struct(oldOutputs)).setOldInputs(struct(oldInputs)).setNews(struct(news));
        const response = await call<DiffResponse>((callback) => this.client.diff(request, ...callOptions(), callback));
        return {
            changes: DIFF_CHANGES[response.getChanges()],
            replaces: response.getReplacesList(),
            deleteBeforeReplace: response.getDeletebeforereplace(),
        };
    }

    async create(resource: ResourceRef, properties: WireObject): Promise<{ id: string; outputs: WireObject }> {
        const request = new CreateRequest().setUrn(resource.urn).setName(resource.name).setType(resource.type).setProperties(struct(properties));
        const response = await call<CreateResponse>((callback) => this.client.create(request, ...callOptions(), callback));
        return { id: response.getId(), outputs: plain(response.getProperties()) };
    }

    async update(resource: ResourceRef, id: string, oldInputs: WireObject, oldOutputs: WireObject, news: WireObject): Promise<WireObject> {
        const request = new UpdateRequest()
            .setUrn(resource.urn).setName(resource.name).setType(resource.type).setId(id)
            .setOlds(struct(oldOutputs)).setOldInputs(struct(oldInputs)).setNews(struct(news));
        const response = await call<UpdateResponse>((callback) => this.client.update(request, ...callOptions(), callback));
        return plain(response.getProperties());
    }

    async delete(resource: ResourceRef, id: string, oldInputs: WireObject, oldOutputs: WireObject): Promise<void> {
        const request = new DeleteRequest()
            .setUrn(resource.urn).setName(resource.name).setType(resource.type).setId(id)
            .setProperties(struct(oldOutputs)).setOldInputs(struct(oldInputs));
        await call<Empty>((callback) => this.client.delete(request, ...callOptions(), callback));
    }

    async stop(): Promise<void> {
        await call<Empty>((callback) => this.client.cancel(new Empty(), ...callOptions(), callback)).catch(() => undefined);
        this.client.close();
        if (this.child.exitCode === null && this.child.signalCode === null) {
            const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
            this.child.kill("SIGTERM");
            const timer = setTimeout(() => this.child.kill("SIGKILL"), 2000);
            await exited;
            clearTimeout(timer);
        }
    }
}

function withoutTestRunnerVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const copy = { ...env };
    delete copy["NODE_OPTIONS"];
    delete copy["NODE_TEST_CONTEXT"];
    return copy;
}

function firstLine(stream: Readable, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
        let text = "";
        const timer = setTimeout(() => reject(new Error("the dynamic provider host printed no port")), timeoutMs);
        stream.setEncoding("utf8");
        stream.on("data", (chunk: string) => {
            text += chunk;
            const newline = text.indexOf("\n");
            if (newline >= 0) {
                clearTimeout(timer);
                resolve(text.slice(0, newline));
            }
        });
        stream.once("end", () => {
            clearTimeout(timer);
            reject(new Error("the dynamic provider host exited before printing its port"));
        });
    });
}
