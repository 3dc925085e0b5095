/**
 * GitHub's official description of webhook deliveries, from the npm package
 * `@octokit/openapi-webhooks` (an OpenAPI document whose `webhooks` map holds one
 * POST per event and action, e.g. `workflow-job-queued`, with the delivery
 * headers as header parameters and the payload as the request body). The fake
 * checks every delivery against it before sending it.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { toJsonSchema } from "./openapi-schema";
import { type JsonObject, type OpenApiDocument, OpenApiSpec, type SpecName } from "./openapi-spec";

interface WebhookOperation {
    operationId?: string;
    parameters?: { name: string; in: string; required?: boolean }[];
    requestBody?: { content?: Record<string, { schema?: JsonObject }> };
}

interface WebhooksDocument {
    webhooks: Record<string, { post?: WebhookOperation }>;
    components: { schemas: Record<string, JsonObject> };
}

/** Formats the webhook description uses that ajv-formats does not define; they only annotate. */
const ANNOTATION_FORMATS = ["int64", "int32"];

/** The description's key for an event and action: `workflow_job` + `in_progress` → `workflow-job-in-progress`. */
export function webhookKey(event: string, action: string | undefined): string {
    const dashed = (text: string) => text.replace(/_/g, "-");
    return action === undefined ? dashed(event) : `${dashed(event)}-${dashed(action)}`;
}

export class WebhookContract {
    private readonly ajv: Ajv;
    private readonly compiled = new Map<string, ValidateFunction>();
    /** The document's components, wrapped so the REST schema converter resolves its `$ref`s. */
    private readonly schemaSource: OpenApiSpec;

    private constructor(
        readonly name: SpecName,
        private readonly document: WebhooksDocument,
    ) {
        const components = { schemas: document.components.schemas, parameters: {}, responses: {} };
        this.schemaSource = new OpenApiSpec(name, { paths: {}, components } as OpenApiDocument);
        // strict off: the description carries keywords (readOnly, deprecated) Ajv's core does not know.
        this.ajv = new Ajv({ strict: false, allErrors: true, logger: false });
        addFormats(this.ajv);
        for (const format of ANNOTATION_FORMATS) this.ajv.addFormat(format, true);
    }

    /** Problems with a delivery of `event`/`action`: headers GitHub always sends, and the payload's schema. */
    check(event: string, action: string | undefined, headers: Record<string, string>, payload: unknown): string[] {
        const key = webhookKey(event, action);
        const operation = this.document.webhooks[key]?.post;
        if (!operation) return [`${this.name} describes no webhook "${key}"`];
        const problems: string[] = [];
        const sent = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
        for (const parameter of operation.parameters ?? []) {
            if (parameter.in === "header" && parameter.required && !sent.has(parameter.name.toLowerCase())) {
                problems.push(`header ${parameter.name} is required by ${key} but missing`);
            }
        }
        const schema = operation.requestBody?.content?.["application/json"]?.schema;
        if (!schema) return [...problems, `${key} declares no JSON payload`];
        let validate = this.compiled.get(key);
        if (!validate) {
            validate = this.ajv.compile(toJsonSchema(this.schemaSource, schema));
            this.compiled.set(key, validate);
        }
        if (!validate(payload)) problems.push(...describe(validate.errors));
        return problems;
    }

    private static readonly loaded = new Map<SpecName, WebhookContract>();

    /** Parses the named description once per process (each file is about 5 MB). */
    static load(name: SpecName): WebhookContract {
        let contract = WebhookContract.loaded.get(name);
        if (!contract) {
            const packageDir = dirname(require.resolve("@octokit/openapi-webhooks/package.json"));
            const document = JSON.parse(readFileSync(join(packageDir, "generated", `${name}.json`), "utf8")) as WebhooksDocument;
            contract = new WebhookContract(name, document);
            WebhookContract.loaded.set(name, contract);
        }
        return contract;
    }
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
    return (errors ?? []).map((e) => {
        const params = e.params as Record<string, unknown>;
        const detail = "additionalProperty" in params ? `: ${String(params.additionalProperty)}` : "allowedValues" in params ? `: ${JSON.stringify(params.allowedValues)}` : "";
        return `payload${e.instancePath || ""} ${e.message ?? "is invalid"}${detail}`;
    });
}
