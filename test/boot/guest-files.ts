import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";

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
