/**
 * OpenStack resources under the simulated engine and the in-memory cloud, through the harness's
 * own program (test/harness/fixtures/tiny): the force-new table decides replacements, the
 * bridge's delete-before-replace for named resources cascades to dependents, and what Nova and
 * Glance refuse fails the `up` as it would on a real cloud. Refresh and the `import` option read
 * the cloud back.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FixtureStack } from "./harness/fixture-stack";
import type { OperationResult } from "./harness/harness-stack";
import { OpenStackCloud } from "./harness/openstack-cloud";

const TIME_LIMIT = { timeout: 600_000 };

function changes(result: OperationResult): string[] {
    return result.steps
        .filter((step) => step.custom && step.op !== "same")
        .map((step) => `${step.op} ${step.urn.split("::").pop()}${step.deleteBeforeReplace === true ? " (delete first)" : ""}`);
}

function flavorsNamed(cloud: OpenStackCloud, name: string): { id: string; vcpus: unknown }[] {
    return cloud.objects("flavor").filter((flavor) => flavor.name === name).map((flavor) => ({ id: flavor.id, vcpus: flavor.attributes["vcpus"] }));
}

describe("a created flavor whose size changes", TIME_LIMIT, () => {
    const createFirst = new OpenStackCloud();
    const named = new OpenStackCloud();
    let createFirstStack: FixtureStack;
    let namedStack: FixtureStack;
    let preview: OperationResult;
    let createFirstUp: OperationResult;
    let namedUp: OperationResult;

    before(async () => {
        createFirstStack = await FixtureStack.open({
            scenario: "flavor",
            config: { flavorName: "gh-small", vcpus: "2", projectId: createFirst.projectId, deleteBeforeReplace: "false" },
            cloud: createFirst,
        });
        namedStack = await FixtureStack.open({ scenario: "flavor", config: { flavorName: "gh-small", vcpus: "2", projectId: named.projectId }, cloud: named });
        for (const fixture of [createFirstStack, namedStack]) {
            const first = await fixture.stack.up();
            assert.equal(first.error, undefined, first.error);
            fixture.configure({ vcpus: "4" });
        }
        preview = await createFirstStack.stack.preview();
        createFirstUp = await createFirstStack.stack.up();
        namedUp = await namedStack.stack.up();
    });
    after(() => {
        createFirstStack?.dispose();
        namedStack?.dispose();
    });

    test("is a replacement (vcpus forces a new flavor), and so is its access, whose flavor id is unknown in the preview", () => {
        assert.equal(preview.error, undefined, preview.error);
        assert.deepEqual(changes(preview), ["replace runner-flavor", "replace runner-flavor-access", "delete-replaced runner-flavor-access", "delete-replaced runner-flavor"]);
        assert.deepEqual(preview.steps.find((step) => step.urn.endsWith("::runner-flavor"))?.replaceKeys, ["vcpus"]);
    });

    test("created before the old one is deleted, under the same name, fails with Nova's 409 and keeps the old flavor", () => {
        assert.match(createFirstUp.error ?? "", /Nova POST \/flavors answered 409 Conflict: Flavor with name gh-small already exists\./);
        assert.deepEqual(flavorsNamed(createFirst, "gh-small").map((flavor) => flavor.vcpus), [2]);
    });

    test("named by the program, is deleted first (the bridge's delete-before-replace), its access cascading before it", () => {
        assert.equal(namedUp.error, undefined, namedUp.error);
        assert.deepEqual(changes(namedUp), [
            "delete-replaced runner-flavor-access",
            "delete-replaced runner-flavor",
            "replace runner-flavor (delete first)",
            "replace runner-flavor-access (delete first)",
        ]);
        const [flavor] = flavorsNamed(named, "gh-small");
        assert.equal(flavor?.vcpus, 4);
        assert.deepEqual(named.objects("flavorAccess").map((access) => access.attributes["flavorId"]), [flavor?.id]);
    });
});

describe("a Glance image replaced while a server booted from it runs", TIME_LIMIT, () => {
    const stores = { rbd: new OpenStackCloud({ imageStore: "rbd" }), file: new OpenStackCloud({ imageStore: "file" }) };
    const stacks: Partial<Record<keyof typeof stores, FixtureStack>> = {};
    const results: Partial<Record<keyof typeof stores, OperationResult>> = {};
    let refreshed: OperationResult;
    let serverGone: string;

    before(async () => {
        for (const [store, cloud] of Object.entries(stores) as [keyof typeof stores, OpenStackCloud][]) {
            const flavorId = cloud.addFlavor({ name: "m1.small", vcpus: 2, ram: 4096, disk: 20 });
            const networkId = cloud.addNetwork({ name: "runners" });
            const fixture = await FixtureStack.open({
                scenario: "image",
                config: { diskFormat: "qcow2", flavorId, networkId, userData: "#!/bin/sh\necho runner\n" },
                cloud,
            });
            stacks[store] = fixture;
            const first = await fixture.stack.up();
            assert.equal(first.error, undefined, first.error);
            fixture.configure({ diskFormat: "raw" });
            results[store] = await fixture.stack.up();
        }
        // Someone deletes the server behind Pulumi's back; a refresh notices.
        const fileStack = stacks.file!;
        const server = [...fileStack.stack.state.resources.values()].find((resource) => resource.type === "openstack:compute/instance:Instance")!;
        serverGone = server.urn;
        await stores.file.delete({ urn: server.urn, type: server.type, name: server.name, id: server.id, inputs: {}, outputs: {} });
        refreshed = await fileStack.stack.refresh();
    });
    after(() => {
        for (const fixture of Object.values(stacks)) fixture?.dispose();
    });

    test("fails on a Ceph rbd store: the old image cannot be deleted while the server's disk is cloned from it", () => {
        assert.match(results.rbd?.error ?? "", /Glance DELETE \/v2\/images\/\S+ answered 409 Conflict: Image \S+ could not be deleted because it is in use/);
    });

    test("passes on a file store, and the server is rebuilt in place on the new image", () => {
        assert.equal(results.file?.error, undefined, results.file?.error);
        assert.deepEqual(changes(results.file!), ["delete-replaced runner-image", "replace runner-image (delete first)", "update runner"]);
        const [image] = stores.file.objects("image").filter((object) => object.name === "runner");
        assert.equal(image?.attributes["diskFormat"], "raw");
    });

    test("a refresh drops a server that is gone from the cloud", () => {
        assert.equal(refreshed.error, undefined, refreshed.error);
        assert.deepEqual(
            refreshed.steps.filter((step) => step.refreshed !== "same").map((step) => [step.urn, step.refreshed]),
            [[serverGone, "gone"]],
        );
        assert.equal(stacks.file!.stack.state.resources.get(serverGone), undefined);
    });
});

describe("the import option", TIME_LIMIT, () => {
    const cloud = new OpenStackCloud();
    const flavorId = cloud.addFlavor({ name: "m1.adopt", vcpus: 2, ram: 4096, disk: 20, id: "adopt-1" });
    let fixture: FixtureStack;
    let result: OperationResult;

    before(async () => {
        fixture = await FixtureStack.open({ scenario: "import", config: { flavorName: "m1.adopt", flavorId }, cloud });
        result = await fixture.stack.up();
    });
    after(() => fixture?.dispose());

    test("reads the existing flavor into the state instead of creating one", () => {
        assert.equal(result.error, undefined, result.error);
        assert.deepEqual(result.steps.filter((step) => step.custom).map((step) => step.op), ["import", "same"]);
        const adopted = [...fixture.stack.state.resources.values()].find((resource) => resource.type === "openstack:compute/flavor:Flavor");
        assert.equal(adopted?.id, "adopt-1");
        assert.equal(adopted?.importId, "adopt-1");
        assert.equal(cloud.objects("flavor").length, 1);
    });
});
