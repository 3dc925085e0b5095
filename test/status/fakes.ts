/**
 * The fake GitHub (repository acme/widgets, a token) and the fake OpenStack (project "ci", a
 * user) with the project's own clients connected to them, as scripts/status/gather.ts
 * connects: for the status tests that need no deployed stack.
 */
import { randomBytes } from "node:crypto";
import { createGithubClient } from "../../components/github/client";
import { createOpenstackClient, resolveOpenstackCredentials } from "../../components/openstack";
import type { Connections } from "../../scripts/status/gather";
import { FakeGithub } from "../fake-github";
import { FakeOpenstack } from "../fake-openstack";

export const SCOPE = "acme/widgets";
export const TENANT = "ci";

export interface Fakes {
    github: FakeGithub;
    openstack: FakeOpenstack;
    connections: Connections;
    stop(): Promise<void>;
}

export async function startFakes(): Promise<Fakes> {
    const token = `ghp_${randomBytes(18).toString("hex")}`;
    const password = `pw-${randomBytes(8).toString("hex")}`;
    const github = await FakeGithub.start();
    const openstack = await FakeOpenstack.start();
    github.addToken(token);
    github.addRepo("acme", "widgets");
    openstack.addProject(TENANT);
    openstack.addUser({ name: "deployer", password, projects: [TENANT] });
    const credentials = resolveOpenstackCredentials({
        stackConfig: { "openstack:authUrl": openstack.authUrl, "openstack:userName": "deployer", "openstack:password": password, "openstack:tenantName": TENANT },
        env: {},
    });
    const client = createOpenstackClient(credentials, { retry: { attempts: 1 } });
    const connections: Connections = {
        github: createGithubClient({ apiUrl: github.apiUrl, auth: { kind: "token", token } }, { retries: 0, writeSpacingMs: 0 }),
        openstack: client,
        close: () => client.close(),
    };
    return {
        github,
        openstack,
        connections,
        stop: async () => {
            connections.close();
            await Promise.allSettled([github.stop(), openstack.stop()]);
        },
    };
}
