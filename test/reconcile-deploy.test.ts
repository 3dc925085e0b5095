/**
 * The reconciler's deployment recipes: the systemd unit as systemd itself reads
 * it (no complaint, the settings that matter: the reconciler as the main
 * process, stop behaviour, secrets from an EnvironmentFile, sandboxing), its
 * command line accepted by the reconciler; and the container recipe copies
 * every file the reconciler and the program load, and runs the reconciler.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { parseReconcileArgs } from "../scripts/reconcile/args";
import { dumpUnit } from "./userdata/systemd-dump";

const REPO = path.resolve(__dirname, "..");
const DEPLOY = path.join(REPO, "scripts", "reconcile", "deploy");
const UNIT = "openstack-github-runners-reconciler.service";

/** The unit in a world-readable directory of its own (systemd --test runs as nobody). */
function unitDirectory(): { dir: string; remove(): void } {
    const dir = mkdtempSync(path.join(tmpdir(), "reconciler-unit-"));
    copyFileSync(path.join(DEPLOY, UNIT), path.join(dir, UNIT));
    chmodSync(dir, 0o755);
    chmodSync(path.join(dir, UNIT), 0o644);
    return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describe("systemd unit", { timeout: 120_000 }, () => {
    test("systemd-analyze verify accepts it without a warning", (t) => {
        if (!existsSync("/usr/bin/systemd-analyze")) return t.skip("SKIPPED LOUDLY: systemd-analyze is missing (apt-get install systemd)");
        const unit = unitDirectory();
        try {
            const result = spawnSync("systemd-analyze", ["verify", path.join(unit.dir, UNIT)], { encoding: "utf8", timeout: 60_000 });
            assert.equal(result.status, 0, result.stderr);
            assert.equal(`${result.stdout}${result.stderr}`.trim(), "");
        } finally {
            unit.remove();
        }
    });

    test("systemd's parsed view: node as the main process, SIGTERM to it alone, secrets from the EnvironmentFile, sandboxed", (t) => {
        if (!existsSync("/lib/systemd/systemd")) return t.skip("SKIPPED LOUDLY: /lib/systemd/systemd is missing (apt-get install systemd)");
        const unit = unitDirectory();
        try {
            const dump = dumpUnit(UNIT, [unit.dir]);
            assert.deepEqual(dump.warnings, []);
            const one = (key: string) => dump.settings.get(key)?.[0];
            assert.equal(one("KillMode"), "mixed");
            assert.equal(one("User"), "github-runners");
            assert.equal(one("ProtectSystem"), "strict");
            assert.equal(one("ProtectHome"), "yes");
            assert.equal(one("PrivateTmp"), "yes");
            assert.equal(one("Restart"), "always");
            assert.equal(one("TimeoutStopSec"), "7min");
            assert.deepEqual(dump.settings.get("StateDirectory"), ["openstack-github-runners-reconciler"]);
            assert.ok((dump.settings.get("EnvironmentFile") ?? []).some((value) => value.startsWith("/etc/openstack-github-runners/reconciler.env")));
            assert.match(one("ExecStart") ?? "", /^\/usr\/bin\/env node --import tsx scripts\/reconcile\/main\.ts --stack /);
        } finally {
            unit.remove();
        }
    });

    test("its command line, with the documented environment, is one the reconciler accepts", () => {
        const text = readFileSync(path.join(DEPLOY, UNIT), "utf8");
        const execStart = /^ExecStart=(.*)$/m.exec(text)?.[1] ?? "";
        const env: Record<string, string> = { RECONCILER_STACK: "prod", RECONCILER_DEMAND: "--webhook-port 8080" };
        // systemd.service(5) "Command lines": ${VAR} is one word, $VAR splits on whitespace.
        const words = execStart
            .split(/\s+/)
            .flatMap((word) => (/^\$\{\w+\}$/.test(word) ? [env[word.slice(2, -1)] ?? ""] : /^\$\w+$/.test(word) ? (env[word.slice(1)] ?? "").split(/\s+/) : [word]));
        const script = words.indexOf("scripts/reconcile/main.ts");
        assert.ok(script > 0, execStart);
        const options = parseReconcileArgs(words.slice(script + 1), "/opt/openstack-github-runners");
        assert.notEqual(options, "help");
        if (options !== "help") {
            assert.equal(options.stack, "prod");
            assert.deepEqual(options.demand, { kind: "webhook", host: "127.0.0.1", port: 8080 });
        }
    });
});

describe("container recipe", { timeout: 120_000 }, () => {
    const recipe = readFileSync(path.join(DEPLOY, "Containerfile"), "utf8");
    const copied = [...recipe.matchAll(/^COPY (.+) \S+$/gm)].flatMap((match) => (match[1] ?? "").split(/\s+/));

    test("every COPY source exists (globs match something)", () => {
        for (const source of copied) {
            if (source.includes("*")) {
                assert.ok(!source.includes("/"), `COPY ${source}: the test knows globs in the root only`);
                assert.ok(readdirSync(REPO).some((file) => covers(source, file)), `COPY ${source} matches nothing`);
            } else {
                assert.ok(existsSync(path.join(REPO, source)), `COPY ${source}: no such file`);
            }
        }
    });

    test("it copies every project file the reconciler and the program load", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "reconciler-modules-"));
        try {
            const list = path.join(dir, "loaded.json");
            const preload = path.join(dir, "record.cjs");
            writeFileSync(preload, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(list)}, JSON.stringify(Object.keys(require.cache))));\n`);
            for (const entry of [["scripts/reconcile/main.ts", "--help"], ["-e", 'require("./index.ts")']]) {
                const result = spawnSync(process.execPath, ["--require", preload, "--import", "tsx", ...entry], { cwd: REPO, encoding: "utf8", timeout: 60_000 });
                assert.equal(result.status, 0, result.stderr);
                const loaded = (JSON.parse(readFileSync(list, "utf8")) as string[]).filter((file) => file.startsWith(REPO) && !file.includes(`${path.sep}node_modules${path.sep}`));
                assert.ok(loaded.length > 10, `${entry.join(" ")} loaded ${loaded.length} project files`);
                const missing = loaded.map((file) => path.relative(REPO, file)).filter((file) => !copied.some((source) => covers(source, file)));
                assert.deepEqual(missing, [], `${entry.join(" ")} loads files the Containerfile does not copy`);
            }
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test("the entry point is the reconciler, and the documented run arguments are accepted", () => {
        assert.match(recipe, /^ENTRYPOINT \["node", "--import", "tsx", "scripts\/reconcile\/main\.ts"\]$/m);
        // The documented `podman run` (a comment, continued with backslashes): the words after the image are the reconciler's.
        const lines = recipe.split("\n").map((line) => line.replace(/^#\s*/, ""));
        const first = lines.findIndex((line) => line.startsWith("podman run"));
        let command = "";
        for (let i = first; i >= 0 && i < lines.length; i++) {
            command += ` ${(lines[i] ?? "").replace(/\\$/, "")}`;
            if (!(lines[i] ?? "").endsWith("\\")) break;
        }
        const words = command.trim().split(/\s+/);
        const image = words.indexOf("openstack-github-runners-reconciler");
        assert.ok(first >= 0 && image > 0, command);
        const options = parseReconcileArgs(words.slice(image + 1), "/opt/openstack-github-runners");
        assert.notEqual(options, "help");
        assert.match(recipe, /sha256sum -c/, "the Pulumi CLI download is verified");
        const instructions = recipe.split("\n").filter((line) => !line.startsWith("#")).join("\n");
        assert.doesNotMatch(instructions, /qemu|debootstrap|losetup|e2fsprogs|fdisk/, "no image-build packages");
    });
});

/** Whether a COPY source (a file, a directory or a glob in the root) brings `file` along. */
function covers(source: string, file: string): boolean {
    if (source.includes("*")) return new RegExp(`^${source.replace(/\./g, "\\.").replace(/\*/g, "[^/]*")}$`).test(file);
    return file === source || file.startsWith(`${source}/`);
}
