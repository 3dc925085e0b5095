/**
 * The fake cloud's world: Keystone's domains, projects, users, application
 * credentials and issued tokens; Nova's servers; Glance's images.
 */
import { hexId, macAddress, uuid } from "./ids";
import { powerStateFor, type PowerState, type VmState, vmStateFor } from "./nova-states";

export interface FakeDomain {
    id: string;
    name: string;
    enabled: boolean;
}

export interface FakeProject {
    id: string;
    name: string;
    domainId: string;
    enabled: boolean;
}

export interface FakeUser {
    id: string;
    name: string;
    domainId: string;
    password: string;
    enabled: boolean;
    /** Projects the user has the "member" role on. */
    projectIds: Set<string>;
}

export interface FakeApplicationCredential {
    id: string;
    name: string;
    userId: string;
    projectId: string;
    secret: string;
}

export interface FakeToken {
    value: string;
    userId: string;
    projectId?: string;
    methods: string[];
    issuedAtMs: number;
    expiresAtMs: number;
    applicationCredentialId?: string;
    auditId: string;
}

export interface FakeAddress {
    addr: string;
    version: 4 | 6;
    type: "fixed" | "floating";
    mac: string;
}

export interface FakeFlavor {
    name: string;
    vcpus: number;
    ram: number;
    disk: number;
    ephemeral: number;
    swap: number;
    /** Flavor id, shown before microversion 2.47. */
    id: string;
}

export interface FakeServer {
    id: string;
    name: string;
    projectId: string;
    userId: string;
    vmState: VmState;
    taskState: string | null;
    powerState: PowerState;
    createdMs: number;
    updatedMs: number;
    launchedMs: number | null;
    /** undefined: booted from a volume (Nova then reports `image: ""`). */
    imageId: string | undefined;
    flavor: FakeFlavor;
    metadata: Record<string, string>;
    addresses: Record<string, FakeAddress[]>;
    locked: boolean;
    host: string | undefined;
    availabilityZone: string;
    fault: { code: number; message: string; createdMs: number } | undefined;
    tags: string[];
    description: string | null;
    keyName: string | null;
    securityGroups: string[];
}

export interface FakeImage {
    id: string;
    name: string | null;
    ownerProjectId: string;
    visibility: "public" | "private" | "shared";
    protected: boolean;
    hidden: boolean;
    status: "queued" | "saving" | "active" | "killed" | "deleted" | "uploading" | "importing" | "pending_delete" | "deactivated";
    createdMs: number;
    updatedMs: number;
    size: number | null;
    diskFormat: string | null;
    containerFormat: string | null;
    checksum: string | null;
    tags: string[];
    properties: Record<string, string>;
    /** Set: deleting answers 409, as an rbd store refuses while clones exist. */
    inUseBy: string | undefined;
}

export interface ServerSpec {
    name: string;
    project?: string;
    status?: string;
    vmState?: VmState;
    taskState?: string | null;
    metadata?: Record<string, string>;
    imageId?: string | null;
    flavor?: Partial<FakeFlavor>;
    createdMs?: number;
    locked?: boolean;
    fault?: { code: number; message: string };
    networks?: Record<string, string[]>;
}

export interface ImageSpec {
    name: string | null;
    project?: string;
    visibility?: FakeImage["visibility"];
    protected?: boolean;
    hidden?: boolean;
    status?: FakeImage["status"];
    properties?: Record<string, string>;
    tags?: string[];
    createdMs?: number;
    size?: number | null;
}

export class FakeWorld {
    readonly domains: FakeDomain[] = [{ id: "default", name: "Default", enabled: true }];
    readonly projects: FakeProject[] = [];
    readonly users: FakeUser[] = [];
    readonly applicationCredentials: FakeApplicationCredential[] = [];
    readonly tokens = new Map<string, FakeToken>();
    /** Every token value ever issued, revoked ones included. */
    readonly issuedTokenValues: string[] = [];
    readonly servers: FakeServer[] = [];
    readonly images: FakeImage[] = [];

    domain(ref: { id?: string; name?: string }): FakeDomain | undefined {
        return this.domains.find((d) => (ref.id !== undefined ? d.id === ref.id : d.name === ref.name));
    }

    addDomain(name: string): FakeDomain {
        const existing = this.domain({ name });
        if (existing) return existing;
        const domain = { id: hexId(), name, enabled: true };
        this.domains.push(domain);
        return domain;
    }

    addProject(name: string, domainName = "Default"): FakeProject {
        const domain = this.addDomain(domainName);
        const existing = this.projects.find((p) => p.name === name && p.domainId === domain.id);
        if (existing) return existing;
        const project = { id: hexId(), name, domainId: domain.id, enabled: true };
        this.projects.push(project);
        return project;
    }

    /** A project by id, or by name when the name is unique across domains. */
    requireProject(ref: string): FakeProject {
        const byId = this.projects.find((p) => p.id === ref);
        if (byId) return byId;
        const byName = this.projects.filter((p) => p.name === ref);
        if (byName.length !== 1) throw new Error(`fake OpenStack: ${byName.length === 0 ? "no" : "several"} project(s) named "${ref}"`);
        return byName[0];
    }

    addUser(spec: { name: string; password: string; domain?: string; projects?: string[]; enabled?: boolean }): FakeUser {
        const domain = this.addDomain(spec.domain ?? "Default");
        if (this.users.some((u) => u.name === spec.name && u.domainId === domain.id)) {
            throw new Error(`fake OpenStack: a user "${spec.name}" already exists in domain ${domain.name}`);
        }
        const user: FakeUser = {
            id: hexId(),
            name: spec.name,
            domainId: domain.id,
            password: spec.password,
            enabled: spec.enabled ?? true,
            projectIds: new Set((spec.projects ?? []).map((p) => this.requireProject(p).id)),
        };
        this.users.push(user);
        return user;
    }

    addServer(spec: ServerSpec, defaults: { projectId: string; userId: string; nowMs: number }): FakeServer {
        const vmState = spec.vmState ?? vmStateFor(spec.status ?? "ACTIVE");
        const projectId = spec.project !== undefined ? this.requireProject(spec.project).id : defaults.projectId;
        const createdMs = spec.createdMs ?? defaults.nowMs;
        const id = uuid();
        const flavorName = spec.flavor?.name ?? "m1.small";
        const building = vmState === "building";
        const addresses: Record<string, FakeAddress[]> = {};
        let octet = 10 + (this.servers.length % 240);
        for (const [network, ips] of Object.entries(spec.networks ?? { private: [`10.0.${Math.floor(this.servers.length / 240) % 250}.${octet++}`] })) {
            addresses[network] = ips.map((addr) => ({ addr, version: addr.includes(":") ? 6 : 4, type: "fixed", mac: macAddress(`${id}${network}`) }));
        }
        const server: FakeServer = {
            id,
            name: spec.name,
            projectId,
            userId: defaults.userId,
            vmState,
            taskState: spec.taskState ?? (building ? "spawning" : null),
            powerState: powerStateFor(vmState),
            createdMs,
            updatedMs: createdMs,
            launchedMs: building ? null : createdMs,
            imageId: spec.imageId === null ? undefined : (spec.imageId ?? uuid()),
            flavor: { id: uuid(), name: flavorName, vcpus: 2, ram: 4096, disk: 20, ephemeral: 0, swap: 0, ...spec.flavor },
            metadata: { ...spec.metadata },
            addresses,
            locked: spec.locked ?? false,
            host: building ? undefined : "compute-1",
            availabilityZone: "nova",
            fault:
                vmState === "error"
                    ? { ...(spec.fault ?? { code: 500, message: "No valid host was found. There are not enough hosts available." }), createdMs }
                    : undefined,
            tags: [],
            description: null,
            keyName: null,
            securityGroups: building ? [] : ["default"],
        };
        this.servers.push(server);
        return server;
    }

    addImage(spec: ImageSpec, defaults: { projectId: string; nowMs: number }): FakeImage {
        const createdMs = spec.createdMs ?? defaults.nowMs;
        const image: FakeImage = {
            id: uuid(),
            name: spec.name,
            ownerProjectId: spec.project !== undefined ? this.requireProject(spec.project).id : defaults.projectId,
            visibility: spec.visibility ?? "private",
            protected: spec.protected ?? false,
            hidden: spec.hidden ?? false,
            status: spec.status ?? "active",
            createdMs,
            updatedMs: createdMs,
            size: spec.size === undefined ? 2_147_483_648 : spec.size,
            diskFormat: "qcow2",
            containerFormat: "bare",
            checksum: null,
            tags: [...(spec.tags ?? [])],
            properties: { ...spec.properties },
            inUseBy: undefined,
        };
        this.images.push(image);
        return image;
    }
}
