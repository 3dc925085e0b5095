/**
 * The status report, joined from what was gathered (gather.ts): per pool and
 * slot the runner, GitHub's view of it, the VM's state in Nova, the image,
 * the age and what the next `pulumi up` would do and why; old resources still
 * waiting for their delete; orphans on both sides; a summary. Pure: the
 * program's own rules decide (components/pool-plan.ts planPool for which
 * slots the next up declares, components/github/registration/decision.ts for
 * keep or replace), fed as the program and its providers feed them.
 *
 * What the next up would do is judged for a plain `pulumi up` of the deployed
 * settings: the desired settings are the registration inputs the last run
 * recorded (a config change not yet deployed is not seen, except pool sizes,
 * which come from the current config), and a demand-sized pool keeps the size
 * it wanted last time, as it does without the reconciler's demand file.
 */
import type { FleetConfig, PoolConfig } from "../../components/config";
import { readPreviousDeployment } from "../../components/fleet-outputs";
import { decideRegistration, type RunnerObservation } from "../../components/github/registration/decision";
import { changedIdentityKeys } from "../../components/github/registration/identity";
import type { ObservedRunner } from "../../components/github/runners";
import type { NovaServer } from "../../components/openstack";
import { planFleetPools, poolSizeOf } from "../../components/fleet-plan";
import { planPool, type PlannedSlot } from "../../components/pool-plan";
import { minimumAt } from "../../components/pool-sizing";
import { poolOfRunnerName, serverMarks } from "./ownership";
import {
    REPORT_VERSION,
    type GithubState,
    type NextAction,
    type OrphanRunnerReport,
    type OrphanServerReport,
    type PendingDeleteReport,
    type PoolReport,
    type SlotReport,
    type StatusReport,
    type StatusSummary,
} from "./report-shape";
import type { RegistrationState, SlotState, StackState } from "./stack-state";

export type * from "./report-shape";
export { REPORT_VERSION } from "./report-shape";

export interface StatusSnapshot {
    stack: string;
    project: string;
    now: Date;
    config: FleetConfig;
    state: StackState;
    /** GitHub's runners per scope path ("org", "owner/repo", "enterprise:slug"): the config's and every path a slot registered in. */
    runners: Readonly<Record<string, readonly ObservedRunner[]>>;
    /** Every server of the OpenStack project the credentials scope. */
    servers: readonly NovaServer[];
    /** Glance image names by id (for images the stack outputs do not name). */
    imageNames: Readonly<Record<string, string>>;
}

export function githubStateOf(runner: ObservedRunner | undefined): GithubState {
    if (runner === undefined) return "absent";
    if (runner.busy) return "busy";
    return runner.status === "online" ? "idle" : "offline";
}

function sizingText(pool: PoolConfig, now: Date): string {
    const { sizing } = pool;
    if (sizing.kind === "fixed") return `fixed ${sizing.count}`;
    return `demand ${sizing.min}..${sizing.max}, ${minimumAt(sizing, now)} warm now`;
}

function secondsBetween(from: string, now: Date): number | null {
    const time = Date.parse(from);
    return Number.isNaN(time) ? null : Math.max(0, Math.round((now.getTime() - time) / 1000));
}

class Lookups {
    private readonly serversById: Map<string, NovaServer>;
    private readonly imageNames = new Map<string, string>();

    constructor(private readonly snapshot: StatusSnapshot) {
        this.serversById = new Map(snapshot.servers.map((server) => [server.id, server]));
        const outputs = snapshot.state.outputs;
        for (const image of Array.isArray(outputs["images"]) ? (outputs["images"] as { id?: unknown; inputs?: { name?: unknown } }[]) : []) {
            if (typeof image?.id === "string" && typeof image.inputs?.name === "string") this.imageNames.set(image.id, image.inputs.name);
        }
        const current = outputs["image"] as { id?: unknown; name?: unknown } | undefined;
        if (typeof current?.id === "string" && typeof current.name === "string") this.imageNames.set(current.id, current.name);
        for (const [id, name] of Object.entries(snapshot.imageNames)) if (!this.imageNames.has(id)) this.imageNames.set(id, name);
    }

    runnersOf(path: string): readonly ObservedRunner[] {
        return this.snapshot.runners[path] ?? [];
    }

    /** As the registration's provider finds its runner: by id (JIT), else by name (provider.ts matches). */
    runnerOf(registration: Pick<RegistrationState, "path" | "runnerId" | "runnerName">): ObservedRunner | undefined {
        return this.runnersOf(registration.path).find((runner) =>
            registration.runnerId !== undefined ? runner.id === registration.runnerId : runner.name === registration.runnerName,
        );
    }

    runnerByName(name: string): ObservedRunner | undefined {
        for (const runners of Object.values(this.snapshot.runners)) {
            const found = runners.find((runner) => runner.name === name);
            if (found !== undefined) return found;
        }
        return undefined;
    }

    server(id: string | undefined): NovaServer | undefined {
        return id === undefined ? undefined : this.serversById.get(id);
    }

    imageName(id: string): string | null {
        return this.imageNames.get(id) ?? null;
    }
}

function observation(runner: ObservedRunner | undefined): RunnerObservation {
    return runner === undefined ? { kind: "absent" } : { kind: "present", status: runner.status, busy: runner.busy };
}

interface SlotContext {
    snapshot: StatusSnapshot;
    lookups: Lookups;
    pool: string;
    configured: boolean;
    planned: PlannedSlot | undefined;
}

function busyTail(github: GithubState): string {
    return github === "busy" ? "; its runner is busy, so the up stops at its drain guard until the job is done" : "";
}

function nextForSlot(slot: SlotState, github: GithubState, context: SlotContext): SlotReport["next"] {
    const { planned, snapshot } = context;
    const registration = slot.registration;
    if (!context.configured) {
        return { action: "remove", reason: `pool ${context.pool} is no longer in the stack config: the next up deletes the slot${busyTail(github)}`, deferred: [] };
    }
    if (planned === undefined) {
        const retiring = registration?.desired["retiring"] === true;
        if (retiring && slot.drainGuard?.drained === true) return { action: "remove", reason: "retiring: drained; the next up deletes its VM and registration", deferred: [] };
        if (retiring) return { action: "remove", reason: "retiring: its runner is gone (its job is done); the next up deletes its VM and registration", deferred: [] };
        if (github === "absent") return { action: "remove", reason: "its runner is gone and the pool wants fewer runners: the next up deletes the slot", deferred: [] };
        return { action: "remove", reason: `the last up reported no such slot, so the next up does not declare it and deletes it${busyTail(github)}`, deferred: [] };
    }
    if (slot.problems.length > 0) return { action: "fail", reason: slot.problems.join("; "), deferred: [] };
    if (registration === undefined) {
        return { action: "create", reason: "the slot has no runner registration in the state (an interrupted up): the next up registers a runner", deferred: [] };
    }
    if (planned.retiring) {
        if (github === "busy") return { action: "wait", reason: "retiring: waits for its job; the slot goes once the job is done", deferred: [] };
        if (github === "absent") return { action: "remove", reason: "retiring: its runner is gone; the next up deletes its VM and registration", deferred: [] };
        return { action: "drain", reason: "retiring: the next up deregisters its idle runner (drain guard) and the run after that deletes the slot", deferred: [] };
    }
    const decision = decideRegistration({
        changed: changedIdentityKeys(registration.digests, registration.desired),
        registeredAtCreate: registration.mode === "jit",
        createdAt: registration.createdAt,
        bootstrapTimeoutSeconds: snapshot.config.bootstrapTimeoutMinutes * 60,
        observed: observation(context.lookups.runnerOf(registration)),
        now: snapshot.now,
        retiring: false,
        hold: planned.hold === true,
        // As the program does (components/powered-off.ts): Nova's SHUTOFF tells a used-up token-mode runner from a booting one.
        poweredOff: registration.desired["ephemeral"] !== false && context.lookups.server(slot.serverId)?.status === "SHUTOFF",
    });
    return decision.action === "keep"
        ? { action: "keep", reason: decision.reason, deferred: [...decision.deferred] }
        : { action: "replace", reason: decision.reason, deferred: [] };
}

function slotNotes(slot: SlotState, server: NovaServer | undefined, github: GithubState, action: NextAction): string[] {
    const notes: string[] = [];
    if (slot.registration !== undefined && slot.serverId === undefined && action !== "remove") {
        notes.push("no VM in the state (an interrupted up?): the next up creates it");
    }
    if (slot.serverId !== undefined && server === undefined) {
        notes.push(`its VM ${slot.serverId} is not in Nova (deleted outside Pulumi?): \`pulumi refresh\` drops it from the state`);
    }
    if (server?.status === "ERROR") notes.push(`Nova reports ERROR${server.fault !== undefined ? `: ${server.fault.message}` : ""}`);
    if (server?.status === "SHUTOFF" && github !== "absent") notes.push("the VM is shut off while GitHub still lists its runner");
    return notes;
}

function slotReport(slot: SlotState, context: SlotContext): SlotReport {
    const { lookups, snapshot } = context;
    const registration = slot.registration;
    const runner = registration !== undefined ? lookups.runnerOf(registration) : undefined;
    const github = registration !== undefined ? githubStateOf(runner) : "absent";
    const server = lookups.server(slot.serverId);
    const next = nextForSlot(slot, github, context);
    const imageId = registration?.appliedImageId ?? server?.imageId;
    return {
        index: slot.index,
        slot: slot.name,
        runner:
            registration === undefined
                ? null
                : { name: registration.runnerName, id: registration.runnerId ?? null, mode: registration.mode, path: registration.path, github },
        vm: { serverId: slot.serverId ?? null, nova: server?.status ?? "absent", flavor: server?.flavor.name ?? null },
        image: imageId === undefined ? null : { id: imageId, name: lookups.imageName(imageId) },
        createdAt: registration?.createdAt ?? null,
        ageSeconds: registration !== undefined ? secondsBetween(registration.createdAt, snapshot.now) : null,
        retiring: registration?.desired["retiring"] === true,
        next,
        notes: [...slotNotes(slot, server, github, next.action), ...(next.action === "fail" ? [] : slot.problems)],
    };
}

function newSlotReport(index: number, desired: number): SlotReport {
    return {
        index,
        slot: null,
        runner: null,
        vm: { serverId: null, nova: "absent", flavor: null },
        image: null,
        createdAt: null,
        ageSeconds: null,
        retiring: false,
        next: { action: "create", reason: `a new slot: the pool wants ${desired} runner${desired === 1 ? "" : "s"}`, deferred: [] },
        notes: [],
    };
}

function poolReport(snapshot: StatusSnapshot, lookups: Lookups, name: string, pool: PoolConfig | undefined, slots: SlotState[]): PoolReport {
    if (pool === undefined) {
        const context: SlotContext = { snapshot, lookups, pool: name, configured: false, planned: undefined };
        return { name, configured: false, sizing: "not configured", desired: 0, slots: slots.map((slot) => slotReport(slot, context)) };
    }
    // As fleet.ts plans a pool: the slots the previous outputs report, with GitHub's view of each runner by name.
    const previous = readPreviousDeployment(snapshot.state.outputs["pools"], snapshot.state.outputs["images"]).previous;
    const fleetPlan = planFleetPools({
        pools: snapshot.config.pools,
        registrationsPerHour: snapshot.config.github.registrationsPerHour,
        previous,
        runners: lookups.runnersOf(snapshot.config.github.pathText),
        now: snapshot.now,
    });
    const plan = fleetPlan.pools[name]?.plan ?? planPool({ size: poolSizeOf(pool, snapshot.now), existing: [] });
    const plannedByIndex = new Map(plan.slots.map((planned) => [planned.index, planned]));
    const reports = slots.map((slot) => slotReport(slot, { snapshot, lookups, pool: name, configured: true, planned: plannedByIndex.get(slot.index) }));
    const known = new Set(slots.map((slot) => slot.index));
    for (const planned of plan.slots) if (!known.has(planned.index)) reports.push(newSlotReport(planned.index, plan.desired));
    return { name, configured: true, sizing: sizingText(pool, snapshot.now), desired: plan.desired, slots: reports.sort((a, b) => a.index - b.index) };
}

function ownedSets(state: StackState): { runners: Set<string>; servers: Set<string>; ownerOfRunner: Map<string, string> } {
    const ownerOfRunner = new Map<string, string>();
    const servers = new Set<string>();
    for (const slot of state.slots) {
        if (slot.registration !== undefined) ownerOfRunner.set(slot.registration.runnerName, slot.name);
        if (slot.serverId !== undefined) servers.add(slot.serverId);
    }
    for (const pending of state.pendingDeletes) {
        if (pending.runnerName !== undefined && !ownerOfRunner.has(pending.runnerName)) ownerOfRunner.set(pending.runnerName, pending.slot);
        if (pending.serverId !== undefined) servers.add(pending.serverId);
    }
    return { runners: new Set(ownerOfRunner.keys()), servers, ownerOfRunner };
}

function orphans(snapshot: StatusSnapshot, lookups: Lookups, poolNames: string[]): StatusReport["orphans"] {
    const owned = ownedSets(snapshot.state);
    const { namePrefix } = snapshot.config;
    const servers: OrphanServerReport[] = [];
    for (const server of snapshot.servers) {
        if (owned.servers.has(server.id)) continue;
        const marks = serverMarks(server.metadata, snapshot.stack, namePrefix);
        if (marks === undefined) continue;
        servers.push({
            id: server.id,
            name: server.name,
            nova: server.status,
            createdAt: server.created,
            ageSeconds: secondsBetween(server.created, snapshot.now) ?? 0,
            pool: marks.pool,
            slot: marks.slot ?? null,
            runner: marks.runner,
            runnerGithub: githubStateOf(lookups.runnerByName(marks.runner)),
            runnerOwner: owned.ownerOfRunner.get(marks.runner) ?? null,
        });
    }
    const runners: OrphanRunnerReport[] = [];
    for (const [path, listed] of Object.entries(snapshot.runners)) {
        for (const runner of listed) {
            if (owned.runners.has(runner.name)) continue;
            const pool = poolOfRunnerName(runner.name, namePrefix, poolNames);
            if (pool === undefined) continue;
            runners.push({
                path,
                id: runner.id,
                name: runner.name,
                pool,
                github: githubStateOf(runner),
                serverIds: servers.filter((server) => server.runner === runner.name).map((server) => server.id),
            });
        }
    }
    return { runners: runners.sort((a, b) => a.name.localeCompare(b.name)), servers: servers.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)) };
}

function pendingDeletes(snapshot: StatusSnapshot, lookups: Lookups): PendingDeleteReport[] {
    return snapshot.state.pendingDeletes.map((pending) => {
        const registration = pending.runnerName !== undefined;
        return {
            slot: pending.slot,
            kind: registration ? "registration" : "instance",
            runner: pending.runnerName ?? null,
            github: pending.runnerName !== undefined ? githubStateOf(lookups.runnerByName(pending.runnerName)) : null,
            serverId: pending.serverId ?? null,
            nova: pending.serverId !== undefined ? (lookups.server(pending.serverId)?.status ?? "absent") : null,
        };
    });
}

function summarize(pools: PoolReport[], orphanReports: StatusReport["orphans"]): StatusSummary {
    const runners: Record<GithubState, number> = { idle: 0, busy: 0, offline: 0, absent: 0 };
    const vms: Record<string, number> = {};
    const next: Partial<Record<NextAction, number>> = {};
    let slots = 0;
    for (const pool of pools) {
        for (const slot of pool.slots) {
            next[slot.next.action] = (next[slot.next.action] ?? 0) + 1;
            if (slot.slot === null) continue;
            slots++;
            if (slot.runner !== null) runners[slot.runner.github]++;
            vms[slot.vm.nova] = (vms[slot.vm.nova] ?? 0) + 1;
        }
    }
    return { pools: pools.length, slots, runners, vms, next, orphanRunners: orphanReports.runners.length, orphanServers: orphanReports.servers.length };
}

export function buildStatusReport(snapshot: StatusSnapshot): StatusReport {
    const lookups = new Lookups(snapshot);
    const configured = new Map(snapshot.config.pools.map((pool) => [pool.name, pool]));
    const previousPools = readPreviousDeployment(snapshot.state.outputs["pools"], snapshot.state.outputs["images"]).previous.pools;
    const stateOnly = [...new Set([...snapshot.state.slots.map((slot) => slot.pool), ...Object.keys(previousPools)])]
        .filter((name) => !configured.has(name))
        .sort();
    const poolNames = [...configured.keys(), ...stateOnly];
    const pools = poolNames.map((name) =>
        poolReport(snapshot, lookups, name, configured.get(name), snapshot.state.slots.filter((slot) => slot.pool === name)),
    );
    const orphanReports = orphans(snapshot, lookups, poolNames);
    return {
        version: REPORT_VERSION,
        stack: snapshot.stack,
        project: snapshot.project,
        generatedAt: snapshot.now.toISOString(),
        github: { path: snapshot.config.github.pathText, apiUrl: snapshot.config.github.apiUrl },
        bootstrapTimeoutMinutes: snapshot.config.bootstrapTimeoutMinutes,
        pools,
        pendingDeletes: pendingDeletes(snapshot, lookups),
        pendingOperations: snapshot.state.pendingOperations,
        orphans: orphanReports,
        summary: summarize(pools, orphanReports),
    };
}
