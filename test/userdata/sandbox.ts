import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CALLS_DIR, recorderScript, type RecordedCall } from "./recorder";

/**
 * A throwaway root file system in which the rendered boot script runs for real,
 * as root, unchanged: a private mount namespace (`unshare --mount`) bind-mounts
 * the host's /usr read-only and /dev, then `chroot`s. Everything else (/etc,
 * /home, /run, /var) is the sandbox's own, so the script's absolute paths land
 * here and the test reads them afterwards. systemctl and hostnamectl are
 * recording stand-ins first on PATH; every other command is the real one.
 */
export const UBUNTU_UID = 1000;
export const UBUNTU_GID = 1000;
export const DOCKER_GID = 998;
export const STUB_DIR = "/stubs";
export const STUBBED_COMMANDS = ["systemctl", "hostnamectl"];
export const RUNNER_DIR = "/home/ubuntu/actions-runner";
/** Where the sandbox's own /usr/local lives, relative to its root. */
const USR_LOCAL = "usr-local";
export const PATH_IN_SANDBOX = `${STUB_DIR}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
/** The PATH systemd gives services. */
const SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface ProcessResult {
    status: number | null;
    stdout: string;
    stderr: string;
}

export class Sandbox {
    private constructor(readonly root: string) {}

    static create(): Sandbox {
        const root = mkdtempSync(join(tmpdir(), "userdata-sandbox-"));
        chmodSync(root, 0o755);
        const box = new Sandbox(root);
        box.populate();
        return box;
    }

    /**
     * Absolute path on the host of a path inside the sandbox. The sandbox's
     * /usr/local is its own writable directory, mounted over the read-only /usr.
     */
    path(inside: string): string {
        const local = /^\/?usr\/local(\/|$)/.exec(inside);
        return local ? join(this.root, USR_LOCAL, inside.slice(local[0].length)) : join(this.root, inside);
    }

    private populate(): void {
        for (const dir of ["usr", USR_LOCAL, "dev", "etc", "home", "run", "var/lib/cloud/instance/scripts", "root", STUB_DIR]) {
            mkdirSync(this.path(dir), { recursive: true, mode: 0o755 });
        }
        // Debian and Ubuntu are usr-merged: /bin, /sbin, /lib* are links into /usr.
        for (const link of ["bin", "sbin", "lib", "lib64"]) {
            symlinkSync(`usr/${link}`, this.path(link));
        }
        for (const dir of ["tmp", CALLS_DIR]) {
            mkdirSync(this.path(dir), { mode: 0o1777 });
            chmodSync(this.path(dir), 0o1777);
        }
        writeFileSync(
            this.path("etc/passwd"),
            "root:x:0:0:root:/root:/bin/bash\n" +
                `ubuntu:x:${UBUNTU_UID}:${UBUNTU_GID}:Ubuntu:/home/ubuntu:/bin/bash\n` +
                "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
        );
        writeFileSync(
            this.path("etc/group"),
            `root:x:0:\ndocker:x:${DOCKER_GID}:ubuntu\nubuntu:x:${UBUNTU_GID}:\nnogroup:x:65534:\n`,
        );
        writeFileSync(this.path("etc/hosts"), "127.0.0.1 localhost\n");
        for (const command of STUBBED_COMMANDS) {
            writeFileSync(this.path(`${STUB_DIR}/${command}`), recorderScript(), { mode: 0o755 });
        }
        // The image's runner directory, owned by ubuntu, with recording run.sh / config.sh.
        mkdirSync(this.path(RUNNER_DIR), { recursive: true });
        writeFileSync(this.path(`${RUNNER_DIR}/run.sh`), recorderScript(), { mode: 0o755 });
        writeFileSync(this.path(`${RUNNER_DIR}/config.sh`), recorderScript("touch .runner"), { mode: 0o755 });
        for (const path of ["home/ubuntu", RUNNER_DIR, `${RUNNER_DIR}/run.sh`, `${RUNNER_DIR}/config.sh`]) {
            chownSync(this.path(path), UBUNTU_UID, UBUNTU_GID);
        }
    }

    /** Runs `command` (argv) as root inside the namespace and chroot, with a clean environment. */
    private runInChroot(command: string[], env: Record<string, string>): ProcessResult {
        const setup = [
            `set -euo pipefail`,
            `mount --bind /usr "$1/usr"`,
            `mount -o remount,bind,ro "$1/usr"`,
            `mount --bind "$1/${USR_LOCAL}" "$1/usr/local"`,
            `mount --rbind /dev "$1/dev"`,
            `root=$1`,
            `shift`,
            `exec chroot "$root" "$@"`,
        ].join("\n");
        const envArgs = Object.entries(env).map(([key, value]) => `${key}=${value}`);
        const result = spawnSync(
            "unshare",
            ["--mount", "--fork", "--", "/bin/bash", "-c", setup, "sandbox", this.root, "/usr/bin/env", "-i", ...envArgs, ...command],
            { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 },
        );
        if (result.error) {
            throw result.error;
        }
        return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    }

    /** Puts a file into the sandbox (e.g. a stand-in for /proc or /sys, which the chroot does not mount). */
    writeFile(inside: string, content: string, mode = 0o644): void {
        mkdirSync(join(this.path(inside), ".."), { recursive: true });
        writeFileSync(this.path(inside), content, { mode });
    }

    /** Runs the userdata the way cloud-init does: saved as an executable part and executed as root. */
    runUserdata(userdata: string): ProcessResult {
        const part = "/var/lib/cloud/instance/scripts/part-001";
        writeFileSync(this.path(part), userdata, { mode: 0o700 });
        return this.runInChroot([part], { PATH: PATH_IN_SANDBOX, HOME: "/root", LANG: "C.UTF-8" });
    }

    /**
     * Starts the runner service the way systemd would for the unit the boot
     * script wrote: the credential copied to a directory only the service user
     * can read, then ExecStart as that user, in WorkingDirectory, with
     * CREDENTIALS_DIRECTORY set. The unit's settings come from systemd's own
     * parse of it (see systemd-dump.ts); only LoadCredential is read here.
     */
    startService(service: { unitName: string; user: string; workingDirectory: string; execStart: string; credential: { name: string; source: string } }): ProcessResult {
        const credentials = `/run/credentials/${service.unitName}`;
        const script = [
            `set -euo pipefail`,
            `install -d -m 0700 -o "$USER_NAME" "$CREDS"`,
            `install -m 0400 -o "$USER_NAME" "$SOURCE" "$CREDS/$CRED_NAME"`,
            `chmod 0500 "$CREDS"`,
            `cd "$WORKDIR"`,
            `exec setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --init-groups env -i PATH="$SERVICE_PATH" HOME=/home/"$USER_NAME" USER="$USER_NAME" LOGNAME="$USER_NAME" SHELL=/bin/bash CREDENTIALS_DIRECTORY="$CREDS" "$EXEC"`,
        ].join("\n");
        return this.runInChroot(["/bin/bash", "-c", script], {
            PATH: SERVICE_PATH,
            SERVICE_PATH,
            USER_NAME: service.user,
            CREDS: credentials,
            CRED_NAME: service.credential.name,
            SOURCE: service.credential.source,
            WORKDIR: service.workingDirectory,
            EXEC: service.execStart,
        });
    }

    /** Every recorded stand-in call so far, in order. */
    calls(): RecordedCall[] {
        const dir = this.path(CALLS_DIR);
        return readdirSync(dir)
            .sort()
            .map((entry) => {
                const read = (file: string) => readFileSync(join(dir, entry, file), "utf8");
                const argc = Number(read("argc"));
                const env: Record<string, string> = {};
                for (const pair of read("env").split("\0").filter((item) => item !== "")) {
                    const eq = pair.indexOf("=");
                    env[pair.slice(0, eq)] = pair.slice(eq + 1);
                }
                return {
                    name: read("name"),
                    argv: argc === 0 ? [] : read("argv").split("\0").slice(0, argc),
                    env,
                    uid: Number(read("uid")),
                    gid: Number(read("gid")),
                    groups: read("groups").trim().split(" ").map(Number),
                    cwd: read("cwd").trim(),
                    stdin: read("stdin"),
                };
            });
    }

    clearCalls(): void {
        const dir = this.path(CALLS_DIR);
        for (const entry of readdirSync(dir)) {
            rmSync(join(dir, entry), { recursive: true });
        }
    }

    /** Content, permission bits and owner of a file inside the sandbox. */
    file(inside: string): { content: string; mode: number; uid: number; gid: number } {
        const stat = statSync(this.path(inside));
        return { content: readFileSync(this.path(inside), "utf8"), mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid };
    }

    /** Permission bits and owner of any path (a directory too) inside the sandbox. */
    owner(inside: string): { mode: number; uid: number; gid: number } {
        const stat = statSync(this.path(inside));
        return { mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid };
    }

    exists(inside: string): boolean {
        try {
            statSync(this.path(inside));
            return true;
        } catch {
            return false;
        }
    }

    /** Every path in the sandbox (relative, sorted), skipping the read-only host mounts. */
    listFiles(): string[] {
        const out: string[] = [];
        const walk = (rel: string) => {
            for (const entry of readdirSync(this.path(rel), { withFileTypes: true })) {
                const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
                out.push(child);
                if (entry.isDirectory() && child !== "usr" && child !== "dev") {
                    walk(child);
                }
            }
        };
        walk("");
        return out.sort();
    }

    remove(): void {
        rmSync(this.root, { recursive: true, force: true });
    }
}

/** Why the sandbox cannot run here, or undefined when it can. */
export function sandboxUnavailableReason(): string | undefined {
    if (process.getuid?.() !== 0) {
        return "the sandbox needs root (mount namespace, chroot, chown)";
    }
    const probe = spawnSync("unshare", ["--mount", "--fork", "true"], { stdio: "ignore" });
    return probe.status === 0 ? undefined : "unshare --mount does not work on this machine";
}
