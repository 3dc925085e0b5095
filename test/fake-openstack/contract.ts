/**
 * Checks every answer the fake is about to send against the operation's
 * documented contract: the status is one the API reference lists (or one any
 * operation can meet, operations.ts), the body matches the written-down
 * schema for that status (schemas/), and the headers the services always send
 * are there: x-openstack-request-id; X-Subject-Token on a new token;
 * WWW-Authenticate on a 401; Nova's OpenStack-API-Version,
 * X-OpenStack-Nova-API-Version and Vary on every answer Nova serves at a
 * microversion (nova/api/openstack/wsgi.py Resource.__call__ and Fault).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import type { FakeAnswer } from "./answers";
import { parseMicroversion } from "./microversion";
import { type Operation, OPERATIONS, statusAllowed } from "./operations";
import { glanceErrorSchema, IMAGE, LIST_IMAGES } from "./schemas/glance";
import { keystoneErrorSchema, TOKEN_REQUEST, TOKEN_RESPONSE, VERSIONS_RESPONSE } from "./schemas/keystone";
import { listServersDetailSchema, novaFaultSchema, showServerSchema } from "./schemas/nova";

type Schema = Record<string, unknown>;

export class ContractChecker {
    private readonly ajv: Ajv;
    private readonly compiled = new Map<string, ValidateFunction>();

    constructor() {
        this.ajv = new Ajv({ strict: false, allErrors: true, logger: false });
        addFormats(this.ajv);
        // nova/api/validation/validators.py checks mac-address with netaddr; a colon-separated EUI-48 is what Neutron reports.
        this.ajv.addFormat("mac-address", /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i);
    }

    /** Problems with an answer; empty when it keeps the contract. */
    checkAnswer(operation: Operation, answer: FakeAnswer): string[] {
        const problems: string[] = [];
        const { status } = answer;
        if (!statusAllowed(operation, status)) {
            return [`status ${status} is not one ${operation.id} documents (documented: ${operation.statuses.join(", ")})`];
        }
        const fromProxy = answer.text !== undefined;
        if (fromProxy) {
            if (status < 500) problems.push(`status ${status} answered with a proxy page; only 502/503/504 come from the proxy`);
            return problems;
        }
        if (!/^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(answer.headers["x-openstack-request-id"] ?? "")) {
            problems.push("no x-openstack-request-id header of the form req-<uuid>");
        }
        const schema = this.bodySchema(operation, answer);
        if (schema === "empty") {
            if (answer.body !== undefined) problems.push(`status ${status} has no body in the reference, but the fake sent one`);
        } else if (answer.body === undefined) {
            problems.push(`status ${status} needs a JSON body, but the fake sent none`);
        } else {
            const validate = this.validator(`${operation.id} ${status} ${answer.microversion ?? ""}`, schema);
            if (!validate(answer.body)) problems.push(...describe("body", validate.errors));
        }
        problems.push(...this.headerProblems(operation, answer));
        return problems;
    }

    /** Problems with a token request body (keystone/auth/schema.py `token_issue`); Keystone answers them with 400. */
    checkTokenRequest(body: unknown): string[] {
        const validate = this.validator("token request", TOKEN_REQUEST);
        return validate(body) ? [] : describe("request body", validate.errors);
    }

    private bodySchema(operation: Operation, answer: FakeAnswer): Schema | "empty" {
        const { status } = answer;
        if (status >= 400) {
            if (status === 401 && operation.service !== "identity") return keystoneErrorSchema(401);
            switch (operation.service) {
                case "identity":
                    return keystoneErrorSchema(status);
                case "compute":
                    return novaFaultSchema(status);
                case "image":
                    return glanceErrorSchema(status);
            }
        }
        const version = parseMicroversion(answer.microversion ?? "2.1") ?? { major: 2, minor: 1 };
        switch (operation.id) {
            case OPERATIONS.discoverVersions.id:
                return VERSIONS_RESPONSE;
            case OPERATIONS.issueToken.id:
                return TOKEN_RESPONSE;
            case OPERATIONS.listServersDetail.id:
                return listServersDetailSchema(version);
            case OPERATIONS.showServer.id:
                return showServerSchema(version);
            case OPERATIONS.listImages.id:
                return LIST_IMAGES;
            case OPERATIONS.showImage.id:
                return IMAGE;
            case OPERATIONS.deleteServer.id:
            case OPERATIONS.deleteImage.id:
                return "empty";
            default:
                throw new Error(`no schema for ${operation.id} ${status}`);
        }
    }

    private headerProblems(operation: Operation, answer: FakeAnswer): string[] {
        const problems: string[] = [];
        const headers = answer.headers;
        if (operation.id === OPERATIONS.issueToken.id && answer.status === 201 && !headers["x-subject-token"]) {
            problems.push("a new token needs the X-Subject-Token header");
        }
        if (answer.status === 401 && !/^Keystone uri="[^"]+"$/.test(headers["www-authenticate"] ?? "")) {
            problems.push('a 401 needs WWW-Authenticate: Keystone uri="..."');
        }
        if (operation.service === "compute") {
            // keystonemiddleware answers 401 before Nova runs, so no version headers then.
            const served = answer.status !== 401 && answer.microversion !== undefined;
            const standard = headers["openstack-api-version"];
            const legacy = headers["x-openstack-nova-api-version"];
            if (served) {
                if (standard !== `compute ${answer.microversion}`) problems.push(`OpenStack-API-Version must be "compute ${answer.microversion}", got ${JSON.stringify(standard)}`);
                if (legacy !== answer.microversion) problems.push(`X-OpenStack-Nova-API-Version must be "${answer.microversion}", got ${JSON.stringify(legacy)}`);
                const vary = (headers.vary ?? "").toLowerCase();
                if (!vary.includes("openstack-api-version") || !vary.includes("x-openstack-nova-api-version")) problems.push("Vary must name both version headers");
            } else if (standard !== undefined || legacy !== undefined) {
                problems.push("version headers on an answer no microversion was served at");
            }
        }
        return problems;
    }

    private validator(key: string, schema: Schema): ValidateFunction {
        let validate = this.compiled.get(key);
        if (!validate) {
            validate = this.ajv.compile(schema);
            this.compiled.set(key, validate);
        }
        return validate;
    }
}

function describe(what: string, errors: ErrorObject[] | null | undefined): string[] {
    return (errors ?? []).map((e) => {
        const params = e.params as Record<string, unknown>;
        const extra = "additionalProperty" in params ? `: ${String(params.additionalProperty)}` : "allowedValues" in params ? `: ${JSON.stringify(params.allowedValues)}` : "";
        return `${what}${e.instancePath} ${e.message ?? "is invalid"}${extra}`;
    });
}
