/**
 * A diy ("file://") backend laid out as the CLI lays it out (pulumi/pulumi
 * v3.259 pkg/backend/diy: store.go, state.go, lock.go), project-scoped:
 *
 *   <root>/.pulumi/meta.yaml                                  version: 1
 *   <root>/.pulumi/stacks/<project>/<stack>.json              the checkpoint (VersionedCheckpoint)
 *   <root>/.pulumi/history/<project>/<stack>/<stack>-<unix ns>.history.json   one UpdateInfo per update
 *   <root>/.pulumi/history/<project>/<stack>/<stack>-<unix ns>.checkpoint.json copy of the checkpoint after it
 *   <root>/.pulumi/locks/organization/<project>/<stack>/<lock id>.json        {pid, username, hostname, timestamp}
 *
 * and, for the double only, the engine harness's state file of the stack:
 *   <root>/.pulumi/harness/<project>/<stack>.json
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname, homedir, userInfo } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CliError, StackNotFoundError } from "./errors";

export const BACKEND_URL_VARIABLE = "PULUMI_BACKEND_URL";

export class StackLockedError extends CliError {}

export interface UpdateInfo {
    kind: "update" | "preview" | "refresh" | "destroy";
    startTime: number;
    message: string;
    environment: Record<string, string>;
    config: Record<string, string | { secure: string }>;
    version: number;
    result: "succeeded" | "failed" | "in-progress";
    endTime: number;
    resourceChanges?: Record<string, number>;
}

/** tokens.ValidateStackName: letters, digits, hyphens, underscores and periods, at most 100. */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export function parseStackName(reference: string, project: string): string {
    const parts = reference.split("/");
    let name = reference;
    if (parts.length === 3) {
        if (parts[0] !== "organization") throw new CliError(`organization name must be 'organization'`);
        if (parts[1] !== project) throw new CliError(`project name '${parts[1]}' does not match the current project '${project}'`);
        name = parts[2] as string;
    } else if (parts.length === 2) {
        if (parts[0] !== project) throw new CliError(`project name '${parts[0]}' does not match the current project '${project}'`);
        name = parts[1] as string;
    } else if (parts.length !== 1) {
        throw new CliError(`could not parse stack reference '${reference}'`);
    }
    if (!STACK_NAME.test(name)) throw new CliError("a stack name may only contain alphanumeric, hyphens, underscores, or periods");
    return name;
}

export class DiyBackend {
    /** One lock id per process, as one diyBackend per CLI run (backend.go: uuid.NewV4). */
    private readonly lockId = randomUUID();

    private constructor(
        readonly url: string,
        readonly root: string,
        readonly project: string,
    ) {}

    /** The backend PULUMI_BACKEND_URL names; the double offers only local directories. */
    static fromEnvironment(env: NodeJS.ProcessEnv, project: string): DiyBackend {
        const url = env[BACKEND_URL_VARIABLE];
        if (url === undefined || url === "") {
            // What a non-interactive CLI that is not logged in says (pkg/cmd/pulumi/backend/login_manager.go).
            throw new CliError("PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions (the pulumi test double needs PULUMI_BACKEND_URL=file://<directory>)");
        }
        if (!url.startsWith("file://")) throw new CliError(`the pulumi test double supports only file:// backends, not ${url}`);
        const root = url === "file://~" || url.startsWith("file://~/") ? path.join(homedir(), url.slice("file://~".length)) : fileURLToPath(url);
        mkdirSync(path.join(root, ".pulumi"), { recursive: true });
        const meta = path.join(root, ".pulumi", "meta.yaml");
        if (!existsSync(meta)) writeFileSync(meta, "version: 1\n");
        return new DiyBackend(url, root, project);
    }

    private pulumiPath(...parts: string[]): string {
        return path.join(this.root, ".pulumi", ...parts);
    }

    stackFile(stack: string): string {
        return this.pulumiPath("stacks", this.project, `${stack}.json`);
    }

    harnessStateFile(stack: string): string {
        return this.pulumiPath("harness", this.project, `${stack}.json`);
    }

    private historyDir(stack: string): string {
        return this.pulumiPath("history", this.project, stack);
    }

    private lockDir(stack: string): string {
        return this.pulumiPath("locks", "organization", this.project, stack);
    }

    stackExists(stack: string): boolean {
        return existsSync(this.stackFile(stack));
    }

    requireStack(stack: string): void {
        if (!this.stackExists(stack)) throw new StackNotFoundError(stack);
    }

    listStacks(): string[] {
        const dir = this.pulumiPath("stacks", this.project);
        if (!existsSync(dir)) return [];
        return readdirSync(dir).filter((file) => file.endsWith(".json")).map((file) => file.slice(0, -".json".length)).sort();
    }

    /** A new stack: an empty checkpoint (state.go saveStack of a stack with no deployment). */
    createStack(stack: string): void {
        if (this.stackExists(stack)) throw new CliError(`stack '${stack}' already exists`); // backenderr.StackAlreadyExistsError
        this.writeCheckpoint(stack, undefined);
    }

    removeStack(stack: string): void {
        this.requireStack(stack);
        rmSync(this.stackFile(stack), { force: true });
        rmSync(this.harnessStateFile(stack), { force: true });
        rmSync(this.historyDir(stack), { recursive: true, force: true });
    }

    /** apitype.VersionedCheckpoint {version: 3, checkpoint: CheckpointV3 {stack, latest}}. */
    writeCheckpoint(stack: string, deployment: unknown): void {
        const checkpoint = { version: 3, checkpoint: { stack: `organization/${this.project}/${stack}`, latest: deployment ?? null } };
        writeAtomically(this.stackFile(stack), `${JSON.stringify(checkpoint, null, 4)}\n`);
    }

    /** state.go addToHistory: the UpdateInfo, and a copy of the checkpoint, under one time-stamped prefix. */
    addToHistory(stack: string, update: UpdateInfo): void {
        const dir = this.historyDir(stack);
        mkdirSync(dir, { recursive: true });
        // time.Now().UnixNano(): milliseconds from the clock, the rest from the monotonic counter.
        const unixNanos = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
        const prefix = path.join(dir, `${stack}-${unixNanos}`);
        writeFileSync(`${prefix}.history.json`, `${JSON.stringify(update, null, 4)}\n`);
        writeFileSync(`${prefix}.checkpoint.json`, readFileSync(this.stackFile(stack)));
    }

    /** state.go getHistory: newest first, paged (page from 1) when pageSize > 0. */
    history(stack: string, pageSize: number, page: number): UpdateInfo[] {
        const dir = this.historyDir(stack);
        if (!existsSync(dir)) return [];
        const files = readdirSync(dir).filter((file) => file.endsWith(".history.json")).sort().reverse();
        const start = pageSize > 0 ? (Math.max(page, 1) - 1) * pageSize : 0;
        const end = pageSize > 0 ? start + pageSize : files.length;
        return files.slice(start, end).map((file) => JSON.parse(readFileSync(path.join(dir, file), "utf8")) as UpdateInfo);
    }

    private lockFile(stack: string): string {
        return path.join(this.lockDir(stack), `${this.lockId}.json`);
    }

    /** lock.go lockURLForError: the backend URL joined with the lock's path. */
    private lockUrl(key: string): string {
        return `${this.url.replace(/\/+$/, "")}/${path.relative(this.root, key).split(path.sep).join("/")}`;
    }

    /** lock.go checkForLock: any lock file but ours means someone else is updating. */
    private checkForLock(stack: string): void {
        const dir = this.lockDir(stack);
        if (!existsSync(dir)) return;
        const mine = this.lockFile(stack);
        const others = readdirSync(dir, { withFileTypes: true })
            .filter((entry) => entry.isFile() && path.join(dir, entry.name) !== mine)
            .map((entry) => path.join(dir, entry.name))
            .sort();
        if (others.length === 0) return;
        const lines = [
            `the stack is currently locked by ${others.length} lock(s). Either wait for the other process(es) to end or delete the lock file with \`pulumi cancel\`.`,
        ];
        for (const file of others) {
            const content = JSON.parse(readFileSync(file, "utf8")) as { pid: number; username: string; hostname: string; timestamp: string };
            const at = new Date(content.timestamp).toISOString().replace(/\.\d{3}Z$/, "Z");
            lines.push(`  ${this.lockUrl(file)}: created by ${content.username}@${content.hostname} (pid ${content.pid}) at ${at}`);
        }
        throw new StackLockedError(lines.join("\n"));
    }

    /** lock.go Lock: check, write ours, check again (a racing writer makes one of us back off). */
    lock(stack: string): void {
        this.checkForLock(stack);
        const file = this.lockFile(stack);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, JSON.stringify({ pid: process.pid, username: userInfo().username, hostname: hostname(), timestamp: new Date().toISOString() }));
        try {
            this.checkForLock(stack);
        } catch (error) {
            this.unlock(stack);
            throw error;
        }
    }

    unlock(stack: string): void {
        rmSync(this.lockFile(stack), { force: true });
    }

    /** backend.go CancelCurrentUpdate: deletes every lock file of the stack. */
    cancel(stack: string): void {
        const dir = this.lockDir(stack);
        if (!existsSync(dir)) return;
        for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isFile()) rmSync(path.join(dir, entry.name), { force: true });
    }
}

function writeAtomically(file: string, text: string): void {
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, file);
}
