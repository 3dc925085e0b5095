/**
 * The SDK's own dynamic-provider host (@pulumi/pulumi/cmd/dynamic-provider), started the way the
 * engine starts the `pulumi-resource-pulumi-nodejs` plugin: `node <cmd/dynamic-provider> <engine>`
 * in the program's directory, with PULUMI_NODEJS_PROJECT, PULUMI_PROJECT, PULUMI_CONFIG and the
 * runtime options as PULUMI_RUNTIME_* (pulumi/pulumi v3.259 pkg/resource/plugin/provider_plugin.go
 * NewProvider); it prints its gRPC port, and is then driven over gRPC with the ResourceProvider
 * messages shipped in @pulumi/pulumi/proto. Values sent are plain: the host answers Configure with
 * acceptSecrets=false (cmd/dynamic-provider/index.js configure), so the engine strips secrets.
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
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
} from "@pulumi/pulumi/proto/provider_pb.js";
import type { WireObject } from "./pulumi-values";

export interface ResourceRef {
    urn: string;
    name: string;
    type: string;
}

export interface HostDiff {
    changes: "none" | "some" | "unknown";
    replaces: string[];
    deleteBeforeReplace: boolean;
}

export interface HostStart {
    programDir: string;
    engineAddress: string;
    /** Environment for the host on top of this process's (e.g. NODE_EXTRA_CA_CERTS). */
    env?: Record<string, string>;
    project: string;
    /** Pulumi.yaml runtime options, passed as PULUMI_RUNTIME_<NAME>. */
    runtimeOptions?: Record<string, string>;
    /** The ConfigureRequest args: the provider's inputs (for pulumi-nodejs the whole stack config). */
    configure: WireObject;
}

const DIFF_CHANGES: Record<DiffResponse.DiffChanges, HostDiff["changes"]> = {
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

    static async start(options: HostStart): Promise<DynamicProviderHost> {
        const requireFromProgram = createRequire(path.join(options.programDir, "package.json"));
        const script = requireFromProgram.resolve("@pulumi/pulumi/cmd/dynamic-provider");
        const runtime = Object.fromEntries(Object.entries(options.runtimeOptions ?? {}).map(([key, value]) => [`PULUMI_RUNTIME_${key.toUpperCase()}`, value]));
        const child = spawn(process.execPath, [script, options.engineAddress], {
            cwd: options.programDir,
            env: {
                ...withoutTestRunnerVariables(process.env),
                ...runtime,
                PULUMI_NODEJS_PROJECT: options.project,
                PULUMI_PROJECT: options.project,
                // The host's PULUMI_CONFIG holds the `pulumi-nodejs:` keys only (pkg/host/host.go Provider): none.
                PULUMI_CONFIG: "{}",
                ...options.env,
            },
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
                // As on the monitor's server (recording-monitor.ts): no channelz statistics.
                "grpc.enable_channelz": 0,
            });
            const host = new DynamicProviderHost(child, client);
            await host.configure(options.configure);
            return host;
        } catch (error) {
            child.kill("SIGKILL");
            throw error;
        }
    }

    /** The engine's Configure: args keep secrets (the host unwraps them), variables hold strings only. */
    private async configure(args: WireObject): Promise<void> {
        const request = new ConfigureRequest().setArgs(struct(args)).setAcceptsecrets(true).setAcceptresources(true);
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

    async diff(resource: ResourceRef, id: string, oldInputs: WireObject, oldOutputs: WireObject, news: WireObject): Promise<HostDiff> {
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

    /** Read: `properties` are the state's outputs on a refresh, empty on an import (the host then uses `inputs`). */
    async read(resource: ResourceRef, id: string, inputs: WireObject, state: WireObject): Promise<{ id: string; outputs: WireObject; inputs: WireObject | undefined }> {
        const request = new ReadRequest()
            .setUrn(resource.urn).setName(resource.name).setType(resource.type).setId(id)
            .setProperties(struct(state)).setInputs(struct(inputs));
        const response = await call<ReadResponse>((callback) => this.client.read(request, ...callOptions(), callback));
        return { id: response.getId(), outputs: plain(response.getProperties()), inputs: response.hasInputs() ? plain(response.getInputs()) : undefined };
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
