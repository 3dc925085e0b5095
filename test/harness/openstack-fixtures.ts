/**
 * Answers for the OpenStack data sources the fleet program may call (existing image, flavor,
 * network, security group, and the current auth scope), shaped like the provider's results:
 * the lookup arguments echoed back plus an id and the attributes the program reads.
 */
import { createHash } from "node:crypto";
import type { InvokeResponder } from "./recording-monitor";
import type { WireObject } from "./pulumi-values";

/** A stable, uuid-shaped id per lookup, so two runs see the same "existing" objects. */
export function fixtureId(token: string, args: WireObject): string {
    const hex = createHash("sha256").update(token).update(JSON.stringify(args)).digest("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export const FIXTURE_PROJECT_ID = "0c4e939acacf4376bdcd1129f1a054ad";
export const FIXTURE_REGION = "RegionOne";

const FIXTURES: Record<string, (args: WireObject, id: string) => WireObject> = {
    "openstack:identity/getAuthScope:getAuthScope": (args) => ({
        ...args,
        id: String(args["name"] ?? "current"),
        projectId: FIXTURE_PROJECT_ID,
        projectName: "ci-runners",
        projectDomainId: "default",
        region: FIXTURE_REGION,
        userId: "5a1e0d6c37a24b0f9ec29d2b1a1f30d2",
        userName: "ci-deployer",
    }),
    "openstack:images/getImage:getImage": (args, id) => ({
        ...args,
        id,
        name: args["name"] ?? "fixture-image",
        status: "active",
        diskFormat: "qcow2",
        containerFormat: "bare",
        minDiskGb: 0,
        sizeBytes: 2147483648,
        region: FIXTURE_REGION,
    }),
    "openstack:compute/getFlavor:getFlavor": (args, id) => ({
        ...args,
        id,
        flavorId: id,
        name: args["name"] ?? "fixture-flavor",
        vcpus: 2,
        ram: 4096,
        disk: 30,
        isPublic: true,
        region: FIXTURE_REGION,
    }),
    "openstack:networking/getNetwork:getNetwork": (args, id) => ({
        ...args,
        id,
        name: args["name"] ?? "fixture-network",
        adminStateUp: "true",
        external: false,
        subnets: [fixtureId("subnet", args)],
        region: FIXTURE_REGION,
    }),
    "openstack:networking/getSecGroup:getSecGroup": (args, id) => ({
        ...args,
        id,
        name: args["name"] ?? "fixture-secgroup",
        tenantId: FIXTURE_PROJECT_ID,
        region: FIXTURE_REGION,
    }),
};

export const OPENSTACK_TOKENS = Object.keys(FIXTURES);

export const openstackFixtures: InvokeResponder = (token, args) => {
    const fixture = FIXTURES[token];
    return fixture === undefined ? undefined : fixture(args, fixtureId(token, args));
};
