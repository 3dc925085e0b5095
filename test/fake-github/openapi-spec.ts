/**
 * GitHub's official OpenAPI description from `@octokit/openapi`: loaded once
 * per process (the files are over 10 MB), and a router from method + path to
 * the operation the description declares for it.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export type SpecName = "api.github.com" | "ghec" | "ghes-3.17" | "ghes-3.18" | "ghes-3.19";

/** The parts of an OpenAPI 3.0 document the fake reads; schemas stay loosely typed JSON. */
export interface OpenApiDocument {
    paths: Record<string, Record<string, OpenApiOperation | unknown>>;
    components: {
        schemas: Record<string, JsonObject>;
        parameters: Record<string, JsonObject>;
        responses: Record<string, JsonObject>;
    };
}

export type JsonObject = { [key: string]: unknown };

export interface OpenApiParameter {
    name: string;
    in: "path" | "query" | "header" | "cookie";
    required?: boolean;
    schema?: JsonObject;
}

export interface OpenApiOperation {
    operationId: string;
    parameters?: (OpenApiParameter | { $ref: string })[];
    requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonObject }> } | { $ref: string };
    responses: Record<string, JsonObject>;
}

export interface MatchedOperation {
    /** The path template as written in the description, e.g. `/orgs/{org}/actions/runners`. */
    template: string;
    method: string;
    operation: OpenApiOperation;
    pathParams: Record<string, string>;
}

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options"]);

interface Route {
    template: string;
    regex: RegExp;
    paramNames: string[];
    /** Literal segments win over `{param}` segments: `/runners/downloads` before `/runners/{runner_id}`. */
    literalSegments: number;
    methods: Record<string, OpenApiOperation>;
}

export class OpenApiSpec {
    private readonly routes: Route[];

    constructor(
        readonly name: SpecName,
        readonly document: OpenApiDocument,
    ) {
        this.routes = Object.entries(document.paths)
            .map(([template, item]) => toRoute(template, item))
            .sort((a, b) => b.literalSegments - a.literalSegments);
    }

    /** The operation for this request, or a reason there is none. */
    match(method: string, path: string): MatchedOperation | { error: string } {
        const lower = method.toLowerCase();
        let pathKnown = false;
        for (const route of this.routes) {
            const found = route.regex.exec(path);
            if (!found) continue;
            pathKnown = true;
            const operation = route.methods[lower];
            if (!operation) continue;
            const pathParams: Record<string, string> = {};
            route.paramNames.forEach((name, i) => (pathParams[name] = decodeURIComponent(found[i + 1])));
            return { template: route.template, method: lower, operation, pathParams };
        }
        return {
            error: pathKnown
                ? `${this.name} declares no ${method.toUpperCase()} operation for ${path}`
                : `${this.name} declares no path matching ${path}`,
        };
    }

    /** Follows a local `$ref` (`#/components/...`) to the object it names. */
    resolve<T>(value: T | { $ref: string }): T {
        let current: unknown = value;
        for (let depth = 0; isRef(current); depth++) {
            if (depth > 20) throw new Error(`$ref loop at ${current.$ref}`);
            current = this.pointer(current.$ref);
        }
        return current as T;
    }

    pointer(ref: string): unknown {
        if (!ref.startsWith("#/")) throw new Error(`only local $refs are supported, got ${ref}`);
        let node: unknown = this.document;
        for (const raw of ref.slice(2).split("/")) {
            const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
            node = (node as JsonObject | undefined)?.[key];
        }
        if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
        return node;
    }
}

export function isRef(value: unknown): value is { $ref: string } {
    return typeof value === "object" && value !== null && typeof (value as JsonObject).$ref === "string";
}

function toRoute(template: string, item: Record<string, unknown>): Route {
    const paramNames: string[] = [];
    let literalSegments = 0;
    const pattern = template
        .split("/")
        .map((segment) => {
            if (/^\{[^}]+\}$/.test(segment)) {
                paramNames.push(segment.slice(1, -1));
                return "([^/]+)";
            }
            if (!segment.includes("{")) literalSegments++;
            // A segment may mix literals and parameters (`{owner}.{repo}`); the fake serves none of those, so no capture.
            return segment
                .split(/(\{[^}]+\})/)
                .map((part) => (/^\{[^}]+\}$/.test(part) ? "[^/]+" : escapeRegExp(part)))
                .join("");
        })
        .join("/");
    const methods: Record<string, OpenApiOperation> = {};
    for (const [method, operation] of Object.entries(item)) {
        if (HTTP_METHODS.has(method)) methods[method] = operation as OpenApiOperation;
    }
    return { template, regex: new RegExp(`^${pattern}$`), paramNames, literalSegments, methods };
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const loaded = new Map<SpecName, OpenApiSpec>();

/** Parses the named description on first use; later calls in the process share it. */
export function loadSpec(name: SpecName): OpenApiSpec {
    let spec = loaded.get(name);
    if (!spec) {
        const packageDir = dirname(require.resolve("@octokit/openapi/package.json"));
        const document = JSON.parse(readFileSync(join(packageDir, "generated", `${name}.json`), "utf8")) as OpenApiDocument;
        spec = new OpenApiSpec(name, document);
        loaded.set(name, spec);
    }
    return spec;
}
