import { test } from "node:test";
import assert from "node:assert/strict";
import { newLoopDevices } from "./inspect-image";

test("leftover loop devices are those on our files and on our loop devices, not other processes'", () => {
    const before = [{ name: "/dev/loop0", backingFile: "/var/lib/other.img" }];
    const after = [
        ...before,
        { name: "/dev/loop1", backingFile: "/tmp/ours/disk.raw" },
        { name: "/dev/loop2", backingFile: "/dev/loop1" },
        { name: "/dev/loop3", backingFile: "/dev/loop2" },
        { name: "/dev/loop4", backingFile: "/tmp/theirs/disk.raw" },
        { name: "/dev/loop5", backingFile: "/dev/loop4" },
        { name: "/dev/loop6", backingFile: "/tmp/ours-not/disk.raw" },
    ];
    assert.deepEqual(
        newLoopDevices(before, after, "/tmp/ours").map((device) => device.name),
        ["/dev/loop1", "/dev/loop2", "/dev/loop3"],
    );
    assert.deepEqual(newLoopDevices(after, after, "/tmp/ours"), []);
});
