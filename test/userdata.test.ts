import assert from "node:assert/strict";
import { test } from "node:test";
import {
    NOVA_USER_DATA_LIMIT,
    renderRunnerEnv,
    renderUserdata,
    type RunnerUserdataInput,
    UserdataInputError,
    UserdataTooLargeError,
} from "../components/userdata";
import { JIT_CONFIG, jitInput, PRE_JOB_SCRIPT, REGISTRATION_TOKEN, SSH_DEBUG, tokenOrgInput, tokenRepoInput } from "./userdata/inputs";

const RUNNER_PATH = "/home/ubuntu/.local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin";

test(".env with every optional part lists SPEC §3's variables in order", () => {
    const input = jitInput();
    assert.equal(
        renderRunnerEnv(input),
        [
            `PATH=${RUNNER_PATH}`,
            "HTTP_PROXY=http://proxy.internal:3128",
            "http_proxy=http://proxy.internal:3128",
            "HTTPS_PROXY=http://proxy.internal:3129",
            "https_proxy=http://proxy.internal:3129",
            "NO_PROXY=localhost,127.0.0.1,.internal",
            "no_proxy=localhost,127.0.0.1,.internal",
            "DOCKERHUB_MIRROR=https://mirror.internal:5000",
            "CONTAINER_REGISTRY_URL=https://mirror.internal:5000",
            "LANG=C.UTF-8",
            "ACTIONS_RUNNER_HOOK_JOB_STARTED=/usr/local/lib/github-runner/job-started.sh",
            `TMATE_SERVER_HOST=${SSH_DEBUG.host}`,
            "TMATE_SERVER_PORT=10022",
            `TMATE_SERVER_RSA_FINGERPRINT=${SSH_DEBUG.rsaFingerprint}`,
            `TMATE_SERVER_ED25519_FINGERPRINT=${SSH_DEBUG.ed25519Fingerprint}`,
            "",
        ].join("\n"),
    );
});

test(".env without optional parts has PATH, LANG and an empty job-started hook only", () => {
    assert.equal(renderRunnerEnv(tokenOrgInput()), `PATH=${RUNNER_PATH}\nLANG=C.UTF-8\nACTIONS_RUNNER_HOOK_JOB_STARTED=\n`);
});

test(".env treats empty proxy, mirror and pre-job strings as unset, and sets only the proxies given", () => {
    const input: RunnerUserdataInput = {
        ...tokenRepoInput(),
        proxy: { http: "", https: "http://p:1", noProxy: "" },
        dockerhubMirror: "",
        preJobScript: "",
    };
    assert.equal(
        renderRunnerEnv(input),
        `PATH=${RUNNER_PATH}\nHTTPS_PROXY=http://p:1\nhttps_proxy=http://p:1\nLANG=C.UTF-8\nACTIONS_RUNNER_HOOK_JOB_STARTED=\n`,
    );
});

test(".env values pass verbatim: quotes, $, backslashes and spaces are not shell syntax there", () => {
    const value = `http://u:p'"@h:1/$(x) \`y\` \\z %n`;
    const env = renderRunnerEnv({ ...jitInput(), proxy: { http: value } });
    assert.ok(env.split("\n").includes(`HTTP_PROXY=${value}`));
    assert.ok(env.split("\n").includes(`http_proxy=${value}`));
});

/** Sets one field of a fresh input to `value`; the field's name as the renderer reports it. */
const singleLineFields: Array<[string, (input: RunnerUserdataInput, value: string) => RunnerUserdataInput]> = [
    ["runnerName", (input, value) => ({ ...input, runnerName: value })],
    ["proxy.http", (input, value) => ({ ...input, proxy: { http: value } })],
    ["proxy.https", (input, value) => ({ ...input, proxy: { https: value } })],
    ["proxy.noProxy", (input, value) => ({ ...input, proxy: { noProxy: value } })],
    ["dockerhubMirror", (input, value) => ({ ...input, dockerhubMirror: value })],
    ["sshDebug.host", (input, value) => ({ ...input, sshDebug: { ...SSH_DEBUG, host: value } })],
    ["sshDebug.rsaFingerprint", (input, value) => ({ ...input, sshDebug: { ...SSH_DEBUG, rsaFingerprint: value } })],
    ["sshDebug.ed25519Fingerprint", (input, value) => ({ ...input, sshDebug: { ...SSH_DEBUG, ed25519Fingerprint: value } })],
];
const tokenFields: Array<[string, (value: string) => RunnerUserdataInput]> = [
    ["start.url", (value) => withToken({ url: value })],
    ["start.labels[1]", (value) => withToken({ labels: ["ok", value] })],
    ["start.runnerGroup", (value) => withToken({ runnerGroup: value })],
];

function withToken(change: Partial<Extract<RunnerUserdataInput["start"], { mode: "token" }>>): RunnerUserdataInput {
    const input = tokenOrgInput();
    assert.equal(input.start.mode, "token");
    return { ...input, start: { ...input.start, ...change } };
}

for (const lineBreak of ["\n", "\r", "\0"]) {
    const label = JSON.stringify(lineBreak);
    for (const [field, set] of singleLineFields) {
        test(`${field} with ${label} is refused with an error naming the field`, () => {
            const value = `a${lineBreak}b`;
            const expected = `userdata input ${field}: ${JSON.stringify(value)} contains a line break or NUL; expected a single line (the runner's .env and systemd settings hold one value a line)`;
            assert.throws(() => renderRunnerEnv(set(jitInput(), value)), { name: "UserdataInputError", message: expected });
            assert.throws(() => renderUserdata(set(jitInput(), value)), { name: "UserdataInputError", message: expected });
        });
    }
    for (const [field, make] of tokenFields) {
        test(`${field} with ${label} is refused with an error naming the field`, () => {
            const value = `a${lineBreak}b`;
            assert.throws(() => renderUserdata(make(value)), {
                message: `userdata input ${field}: ${JSON.stringify(value)} contains a line break or NUL; expected a single line (the runner's .env and systemd settings hold one value a line)`,
            });
        });
    }
}

test("a secret with a line break is refused without showing the secret", () => {
    const token = `${REGISTRATION_TOKEN}\nmore`;
    const jit = `${JIT_CONFIG}\n`;
    for (const [input, field, secret] of [
        [withToken({ token }), "start.token", token],
        [{ ...jitInput(), start: { mode: "jit", jitConfig: jit } }, "start.jitConfig", jit],
    ] as const) {
        const error = captureError(() => renderUserdata(input));
        assert.ok(error instanceof UserdataInputError);
        assert.equal(
            error.message,
            `userdata input ${field}: (secret, ${secret.length} characters, not shown) contains a line break or NUL; expected a single line (the runner's .env and systemd settings hold one value a line)`,
        );
        assert.ok(!error.message.includes(secret.trim()));
    }
});

test("an empty secret is refused", () => {
    assert.throws(() => renderUserdata({ ...jitInput(), start: { mode: "jit", jitConfig: "" } }), {
        message: "userdata input start.jitConfig: (secret, 0 characters, not shown) is empty; expected a non-empty value",
    });
    assert.throws(() => renderUserdata(withToken({ token: " " })), {
        message: "userdata input start.token: (secret, 1 characters, not shown) is empty; expected a non-empty value",
    });
});

test("a JIT config for a persistent runner is refused: JIT runners are single-use", () => {
    assert.throws(() => renderUserdata({ ...jitInput(), ephemeral: false }), {
        message:
            'userdata input start.mode: "jit" with ephemeral: false; a JIT config registers a single-use runner, so persistent runners need start.mode "token"',
    });
});

test("an invalid hostname is refused, checked with naming.isValidHostname", () => {
    for (const hostname of ["Upper", "-lead", "trail-", "under_score", "a".repeat(64), "", "dot.ted"]) {
        assert.throws(() => renderUserdata({ ...jitInput(), hostname }), {
            message: `userdata input hostname: ${JSON.stringify(hostname)} is not a valid hostname; expected 1-63 characters of a-z, 0-9 and "-", not starting or ending with "-"`,
        });
    }
    assert.doesNotThrow(() => renderUserdata({ ...jitInput(), hostname: "a".repeat(63) }));
});

test("a runner name over GitHub's 64 characters, or empty, is refused", () => {
    const long = "n".repeat(65);
    assert.throws(() => renderUserdata({ ...jitInput(), runnerName: long }), {
        message: `userdata input runnerName: "${long}" has 65 characters; GitHub allows at most 64`,
    });
    assert.throws(() => renderUserdata({ ...jitInput(), runnerName: "" }), {
        message: 'userdata input runnerName: "" is empty; expected a non-empty value',
    });
    assert.doesNotThrow(() => renderUserdata({ ...jitInput(), runnerName: "n".repeat(64) }));
});

test("an SSH debug port outside 1-65535 or not an integer is refused", () => {
    for (const port of [0, 65536, 22.5, Number.NaN]) {
        assert.throws(() => renderUserdata({ ...jitInput(), sshDebug: { ...SSH_DEBUG, port } }), {
            message: `userdata input sshDebug.port: ${JSON.stringify(port)} is not a port; expected an integer 1-65535`,
        });
    }
});

test("a label with a comma is refused: config.sh splits --labels at commas", () => {
    assert.throws(() => renderUserdata(withToken({ labels: ["a", "b,c"] })), {
        message: 'userdata input start.labels[1]: "b,c" contains a comma; expected one label (config.sh --labels is comma-separated)',
    });
});

test("a pre-job script with NUL is refused; newlines are fine", () => {
    assert.throws(() => renderUserdata({ ...jitInput(), preJobScript: "a\0b" }), {
        message: "userdata input preJobScript: contains a NUL character; expected a text script",
    });
    assert.doesNotThrow(() => renderUserdata({ ...jitInput(), preJobScript: "a\nb\r\nc" }));
});

test("rendering is deterministic: equal inputs give byte-identical output", () => {
    for (const make of [jitInput, tokenOrgInput, tokenRepoInput]) {
        const first = renderUserdata(make());
        const reordered = JSON.parse(JSON.stringify(make(), Object.keys(make()).reverse())) as RunnerUserdataInput;
        assert.equal(renderUserdata(make()), first);
        assert.equal(renderUserdata({ ...reordered, ...make() }), first);
        assert.equal(renderRunnerEnv(make()), renderRunnerEnv(make()));
    }
});

test("secrets appear in the userdata exactly once: in the root-only secret file", () => {
    assert.equal(renderUserdata(jitInput()).split(JIT_CONFIG).length - 1, 1);
    assert.equal(renderUserdata(tokenOrgInput()).split(REGISTRATION_TOKEN).length - 1, 1);
    assert.ok(!renderRunnerEnv(jitInput()).includes(JIT_CONFIG));
});

test("typical userdata is a few KiB, far under Nova's limit", () => {
    for (const make of [jitInput, tokenOrgInput, tokenRepoInput]) {
        const bytes = Buffer.byteLength(renderUserdata(make()));
        assert.ok(bytes < 6 * 1024, `${make.name} renders ${bytes} bytes`);
    }
});

test("userdata over Nova's 65535 base64 characters throws UserdataTooLargeError with the sizes", () => {
    assert.equal(NOVA_USER_DATA_LIMIT, 65535);
    // 49149 bytes encode to 65532 base64 characters (the most that fits); 49150 to 65536.
    const withPreJob = (length: number) => renderUserdata({ ...jitInput(), preJobScript: "x".repeat(length) });
    const overhead = Buffer.byteLength(withPreJob(1)) - 1;
    const fits = withPreJob(49149 - overhead);
    assert.equal(Buffer.from(fits).toString("base64").length, 65532);

    const error = captureError(() => withPreJob(49150 - overhead));
    assert.ok(error instanceof UserdataTooLargeError);
    assert.equal(
        error.message,
        'userdata for runner "ci-large-x64-0123456789ab" is 49150 bytes, 65536 characters in base64; ' +
            "Nova accepts at most 65535 base64 characters (about 48 KiB raw). Shorten the pre-job script, the largest part a stack controls.",
    );
    // Multi-byte characters count as their UTF-8 bytes.
    assert.throws(() => renderUserdata({ ...jitInput(), preJobScript: "€".repeat(Math.ceil((49150 - overhead) / 3)) }), UserdataTooLargeError);
});

test("the boot script never traces: no set -x, no xtrace", () => {
    const script = renderUserdata(jitInput());
    assert.ok(script.startsWith("#!/bin/bash\n"));
    assert.ok(script.includes("\nset -euo pipefail\n"));
    assert.ok(!/set -[a-z]*x|xtrace|BASH_XTRACEFD/.test(script));
    assert.ok(script.includes(PRE_JOB_SCRIPT.split("\n")[2] ?? "unreachable"));
});

function captureError(action: () => unknown): unknown {
    try {
        action();
    } catch (error) {
        return error;
    }
    assert.fail("expected an error");
}

test("a pool without the default labels registers its token-mode runners with --no-default-labels", () => {
    const without = renderUserdata(withToken({ labels: ["gpu"], noDefaultLabels: true }));
    assert.match(without, /--labels '\\''gpu'\\'' .*--no-default-labels/);
    assert.ok(!renderUserdata(withToken({ labels: ["gpu"] })).includes("--no-default-labels"));
});
