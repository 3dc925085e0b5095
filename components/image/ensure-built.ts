/**
 * Makes sure the qcow2 of a build exists on this machine before Glance
 * uploads it. Runs as the Glance image's beforeCreate resource hook, so it
 * runs exactly when the image is created: the first time, and again on a
 * machine without the build cache (a fresh CI runner) whenever the image must
 * be created anew (a failed upload, an image deleted and refreshed away).
 * The engine runs before-create hooks only in `up`, never in a preview
 * (pulumi/pulumi pkg/resource/deploy/deployment.go RunHooks, step.go
 * CreateStep.Apply). The build writes its output atomically, so an existing
 * file is a finished build of exactly these inputs (the name carries the hash).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { ImageBuildError, type ImageBuildPlan } from "./resolve";

export interface BuildLog {
    info(line: string): void;
}

export async function ensureImageBuilt(plan: ImageBuildPlan, log: BuildLog, keepNames: readonly string[] = []): Promise<"cached" | "built"> {
    if (existsSync(path.resolve(plan.outputPath))) return "cached";
    log.info(`building runner image ${plan.name} (this machine has no build of it in ${plan.cacheDir})`);
    const tail: string[] = [];
    const exitCode = await new Promise<number | null>((resolve, reject) => {
        const child = spawn("/bin/sh", ["-c", plan.command], {
            env: { ...process.env, ...plan.environment },
            stdio: ["ignore", "pipe", "pipe"],
        });
        const onLine = (line: string) => {
            tail.push(line);
            if (tail.length > 20) tail.shift();
            // The script prints only its steps and failures; its full log stays next to the image.
            if (line.trim() !== "") log.info(line);
        };
        for (const stream of [child.stdout, child.stderr]) {
            let buffered = "";
            stream.setEncoding("utf8").on("data", (chunk: string) => {
                buffered += chunk;
                const lines = buffered.split("\n");
                buffered = lines.pop() ?? "";
                lines.forEach(onLine);
            });
        }
        child.once("error", reject);
        child.once("close", resolve);
    });
    if (exitCode !== 0) {
        throw new ImageBuildError(
            `building runner image ${plan.name} failed (exit ${exitCode}); the build log is ${plan.outputPath.replace(/\.qcow2$/, ".build.log")}. Last lines:\n${tail.join("\n")}`,
        );
    }
    await pruneOtherBuilds(plan, [plan.name, ...keepNames]);
    return "built";
}

/** Removes cached builds of other inputs (each is hundreds of MB), keeping the named ones. */
async function pruneOtherBuilds(plan: ImageBuildPlan, keepNames: readonly string[]): Promise<void> {
    const directory = path.dirname(path.resolve(plan.outputPath));
    const keep = new Set(keepNames);
    const files = await readdir(directory).catch(() => [] as string[]);
    for (const file of files) {
        const match = /^(github-runner-.+)\.(qcow2|manifest\.json|build\.log)$/.exec(file);
        if (match !== null && !keep.has(match[1])) await rm(path.join(directory, file), { force: true });
    }
}
