/**
 * Nova's server states as the API reports them. A server's `status` is derived
 * from its vm_state and task_state by nova/api/openstack/common.py `_STATE_MAP`
 * (nova 33.0.2); state names are nova/objects/fields.py InstanceState and
 * InstanceTaskState; power state codes nova/compute/power_state.py
 * (0 pending, 1 running, 3 paused, 4 shutdown, 6 crashed, 7 suspended).
 */
export type VmState =
    | "active"
    | "building"
    | "paused"
    | "suspended"
    | "stopped"
    | "rescued"
    | "resized"
    | "soft-delete"
    | "deleted"
    | "error"
    | "shelved"
    | "shelved_offloaded";

export type PowerState = 0 | 1 | 3 | 4 | 6 | 7;

const REBOOT = { rebooting: "REBOOT", reboot_pending: "REBOOT", reboot_started: "REBOOT" };
const HARD_REBOOT = { rebooting_hard: "HARD_REBOOT", reboot_pending_hard: "HARD_REBOOT", reboot_started_hard: "HARD_REBOOT" };
const REBUILD = { rebuilding: "REBUILD", rebuild_block_device_mapping: "REBUILD", rebuild_spawning: "REBUILD" };
const RESIZE = { resize_prep: "RESIZE", resize_migrating: "RESIZE", resize_migrated: "RESIZE", resize_finish: "RESIZE" };

const STATE_MAP: Record<VmState, Record<string, string>> = {
    active: { default: "ACTIVE", ...REBOOT, ...HARD_REBOOT, updating_password: "PASSWORD", ...REBUILD, migrating: "MIGRATING", ...RESIZE },
    building: { default: "BUILD" },
    stopped: { default: "SHUTOFF", ...RESIZE, ...REBUILD },
    resized: { default: "VERIFY_RESIZE", resize_reverting: "REVERT_RESIZE" },
    paused: { default: "PAUSED", migrating: "MIGRATING" },
    suspended: { default: "SUSPENDED" },
    rescued: { default: "RESCUE" },
    error: { default: "ERROR", ...REBUILD },
    deleted: { default: "DELETED" },
    "soft-delete": { default: "SOFT_DELETED" },
    shelved: { default: "SHELVED" },
    shelved_offloaded: { default: "SHELVED_OFFLOADED" },
};

/** nova/api/openstack/common.py `status_from_state`. */
export function statusOf(vmState: VmState, taskState: string | null): string {
    const map = STATE_MAP[vmState];
    return (taskState !== null ? map[taskState] : undefined) ?? map.default;
}

/** The vm_state whose default status is `status`, for tests that think in statuses. */
export function vmStateFor(status: string): VmState {
    const found = (Object.entries(STATE_MAP) as [VmState, Record<string, string>][]).find(([, map]) => map.default === status);
    if (!found) throw new Error(`no vm_state has the default status ${status}; set vmState/taskState instead`);
    return found[0];
}

/** A power state consistent with a vm_state (what the compute manager syncs to). */
export function powerStateFor(vmState: VmState): PowerState {
    switch (vmState) {
        case "active":
        case "rescued":
        case "resized":
            return 1;
        case "paused":
            return 3;
        case "stopped":
        case "shelved":
            return 4;
        case "suspended":
            return 7;
        default:
            return 0;
    }
}
