/**
 * Checks each request the fake receives and each response it sends against
 * the operation GitHub's OpenAPI description declares for it. Validators are
 * compiled lazily, once per operation and status, so startup stays fast.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { toJsonSchema } from "./openapi-schema";
import type { JsonObject, MatchedOperation, OpenApiOperation, OpenApiParameter, OpenApiSpec } from "./openapi-spec";

/**
 * Statuses GitHub may answer on any operation whether or not the description
 * lists them (bad credentials, rate limits, not found / no access, server
 * errors: https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api).
 * Their bodies must still be GitHub's basic error.
 */
const ALWAYS_POSSIBLE_STATUSES = new Set([401, 403, 404, 429, 500, 502, 503, 504]);
const BASIC_ERROR_REF = "#/components/schemas/basic-error";

/** Formats GitHub's description uses that ajv-formats does not define; they only annotate. */
const ANNOTATION_FORMATS = ["int32", "int64", "double", "repo.nwo", "binary", "timestamp"];

export interface RequestToCheck {
    match: MatchedOperation;
    query: Record<string, string>;
    /** Raw request body text; empty when none was sent. */
    bodyText: string;
}

export interface ResponseToCheck {
    match: MatchedOperation;
    status: number;
    /** The JSON body the fake is about to send, or undefined for an empty body. */
    body: unknown;
}

export class ContractValidator {
    private readonly ajv: Ajv;
    /** Query and path values arrive as text: this instance coerces them to the declared types. */
    private readonly paramAjv: Ajv;
    private readonly compiled = new Map<string, ValidateFunction>();

    constructor(private readonly spec: OpenApiSpec) {
        this.ajv = newAjv(false);
        this.paramAjv = newAjv(true);
    }

    /** Mismatches of the request with its operation; empty when it conforms. */
    checkRequest({ match, query, bodyText }: RequestToCheck): string[] {
        const problems: string[] = [];
        const parameters = this.parameters(match.operation);
        problems.push(...this.checkParams(match, "path", parameters, match.pathParams));
        problems.push(...this.checkParams(match, "query", parameters, query));

        const requestBody = match.operation.requestBody ? this.spec.resolve(match.operation.requestBody) : undefined;
        const jsonSchema = requestBody?.content?.["application/json"]?.schema;
        if (bodyText.trim() === "") {
            if (requestBody?.required) problems.push("request body is required but none was sent");
            return problems;
        }
        if (!jsonSchema) {
            problems.push("a request body was sent but the operation takes none");
            return problems;
        }
        let body: unknown;
        try {
            body = JSON.parse(bodyText);
        } catch {
            problems.push("request body is not valid JSON");
            return problems;
        }
        const validate = this.validator(`${key(match)} request`, this.ajv, () => toJsonSchema(this.spec, jsonSchema));
        if (!validate(body)) problems.push(...describe("request body", validate.errors));
        return problems;
    }

    /** Mismatches of the response with the statuses and schemas the operation declares. */
    checkResponse({ match, status, body }: ResponseToCheck): string[] {
        const declared = match.operation.responses[String(status)] ?? match.operation.responses.default;
        let schema: unknown;
        if (declared) {
            const response = this.spec.resolve(declared) as { content?: Record<string, { schema?: unknown }> };
            schema = response.content?.["application/json"]?.schema;
            if (!response.content && body !== undefined) return [`status ${status} is declared without a body, but the fake sent one`];
        } else if (ALWAYS_POSSIBLE_STATUSES.has(status)) {
            schema = { $ref: BASIC_ERROR_REF };
        } else {
            const statuses = Object.keys(match.operation.responses).join(", ");
            return [`status ${status} is not declared by ${match.operation.operationId} (declared: ${statuses})`];
        }
        if (schema === undefined) return [];
        if (body === undefined) return [`status ${status} needs a JSON body, but the fake sent none`];
        const validate = this.validator(`${key(match)} ${status}`, this.ajv, () => toJsonSchema(this.spec, schema));
        return validate(body) ? [] : describe("response body", validate.errors);
    }

    private parameters(operation: OpenApiOperation): OpenApiParameter[] {
        return (operation.parameters ?? []).map((p) => this.spec.resolve<OpenApiParameter>(p));
    }

    private checkParams(
        match: MatchedOperation,
        where: "path" | "query",
        parameters: OpenApiParameter[],
        values: Record<string, string>,
    ): string[] {
        const validate = this.validator(`${key(match)} ${where}`, this.paramAjv, () => {
            const declared = parameters.filter((p) => p.in === where);
            return {
                type: "object",
                properties: Object.fromEntries(declared.map((p) => [p.name, toJsonSchema(this.spec, p.schema ?? {})])),
                required: declared.filter((p) => p.required).map((p) => p.name),
                // A parameter the operation does not declare is a client mistake GitHub silently ignores.
                additionalProperties: false,
            };
        });
        return validate({ ...values }) ? [] : describe(`${where} parameters`, validate.errors);
    }

    private validator(cacheKey: string, ajv: Ajv, build: () => JsonObject): ValidateFunction {
        let validate = this.compiled.get(cacheKey);
        if (!validate) {
            validate = ajv.compile(build());
            this.compiled.set(cacheKey, validate);
        }
        return validate;
    }
}

function key(match: MatchedOperation): string {
    return `${match.method} ${match.template}`;
}

function newAjv(coerceTypes: boolean): Ajv {
    // strict off: GitHub's description carries keywords (deprecated, readOnly, ...) Ajv's draft-07 core does not know.
    const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes, logger: false });
    addFormats(ajv);
    for (const format of ANNOTATION_FORMATS) ajv.addFormat(format, true);
    return ajv;
}

function describe(what: string, errors: ErrorObject[] | null | undefined): string[] {
    return (errors ?? []).map((e) => `${what}${e.instancePath || ""} ${e.message ?? "is invalid"}${formatParams(e)}`);
}

function formatParams(error: ErrorObject): string {
    const params = error.params as Record<string, unknown>;
    if ("additionalProperty" in params) return `: ${String(params.additionalProperty)}`;
    if ("allowedValues" in params) return `: ${JSON.stringify(params.allowedValues)}`;
    return "";
}
