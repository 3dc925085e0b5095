import { isValidHostname, MAX_RUNNER_NAME_LENGTH } from "../naming";
import type { RunnerStart, RunnerUserdataInput } from "./types";

/** Bad input to the userdata renderer: names the field, the value (unless secret) and what is expected. */
export class UserdataInputError extends Error {
    constructor(
        readonly field: string,
        message: string,
    ) {
        super(`userdata input ${field}: ${message}`);
        this.name = "UserdataInputError";
    }
}

/** The input with empty optional values dropped, checked to render into valid files. */
export interface CheckedInput {
    runnerName: string;
    hostname: string;
    ephemeral: boolean;
    start: RunnerStart;
    proxy: { http?: string; https?: string; noProxy?: string };
    dockerhubMirror?: string;
    sshDebug?: RunnerUserdataInput["sshDebug"];
    preJobScript?: string;
}

/** Line breaks would split a `.env` line or a unit setting; NUL cannot be held by bash at all. */
const LINE_BREAK_OR_NUL = /[\r\n\0]/;

function describe(value: string, secret: boolean): string {
    return secret ? `(secret, ${value.length} characters, not shown)` : JSON.stringify(value);
}

function singleLine(field: string, value: unknown, { secret = false, required = true } = {}): string {
    if (typeof value !== "string") {
        throw new UserdataInputError(field, `expected a string, got ${typeof value}`);
    }
    if (required && value.trim() === "") {
        throw new UserdataInputError(field, `${describe(value, secret)} is empty; expected a non-empty value`);
    }
    if (LINE_BREAK_OR_NUL.test(value)) {
        throw new UserdataInputError(
            field,
            `${describe(value, secret)} contains a line break or NUL; expected a single line ` +
                `(the runner's .env and systemd settings hold one value a line)`,
        );
    }
    return value;
}

/** Optional single-line value: undefined and "" both mean unset. */
function optionalLine(field: string, value: string | undefined): string | undefined {
    return value === undefined || value === "" ? undefined : singleLine(field, value);
}

function checkStart(start: RunnerStart, ephemeral: boolean): RunnerStart {
    if (typeof start !== "object" || start === null) {
        throw new UserdataInputError("start", `expected { mode: "jit", ... } or { mode: "token", ... }, got ${JSON.stringify(start)}`);
    }
    switch (start.mode) {
        case "jit":
            if (!ephemeral) {
                throw new UserdataInputError(
                    "start.mode",
                    `"jit" with ephemeral: false; a JIT config registers a single-use runner, ` +
                        `so persistent runners need start.mode "token"`,
                );
            }
            return { mode: "jit", jitConfig: singleLine("start.jitConfig", start.jitConfig, { secret: true }) };
        case "token": {
            if (!Array.isArray(start.labels)) {
                throw new UserdataInputError("start.labels", `expected an array of label strings`);
            }
            const labels = start.labels.map((label, i) => {
                const value = singleLine(`start.labels[${i}]`, label);
                if (value.includes(",")) {
                    throw new UserdataInputError(
                        `start.labels[${i}]`,
                        `${JSON.stringify(value)} contains a comma; expected one label (config.sh --labels is comma-separated)`,
                    );
                }
                return value;
            });
            const checked: Extract<RunnerStart, { mode: "token" }> = {
                mode: "token",
                url: singleLine("start.url", start.url),
                token: singleLine("start.token", start.token, { secret: true }),
                labels,
            };
            if (start.runnerGroup !== undefined && start.runnerGroup !== "") {
                checked.runnerGroup = singleLine("start.runnerGroup", start.runnerGroup);
            }
            if (start.noDefaultLabels === true) checked.noDefaultLabels = true;
            return checked;
        }
        default: {
            const unknownMode: never = start;
            throw new UserdataInputError(
                "start.mode",
                `${JSON.stringify((unknownMode as { mode: unknown }).mode)} is not a start mode; expected "jit" or "token"`,
            );
        }
    }
}

function checkSshDebug(ssh: NonNullable<RunnerUserdataInput["sshDebug"]>): CheckedInput["sshDebug"] {
    if (!Number.isInteger(ssh.port) || ssh.port < 1 || ssh.port > 65535) {
        throw new UserdataInputError("sshDebug.port", `${JSON.stringify(ssh.port)} is not a port; expected an integer 1-65535`);
    }
    return {
        host: singleLine("sshDebug.host", ssh.host),
        port: ssh.port,
        rsaFingerprint: singleLine("sshDebug.rsaFingerprint", ssh.rsaFingerprint),
        ed25519Fingerprint: singleLine("sshDebug.ed25519Fingerprint", ssh.ed25519Fingerprint),
    };
}

/** Checks everything the renderer relies on; throws one UserdataInputError for the first problem. */
export function checkInput(input: RunnerUserdataInput): CheckedInput {
    const runnerName = singleLine("runnerName", input.runnerName);
    if (runnerName.length > MAX_RUNNER_NAME_LENGTH) {
        throw new UserdataInputError(
            "runnerName",
            `${JSON.stringify(runnerName)} has ${runnerName.length} characters; GitHub allows at most ${MAX_RUNNER_NAME_LENGTH}`,
        );
    }
    if (typeof input.hostname !== "string" || !isValidHostname(input.hostname)) {
        throw new UserdataInputError(
            "hostname",
            `${JSON.stringify(input.hostname)} is not a valid hostname; expected 1-63 characters of a-z, 0-9 and "-", ` +
                `not starting or ending with "-"`,
        );
    }
    if (typeof input.ephemeral !== "boolean") {
        throw new UserdataInputError("ephemeral", `expected true or false, got ${JSON.stringify(input.ephemeral)}`);
    }
    if (input.preJobScript !== undefined && input.preJobScript.includes("\0")) {
        throw new UserdataInputError("preJobScript", "contains a NUL character; expected a text script");
    }
    const checked: CheckedInput = {
        runnerName,
        hostname: input.hostname,
        ephemeral: input.ephemeral,
        start: checkStart(input.start, input.ephemeral),
        proxy: {
            http: optionalLine("proxy.http", input.proxy?.http),
            https: optionalLine("proxy.https", input.proxy?.https),
            noProxy: optionalLine("proxy.noProxy", input.proxy?.noProxy),
        },
        dockerhubMirror: optionalLine("dockerhubMirror", input.dockerhubMirror),
        preJobScript: input.preJobScript === "" ? undefined : input.preJobScript,
    };
    if (input.sshDebug !== undefined) {
        checked.sshDebug = checkSshDebug(input.sshDebug);
    }
    return checked;
}
