/**
 * What the fake GitHub remembers: organizations and repositories ("scopes",
 * keyed `org` or `owner/repo`), their runners, org runner groups, tokens,
 * GitHub Apps and the runner downloads list.
 */
import { FakeActionsState } from "./actions-state";

export type RunnerStatus = "online" | "offline";

export interface FakeRunner {
    id: number;
    name: string;
    /** `org` or `owner/repo`. */
    scope: string;
    os: string;
    status: RunnerStatus;
    busy: boolean;
    labels: string[];
    ephemeral: boolean;
    runnerGroupId: number;
    workFolder: string;
    version: string | null;
    /** When the runner last talked to GitHub (registration, or a side channel report), on the fake's clock. */
    lastContactMs: number;
    /** sha256 (hex) of the JIT config issued for this runner, if it was made by generate-jitconfig. */
    jitConfigSha256?: string;
}

export interface FakeRunnerGroup {
    id: number;
    org: string;
    name: string;
    isDefault: boolean;
}

export interface RunnerDownload {
    os: string;
    architecture: string;
    download_url: string;
    filename: string;
    sha256_checksum?: string;
}

export interface FakeApp {
    appId: string;
    installationId: number;
    publicKeyPem: string;
}

export interface IssuedToken {
    /** Milliseconds since the epoch on the fake's clock; undefined never expires (a PAT). */
    expiresAt?: number;
    /** The scope a registration or remove token was made for; undefined for API tokens. */
    scope?: string;
    kind: "pat" | "installation" | "registration" | "remove";
}

/**
 * GitHub removes runners that have not connected for a day (ephemeral) or 14 days (others):
 * https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/removing-self-hosted-runners
 */
export const EPHEMERAL_RUNNER_EXPIRY_MS = 24 * 60 * 60 * 1000;
export const PERSISTENT_RUNNER_EXPIRY_MS = 14 * EPHEMERAL_RUNNER_EXPIRY_MS;

/** Repository runners always belong to the default group, id 1 (SPEC §4). */
export const DEFAULT_RUNNER_GROUP_ID = 1;

export function scopeKind(scope: string): "org" | "repo" {
    return scope.includes("/") ? "repo" : "org";
}

export class FakeState {
    private readonly scopes = new Map<string, Map<number, FakeRunner>>();
    private readonly groups: FakeRunnerGroup[] = [];
    private readonly labelIds = new Map<string, number>();
    private nextRunnerId = 1;
    private nextGroupId = DEFAULT_RUNNER_GROUP_ID + 1;
    readonly tokens = new Map<string, IssuedToken>();
    readonly apps: FakeApp[] = [];
    /** Workflow runs and jobs (actions-state.ts). */
    readonly actions = new FakeActionsState();
    downloads: RunnerDownload[];

    constructor(downloads: RunnerDownload[]) {
        this.downloads = downloads;
    }

    addScope(scope: string): void {
        if (!this.scopes.has(scope)) this.scopes.set(scope, new Map());
        if (scopeKind(scope) === "org" && !this.groups.some((g) => g.org === scope && g.isDefault)) {
            this.groups.push({ id: DEFAULT_RUNNER_GROUP_ID, org: scope, name: "Default", isDefault: true });
        }
    }

    hasScope(scope: string): boolean {
        return this.scopes.has(scope);
    }

    /** Every organization and repository, in the order they were added. */
    scopeNames(): string[] {
        return [...this.scopes.keys()];
    }

    addRunnerGroup(org: string, name: string): number {
        this.requireScope(org);
        if (scopeKind(org) !== "org") throw new Error(`runner groups belong to organizations, not ${org}`);
        const existing = this.groups.find((g) => g.org === org && g.name === name);
        if (existing) return existing.id;
        const group = { id: this.nextGroupId++, org, name, isDefault: false };
        this.groups.push(group);
        return group.id;
    }

    runnerGroups(org: string): FakeRunnerGroup[] {
        return this.groups.filter((g) => g.org === org);
    }

    groupExists(scope: string, groupId: number): boolean {
        return this.runnerGroupName(scope, groupId) !== undefined;
    }

    /** Runners of a scope ordered by id, as GitHub lists them. */
    runners(scope: string): FakeRunner[] {
        return [...this.requireScope(scope).values()].sort((a, b) => a.id - b.id);
    }

    findRunner(scope: string, id: number): FakeRunner | undefined {
        return this.scopes.get(scope)?.get(id);
    }

    findRunnerByName(scope: string, name: string): FakeRunner | undefined {
        return this.runners(scope).find((r) => r.name === name);
    }

    /** Runners of every scope with this name (names are unique per scope only). */
    findRunnersByNameAnywhere(name: string): FakeRunner[] {
        return [...this.scopes.values()].flatMap((runners) => [...runners.values()].filter((r) => r.name === name));
    }

    findRunnerByJitConfigSha256(sha256: string): FakeRunner | undefined {
        for (const runners of this.scopes.values()) {
            for (const runner of runners.values()) if (runner.jitConfigSha256 === sha256) return runner;
        }
        return undefined;
    }

    runnerGroupName(scope: string, groupId: number): string | undefined {
        if (scopeKind(scope) === "repo") return groupId === DEFAULT_RUNNER_GROUP_ID ? "Default" : undefined;
        return this.groups.find((g) => g.org === scope && g.id === groupId)?.name;
    }

    runnerGroupId(scope: string, name: string): number | undefined {
        if (scopeKind(scope) === "repo") return name === "Default" ? DEFAULT_RUNNER_GROUP_ID : undefined;
        return this.groups.find((g) => g.org === scope && g.name === name)?.id;
    }

    /** Creates a runner registration; undefined when the name is taken in that scope. */
    createRunner(
        scope: string,
        spec: { name: string; labels: string[]; runnerGroupId: number; ephemeral: boolean; workFolder?: string },
        nowMs: number,
    ): FakeRunner | undefined {
        const runners = this.requireScope(scope);
        if (this.findRunnerByName(scope, spec.name)) return undefined;
        const runner: FakeRunner = {
            id: this.nextRunnerId++,
            name: spec.name,
            scope,
            os: "linux",
            status: "offline",
            busy: false,
            labels: [...spec.labels],
            ephemeral: spec.ephemeral,
            runnerGroupId: spec.runnerGroupId,
            workFolder: spec.workFolder ?? "_work",
            version: null,
            lastContactMs: nowMs,
        };
        runners.set(runner.id, runner);
        return runner;
    }

    /** Removes offline runners past GitHub's expiry, as GitHub does in the background; returns them. */
    expireStaleRunners(nowMs: number): FakeRunner[] {
        const expired: FakeRunner[] = [];
        for (const runners of this.scopes.values()) {
            for (const runner of runners.values()) {
                const limit = runner.ephemeral ? EPHEMERAL_RUNNER_EXPIRY_MS : PERSISTENT_RUNNER_EXPIRY_MS;
                if (runner.status === "offline" && nowMs - runner.lastContactMs > limit) {
                    runners.delete(runner.id);
                    expired.push(runner);
                }
            }
        }
        return expired;
    }

    deleteRunner(scope: string, id: number): boolean {
        return this.scopes.get(scope)?.delete(id) ?? false;
    }

    labelId(name: string): number {
        let id = this.labelIds.get(name);
        if (id === undefined) {
            id = this.labelIds.size + 1;
            this.labelIds.set(name, id);
        }
        return id;
    }

    private requireScope(scope: string): Map<number, FakeRunner> {
        const runners = this.scopes.get(scope);
        if (!runners) throw new Error(`fake GitHub has no organization or repository "${scope}"; add it first`);
        return runners;
    }
}
