/**
 * Prints an offline run as a tree of resources with their key properties,
 * every secret masked, and each runner's rendered userdata.
 */
import { decodeUserdata } from "../../components/userdata/encode";
import { JIT_CONFIG_PLACEHOLDER, type OfflineRun, type RecordedResource, REGISTRATION_TOKEN_PLACEHOLDER, isSecret, withoutSecrets } from "./offline-engine";

const INSTANCE_TYPE = "openstack:compute/instance:Instance";
/** Inputs that are engine plumbing, not properties a reader cares about. */
const HIDDEN_INPUTS = new Set(["__provider"]);

const keyOf = (type: string, name: string) => `${type}::${name}`;

function shortType(type: string): string {
    return type.replace(/^pulumi-nodejs:dynamic\//, "");
}

function propertyLines(resource: RecordedResource, indent: string): string[] {
    const lines: string[] = [];
    for (const [key, value] of Object.entries(resource.inputs)) {
        if (HIDDEN_INPUTS.has(key) || value === undefined) continue;
        const shown = key === "userData" && resource.type === INSTANCE_TYPE ? "[secret: rendered below, credentials masked]" : JSON.stringify(withoutSecrets(value));
        lines.push(`${indent}${key}: ${shown}`);
    }
    return lines;
}

/**
 * The boot script as it will run (the instance's userData is base64 of its
 * gzip), with the credential GitHub mints at create shown as a mask. Secret
 * config values were masked before rendering (mask.ts).
 */
export function maskedUserdata(resource: RecordedResource): string | undefined {
    const userData = resource.inputs.userData;
    if (resource.type !== INSTANCE_TYPE || !isSecret(userData) || typeof userData.value !== "string") return undefined;
    return decodeUserdata(userData.value)
        .split(JIT_CONFIG_PLACEHOLDER)
        .join("[secret: JIT config]")
        .split(REGISTRATION_TOKEN_PLACEHOLDER)
        .join("[secret: registration token]");
}

export function renderPlanText(run: OfflineRun, stack: string, withUserdata: boolean): string {
    const children = new Map<string, RecordedResource[]>();
    const roots: RecordedResource[] = [];
    for (const resource of run.resources) {
        if (resource.parentName === undefined || resource.parentType === undefined) {
            roots.push(resource);
            continue;
        }
        const parentKey = keyOf(resource.parentType, resource.parentName);
        children.set(parentKey, [...(children.get(parentKey) ?? []), resource]);
    }
    const lines = [
        `Offline plan for stack "${stack}": ${run.resources.length} resources to create, ${run.invokes.length} look-ups.`,
        "Nothing was contacted: OpenStack ids, runner name suffixes and GitHub credentials are placeholders until `pulumi up`.",
        "",
    ];
    const walk = (resource: RecordedResource, depth: number) => {
        const indent = "  ".repeat(depth);
        lines.push(`${indent}+ ${shortType(resource.type)}  ${resource.name}`);
        if (resource.custom) lines.push(...propertyLines(resource, `${indent}    `));
        for (const child of children.get(keyOf(resource.type, resource.name)) ?? []) walk(child, depth + 1);
    };
    roots.forEach((root) => walk(root, 0));
    lines.push("", "Look-ups of existing OpenStack resources:");
    for (const invoke of run.invokes) lines.push(`  ${invoke.token} ${JSON.stringify(withoutSecrets(invoke.args))}`);
    lines.push("", "Stack outputs (ids and runner names are placeholders until `pulumi up`):");
    for (const [key, value] of Object.entries(run.outputs)) lines.push(`  ${key}: ${JSON.stringify(withoutSecrets(value))}`);
    if (withUserdata) {
        for (const resource of run.resources) {
            const userdata = maskedUserdata(resource);
            if (userdata === undefined) continue;
            lines.push("", `----- userdata of ${resource.name} (${Buffer.byteLength(userdata)} bytes, secrets masked) -----`, userdata.trimEnd(), "----- end -----");
        }
    }
    return `${lines.join("\n")}\n`;
}

export function renderPlanJson(run: OfflineRun, stack: string): string {
    return `${JSON.stringify(
        {
            stack,
            resources: run.resources.map((r) => ({
                type: r.type,
                name: r.name,
                parent: r.parentName,
                inputs: withoutSecrets(Object.fromEntries(Object.entries(r.inputs).filter(([key]) => !HIDDEN_INPUTS.has(key)))),
                userdata: maskedUserdata(r),
            })),
            lookups: run.invokes,
            outputs: run.outputs,
        },
        null,
        2,
    )}\n`;
}
