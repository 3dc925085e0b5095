/**
 * The selected stack of a project, kept where the CLI keeps it
 * (pulumi/pulumi v3.259 pkg/workspace/workspace.go settingsPath):
 * $PULUMI_HOME/workspaces/<project>-<sha1 of the Pulumi.yaml path>-workspace.json,
 * {"stack": "<fully qualified name>"}.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import type { Project } from "./project";

function settingsFile(project: Project, env: NodeJS.ProcessEnv): string {
    const home = env["PULUMI_HOME"] ?? path.join(homedir(), ".pulumi");
    const projectFile = path.join(project.dir, "Pulumi.yaml");
    const hash = createHash("sha1").update(projectFile).digest("hex");
    return path.join(home, "workspaces", `${project.name}-${hash}-workspace.json`);
}

export function selectedStack(project: Project, env: NodeJS.ProcessEnv): string | undefined {
    const file = settingsFile(project, env);
    if (!existsSync(file)) return undefined;
    const settings = JSON.parse(readFileSync(file, "utf8")) as { stack?: string };
    return settings.stack?.split("/").pop();
}

export function selectStack(project: Project, stack: string, env: NodeJS.ProcessEnv): void {
    const file = settingsFile(project, env);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify({ stack: `organization/${project.name}/${stack}` }, null, 4), { mode: 0o600 });
}
