/**
  * A recording stand-in for the Pulumi engine: the ResourceMonitor and Engine gRPC services a
  * program talks to, built on the service definitions and messages shipped in @pulumi/pulumi/proto.
  * It records every call, so tests can assert on the resource graph the program registered, and
  * hands the calls to a MonitorEngine (the simulated engine) when one is given; without one it
  * answers like a preview (echoed inputs as outputs, unknown ids).
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
import { sourcePositionOf, stackTraceOf } from "./source-positions";

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
    /** Whether the program set deleteBeforeReplace at all (otherwise the provider's diff decides). */
    deleteBeforeReplaceDefined: boolean;
    deletedWith: string;
    replaceWith: string[];
    protect: boolean | undefined;
    retainOnDelete: boolean | undefined;
    /** The `import` resource option: the id of an existing object to adopt. */
    importId: string;
    hooks: ResourceHookBinding;
    version: string;
    /** Where the program registered the resource, relative to the project root (project:///file#line,col). */
    sourcePosition: string;
    stackTrace: string[];
}

/** The resource hooks bound to a resource, by the engine's hook type (sdk/go/common/resource/resource_hooks.go). */
export interface ResourceHookBinding {
    beforeCreate: string[];
    afterCreate: string[];
    beforeUpdate: string[];
    afterUpdate: string[];
    beforeDelete: string[];
    afterDelete: string[];
    onError: string[];
}

/** A hook the program registered: its callback is served by the program's callback server. */
export interface RegisteredHook {
    name: string;
    target: string;
    token: string;
    onDryRun: boolean;
    ignoreErrors: boolean;
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
    parent: string;
    provider: string;
    dependencies: string[];
    properties: WireObject;
    additionalSecretOutputs: string[];
    version: string;
    sourcePosition: string;
    stackTrace: string[];
}

/** The engine behind the monitor: every call a program makes that changes or reads the deployment. */
export interface MonitorEngine {
    /** Custom and component resources (the monitor records first, then asks). */
    register(registration: RecordedRegistration): Promise<ResourceState>;
    registerOutputs(urn: string, outputs: WireObject): Promise<void> | void;
    read(read: RecordedRead): Promise<WireObject>;
    invoke(token: string, args: WireObject): Promise<WireObject | undefined> | WireObject | undefined;
    registerHook(hook: RegisteredHook): void;
    /** Runs before SignalAndWaitForShutdown answers: the engine's delete phase (the program still serves hooks). */
    shutdown(registeredUrns: string[]): Promise<void>;
    /** The step generator refused a registration: an error diagnostic, and the deployment stops. */
    bail(urn: string, message: string): void;
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
    /** The simulated engine; when given, `respond` and `invoke` are not used. */
    engine?: MonitorEngine;
    /** Absolute project root, for source positions (the engine stores them relative to it). */
    projectRoot?: string;
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
    /** The URNs of `registrations`, for the engine's duplicate check in constant time. */
    private readonly registeredUrns = new Set<string>();
    readonly registeredOutputs = new Map<string, WireObject>();
    readonly invokes: RecordedInvoke[] = [];
    readonly reads: RecordedRead[] = [];
    readonly logs: RecordedLog[] = [];
    readonly packages: { name: string; version: string; ref: string }[] = [];
    readonly resourceHooks: string[] = [];
    readonly registeredHooks: RegisteredHook[] = [];
    /** Errors raised while answering the program; a non-empty list is a harness or program bug. */
    readonly errors: Error[] = [];
    rootResourceUrn = "";
    shutdownSignalled = false;

    private readonly server = new grpc.Server({
        "grpc.max_receive_message_length": MAX_RPC_MESSAGE_SIZE,
        "grpc.max_send_message_length": MAX_RPC_MESSAGE_SIZE,
        // channelz is grpc-js's call-statistics registry for debugging tools; nothing reads it here,
        // and keeping it costs time on every call (@grpc/grpc-js 1.14.7 server.js, channelz.js).
        "grpc.enable_channelz": 0,
    });
    private readonly respond: ResourceResponder;
    private port = 0;

    constructor(private readonly options: MonitorOptions) {
        this.respond = options.respond ?? defaultRespond(options.dryRun);
        this.server.addService(ResourceMonitorService, this.monitorService());
        this.server.addService(EngineService, this.engineService());
    }

    private get projectRoot(): string {
        return this.options.projectRoot ?? "/";
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
            invoke: unary(errors, async (request) => {
                const token = request.getTok();
                const args = structToObject(request.getArgs());
                const engine = this.options.engine;
                const result = engine !== undefined ? await engine.invoke(token, args) : this.options.invoke?.(token, args);
                this.invokes.push({ token, args, answered: result !== undefined });
                const response = new ResourceInvokeResponse();
                if (result === undefined) {
                    // A provider whose lookup finds nothing answers with an error, which the engine passes on.
                    throw new Error(`the test monitor has no fixture for ${token}`);
                }
                return response.setReturn(objectToStruct(result));
            }),
            call: (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: "Call is not served by the test monitor" }),
            readResource: unary(errors, async (request) => {
                const urn = makeUrn(stack, project, request.getParent(), request.getType(), request.getName());
                const properties = structToObject(request.getProperties());
                const read: RecordedRead = {
                    urn,
                    type: request.getType(),
                    name: request.getName(),
                    id: request.getId(),
                    parent: request.getParent(),
                    provider: request.getProvider(),
                    dependencies: request.getDependenciesList(),
                    properties,
                    additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
                    version: request.getVersion(),
                    sourcePosition: sourcePositionOf(request.getSourceposition(), this.projectRoot),
                    stackTrace: stackTraceOf(request.getStacktrace(), this.projectRoot),
                };
                this.reads.push(read);
                const outputs = this.options.engine !== undefined ? await this.options.engine.read(read) : properties;
                return new ReadResourceResponse().setUrn(urn).setProperties(objectToStruct(outputs));
            }),
            existsResource: (_call, callback) =>
                callback({ code: grpc.status.UNIMPLEMENTED, details: "ExistsResource is not served by the test monitor" }),
            registerResource: unary(errors, async (request) => {
                const parent = request.getParent();
                const urn = makeUrn(stack, project, parent, request.getType(), request.getName());
                if (this.registeredUrns.has(urn)) {
                    // The engine refuses duplicate URNs and bails out of the whole deployment
                    // (pulumi/pulumi v3.259 pkg/resource/deploy/step_generator.go generateURN, bailDiag);
                    // so must we, or a real `pulumi up` failure would pass (or hang) here.
                    const message = `Duplicate resource URN '${urn}'; try giving it a unique name`;
                    this.options.engine?.bail(urn, message);
                    throw new Error(message);
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
                    deleteBeforeReplaceDefined: request.getDeletebeforereplacedefined(),
                    deletedWith: request.getDeletedwith(),
                    replaceWith: request.getReplaceWithList(),
                    protect: request.hasProtect() ? request.getProtect() : undefined,
                    retainOnDelete: request.hasRetainondelete() ? request.getRetainondelete() : undefined,
                    importId: request.getImportid(),
                    hooks: {
                        beforeCreate: hooks?.getBeforeCreateList() ?? [],
                        afterCreate: hooks?.getAfterCreateList() ?? [],
                        beforeUpdate: hooks?.getBeforeUpdateList() ?? [],
                        afterUpdate: hooks?.getAfterUpdateList() ?? [],
                        beforeDelete: hooks?.getBeforeDeleteList() ?? [],
                        afterDelete: hooks?.getAfterDeleteList() ?? [],
                        onError: hooks?.getOnErrorList() ?? [],
                    },
                    version: request.getVersion(),
                    sourcePosition: sourcePositionOf(request.getSourceposition(), this.projectRoot),
                    stackTrace: stackTraceOf(request.getStacktrace(), this.projectRoot),
                };
                this.registrations.push(registration);
                this.registeredUrns.add(urn);
                const response = new RegisterResourceResponse().setUrn(urn);
                const engine = this.options.engine;
                if (engine !== undefined) {
                    const state = await engine.register(registration);
                    // Component (and stack) outputs come only from RegisterResourceOutputs.
                    if (!registration.custom) return response.setId("").setObject(objectToStruct({}));
                    return response.setId(state.id).setObject(objectToStruct(state.outputs));
                }
                if (request.getType() === ROOT_STACK_TYPE || !registration.custom) {
                    return response.setId("").setObject(objectToStruct({}));
                }
                const state = await this.respond(registration);
                return response.setId(state.id).setObject(objectToStruct(state.outputs));
            }),
            registerResourceOutputs: unary(errors, async (request) => {
                const outputs = structToObject(request.getOutputs());
                this.registeredOutputs.set(request.getUrn(), outputs);
                await this.options.engine?.registerOutputs(request.getUrn(), outputs);
                return new Empty();
            }),
            registerStackTransform: unary(errors, () => new Empty()),
            registerStackInvokeTransform: unary(errors, () => new Empty()),
            registerResourceHook: unary(errors, (request) => {
                const name = request.getName();
                // ResourceHooks.RegisterResourceHook (pkg/resource/deploy/resource_hooks.go): names are unique.
                if (name === "") throw new Error("resource hook name cannot be empty");
                if (this.resourceHooks.includes(name)) throw new Error(`resource hook already registered for name "${name}"`);
                const hook: RegisteredHook = {
                    name,
                    target: request.getCallback()?.getTarget() ?? "",
                    token: request.getCallback()?.getToken() ?? "",
                    onDryRun: request.getOnDryRun(),
                    ignoreErrors: request.getIgnoreErrors(),
                };
                this.resourceHooks.push(name);
                this.registeredHooks.push(hook);
                this.options.engine?.registerHook(hook);
                return new Empty();
            }),
            registerErrorHook: unary(errors, () => new Empty()),
            registerPackage: unary(errors, (request) => {
                const ref = `package-ref-${this.packages.length + 1}`;
                this.packages.push({ name: request.getName(), version: request.getVersion(), ref });
                return new RegisterPackageResponse().setRef(ref);
            }),
            signalAndWaitForShutdown: unary(errors, async () => {
                this.shutdownSignalled = true;
                // The engine answers only once the deployment is done, deletes included
                // (source_eval.go SignalAndWaitForShutdown), so delete hooks can still call the program.
                await this.options.engine?.shutdown(this.registrations.map((registration) => registration.urn));
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
