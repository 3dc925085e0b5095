import { spawnSync } from "node:child_process";

const TOOLS: Array<[command: string, args: string[], debianPackage: string]> = [
    ["qemu-system-x86_64", ["--version"], "qemu-system-x86"],
    ["qemu-img", ["--version"], "qemu-utils"],
    ["genisoimage", ["--version"], "genisoimage"],
    ["debootstrap", ["--version"], "debootstrap"],
    ["sfdisk", ["--version"], "fdisk"],
    ["losetup", ["--version"], "mount"],
    ["journalctl", ["--version"], "systemd"],
];

/** Why the boot test cannot run on this machine, or undefined when it can. */
export function whyBootCannotRun(): string | undefined {
    if (process.getuid?.() !== 0) return "not running as root (the image build and the disk inspection need loop devices and mounts)";
    const missing = TOOLS.filter(([command, args]) => spawnSync(command, args, { stdio: "ignore" }).error !== undefined);
    if (missing.length > 0) {
        return `missing ${missing.map(([c]) => c).join(", ")} (apt-get install ${missing.map(([, , p]) => p).join(" ")})`;
    }
    return undefined;
}

/** Prints a banner that cannot be missed in the test output. */
export function announceSkip(what: string, reason: string): void {
    const banner = "!".repeat(78);
    console.log(`${banner}\n!!! SKIPPING ${what}: ${reason}\n${banner}`);
}
