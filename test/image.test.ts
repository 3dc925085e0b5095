import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { RunnerImage } from "../components/image";

interface Recorded {
    calls: { token: string; inputs: Record<string, unknown> }[];
    resources: { type: string; name: string; id?: string; inputs: Record<string, unknown> }[];
}
const recorded: Recorded = { calls: [], resources: [] };

pulumi.runtime.setMocks(
    {
        newResource(args) {
            recorded.resources.push({ type: args.type, name: args.name, id: args.id, inputs: args.inputs });
            if (args.type === "openstack:images/image:Image" && args.id) {
                return { id: args.id, state: { ...args.inputs, name: `image-named-for-${args.id}` } };
            }
            return { id: `${args.name}-id`, state: args.inputs };
        },
        call(args) {
            recorded.calls.push({ token: args.token, inputs: args.inputs });
            if (args.token === "openstack:images/getImage:getImage") {
                return { id: `glance-${String(args.inputs.name)}`, name: args.inputs.name };
            }
            throw new Error(`unexpected call ${args.token}`);
        },
    },
    "project",
    "stack",
    false,
);


function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => resolve(value)));
}

test("an existing image by name is the most recent image of that name", async () => {
    const image = new RunnerImage("by-name", { source: "existing", name: "ubuntu-runner" });
    assert.equal(await valueOf(image.imageId), "glance-ubuntu-runner");
    assert.equal(await valueOf(image.imageName), "ubuntu-runner");
    const call = recorded.calls.find((c) => c.inputs.name === "ubuntu-runner");
    assert.ok(call, "getImage was called");
    assert.equal(call.inputs.mostRecent, true);
});

test("an existing image by id is read from Glance by that id", async () => {
    const image = new RunnerImage("by-id", { source: "existing", id: "0b7c-image" });
    assert.equal(await valueOf(image.imageId), "0b7c-image");
    assert.equal(await valueOf(image.imageName), "image-named-for-0b7c-image");
    const read = recorded.resources.find((r) => r.id === "0b7c-image");
    assert.equal(read?.type, "openstack:images/image:Image");
});

test("an existing image needs exactly one of name and id", () => {
    assert.throws(
        () => new RunnerImage("both", { source: "existing", name: "a", id: "b" }),
        /both: an existing image is chosen by name or by id, not both/,
    );
    assert.throws(() => new RunnerImage("neither", { source: "existing", name: " " }), /neither: an existing image needs a non-empty "name" or "id"/);
});
