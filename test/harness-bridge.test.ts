/**
 * The harness's model of the OpenStack provider (pulumi-openstack v3.15.2 = pulumi-terraform-bridge
 * v3.79.0 over terraform-provider-openstack v1.54.1): the generated force-new table, and the
 * bridge's Check and Diff on it.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { BridgeProvider } from "./harness/bridge/bridge-provider";
import { OpenStackCloud } from "./harness/openstack-cloud";
import { openstackSchema, resourceSpec } from "./harness/openstack-schema";
import { UNKNOWN_VALUE, type WireObject } from "./harness/pulumi-values";
import { generate } from "./harness/openstack-schema/generate";
import type { ResourceProvider, ResourceRef } from "./harness/resource-provider";

const FLAVOR = "openstack:compute/flavor:Flavor";
const INSTANCE = "openstack:compute/instance:Instance";
const ref = (type: string, name = "r"): ResourceRef => ({ urn: `urn:pulumi:s::p::${type}::${name}`, name, type });

describe("the force-new table (openstack-schema.json)", () => {
    test("lists what terraform-provider-openstack v1.54.1 marks ForceNew, nested blocks included, by Pulumi name", () => {
        const flavor = resourceSpec(FLAVOR)!;
        for (const path of ["name", "vcpus", "ram", "disk", "isPublic"]) assert.ok(flavor.forceNew.includes(path), `Flavor ${path}`);
        assert.ok(!flavor.forceNew.includes("description"));
        const instance = resourceSpec(INSTANCE)!;
        for (const path of ["userData", "networks", "networks[].uuid", "blockDevices[].volumeSize", "schedulerHints[].group", "keyPair", "configDrive"]) {
            assert.ok(instance.forceNew.includes(path), `Instance ${path}`);
        }
        // An image or flavor change rebuilds or resizes the server in place (Update: servers.Rebuild/Resize).
        for (const path of ["imageId", "flavorId", "name", "metadata", "securityGroups"]) assert.ok(!instance.forceNew.includes(path), `Instance ${path}`);
        assert.equal(instance.attributes["userData"]?.stateFunc, "sha1-hex");
        assert.deepEqual(resourceSpec("openstack:compute/flavorAccess:FlavorAccess")!.forceNew, ["region", "flavorId", "tenantId"]);
    });

    test("covers every resource type the program uses or will use, each with its sources", () => {
        const tokens = Object.keys(openstackSchema().resources).sort();
        assert.deepEqual(tokens, [
            "openstack:blockstorage/volume:Volume",
            "openstack:compute/flavor:Flavor",
            "openstack:compute/flavorAccess:FlavorAccess",
            "openstack:compute/instance:Instance",
            "openstack:compute/keypair:Keypair",
            "openstack:compute/serverGroup:ServerGroup",
            "openstack:images/image:Image",
            "openstack:networking/network:Network",
            "openstack:networking/router:Router",
            "openstack:networking/routerInterface:RouterInterface",
            "openstack:networking/secGroup:SecGroup",
            "openstack:networking/secGroupRule:SecGroupRule",
            "openstack:networking/subnet:Subnet",
        ]);
        for (const spec of Object.values(openstackSchema().resources)) assert.match(spec.terraform.file, /^openstack\/resource_openstack_\w+\.go$/);
    });

    const tfSources = "/work/src/tfos/openstack";
    const pulumiClone = "/work/.mirror/pulumi+pulumi-openstack/repo";
    const sourcesHere = existsSync(tfSources) && existsSync(pulumiClone);
    test("is exactly what the generator makes from the pinned sources", { skip: sourcesHere ? false : `SKIPPED: the provider sources are not on this machine (${tfSources}, ${pulumiClone})` }, () => {
        const pulumiSchema = JSON.parse(
            execFileSync("git", ["-C", pulumiClone, "show", "v3.15.2:provider/cmd/pulumi-resource-openstack/schema.json"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }),
        ) as Parameters<typeof generate>[1];
        const { schema, mismatches } = generate(tfSources, pulumiSchema);
        assert.deepEqual(mismatches, []);
        assert.deepEqual(schema, openstackSchema());
    });
});

describe("the bridge's Check", () => {
    const bridge: ResourceProvider = new BridgeProvider(resourceSpec, new OpenStackCloud(), process.cwd());

    test("auto-names a left-out name as <resource name>-<7 hex>, keeps it on later checks, and applies Terraform defaults", async () => {
        const first = await bridge.check(ref(FLAVOR, "small"), undefined, { vcpus: 2, ram: 4096, disk: 20 }, false);
        assert.deepEqual(first.failures, []);
        assert.match(String(first.inputs["name"]), /^small-[0-9a-f]{7}$/);
        assert.equal(first.inputs["rxTxFactor"], 1);
        assert.deepEqual(first.inputs["__defaults"], ["name", "rxTxFactor"]);
        const again = await bridge.check(ref(FLAVOR, "small"), first.inputs, { vcpus: 4, ram: 4096, disk: 20 }, false);
        assert.equal(again.inputs["name"], first.inputs["name"]);
    });

    test("reports a missing required input", async () => {
        const checked = await bridge.check(ref(FLAVOR), undefined, { name: "x", ram: 1, disk: 1 }, false);
        assert.deepEqual(checked.failures.map((failure) => failure.property), ["vcpus"]);
    });
});

describe("the bridge's Create", () => {
    test("an image upload opens localFilePath in the provider's working directory first: a missing file fails before any API call", async () => {
        const projectDir = mkdtempSync(path.join(tmpdir(), "bridge-image-"));
        try {
            const cloud = new OpenStackCloud();
            const bridge: ResourceProvider = new BridgeProvider(resourceSpec, cloud, projectDir);
            const inputs: WireObject = { name: "runner", containerFormat: "bare", diskFormat: "qcow2", localFilePath: ".cache/runner.qcow2" };
            const image = ref("openstack:images/image:Image", "image");
            await assert.rejects(bridge.create(image, inputs, false), /Error opening file for Image: open \.cache\/runner\.qcow2: no such file or directory/);
            assert.deepEqual(cloud.objects("image"), []);
            const preview = await bridge.create(image, inputs, true);
            assert.equal(preview.id, "", "a preview does not open the file");
            mkdirSync(path.join(projectDir, ".cache"));
            writeFileSync(path.join(projectDir, ".cache", "runner.qcow2"), "qcow2");
            const created = await bridge.create(image, inputs, false);
            assert.equal(cloud.objects("image").length, 1, created.id);
        } finally {
            rmSync(projectDir, { recursive: true, force: true });
        }
    });
});

describe("the bridge's Diff", () => {
    const bridge: ResourceProvider = new BridgeProvider(resourceSpec, new OpenStackCloud(), process.cwd());
    const flavorState: WireObject = { id: "f1", name: "gh-small", vcpus: 2, ram: 4096, disk: 20, isPublic: false, rxTxFactor: 1, region: "RegionOne", flavorId: "f1", extraSpecs: {} };
    const flavorInputs = (overrides: WireObject): WireObject => ({ name: "gh-small", vcpus: 2, ram: 4096, disk: 20, isPublic: false, rxTxFactor: 1, __defaults: ["rxTxFactor"], ...overrides });

    test("a flavor size change replaces it, delete-before-replace because the program named it", async () => {
        const diff = await bridge.diff(ref(FLAVOR), "f1", {}, flavorState, flavorInputs({ vcpus: 4 }), []);
        assert.equal(diff.changes, "some");
        assert.deepEqual(diff.replaceKeys, ["vcpus"]);
        assert.equal(diff.deleteBeforeReplace, true);
    });

    test("an auto-named flavor is replaced create-before-delete", async () => {
        const diff = await bridge.diff(ref(FLAVOR), "f1", {}, flavorState, flavorInputs({ vcpus: 4, __defaults: ["name", "rxTxFactor"] }), []);
        assert.deepEqual(diff.replaceKeys, ["vcpus"]);
        assert.equal(diff.deleteBeforeReplace, false);
    });

    test("a change of a property that does not force new is an update; nothing changed is no change", async () => {
        const update = await bridge.diff(ref(FLAVOR), "f1", {}, flavorState, flavorInputs({ description: "small runners" }), []);
        assert.equal(update.changes, "some");
        assert.deepEqual(update.replaceKeys, []);
        assert.deepEqual((await bridge.diff(ref(FLAVOR), "f1", {}, flavorState, flavorInputs({}), [])).changes, "none");
    });

    const script = "#!/bin/sh\necho hello\n";
    const instanceState: WireObject = {
        name: "runner-1",
        imageId: "img-1",
        flavorId: "fl-1",
        userData: createHash("sha1").update(script).digest("hex"),
        networks: [{ uuid: "net-1", name: "n", fixedIpV4: "10.0.0.5", mac: "fa:16:3e:00:00:01", port: "", fixedIpV6: "", floatingIp: "", accessNetwork: false }],
        securityGroups: ["a", "b"],
        availabilityZone: "nova",
        region: "RegionOne",
    };
    const instanceInputs = (overrides: WireObject): WireObject => ({
        name: "runner-1",
        imageId: "img-1",
        flavorId: "fl-1",
        userData: script,
        networks: [{ uuid: "net-1" }],
        securityGroups: ["b", "a"],
        __defaults: [],
        ...overrides,
    });

    test("user data is compared through its SHA-1 (the StateFunc): the same script is no change, another one replaces", async () => {
        assert.equal((await bridge.diff(ref(INSTANCE), "i", {}, instanceState, instanceInputs({}), [])).changes, "none");
        const changed = await bridge.diff(ref(INSTANCE), "i", {}, instanceState, instanceInputs({ userData: `${script}# new\n` }), []);
        assert.deepEqual(changed.replaceKeys, ["userData"]);
    });

    test("a network change is path-aware: another uuid replaces; an unknown uuid in preview replaces too", async () => {
        const other = await bridge.diff(ref(INSTANCE), "i", {}, instanceState, instanceInputs({ networks: [{ uuid: "net-2" }] }), []);
        assert.deepEqual(other.replaceKeys, ["networks"]);
        assert.ok(other.detailedDiff?.some((entry) => entry.path === "networks[0].uuid" && entry.replace));
        const unknown = await bridge.diff(ref(INSTANCE), "i", {}, instanceState, instanceInputs({ networks: [{ uuid: UNKNOWN_VALUE }] }), []);
        assert.deepEqual(unknown.replaceKeys, ["networks"]);
    });

    test("an image change is an in-place rebuild; set order and a dropped Optional+Computed value are no change", async () => {
        const image = await bridge.diff(ref(INSTANCE), "i", {}, instanceState, instanceInputs({ imageId: "img-2" }), []);
        assert.equal(image.changes, "some");
        assert.deepEqual(image.replaceKeys, []);
        const { availabilityZone: _dropped, ...stateWithoutZone } = instanceState;
        assert.equal((await bridge.diff(ref(INSTANCE), "i", {}, { ...stateWithoutZone, availabilityZone: "nova" }, instanceInputs({}), [])).changes, "none");
    });
});
