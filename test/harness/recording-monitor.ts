/**
  * A recording stand-in for the Pulumi engine: the ResourceMonitor and Engine gRPC services a
  * program talks to, built on the service definitions and messages shipped in @pulumi/pulumi/proto.
  * It answers like the engine does (URNs, echoed inputs as outputs, unknown ids in preview) and
  * records every call, so tests can assert on the resource graph the program registered.
  */
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb.js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb.js";
import { EngineService, type IEngineServer } from "@pulumi/pulumi/proto/engine_grpc_pb.js";
import {
    GetRootResourceResponse,
    LogSeverity,
    RequirePulumiVersionResponse,
    SetRootResourceResponse,
} from "@pulumi/pulumi/proto/engine_pb.js";
import { ResourceMonitorService, type IResourceMonitorServer } from "@pulumi/pulumi/proto/resource_grpc_pb.js";
import {
    DeploymentInfo,
    ReadResourceResponse,
    RegisterPackageResponse,
    RegisterResourceResponse,
    ResourceInvokeResponse,
    ResourceMonitorFeature,
    SupportsFeatureResponse,
} from "@pulumi/pulumi/proto/resource_pb.js";
import { makeUrn, ROOT_STACK_TYPE } from "./urn";
import type { WireObject } from "./pulumi-values";

/** The same limit the SDK sets on its clients (runtime/settings.ts maxRPCMessageSize). */
const MAX_RPC_MESSAGE_SIZE = 1024 * 1024 * 400;

export interface RecordedRegistration {
    urn: string;
    type: string;
    name: string;
    parent: string;
    custom: boolean;
    remote: boolean;
    provider: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    /** Inputs as sent on the wire: secrets keep their signature wrapper. */
    inputs: WireObject;
    additionalSecretOutputs: string[];
    ignoreChanges: string[];
    replaceOnChanges: string[];
    deleteBeforeReplace: boolean;
    deletedWith: string;
    protect: boolean | undefined;
    retainOnDelete: boolean | undefined;
    hooks: { beforeDelete: string[]; afterDelete: string[]; beforeCreate: string[] };
    version: string;
}

export interface RecordedInvoke {
    token: string;
    args: WireObject;
    answered: boolean;
}

export interface RecordedRead {
    urn: string;
    type: string;
    name: string;
    id: string;
    properties: WireObject;
}

export interface RecordedLog {
    severity: "debug" | "info" | "warning" | "error";
    message: string;
    urn: string;
}

/** What the engine hands back for a registered custom resource. */
export interface ResourceState {
    id: string;
    outputs: WireObject;
}

/** Decides the id and outputs of a custom resource; the default echoes inputs like a preview does. */
export type ResourceResponder = (registration: RecordedRegistration) => Promise<ResourceState> | ResourceState;

/** Answers a data-source call; undefined means "no fixture" and fails the invoke like a provider would. */
export type InvokeResponder = (token: string, args: WireObject) => WireObject | undefined;

export interface MonitorOptions {
    project: string;
    stack: string;
    organization: string;
    dryRun: boolean;
    parallel: number;
    invoke?: InvokeResponder;
    respond?: ResourceResponder;
}

/** The features a current Pulumi engine advertises (pkg/resource/deploy/source_eval.go) that this monitor serves. */
const SUPPORTED_FEATURES: ReadonlyMap<string, ResourceMonitorFeature> = new Map([
    ["secrets", ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_SECRETS],
    ["resourceReferences", ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES],
    ["outputValues", ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_OUTPUT_VALUES],
    ["aliasSpecs", ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS],
    ["deletedWith", ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_DELETED_WITH],
    ["transforms", ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_TRANSFORMS],
    ["invokeTransforms", ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_INVOKE_TRANSFORMS],
    ["parameterization", ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_PARAMETERIZATION],
    ["resourceHooks", ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_RESOURCE_HOOKS],
    ["errorHooks", ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_ERROR_HOOKS],
    ["invokeDependsOn", ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_INVOKE_DEPENDS_ON],
    ["invokeParent", ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_INVOKE_PARENT],
]);

const SEVERITY_NAMES: Record<LogSeverity, RecordedLog["severity"]> = {
    [LogSeverity.DEBUG]: "debug",
    [LogSeverity.INFO]: "info",
    [LogSeverity.WARNING]: "warning",
    [LogSeverity.ERROR]: "error",
};

function structToObject(struct: Struct | undefined): WireObject {
    // toJavaScript() yields JSON-shaped values, which is exactly what WireObject describes.
    return (struct?.toJavaScript() ?? {}) as WireObject;
}

function objectToStruct(object: WireObject): Struct {
    return Struct.fromJavaScript(object);
}

/** Wraps a handler so a thrown error becomes a gRPC error for the caller and is kept for the test. */
function unary<Req, Res>(
    errors: Error[],
    handler: (request: Req) => Promise<Res> | Res,
): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
        Promise.resolve()
            .then(() => handler(call.request))
            .then(
                (response) => callback(null, response),
                (cause: unknown) => {
                    const error = cause instanceof Error ? cause : new Error(String(cause));
                    errors.push(error);
                    callback({ code: grpc.status.INTERNAL, details: error.message, name: error.name, message: error.message, metadata: new grpc.Metadata() });
                },
            );
    };
}

function defaultRespond(dryRun: boolean): ResourceResponder {
    let counter = 0;
    // In preview the engine cannot know the id of a resource it would create, so the id is unknown ("").
    return (registration) => ({
        id: dryRun ? "" : `${registration.name}-id-${++counter}`,
        outputs: registration.inputs,
    });
}

export class RecordingMonitor {
    readonly registrations: RecordedRegistration[] = [];
    readonly registeredOutputs = new Map<string, WireObject>();
    readonly invokes: RecordedInvoke[] = [];
    readonly reads: RecordedRead[] = [];
    readonly logs: RecordedLog[] = [];
    readonly packages: { name: string; version: string; ref: string }[] = [];
    readonly resourceHooks: string[] = [];
    /** Errors raised while answering the program; a non-empty list is a harness or program bug. */
    readonly errors: Error[] = [];
    rootResourceUrn = "";
    shutdownSignalled = false;

    private readonly server = new grpc.Server({
        "grpc.max_receive_message_length": MAX_RPC_MESSAGE_SIZE,
        "grpc.max_send_message_length": MAX_RPC_MESSAGE_SIZE,
    });
    private readonly respond: ResourceResponder;
    private port = 0;

    constructor(private readonly options: MonitorOptions) {
        this.respond = options.respond ?? defaultRespond(options.dryRun);
        this.server.addService(ResourceMonitorService, this.monitorService());
        this.server.addService(EngineService, this.engineService());
    }

    get address(): string {
        if (this.port === 0) throw new Error("RecordingMonitor is not started");
        return `127.0.0.1:${this.port}`;
    }

    async start(): Promise<string> {
        this.port = await new Promise<number>((resolve, reject) => {
            this.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) =>
                error ? reject(error) : resolve(port),
            );
        });
        return this.address;
    }

    /** Stops the server; in-flight calls get a second to finish before the server is forced down. */
    async stop(): Promise<void> {
        await new Promise<void>((resolve) => {
            const force = setTimeout(() => {
                this.server.forceShutdown();
                resolve();
            }, 1000);
            this.server.tryShutdown(() => {
                clearTimeout(force);
                resolve();
            });
        });
    }

    registrationsOfType(type: string): RecordedRegistration[] {
        return this.registrations.filter((registration) => registration.type === type);
    }

    byUrn(urn: string): RecordedRegistration | undefined {
        return this.registrations.find((registration) => registration.urn === urn);
    }

    private monitorService(): IResourceMonitorServer {
        const { project, stack, organization, dryRun, parallel } = this.options;
        const errors = this.errors;
        return {
            getDeploymentInfo: unary(errors, () =>
                new DeploymentInfo()
                    .setProject(project)
                    .setStack(stack)
                    .setOrganization(organization)
                    .setDryrun(dryRun)
                    .setParallel(parallel)
                    .setSupportedfeaturesList([...SUPPORTED_FEATURES.values()]),
            ),
            supportsFeature: unary(errors, (request) =>
                new SupportsFeatureResponse().setHassupport(SUPPORTED_FEATURES.has(request.getId())),
            ),
            invoke: unary(errors, (request) => {
                const token = request.getTok();
                const args = structToObject(request.getArgs());
                const result = this.options.invoke?.(token, args);
                this.invokes.push({ token, args, answered: result !== undefined });
                const response = new ResourceInvokeResponse();
                if (result === undefined) {
                    // A provider whose lookup finds nothing answers with an error, which the engine passes on.
                    throw new Error(`the test monitor has no fixture for ${token}`);
                }
                return response.setReturn(objectToStruct(result));
            }),
            call: (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: "Call is not served by the test monitor" }),
            readResource: unary(errors, (request) => {
                const urn = makeUrn(stack, project, request.getParent(), request.getType(), request.getName());
                const properties = structToObject(request.getProperties());
                this.reads.push({ urn, type: request.getType(), name: request.getName(), id: request.getId(), properties });
                return new ReadResourceResponse().setUrn(urn).setProperties(objectToStruct(properties));
            }),
            existsResource: (_call, callback) =>
                callback({ code: grpc.status.UNIMPLEMENTED, details: "ExistsResource is not served by the test monitor" }),
            registerResource: unary(errors, async (request) => {
                const parent = request.getParent();
                const urn = makeUrn(stack, project, parent, request.getType(), request.getName());
                if (this.registrations.some((existing) => existing.urn === urn)) {
                    // The engine refuses duplicate URNs; so must we, or a real `pulumi up` failure would pass here.
                    throw new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`);
                }
                const propertyDependencies: Record<string, string[]> = {};
                request.getPropertydependenciesMap().forEach((dependencies, key) => {
                    propertyDependencies[key] = dependencies.getUrnsList();
                });
                const hooks = request.getHooks();
                const registration: RecordedRegistration = {
                    urn,
                    type: request.getType(),
                    name: request.getName(),
                    parent,
                    custom: request.getCustom(),
                    remote: request.getRemote(),
                    provider: request.getProvider(),
                    dependencies: request.getDependenciesList(),
                    propertyDependencies,
                    inputs: structToObject(request.getObject()),
                    additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
                    ignoreChanges: request.getIgnorechangesList(),
                    replaceOnChanges: request.getReplaceonchangesList(),
                    deleteBeforeReplace: request.getDeletebeforereplace(),
                    deletedWith: request.getDeletedwith(),
                    protect: request.hasProtect() ? request.getProtect() : undefined,
                    retainOnDelete: request.hasRetainondelete() ? request.getRetainondelete() : undefined,
                    hooks: {
                        beforeDelete: hooks?.getBeforeDeleteList() ?? [],
                        afterDelete: hooks?.getAfterDeleteList() ?? [],
                        beforeCreate: hooks?.getBeforeCreateList() ?? [],
                    },
                    version: request.getVersion(),
                };
                this.registrations.push(registration);
                const response = new RegisterResourceResponse().setUrn(urn);
                if (request.getType() === ROOT_STACK_TYPE || !registration.custom) {
                    // Component (and stack) outputs come only from RegisterResourceOutputs.
                    return response.setId("").setObject(objectToStruct({}));
                }
                const state = await this.respond(registration);
                return response.setId(state.id).setObject(objectToStruct(state.outputs));
            }),
            registerResourceOutputs: unary(errors, (request) => {
                this.registeredOutputs.set(request.getUrn(), structToObject(request.getOutputs()));
                return new Empty();
            }),
            registerStackTransform: unary(errors, () => new Empty()),
            registerStackInvokeTransform: unary(errors, () => new Empty()),
            registerResourceHook: unary(errors, (request) => {
                this.resourceHooks.push(request.getName());
                return new Empty();
            }),
            registerErrorHook: unary(errors, () => new Empty()),
            registerPackage: unary(errors, (request) => {
                const ref = `package-ref-${this.packages.length + 1}`;
                this.packages.push({ name: request.getName(), version: request.getVersion(), ref });
                return new RegisterPackageResponse().setRef(ref);
            }),
            signalAndWaitForShutdown: unary(errors, () => {
                this.shutdownSignalled = true;
                return new Empty();
            }),
        };
    }

    private engineService(): IEngineServer {
        const errors = this.errors;
        return {
            log: unary(errors, (request) => {
                this.logs.push({ severity: SEVERITY_NAMES[request.getSeverity()], message: request.getMessage(), urn: request.getUrn() });
                return new Empty();
            }),
            getRootResource: unary(errors, () => new GetRootResourceResponse().setUrn(this.rootResourceUrn)),
            setRootResource: unary(errors, (request) => {
                this.rootResourceUrn = request.getUrn();
                return new SetRootResourceResponse();
            }),
            startDebugging: (_call, callback) =>
                callback({ code: grpc.status.UNIMPLEMENTED, details: "StartDebugging is not served by the test monitor" }),
            requirePulumiVersion: unary(errors, () => new RequirePulumiVersionResponse()),
        };
    }
}
