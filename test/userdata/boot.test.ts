import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { renderRunnerEnv, renderUserdata, type RunnerUserdataInput } from "../../components/userdata";
import { HOSTILE, hostileJitInput, hostileTokenInput, JIT_CONFIG, jitInput, PRE_JOB_SCRIPT, REGISTRATION_TOKEN, tokenOrgInput, tokenRepoInput } from "./inputs";
import type { RecordedCall } from "./recorder";
import { DOCKER_GID, PATH_IN_SANDBOX, RUNNER_DIR, Sandbox, sandboxUnavailableReason, UBUNTU_GID, UBUNTU_UID } from "./sandbox";
import { dumpUnit } from "./systemd-dump";

/**
 * The rendered userdata runs for real, as root, in a private mount namespace
 * and chroot (see sandbox.ts); then the runner service it installed is started
 * the way systemd would, from systemd's own parse of the unit. The stand-ins
 * (systemctl, hostnamectl, run.sh, config.sh) record exactly what they get.
 */
const skip = sandboxUnavailableReason();
const RUNNER_UNIT = "github-runner.service";
const UNIT_FILE = "/etc/systemd/system/github-runner.service";
const DROP_IN = "/etc/systemd/system/docker.service.d/http-proxy.conf";
const START_SCRIPT = "/usr/local/lib/github-runner/start-runner";
const PRE_JOB_FILE = "/usr/local/lib/github-runner/job-started.sh";
const HOSTNAME_CFG = "/etc/cloud/cloud.cfg.d/99-github-runner-hostname.cfg";

const sandboxes: Sandbox[] = [];
const fixtureDirs: string[] = [];
after(() => {
    sandboxes.forEach((box) => box.remove());
    fixtureDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

function newSandbox(): Sandbox {
    const box = Sandbox.create();
    sandboxes.push(box);
    return box;
}

/** A stand-in docker.service, so systemd has a unit to apply the proxy drop-in to. */
function dockerUnitDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "userdata-docker-unit-"));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, "docker.service"), "[Service]\nExecStart=/usr/bin/dockerd\n", { mode: 0o644 });
    fixtureDirs.push(dir);
    return dir;
}

function bootProgress(): string {
    return [
        "runner boot: hostname",
        // Always: Docker's bridge MTU follows the VM's network, whatever else is configured.
        "runner boot: docker settings",
        "runner boot: runner files",
        `runner boot: starting ${RUNNER_UNIT}`,
        "runner boot: done",
        "",
    ].join("\n");
}

function argvOf(calls: RecordedCall[], name: string): string[][] {
    return calls.filter((call) => call.name === name).map((call) => call.argv);
}

/** Nothing a stand-in received (arguments, environment, stdin) contains `secret`, unless allowed. */
function assertSecretOnlyIn(calls: RecordedCall[], secret: string, allowed: (call: RecordedCall) => boolean): void {
    for (const call of calls.filter((c) => !allowed(c))) {
        const seen = [...call.argv, ...Object.values(call.env), call.stdin].join("\n");
        assert.ok(!seen.includes(secret), `${call.name} received the secret`);
    }
}

function assertNothingExecuted(box: Sandbox): void {
    assert.deepEqual(box.listFiles().filter((path) => path.includes("pwned")), []);
}

/** Boots `input` in a fresh sandbox; asserts the script succeeded and printed only its progress lines. */
function boot(input: RunnerUserdataInput, secret: string, box = newSandbox()): Sandbox {
    const result = box.runUserdata(renderUserdata(input));
    assertNothingExecuted(box);
    assert.equal(result.stderr, "");
    assert.equal(result.status, 0);
    assert.equal(result.stdout, bootProgress());
    assert.ok(!result.stdout.includes(secret));
    return box;
}

/** The unit as systemd reads it, then its start the way systemd would do it. */
function startRunnerService(box: Sandbox): { calls: RecordedCall[]; dump: ReturnType<typeof dumpUnit> } {
    const dump = dumpUnit(RUNNER_UNIT, [box.path("/etc/systemd/system")]);
    assert.deepEqual(dump.warnings, []);
    const credential = /^LoadCredential=([^:\n]+):(.+)$/m.exec(box.file(UNIT_FILE).content);
    assert.ok(credential?.[1] && credential[2], "the unit loads a credential");
    box.clearCalls();
    const result = box.startService({
        unitName: RUNNER_UNIT,
        user: one(dump.settings.get("User")),
        workingDirectory: one(dump.settings.get("WorkingDirectory")),
        execStart: one(dump.settings.get("ExecStart")),
        credential: { name: credential[1], source: credential[2] },
    });
    assert.equal(result.stderr, "");
    assert.equal(result.stdout, "");
    assert.equal(result.status, 0);
    const calls = box.calls();
    for (const call of calls) {
        assert.equal(call.uid, UBUNTU_UID);
        assert.equal(call.gid, UBUNTU_GID);
        assert.deepEqual([...call.groups].sort(), [DOCKER_GID, UBUNTU_GID].sort());
        assert.equal(call.cwd, RUNNER_DIR);
        assert.equal(call.env.CREDENTIALS_DIRECTORY, undefined, "jobs must not inherit the credential");
        assert.equal(call.env.HOME, "/home/ubuntu");
        assert.equal(call.stdin, "");
    }
    return { calls, dump };
}

function one(values: string[] | undefined): string {
    assert.equal(values?.length, 1, `expected one value, got ${JSON.stringify(values)}`);
    return values[0] ?? "";
}

function assertRootFile(box: Sandbox, path: string, mode: number, content: string): void {
    assert.deepEqual(box.file(path), { content, mode, uid: 0, gid: 0 });
}

test("JIT, ephemeral, every option: boot script writes each file verbatim and starts the runner service", { skip }, () => {
    const input = jitInput();
    const box = newSandbox();
    const before = new Set(box.listFiles());
    boot(input, JIT_CONFIG, box);

    const calls = box.calls();
    assert.deepEqual(
        calls.map((call) => [call.name, call.argv]),
        [
            ["hostnamectl", ["set-hostname", input.hostname]],
            ["systemctl", ["daemon-reload"]],
            ["systemctl", ["try-restart", "docker.service"]],
            ["systemctl", ["enable", RUNNER_UNIT]],
            ["systemctl", ["start", "--no-block", RUNNER_UNIT]],
        ],
    );
    for (const call of calls) {
        assert.equal(call.uid, 0);
        assert.equal(call.cwd, "/");
        assert.equal(call.stdin, "");
        assert.equal(call.env.PATH, PATH_IN_SANDBOX);
    }
    assertSecretOnlyIn(calls, JIT_CONFIG, () => false);

    const created = box.listFiles().filter((path) => !before.has(path) && !path.startsWith("calls/"));
    assert.deepEqual(created, [
        "etc/cloud",
        "etc/cloud/cloud.cfg.d",
        "etc/cloud/cloud.cfg.d/99-github-runner-hostname.cfg",
        "etc/docker",
        "etc/docker/daemon.json",
        "etc/github-runner",
        "etc/github-runner/jitconfig",
        "etc/systemd",
        "etc/systemd/system",
        "etc/systemd/system/docker.service.d",
        "etc/systemd/system/docker.service.d/http-proxy.conf",
        "etc/systemd/system/github-runner.service",
        "home/ubuntu/actions-runner/.env",
        "usr-local/lib",
        "usr-local/lib/github-runner",
        "usr-local/lib/github-runner/job-started.sh",
        "usr-local/lib/github-runner/start-runner",
        "var/lib/cloud/instance/scripts/part-001", // the userdata itself, saved as cloud-init does
    ]);
    assert.deepEqual(box.file("/home/ubuntu/actions-runner/.env"), {
        content: renderRunnerEnv(input),
        mode: 0o600,
        uid: UBUNTU_UID,
        gid: UBUNTU_GID,
    });
    assert.ok(box.file("/home/ubuntu/actions-runner/.env").content.includes("\nACTIONS_RUNNER_HOOK_JOB_STARTED=/usr/local/lib/github-runner/job-started.sh\n"));
    assertRootFile(box, PRE_JOB_FILE, 0o755, PRE_JOB_SCRIPT);
    assertRootFile(box, "/etc/github-runner/jitconfig", 0o600, JIT_CONFIG);
    assert.deepEqual(box.owner("/etc/github-runner"), { mode: 0o700, uid: 0, gid: 0 });
    assert.deepEqual(JSON.parse(box.file("/etc/docker/daemon.json").content), { "registry-mirrors": [input.dockerhubMirror] });
    assert.equal(box.file("/etc/docker/daemon.json").mode, 0o644);
    assertRootFile(box, HOSTNAME_CFG, 0o644, "preserve_hostname: true\nmanage_etc_hosts: false\n");
    assert.equal(box.file("/etc/hosts").content, `127.0.0.1 localhost\n127.0.1.1 ${input.hostname}\n`);

    const docker = dumpUnit("docker.service", [box.path("/etc/systemd/system"), dockerUnitDir()]);
    assert.deepEqual(docker.warnings, []);
    assert.deepEqual(docker.settings.get("Environment"), [
        `HTTP_PROXY=${input.proxy?.http}`,
        `HTTPS_PROXY=${input.proxy?.https}`,
        `NO_PROXY=${input.proxy?.noProxy}`,
    ]);

    const { calls: runnerCalls, dump } = startRunnerService(box);
    assert.deepEqual(dump.settings.get("User"), ["ubuntu"]);
    assert.deepEqual(dump.settings.get("ExecStart"), [START_SCRIPT]);
    assert.deepEqual(dump.settings.get("Success Action"), ["poweroff"]);
    assert.deepEqual(dump.settings.get("Failure Action"), ["poweroff"]);
    assert.deepEqual(dump.settings.get("Restart"), ["no"]);
    assert.deepEqual(dump.settings.get("KillMode"), ["process"]);
    assert.ok(!box.file(UNIT_FILE).content.includes(JIT_CONFIG));
    assert.deepEqual(runnerCalls.map((call) => [call.name, call.argv]), [["run.sh", ["--jitconfig", JIT_CONFIG]]]);
    assert.equal(runnerCalls[0]?.env.jit_config, undefined);
});

test("token mode, org with runner group, persistent: config.sh once with the seed's flags, no power-off, no docker restart", { skip }, () => {
    const input = tokenOrgInput();
    assert.equal(input.start.mode, "token");
    const box = boot(input, REGISTRATION_TOKEN);
    assert.deepEqual(argvOf(box.calls(), "systemctl"), [["daemon-reload"], ["enable", RUNNER_UNIT], ["start", "--no-block", RUNNER_UNIT]]);
    assert.ok(!box.exists("/etc/docker/daemon.json"));
    assert.ok(!box.exists(DROP_IN));
    assert.ok(!box.exists(PRE_JOB_FILE));
    assertRootFile(box, "/etc/github-runner/registration-token", 0o600, REGISTRATION_TOKEN);

    const { calls, dump } = startRunnerService(box);
    assert.deepEqual(dump.settings.get("Restart"), ["on-failure"]);
    assert.deepEqual(dump.settings.get("RestartSec"), ["30s"]);
    assert.notDeepEqual(dump.settings.get("Success Action"), ["poweroff"]);
    assert.notDeepEqual(dump.settings.get("Failure Action"), ["poweroff"]);
    assert.deepEqual(
        calls.map((call) => [call.name, call.argv]),
        [
            [
                "config.sh",
                ["--url", input.start.url, "--token", REGISTRATION_TOKEN, "--unattended", "--labels", "linux,x64,jammy", "--name", input.runnerName, "--runnergroup", "ci-group"],
            ],
            ["run.sh", []],
        ],
    );
    assertSecretOnlyIn(calls, REGISTRATION_TOKEN, (call) => call.name === "config.sh");
    assert.equal(calls[0]?.env.token, undefined);

    // After a reboot the configured runner just runs: the hour-long token is not needed again.
    const again = startRunnerService(box);
    assert.deepEqual(again.calls.map((call) => [call.name, call.argv]), [["run.sh", []]]);
});

test("token mode, repo without runner group, ephemeral: --ephemeral, no --runnergroup, proxy for docker only as given", { skip }, () => {
    const input = tokenRepoInput();
    assert.equal(input.start.mode, "token");
    const box = boot(input, REGISTRATION_TOKEN);
    assert.deepEqual(argvOf(box.calls(), "systemctl"), [["daemon-reload"], ["try-restart", "docker.service"], ["enable", RUNNER_UNIT], ["start", "--no-block", RUNNER_UNIT]]);
    assert.ok(!box.exists("/etc/docker/daemon.json"));
    assertRootFile(box, DROP_IN, 0o644, `[Service]\nEnvironment="HTTP_PROXY=${input.proxy?.http}"\n`);
    const { calls, dump } = startRunnerService(box);
    assert.deepEqual(dump.settings.get("Success Action"), ["poweroff"]);
    assert.deepEqual(
        calls.map((call) => [call.name, call.argv]),
        [
            ["config.sh", ["--url", input.start.url, "--token", REGISTRATION_TOKEN, "--ephemeral", "--unattended", "--labels", "self-hosted-small", "--name", input.runnerName]],
            ["run.sh", []],
        ],
    );
});

test("hostile values in token mode arrive verbatim everywhere and nothing in them is executed", { skip }, () => {
    const input = hostileTokenInput();
    assert.equal(input.start.mode, "token");
    const box = boot(input, input.start.token);
    assertNothingExecuted(box);
    assert.deepEqual(argvOf(box.calls(), "hostnamectl"), [["set-hostname", input.hostname]]);
    assertSecretOnlyIn(box.calls(), input.start.token, () => false);

    const env = box.file("/home/ubuntu/actions-runner/.env").content;
    assert.equal(env, renderRunnerEnv(input));
    for (const line of [
        `HTTP_PROXY=${input.proxy?.http}`,
        `https_proxy=${HOSTILE}`,
        `NO_PROXY=${input.proxy?.noProxy}`,
        `DOCKERHUB_MIRROR=${input.dockerhubMirror}`,
        `TMATE_SERVER_HOST=${input.sshDebug?.host}`,
        `TMATE_SERVER_RSA_FINGERPRINT=${input.sshDebug?.rsaFingerprint}`,
        `TMATE_SERVER_ED25519_FINGERPRINT=${input.sshDebug?.ed25519Fingerprint}`,
    ]) {
        assert.ok(env.split("\n").includes(line), `.env lacks ${line}`);
    }
    assertRootFile(box, PRE_JOB_FILE, 0o755, input.preJobScript ?? "");
    assertRootFile(box, "/etc/github-runner/registration-token", 0o600, input.start.token);
    assert.deepEqual(JSON.parse(box.file("/etc/docker/daemon.json").content), { "registry-mirrors": [input.dockerhubMirror] });
    const docker = dumpUnit("docker.service", [box.path("/etc/systemd/system"), dockerUnitDir()]);
    assert.deepEqual(docker.warnings, []);
    assert.deepEqual(docker.settings.get("Environment"), [
        `HTTP_PROXY=${input.proxy?.http}`,
        `HTTPS_PROXY=${HOSTILE}`,
        `NO_PROXY=${input.proxy?.noProxy}`,
    ]);

    const { calls } = startRunnerService(box);
    assertNothingExecuted(box);
    assert.deepEqual(
        calls.map((call) => [call.name, call.argv]),
        [
            [
                "config.sh",
                [
                    "--url", input.start.url,
                    "--token", input.start.token,
                    "--ephemeral", "--unattended",
                    "--labels", input.start.labels.join(","),
                    "--name", input.runnerName,
                    "--runnergroup", input.start.runnerGroup ?? "",
                ],
            ],
            ["run.sh", []],
        ],
    );
});

test("hostile JIT config and values arrive verbatim and nothing is executed", { skip }, () => {
    const input = hostileJitInput();
    assert.equal(input.start.mode, "jit");
    const box = boot(input, input.start.jitConfig);
    assertNothingExecuted(box);
    assertRootFile(box, "/etc/github-runner/jitconfig", 0o600, input.start.jitConfig);
    const { calls } = startRunnerService(box);
    assertNothingExecuted(box);
    assert.deepEqual(calls.map((call) => [call.name, call.argv]), [["run.sh", ["--jitconfig", input.start.jitConfig]]]);
});

test("running the boot script again changes nothing: docker is not restarted, /etc/hosts keeps one line", { skip }, () => {
    const input = jitInput();
    const box = boot(input, JIT_CONFIG);
    const files = ["/home/ubuntu/actions-runner/.env", "/etc/docker/daemon.json", DROP_IN, UNIT_FILE, START_SCRIPT, "/etc/github-runner/jitconfig"];
    const first = files.map((path) => box.file(path));
    box.clearCalls();
    boot(input, JIT_CONFIG, box);
    assert.deepEqual(argvOf(box.calls(), "systemctl"), [["daemon-reload"], ["enable", RUNNER_UNIT], ["start", "--no-block", RUNNER_UNIT]]);
    assert.deepEqual(files.map((path) => box.file(path)), first);
    assert.equal(box.file("/etc/hosts").content, `127.0.0.1 localhost\n127.0.1.1 ${input.hostname}\n`);
    // A temporary file left behind would carry mktemp's suffix.
    assert.deepEqual(box.listFiles().filter((path) => /\.[A-Za-z0-9]{6}$/.test(path) && !path.startsWith("calls/")), []);
});

test("a changed mirror restarts docker on the next run", { skip }, () => {
    const box = boot(jitInput(), JIT_CONFIG);
    box.clearCalls();
    boot({ ...jitInput(), dockerhubMirror: "https://other-mirror.internal" }, JIT_CONFIG, box);
    assert.deepEqual(argvOf(box.calls(), "systemctl"), [["daemon-reload"], ["try-restart", "docker.service"], ["enable", RUNNER_UNIT], ["start", "--no-block", RUNNER_UNIT]]);
});

test("a failing command stops the boot script before the runner starts, without printing the secret", { skip }, () => {
    const box = newSandbox();
    writeFileSync(box.path("/stubs/hostnamectl"), "#!/bin/bash\necho 'hostnamectl: Failed to connect to bus' >&2\nexit 1\n", { mode: 0o755 });
    const result = box.runUserdata(renderUserdata(jitInput()));
    assert.equal(result.status, 1);
    assert.equal(result.stdout, "runner boot: hostname\n");
    assert.equal(result.stderr, "hostnamectl: Failed to connect to bus\n");
    assert.deepEqual(box.calls(), []);
    assert.ok(!box.exists("/etc/github-runner/jitconfig"));
});

test("the sandbox keeps the host apart: /usr is read-only inside and no mount outlives the run", { skip }, () => {
    const box = newSandbox();
    const result = box.runUserdata("#!/bin/bash\nif touch /usr/sandbox-probe 2>/dev/null; then echo writable; else echo read-only; fi\n");
    assert.equal(result.stdout, "read-only\n");
    assert.deepEqual(box.listFiles().filter((path) => path.startsWith("usr/") || path.startsWith("dev/")), []);
});

/** A Linux view of the network for the sandbox: the IPv4 default route's interface and its MTU. */
function withNetwork(box: Sandbox, mtu: number): Sandbox {
    box.writeFile("/proc/net/route", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\nlo0\t0000FEA9\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\nens3\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n");
    box.writeFile("/sys/class/net/ens3/mtu", `${mtu}\n`);
    box.writeFile("/sys/class/net/lo0/mtu", "65536\n");
    return box;
}

test("Docker's bridge MTU follows the VM's default-route interface when it is below 1500 (VXLAN tenant networks run at 1450)", { skip }, () => {
    const vxlan = boot(tokenOrgInput(), REGISTRATION_TOKEN, withNetwork(newSandbox(), 1450));
    assert.deepEqual(JSON.parse(vxlan.file("/etc/docker/daemon.json").content), { mtu: 1450 });
    const mirrored = boot(jitInput(), JIT_CONFIG, withNetwork(newSandbox(), 1400));
    assert.deepEqual(JSON.parse(mirrored.file("/etc/docker/daemon.json").content), { "registry-mirrors": [jitInput().dockerhubMirror], mtu: 1400 });
    const ethernet = boot(tokenOrgInput(), REGISTRATION_TOKEN, withNetwork(newSandbox(), 1500));
    assert.ok(!ethernet.exists("/etc/docker/daemon.json"), "a 1500-byte network needs no override");
});
