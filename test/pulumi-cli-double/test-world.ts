/**
 * For tests: a throwaway world in which the `pulumi` double stands in for the
 * CLI. A temporary project directory (Pulumi.yaml copied, the program's files
 * and node_modules linked, so stack files written by tests never land in the
 * repository), a file:// backend, a PULUMI_HOME, a random passphrase, and the
 * environment that puts the double first on PATH. `dispose` removes it all.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { DiyBackend } from "./backend";
import { CAPTURE_VARIABLE, INVOCATION_LOG_VARIABLE, readInvocations, type Invocation } from "./invocations";
import { newPassphraseState } from "./passphrase";
import { findProject, readStackSettings, writeStackSettings } from "./project";

export const DOUBLE_DIR = __dirname;
export const REPO_DIR = path.resolve(__dirname, "..", "..");
export const TINY_FIXTURE_DIR = path.join(__dirname, "fixtures", "tiny");

/** Files of the repository the real program needs (index.ts and what it imports, its package and compiler settings). */
export const PROGRAM_ENTRIES = ["index.ts", "components", "package.json", "tsconfig.json"];

export class DoubleWorld {
    private constructor(
        readonly root: string,
        readonly projectDir: string,
        readonly backendDir: string,
        readonly passphrase: string,
        readonly invocationLog: string,
    ) {}

    /**
     * A world for the program in `sourceDir` (its Pulumi.yaml is copied; `entries` are linked;
     * default: every file but Pulumi*.yaml).
     */
    static create(sourceDir: string, entries?: readonly string[]): DoubleWorld {
        const root = mkdtempSync(path.join(tmpdir(), "pulumi-double-"));
        try {
            const projectDir = path.join(root, "project");
            const backendDir = path.join(root, "backend");
            mkdirSync(projectDir);
            mkdirSync(backendDir);
            copyFileSync(path.join(sourceDir, "Pulumi.yaml"), path.join(projectDir, "Pulumi.yaml"));
            const linked = entries ?? readdirSync(sourceDir).filter((name) => !/^Pulumi(\..+)?\.ya?ml$/.test(name));
            for (const name of linked) symlinkSync(path.join(sourceDir, name), path.join(projectDir, name));
            symlinkSync(path.join(REPO_DIR, "node_modules"), path.join(projectDir, "node_modules"));
            return new DoubleWorld(root, projectDir, backendDir, `passphrase-${randomBytes(12).toString("hex")}`, path.join(root, "invocations.jsonl"));
        } catch (error) {
            rmSync(root, { recursive: true, force: true });
            throw error;
        }
    }

    /** The environment a process needs to use the double on this world. */
    env(extra: Record<string, string> = {}): Record<string, string> {
        return {
            PATH: `${DOUBLE_DIR}${path.delimiter}${process.env["PATH"] ?? ""}`,
            PULUMI_BACKEND_URL: pathToFileURL(this.backendDir).href,
            PULUMI_HOME: path.join(this.root, "home"),
            PULUMI_CONFIG_PASSPHRASE: this.passphrase,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            // Type checking is the preview tests' business; these runs need the program's behaviour.
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            [INVOCATION_LOG_VARIABLE]: this.invocationLog,
            [CAPTURE_VARIABLE]: "RUNNER_DEMAND_FILE",
            ...extra,
        };
    }

    /**
     * Creates a stack as `pulumi stack init` + `pulumi config set [--secret]` would leave it:
     * the backend's checkpoint, and Pulumi.<stack>.yaml with the passphrase state and the config.
     */
    initStack(stack: string, config: Record<string, { value: unknown; secret?: boolean }>): void {
        const project = findProject(this.projectDir);
        const { state, crypter } = newPassphraseState(this.passphrase);
        const settings = readStackSettings(project, stack);
        settings.document.encryptionsalt = state;
        settings.document.config = Object.fromEntries(
            Object.entries(config).map(([key, { value, secret }]) => [
                key,
                secret === true ? { secure: crypter.encrypt(typeof value === "string" ? value : JSON.stringify(value)) } : (value as never),
            ]),
        );
        writeStackSettings(settings);
        DiyBackend.fromEnvironment({ PULUMI_BACKEND_URL: pathToFileURL(this.backendDir).href }, project.name).createStack(stack);
    }

    backend(): DiyBackend {
        return DiyBackend.fromEnvironment({ PULUMI_BACKEND_URL: pathToFileURL(this.backendDir).href }, findProject(this.projectDir).name);
    }

    invocations(): Invocation[] {
        return readInvocations(this.invocationLog);
    }

    dispose(): void {
        rmSync(this.root, { recursive: true, force: true });
    }
}
