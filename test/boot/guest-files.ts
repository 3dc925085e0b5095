import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Files the boot test reads from the guest's disk after it powered off. */
export const GUEST_FILES = {
    runRecord: "/home/ubuntu/actions-runner/_diag/standin-run.json",
    configureRecord: "/home/ubuntu/actions-runner/_diag/standin-configure.json",
    jobRecord: "/home/ubuntu/actions-runner/_diag/standin-job.json",
    runnerEnv: "/home/ubuntu/actions-runner/.env",
    dockerDaemonJson: "/etc/docker/daemon.json",
    hostname: "/etc/hostname",
    cloudInitResult: "/var/lib/cloud/data/result.json",
    cloudInitStatus: "/var/lib/cloud/data/status.json",
    cloudInitOutput: "/var/log/cloud-init-output.log",
} as const;

export type GuestFileName = keyof typeof GUEST_FILES;

export interface GuestFile {
    content: string;
    uid: number;
    mode: number;
}

export type GuestFiles = Partial<Record<GuestFileName, GuestFile>>;

/** Reads GUEST_FILES under a mounted root; missing files are left out. */
export async function readGuestFiles(root: string): Promise<GuestFiles> {
    const files: GuestFiles = {};
    for (const [name, guestPath] of Object.entries(GUEST_FILES) as Array<[GuestFileName, string]>) {
        const hostPath = join(root, guestPath);
        try {
            const info = await stat(hostPath);
            files[name] = { content: await readFile(hostPath, "utf8"), uid: info.uid, mode: info.mode & 0o7777 };
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        }
    }
    return files;
}

/** The uid of a user in the guest's /etc/passwd. */
export async function guestUid(root: string, user: string): Promise<number | undefined> {
    const passwd = await readFile(join(root, "etc", "passwd"), "utf8");
    const line = passwd.split("\n").find((l) => l.startsWith(`${user}:`));
    return line === undefined ? undefined : Number(line.split(":")[2]);
}

/**
 * The guest's systemd journal (persistent in /var/log/journal), read with the
 * host's journalctl, one `[monotonic seconds] host unit: message` line each.
 */
export async function readGuestJournal(root: string): Promise<string> {
    const { stdout } = await execFileAsync("journalctl", ["--root", root, "--no-pager", "--output", "short-monotonic"], {
        maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
}

/** Monotonic time (seconds since the guest's boot) of the first journal line matching `pattern`. */
export function journalTime(journal: string, pattern: RegExp): number | undefined {
    const line = journal.split("\n").find((l) => pattern.test(l));
    const seconds = line === undefined ? undefined : /^\[\s*([0-9.]+)\]/.exec(line)?.[1];
    return seconds === undefined ? undefined : Number(seconds);
}
