/**
 * Resource hooks run the engine's way (pulumi/pulumi v3.259 pkg/resource/deploy/deployment.go
 * RunHooks, source_eval.go wrapResourceHookCallback): each hook named on the resource is looked
 * up among the hooks the program registered (`hook "x" was not registered` otherwise, e.g. on a
 * destroy that did not run the program), skipped in a preview unless registered onDryRun, and
 * called through the program's Callbacks service with a ResourceHookRequest; an error it returns
 * fails the step as `before hook "x" failed: ...` (a warning instead when ignoreErrors).
 */
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb.js";
import { CallbacksClient } from "@pulumi/pulumi/proto/callback_grpc_pb.js";
import { CallbackInvokeRequest, CallbackInvokeResponse } from "@pulumi/pulumi/proto/callback_pb.js";
import { ResourceHookRequest, ResourceHookResponse } from "@pulumi/pulumi/proto/resource_pb.js";
import type { HookType } from "./deployment-state";
import type { WireObject } from "./pulumi-values";
import type { RegisteredHook } from "./recording-monitor";

export interface HookCall {
    urn: string;
    id: string;
    name: string;
    type: string;
    newInputs?: WireObject;
    oldInputs?: WireObject;
    newOutputs?: WireObject;
    oldOutputs?: WireObject;
}

const CALL_TIMEOUT_MS = 60_000;

function isBefore(type: HookType): boolean {
    return type.startsWith("Before");
}

export class ResourceHooks {
    private readonly hooks = new Map<string, RegisteredHook>();
    private readonly clients = new Map<string, CallbacksClient>();
    /** Every hook call made, in order (for assertions). */
    readonly calls: { hook: string; type: HookType; urn: string }[] = [];

    constructor(
        private readonly dryRun: boolean,
        private readonly warn: (urn: string, message: string) => void,
    ) {}

    register(hook: RegisteredHook): void {
        this.hooks.set(hook.name, hook);
    }

    async run(names: readonly string[] | undefined, type: HookType, call: HookCall): Promise<void> {
        for (const name of names ?? []) {
            const hook = this.hooks.get(name);
            if (hook === undefined) throw new Error(`hook "${name}" was not registered`);
            if (this.dryRun && !hook.onDryRun) continue;
            this.calls.push({ hook: name, type, urn: call.urn });
            const error = await this.invoke(hook, call);
            if (error === undefined) continue;
            if (hook.ignoreErrors) {
                this.warn(call.urn, `${type} hook "${name}" failed: ${error}`);
                continue;
            }
            throw new Error(`${isBefore(type) ? "before" : "after"} hook "${name}" failed: ${error}`);
        }
    }

    private client(target: string): CallbacksClient {
        let client = this.clients.get(target);
        if (client === undefined) {
            client = new CallbacksClient(target, grpc.credentials.createInsecure());
            this.clients.set(target, client);
        }
        return client;
    }

    private async invoke(hook: RegisteredHook, call: HookCall): Promise<string | undefined> {
        const request = new ResourceHookRequest().setUrn(call.urn).setId(call.id).setName(call.name).setType(call.type);
        if (call.newInputs !== undefined) request.setNewInputs(Struct.fromJavaScript(call.newInputs));
        if (call.oldInputs !== undefined) request.setOldInputs(Struct.fromJavaScript(call.oldInputs));
        if (call.newOutputs !== undefined) request.setNewOutputs(Struct.fromJavaScript(call.newOutputs));
        if (call.oldOutputs !== undefined) request.setOldOutputs(Struct.fromJavaScript(call.oldOutputs));
        const invoke = new CallbackInvokeRequest().setToken(hook.token).setRequest(request.serializeBinary());
        const response = await new Promise<CallbackInvokeResponse>((resolve, reject) => {
            this.client(hook.target).invoke(invoke, new grpc.Metadata(), { deadline: Date.now() + CALL_TIMEOUT_MS }, (error, answer) =>
                error ? reject(new Error(`hook "${hook.name}": ${error.details || error.message}`)) : resolve(answer),
            );
        });
        const answer = ResourceHookResponse.deserializeBinary(response.getResponse_asU8());
        return answer.getError() === "" ? undefined : answer.getError();
    }

    close(): void {
        for (const client of this.clients.values()) client.close();
        this.clients.clear();
    }
}
