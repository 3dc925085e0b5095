/**
 * The registration resource's inputs as the provider receives them (plain
 * JSON, possibly with Pulumi's unknown placeholder during preview), checked
 * into typed values. They hold no credential: the GitHub connection comes from
 * the stack configuration (components/providers/settings.ts). Failure messages
 * name the property, the bad value and what is expected.
 */
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { RegistrationInputError } from "../errors";
import { parseGithubPath } from "../paths";

export type RegistrationMode = "jit" | "token";

/** Everything the runner's VM is built from besides its userdata; opaque to the provider, kept as applied at create. */
export type InstanceSpec = Record<string, unknown>;

export interface RegistrationInputs {
    /** "org", "owner/repo" or "enterprise:slug". */
    path: string;
    runnerGroup?: string;
    mode: RegistrationMode;
    /** The runner name is `runnerName(namePrefix, random 12 hex)`. */
    namePrefix: string;
    labels: string[];
    ephemeral: boolean;
    instance: InstanceSpec;
    /** Canonical JSON of the boot settings (components/boot-settings.ts); secret when it holds a secret. */
    boot: string;
    /** Digest of the userdata this slot's settings render to with the current code: a code change is a desired change. */
    template: string;
    /** The slot is retiring (scale-in): it is never recycled, and goes once its runner is gone. */
    retiring: boolean;
    /** Not recycled in this run: GitHub's registration budget for the hour is spent. */
    hold: boolean;
    /**
     * Nova reports the slot's server powered off (SHUTOFF). An ephemeral runner powers its VM off
     * once its job is done, so a token-mode runner that GitHub does not list is used up, not booting.
     */
    poweredOff: boolean;
}

export interface InputFailure {
    property: string;
    reason: string;
}

export function isUnknown(value: unknown): boolean {
    return value === unknownValue;
}

export function containsUnknown(value: unknown): boolean {
    if (isUnknown(value)) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
    return false;
}

const LABEL = /^[\w-]+$/;
const NAME_PREFIX = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** GitHub accepts at most 100 labels on a runner. */
const MAX_LABELS = 100;

function show(value: unknown): string {
    return JSON.stringify(value) ?? String(value);
}

/** The keys of RegistrationInputs, in the order they are checked. */
export const REGISTRATION_INPUT_KEYS = ["path", "runnerGroup", "mode", "namePrefix", "labels", "ephemeral", "instance", "boot", "template"] as const;

/**
 * Checks raw inputs. Unknown values (preview) are not judged; `inputs` is set
 * only when every value is known and valid.
 */
export function checkRegistrationInputs(raw: Record<string, unknown>): { inputs?: RegistrationInputs; failures: InputFailure[] } {
    const failures: InputFailure[] = [];
    const known = (key: string) => !containsUnknown(raw[key]);
    const fail = (property: string, expected: string) => failures.push({ property, reason: `got ${show(raw[property])}, expected ${expected}` });

    const path = raw.path;
    const parsedPath = typeof path === "string" ? parseGithubPath(path) : undefined;
    if (known("path") && parsedPath === undefined) fail("path", 'an organization "org", a repository "owner/repo" or an enterprise "enterprise:slug"');
    const runnerGroup = raw.runnerGroup;
    if (known("runnerGroup") && runnerGroup !== undefined && runnerGroup !== null) {
        if (typeof runnerGroup !== "string" || runnerGroup.trim().length === 0) {
            fail("runnerGroup", "a runner group name (a non-empty string)");
        } else if (parsedPath?.kind === "repo") {
            fail("runnerGroup", `no runner group for repository "${path as string}": repository runners always join the default group`);
        }
    }
    if (known("mode") && raw.mode !== "jit" && raw.mode !== "token") fail("mode", '"jit" or "token"');
    if (known("namePrefix") && (typeof raw.namePrefix !== "string" || !NAME_PREFIX.test(raw.namePrefix))) {
        fail("namePrefix", "letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    const labels = raw.labels;
    if (known("labels")) {
        if (!Array.isArray(labels) || labels.length === 0 || labels.length > MAX_LABELS) {
            fail("labels", `a list of 1 to ${MAX_LABELS} labels`);
        } else {
            labels.forEach((label, index) => {
                if (typeof label !== "string" || !LABEL.test(label)) {
                    failures.push({ property: `labels[${index}]`, reason: `got ${show(label)}, expected letters, digits, '_' or '-' only` });
                }
            });
        }
    }
    if (known("ephemeral") && typeof raw.ephemeral !== "boolean") fail("ephemeral", "true or false");
    if (known("mode") && known("ephemeral") && raw.mode === "jit" && raw.ephemeral === false) {
        failures.push({ property: "mode", reason: 'a JIT runner is always ephemeral; use mode "token" for persistent runners' });
    }
    const instance = raw.instance;
    if (known("instance") && (typeof instance !== "object" || instance === null || Array.isArray(instance))) {
        fail("instance", "an object of instance settings");
    }
    // boot may hold secrets (proxy credentials, a secret pre-job script): never echo it.
    if (known("boot") && (typeof raw.boot !== "string" || !isJsonObjectText(raw.boot))) {
        failures.push({ property: "boot", reason: "expected the boot settings as JSON object text (value not shown)" });
    }
    for (const flag of ["retiring", "hold", "poweredOff"]) {
        if (known(flag) && raw[flag] !== undefined && raw[flag] !== null && typeof raw[flag] !== "boolean") fail(flag, "true or false");
    }
    if (known("template") && (typeof raw.template !== "string" || !/^[0-9a-f]{16,64}$/.test(raw.template))) {
        fail("template", "the hex digest of the rendered userdata template");
    }

    const allKnown = REGISTRATION_INPUT_KEYS.every(known);
    if (failures.length > 0 || !allKnown) return { failures };
    const inputs: RegistrationInputs = {
        path: path as string,
        mode: raw.mode as RegistrationMode,
        namePrefix: raw.namePrefix as string,
        labels: labels as string[],
        ephemeral: raw.ephemeral as boolean,
        instance: instance as InstanceSpec,
        boot: raw.boot as string,
        template: raw.template as string,
        retiring: raw.retiring === true,
        hold: raw.hold === true,
        poweredOff: raw.poweredOff === true,
    };
    if (typeof runnerGroup === "string") inputs.runnerGroup = runnerGroup;
    return { inputs, failures };
}

function isJsonObjectText(text: string): boolean {
    try {
        const value: unknown = JSON.parse(text);
        return typeof value === "object" && value !== null && !Array.isArray(value);
    } catch {
        return false;
    }
}

/** Like checkRegistrationInputs, for create where everything must be known: one error listing every problem. */
export function requireRegistrationInputs(raw: Record<string, unknown>, resourceKind: string): RegistrationInputs {
    const { inputs, failures } = checkRegistrationInputs(raw);
    if (inputs === undefined) {
        const details = failures.length > 0 ? failures.map((f) => `${f.property}: ${f.reason}`).join("; ") : "some inputs are still unknown";
        throw new RegistrationInputError(`invalid ${resourceKind} inputs: ${details}`);
    }
    return inputs;
}
