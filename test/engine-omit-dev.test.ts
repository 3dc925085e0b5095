/**
 * Deploying needs only the production dependencies (`npm ci --omit=dev`, as the reconciler's
 * container and a lean CI job install them): on a copy of this project whose node_modules was
 * pruned of every dev dependency, Pulumi's cmd/run still finds the project's TypeScript and
 * ts-node (not the SDK's vendored TypeScript 3.8, which cannot compile this program), type-checks
 * and runs the program, and the dynamic providers' entry module loads.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { EngineRun } from "./harness/engine-run";
import { assertCleanExit, assertProjectTypeScript } from "./harness/fleet-assertions";
import { diagnostics, GithubWorld, PROJECT, REPO, runStack, stackConfig } from "./harness/fleet-stack";
import { copyProject } from "./engine-support";

/**
 * Dev dependencies that no production dependency needs. (@grpc/grpc-js stays: @pulumi/pulumi
 * depends on it; @types/node too: protobufjs, under @pulumi/pulumi, depends on it.)
 */
const SHARED_WITH_PRODUCTION = new Set(["@grpc/grpc-js", "@types/node"]);
const DEV_DEPENDENCIES = Object.keys((JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies).filter(
    (name) => !SHARED_WITH_PRODUCTION.has(name),
);

describe("the program under npm ci --omit=dev", () => {
    let project: ReturnType<typeof copyProject>;
    let world: GithubWorld;
    let run: EngineRun;
    let remainingDevDependencies: string[];
    let entryLoads: string;

    before(async () => {
        project = copyProject({ nodeModules: "hardlink" });
        // npm rewrites its own lock: a real copy, so the hard-linked original stays as it was.
        const hiddenLock = path.join(project.dir, "node_modules", ".package-lock.json");
        rmSync(hiddenLock);
        copyFileSync(path.join(REPO, "node_modules", ".package-lock.json"), hiddenLock);
        execFileSync("npm", ["prune", "--omit=dev", "--offline", "--no-audit", "--no-fund"], { cwd: project.dir, stdio: "pipe" });
        remainingDevDependencies = DEV_DEPENDENCIES.filter((name) => existsSync(path.join(project.dir, "node_modules", name)));
        entryLoads = execFileSync(process.execPath, ["-e", 'const e = require(require("path").resolve("components/providers/entry.js")); console.log(typeof e.registration.create, typeof e.drainGuard.delete)'], {
            cwd: project.dir,
            encoding: "utf8",
        }).trim();

        const token = `ghp_${randomBytes(18).toString("hex")}`;
        world = await GithubWorld.start();
        world.fake.addToken(token);
        world.fake.addRepo("acme", "widgets");
        const config = stackConfig("dev", { [`${PROJECT}:githubToken`]: token, "openstack:password": "pw" }, world.apiUrl);
        // Type-checked, as `pulumi up` does by default: minutes on a loaded 2-core machine.
        run = await runStack(world, "dev", config, { programDir: project.dir, timeoutMs: 300_000 });
    });
    after(async () => {
        await world?.stop();
        project?.dispose();
    });

    test("the prune removed every dev-only dependency", () => {
        assert.ok(DEV_DEPENDENCIES.length > 0);
        assert.deepEqual(remainingDevDependencies, []);
    });

    test("cmd/run type-checks and runs the program with the project's TypeScript and ts-node", () => {
        assertCleanExit(run, diagnostics(run));
        assertProjectTypeScript(run, project.dir);
    });

    test("the dynamic providers' entry module loads (tsx is a production dependency)", () => {
        assert.equal(entryLoads, "function function");
    });
});
