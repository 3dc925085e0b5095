/**
 * Everything the status command reads, and only that: the stack's config and
 * state (through the Automation API, automation.ts), GitHub's runner listing
 * of every scope the stack registers in, every server of the OpenStack project
 * and the Glance names of images the stack outputs do not name. The report is
 * then built from this snapshot without any further I/O (report.ts).
 */
import type { GithubClient } from "../../components/github/client";
import { createGithubClient, type GithubClientTuning } from "../../components/github/client";
import { parseGithubPath } from "../../components/github/paths";
import { listRunners, type ObservedRunner } from "../../components/github/runners";
import {
    createOpenstackClient,
    type Environment,
    type OpenstackClient,
    type OpenstackClientOptions,
    resolveOpenstackCredentials,
} from "../../components/openstack";
import type { StackSource } from "./automation";
import type { StatusSnapshot } from "./report";
import { statusConfigOf, type StatusConfig } from "./stack-config";
import { readStackState, type StackState } from "./stack-state";

/** Glance look-ups for image names are capped: a fleet uses a handful of images, and a name is only a label. */
const MAX_IMAGE_LOOKUPS = 20;

export interface StackRead {
    stack: string;
    project: string;
    config: StatusConfig;
    state: StackState;
}

export async function readStack(source: StackSource): Promise<StackRead> {
    const config = statusConfigOf(source.project, source.stackName, await source.config());
    const state = readStackState(await source.exportDeployment());
    return { stack: source.stackName, project: source.project, config, state };
}

export interface Connections {
    github: GithubClient;
    openstack: OpenstackClient;
    close(): void;
}

export interface ConnectOptions {
    /** For OpenStack credentials (OS_*); defaults to process.env. */
    env?: Environment;
    /** Where ./clouds.yaml is looked for (the project directory, as for `pulumi up`). */
    cwd?: string;
    githubTuning?: GithubClientTuning;
    openstackOptions?: OpenstackClientOptions;
}

/** The GitHub client and the OpenStack client with the credentials `pulumi up` would use. */
export function connect(config: StatusConfig, options: ConnectOptions = {}): Connections {
    const credentials = resolveOpenstackCredentials({ stackConfig: config.openstack, ...(options.env !== undefined ? { env: options.env } : {}), ...(options.cwd !== undefined ? { cwd: options.cwd } : {}) });
    const openstack = createOpenstackClient(credentials, options.openstackOptions);
    const github = createGithubClient({ apiUrl: config.fleet.github.apiUrl, auth: config.fleet.github.auth }, options.githubTuning);
    return { github, openstack, close: () => openstack.close() };
}

/** Scope paths to list: the config's, and every path a slot (or an old registration) registered in. */
function scopePaths(read: StackRead): string[] {
    const paths = new Set([read.config.fleet.github.pathText]);
    for (const slot of read.state.slots) if (slot.registration !== undefined) paths.add(slot.registration.path);
    return [...paths];
}

async function imageNames(openstack: OpenstackClient, read: StackRead, servers: StatusSnapshot["servers"]): Promise<Record<string, string>> {
    const outputs = read.state.outputs;
    const named = new Set<string>();
    const current = outputs["image"] as { id?: unknown } | undefined;
    if (typeof current?.id === "string") named.add(current.id);
    for (const image of Array.isArray(outputs["images"]) ? (outputs["images"] as { id?: unknown }[]) : []) if (typeof image?.id === "string") named.add(image.id);
    const wanted = new Set<string>();
    for (const slot of read.state.slots) if (slot.registration?.appliedImageId !== undefined) wanted.add(slot.registration.appliedImageId);
    for (const server of servers) if (server.imageId !== undefined && read.state.slots.some((slot) => slot.serverId === server.id)) wanted.add(server.imageId);
    const ids = [...wanted].filter((id) => !named.has(id)).slice(0, MAX_IMAGE_LOOKUPS);
    const names: Record<string, string> = {};
    for (const id of ids) {
        const image = await openstack.getImage(id);
        if (image?.name !== undefined && image.name !== null) names[id] = image.name;
    }
    return names;
}

export async function gatherSnapshot(read: StackRead, connections: Connections, now: () => Date = () => new Date()): Promise<StatusSnapshot> {
    const { apiUrl } = read.config.fleet.github;
    const runners: Record<string, ObservedRunner[]> = {};
    const listings = scopePaths(read).map(async (pathText) => {
        const path = parseGithubPath(pathText);
        if (path === undefined) throw new Error(`the stack's state names the GitHub path "${pathText}", which is not "org", "owner/repo" or "enterprise:slug"`);
        runners[pathText] = await listRunners(connections.github, apiUrl, path);
    });
    const [servers] = await Promise.all([connections.openstack.listServers(), Promise.all(listings)]);
    return {
        stack: read.stack,
        project: read.project,
        now: now(),
        config: read.config.fleet,
        state: read.state,
        runners,
        servers,
        imageNames: await imageNames(connections.openstack, read, servers),
    };
}
