/**
 * The in-memory OpenStack cloud refuses what Nova, Glance and Neutron refuse, puts a
 * ServerBackend's machines behind servers with exactly the Nova inputs, answers lookups from its
 * world, and survives a JSON round trip.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { NovaStatus, ServerBackend } from "./harness/cloud";
import { OpenStackCloud } from "./harness/openstack-cloud";
import type { WireObject } from "./harness/pulumi-values";

const INSTANCE = "openstack:compute/instance:Instance";
const FLAVOR = "openstack:compute/flavor:Flavor";
const IMAGE = "openstack:images/image:Image";
const NETWORK = "openstack:networking/network:Network";

function request(type: string, name: string): { urn: string; type: string; name: string } {
    return { urn: `urn:pulumi:s::p::${type}::${name}`, type, name };
}

/** A cloud with an image, a flavor and a network to boot servers on. */
function bootableCloud(options: ConstructorParameters<typeof OpenStackCloud>[0] = {}): { cloud: OpenStackCloud; imageId: string; flavorId: string; networkId: string } {
    const cloud = new OpenStackCloud(options);
    const imageId = cloud.addImage({ name: "ubuntu" });
    const flavorId = cloud.addFlavor({ name: "m1.small", vcpus: 2, ram: 4096, disk: 20 });
    const networkId = cloud.addNetwork({ name: "runners", cidr: "10.42.0.0/24" });
    return { cloud, imageId, flavorId, networkId };
}

function server(imageId: string, flavorId: string, networkId: string, extra: WireObject = {}): WireObject {
    return { name: "runner-1", imageId, flavorId, networks: [{ uuid: networkId }], ...extra };
}

describe("Nova", () => {
    test("flavor names are unique cloud-wide: a second flavor of that name is refused with 409", async () => {
        const cloud = new OpenStackCloud();
        await cloud.create({ ...request(FLAVOR, "a"), inputs: { name: "gh-small", vcpus: 2, ram: 4096, disk: 20 } });
        await assert.rejects(
            cloud.create({ ...request(FLAVOR, "b"), inputs: { name: "gh-small", vcpus: 4, ram: 4096, disk: 20 } }),
            /Nova POST \/flavors answered 409 Conflict: Flavor with name gh-small already exists\./,
        );
        await cloud.create({ ...request(FLAVOR, "c"), inputs: { name: "gh-large", vcpus: 8, ram: 4096, disk: 20 } });
    });

    test("a server boots only from an existing active image and an existing flavor, on an existing network", async () => {
        const { cloud, imageId, flavorId, networkId } = bootableCloud();
        await assert.rejects(cloud.create({ ...request(INSTANCE, "s"), inputs: server("no-such-image", flavorId, networkId) }), /400 Bad Request: Can not find requested image/);
        await assert.rejects(cloud.create({ ...request(INSTANCE, "s"), inputs: server(imageId, "no-such-flavor", networkId) }), /400 Bad Request: Flavor no-such-flavor could not be found\./);
        await assert.rejects(cloud.create({ ...request(INSTANCE, "s"), inputs: server(imageId, flavorId, "no-such-net") }), /Network no-such-net could not be found/);
        const queued = cloud.addImage({ name: "queued", status: "queued" });
        await assert.rejects(cloud.create({ ...request(INSTANCE, "s"), inputs: server(queued, flavorId, networkId) }), new RegExp(`Image ${queued} is not active`));
        const created = await cloud.create({ ...request(INSTANCE, "s"), inputs: server(imageId, flavorId, networkId) });
        assert.equal(cloud.serverStatus(created.id), "ACTIVE");
        assert.equal(created.outputs["flavorName"], "m1.small");
        assert.match(String(created.outputs["accessIpV4"]), /^10\.42\.0\.\d+$/);
    });

    test("a server booted from a volume takes its image from the boot block device", async () => {
        const { cloud, imageId, flavorId, networkId } = bootableCloud();
        const volume = (uuid: string) => ({ blockDevices: [{ sourceType: "image", uuid, destinationType: "volume", volumeSize: 80, bootIndex: 0, deleteOnTermination: true }] });
        const withoutImage = (extra: WireObject) => Object.fromEntries(Object.entries(server(imageId, flavorId, networkId, extra)).filter(([key]) => key !== "imageId"));
        await assert.rejects(cloud.create({ ...request(INSTANCE, "v"), inputs: withoutImage(volume("no-such-image")) }), /Can not find requested image/);
        const created = await cloud.create({ ...request(INSTANCE, "v"), inputs: withoutImage(volume(imageId)) });
        assert.equal(cloud.serverStatus(created.id), "ACTIVE");
    });

    test("user data above 65535 base64 characters and metadata values above 255 characters are refused", async () => {
        const { cloud, imageId, flavorId, networkId } = bootableCloud();
        const big = "#!".repeat(24_600); // not base64: 65600 characters once encoded
        await assert.rejects(cloud.create({ ...request(INSTANCE, "s"), inputs: server(imageId, flavorId, networkId, { userData: big }) }), /user_data.*65535/);
        await cloud.create({ ...request(INSTANCE, "ok"), inputs: server(imageId, flavorId, networkId, { userData: "#!".repeat(24_500) }) });
        await assert.rejects(cloud.create({ ...request(INSTANCE, "s"), inputs: server(imageId, flavorId, networkId, { metadata: { note: "y".repeat(256) } }) }), /metadata/);
    });

    test("deleting a flavor that servers use is allowed; the server keeps its flavor", async () => {
        const { cloud, imageId, networkId } = bootableCloud();
        const flavor = await cloud.create({ ...request(FLAVOR, "f"), inputs: { name: "gh-small", vcpus: 2, ram: 4096, disk: 20 } });
        const created = await cloud.create({ ...request(INSTANCE, "s"), inputs: server(imageId, flavor.id, networkId) });
        await cloud.delete({ ...request(FLAVOR, "f"), id: flavor.id, inputs: {}, outputs: {} });
        assert.equal(cloud.object(created.id)?.attributes["flavorName"], "gh-small");
    });

    test("a server's status is readable and settable (a used-up runner powers itself off), and a refresh reads it", async () => {
        const { cloud, imageId, flavorId, networkId } = bootableCloud();
        const created = await cloud.create({ ...request(INSTANCE, "s"), inputs: server(imageId, flavorId, networkId) });
        cloud.setServerStatus(created.id, "SHUTOFF");
        assert.equal(cloud.serverStatus(created.id), "SHUTOFF");
        const read = await cloud.read({ ...request(INSTANCE, "s"), id: created.id, inputs: {}, outputs: {} });
        assert.equal(read?.outputs["powerState"], "shutoff");
        await cloud.delete({ ...request(INSTANCE, "s"), id: created.id, inputs: {}, outputs: {} });
        assert.equal(await cloud.read({ ...request(INSTANCE, "s"), id: created.id, inputs: {}, outputs: {} }), undefined);
    });
});

describe("Glance", () => {
    async function imageInUse(imageStore: "rbd" | "file"): Promise<{ cloud: OpenStackCloud; imageId: string; serverId: string }> {
        const { cloud, flavorId, networkId } = bootableCloud({ imageStore });
        const image = await cloud.create({ ...request(IMAGE, "img"), inputs: { name: "runner", containerFormat: "bare", diskFormat: "qcow2" } });
        const created = await cloud.create({ ...request(INSTANCE, "s"), inputs: server(image.id, flavorId, networkId) });
        return { cloud, imageId: image.id, serverId: created.id };
    }

    test("on a Ceph rbd store an image that a server was cloned from cannot be deleted (409); once the server is gone it can", async () => {
        const { cloud, imageId, serverId } = await imageInUse("rbd");
        await assert.rejects(
            cloud.delete({ ...request(IMAGE, "img"), id: imageId, inputs: {}, outputs: {} }),
            new RegExp(`409 Conflict: Image ${imageId} could not be deleted because it is in use: The image cannot be deleted because it is in use through the backend store outside of Glance\\.`),
        );
        await cloud.delete({ ...request(INSTANCE, "s"), id: serverId, inputs: {}, outputs: {} });
        await cloud.delete({ ...request(IMAGE, "img"), id: imageId, inputs: {}, outputs: {} });
        assert.equal(cloud.object(imageId), undefined);
    });

    test("on a file store the same delete succeeds", async () => {
        const { cloud, imageId } = await imageInUse("file");
        await cloud.delete({ ...request(IMAGE, "img"), id: imageId, inputs: {}, outputs: {} });
        assert.equal(cloud.object(imageId), undefined);
    });
});

describe("Neutron", () => {
    test("a network with a server's port on it cannot be deleted (409 NetworkInUse)", async () => {
        const { cloud, imageId, flavorId } = bootableCloud();
        const network = await cloud.create({ ...request(NETWORK, "n"), inputs: { name: "own" } });
        const created = await cloud.create({ ...request(INSTANCE, "s"), inputs: server(imageId, flavorId, network.id) });
        await assert.rejects(cloud.delete({ ...request(NETWORK, "n"), id: network.id, inputs: {}, outputs: {} }), /409 Conflict: Unable to complete operation on network/);
        await cloud.delete({ ...request(INSTANCE, "s"), id: created.id, inputs: {}, outputs: {} });
        await cloud.delete({ ...request(NETWORK, "n"), id: network.id, inputs: {}, outputs: {} });
    });
});

class RecordingServers implements ServerBackend {
    readonly booted: Parameters<ServerBackend["boot"]>[0][] = [];
    readonly destroyed: string[] = [];
    status(): NovaStatus {
        return "ACTIVE";
    }
    async boot(server: Parameters<ServerBackend["boot"]>[0]): Promise<void> {
        this.booted.push(server);
    }
    async destroy(id: string): Promise<void> {
        this.destroyed.push(id);
    }
}

describe("a ServerBackend behind Nova servers", () => {
    test("boots with the user data as Nova receives it (base64 passed as is, anything else encoded), the name and metadata", async () => {
        const servers = new RecordingServers();
        const { cloud, imageId, flavorId, networkId } = bootableCloud({ servers });
        const script = "#cloud-config\nruncmd: [echo hi]\n";
        const plain = await cloud.create({ ...request(INSTANCE, "a"), inputs: server(imageId, flavorId, networkId, { name: "gh-a", userData: script, metadata: { pool: "small" } }) });
        const encoded = Buffer.from(script).toString("base64");
        await cloud.create({ ...request(INSTANCE, "b"), inputs: server(imageId, flavorId, networkId, { name: "gh-b", userData: encoded }) });
        assert.deepEqual(servers.booted.map((boot) => [boot.name, boot.userDataBase64, boot.metadata, boot.imageId, boot.flavorId]), [
            ["gh-a", encoded, { pool: "small" }, imageId, flavorId],
            ["gh-b", encoded, {}, imageId, flavorId],
        ]);
        await cloud.delete({ ...request(INSTANCE, "a"), id: plain.id, inputs: {}, outputs: {} });
        assert.deepEqual(servers.destroyed, [plain.id]);
    });

    test("keeps the user data out of the saved world", async () => {
        const { cloud, imageId, flavorId, networkId } = bootableCloud();
        await cloud.create({ ...request(INSTANCE, "a"), inputs: server(imageId, flavorId, networkId, { userData: "token=s3cr3t-value" }) });
        assert.ok(!JSON.stringify(cloud.toJSON()).includes("s3cr3t-value"));
    });
});

describe("lookups and persistence", () => {
    test("a lookup finds what the cloud holds (the newest of a name with mostRecent), and keeps a made-up answer for what it does not", () => {
        const cloud = new OpenStackCloud();
        cloud.addImage({ name: "ubuntu", id: "old-image" });
        cloud.addImage({ name: "ubuntu", id: "new-image" });
        assert.equal(cloud.invoke("openstack:images/getImage:getImage", { name: "ubuntu", mostRecent: true })?.["id"], "new-image");
        assert.throws(() => cloud.invoke("openstack:images/getImage:getImage", { name: "ubuntu" }), /more than one result/);
        const flavor = cloud.invoke("openstack:compute/getFlavor:getFlavor", { name: "m1.large" });
        assert.equal(cloud.invoke("openstack:compute/getFlavor:getFlavor", { name: "m1.large" })?.["id"], flavor?.["id"]);
        assert.equal(cloud.object(String(flavor?.["id"]))?.kind, "flavor");
    });

    test("saves to JSON and loads back with the same objects and statuses", async () => {
        const { cloud, imageId, flavorId, networkId } = bootableCloud({ imageStore: "file" });
        const created = await cloud.create({ ...request(INSTANCE, "s"), inputs: server(imageId, flavorId, networkId) });
        cloud.setServerStatus(created.id, "SHUTOFF");
        const loaded = OpenStackCloud.fromJSON(JSON.parse(JSON.stringify(cloud.toJSON())));
        assert.deepEqual(loaded.objects(), cloud.objects());
        assert.equal(loaded.serverStatus(created.id), "SHUTOFF");
        assert.equal(loaded.imageStore, "file");
    });
});
