/**
 * The README's Runbook, each step tried on the engine harness (test/runbook/walk.ts: the dev
 * example deployed for real against the fake GitHub and the fake OpenStack, `npm run status`'s
 * own code run after each step), and the README's section checked against what the steps print.
 *
 * In `npm test` (well under a minute): the quick walk, deploy then drain the pool with a busy
 * runner (two `pulumi up`s); its status tables, changes and warnings asserted, and the drain
 * outputs the README shows compared claim by claim with the walk's (scripts/runbook/section.ts);
 * the README shows every output the template names.
 *
 * RUNBOOK_FULL=1: every task (scale, image and token rotation, drain, recovery from a failed,
 * a hand-changed and a killed `up`, the sweep, a second environment, destroy; about 20
 * operations, 5 minutes on 2 cores), and every output the README shows compared with the walk's.
 * Run it after changing the product or the template; scripts/runbook/print.ts regenerates the section.
 *
 * RUNBOOK_README=<file> checks the section in that file instead of README.md (a section not
 * pasted yet: `node --import tsx scripts/runbook/print.ts --out <file>`).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { outputIds, readTemplate, renderSection, sectionOf, shownOutputs } from "../scripts/runbook/section";
import { REPO, TYPES } from "./harness/fleet-stack";
import { type Capture, claimsOf } from "./runbook/captures";
import { slotResources, WalkView } from "./runbook/view";
import { IMAGE_V1, IMAGE_V2, QUOTA_MESSAGE, type QuickWalk, type SweepFacts, type Walk, type WalkFacts, walkQuickly, walkRunbook } from "./runbook/walk";

const FULL = process.env["RUNBOOK_FULL"] === "1";
const README_FILE = process.env["RUNBOOK_README"] ?? path.join(REPO, "README.md");

/**
 * Outputs whose slot numbers depend on the order parallel creates finished in (the order
 * `pulumi destroy` reaches the slots follows the state's): their claims leave slot numbers out.
 */
const ORDER_DEPENDENT = new Set(["destroy.first", "destroy.status-blocked"]);

function readmeSection(): string {
    const section = sectionOf(readFileSync(README_FILE, "utf8"));
    assert.ok(section !== undefined, `${README_FILE} has no Runbook section: generate it with \`node --import tsx scripts/runbook/print.ts --out <file>\` and paste it into README.md (later: --write-readme)`);
    return section;
}

/** The README shows `id` making the claims the walk's output makes (`options`: what to leave out of both). */
function assertShownAsWalked(shown: Map<string, string>, capture: Capture, options: Parameters<typeof claimsOf>[1]): void {
    const inReadme = shown.get(capture.id);
    assert.ok(inReadme !== undefined, `${README_FILE}: the Runbook section has no output ${capture.id}`);
    assert.deepEqual(claimsOf(inReadme, options), claimsOf(capture.shown, options), `${README_FILE}: output ${capture.id} no longer says what the product does; regenerate the section (scripts/runbook/print.ts)`);
}

/** The drain task's claims; `whole`: the full walk's drain, with its preview and the second up. */
function drainTests(view: WalkView, facts: () => { drain: WalkFacts["drain"]; snapshots: WalkFacts["snapshots"] }, whole: boolean): void {
    test("`enabled` is not a pool key: the program's config check names it", () => {
        assert.match(view.capture("drain.enabled-false").text, /pools\[0\]\.enabled: got false; expected no such key/);
    });

    test("before the up: the busy runner waits, the idle one is drained", () => {
        assert.equal(view.report("drain.status-before").pools[0]?.desired, 0);
        assert.deepEqual(view.rows("drain.status-before"), [[0, "busy", "ACTIVE", "wait"], [1, "idle", "ACTIVE", "drain"]]);
    });

    test(`${whole ? "preview and up change" : "the up changes"} only the idle runner's drain guard and warn${whole ? "" : "s"} about the busy one`, () => {
        for (const id of whole ? ["drain.preview", "drain.up"] : ["drain.up"]) {
            assert.deepEqual(view.changed(id), ["update guard fleet-small-1-drain"], id);
            const warnings = view.warnings(id);
            assert.ok(warnings.some((message) => message.includes(facts().drain.busyRunner) && /no longer wanted/.test(message)), `${id}: ${warnings.join("\n")}`);
        }
        if (whole) assert.equal(facts().drain.previewWrites, 0);
    });

    test("after the up: the busy runner is untouched and listed as deferred, the idle one deregistered, both VMs still there", () => {
        const { drain, snapshots } = facts();
        const outputs = JSON.parse(view.capture("drain.outputs").text) as { desired: number; deferred: string[] };
        assert.deepEqual([outputs.desired, outputs.deferred], [0, [drain.busyRunner]]);
        const after = snapshots["drain.after-up"]!;
        assert.deepEqual(after.runners.filter((runner) => runner.name === drain.busyRunner).map((runner) => runner.busy), [true]);
        assert.ok(!after.runners.some((runner) => runner.name === drain.idleRunner));
        assert.deepEqual(after.servers.map((server) => server.id).sort(), [...drain.servers].sort());
        assert.deepEqual(view.rows("drain.status-after"), [[0, "busy", "ACTIVE", "wait"], [1, "absent", "ACTIVE", "remove"]]);
        assert.equal(view.slot("drain.status-after", 0).retiring, true);
    });

    test("once the job is done status says the next up removes both slots", () => {
        assert.deepEqual(view.rows("drain.status-job-done"), [[0, "absent", "SHUTOFF", "remove"], [1, "absent", "ACTIVE", "remove"]]);
    });

    if (whole) {
        test("the next up removes both slots, and the pool is empty", () => {
            assert.deepEqual(view.changed("drain.up-2"), [...slotResources("delete", 0), ...slotResources("delete", 1)].sort());
            assert.deepEqual(facts().snapshots["drain.after-up-2"]!.servers, []);
            assert.deepEqual(view.rows("drain.status-empty"), []);
        });
    }
}

/** The token rotation's claims; `whole`: the full walk's, with the refresh before and after the up, and the preview. */
function tokenTests(view: WalkView, facts: () => { token: WalkFacts["token"] }, whole: boolean): void {
    if (whole) {
        test("refresh before the up uses the token the last up recorded: revoked too early, it fails with GitHub's 401", () => {
            assert.match(view.operation("token.refresh-too-early").error ?? "", /401/);
            assert.match(view.capture("token.refresh-too-early").text, /Bad credentials/);
        });
    }

    test(`${whole ? "preview and up" : "the up"} after \`config set --secret githubToken\` change${whole ? "" : "s"} no slot and ${whole ? "are" : "is"} never refused`, () => {
        if (whole) assert.deepEqual(view.changed("token.preview"), []);
        assert.deepEqual(view.changed("token.up"), []);
        assert.equal(facts().token.refusedDuringRotation, 0);
    });

    test(`with the old token revoked after the up, status ${whole ? "and refresh work" : "works"}`, () => {
        assert.equal(view.capture("token.status").code, 0);
        assert.deepEqual(view.rows("token.status"), [[0, "idle", "ACTIVE", "keep"], [1, "idle", "ACTIVE", "keep"]]);
        if (whole) assert.equal(view.operation("token.refresh").error, undefined);
    });
}

/** The orphan sweep's claims: what a killed up left, swept; the busy orphan only once its job is done. */
function sweepTests(view: WalkView, facts: () => SweepFacts): void {
    test("the sweep's dry run changes nothing; --yes deregisters the offline orphan and leaves the busy runner and its VM", () => {
        const { busyOrphan, offlineOrphan, sweepPlanChanges } = facts();
        assert.equal(sweepPlanChanges, 0);
        assert.match(view.capture("recover.sweep-plan").text, new RegExp(`would deregister runner ${offlineOrphan} `));
        assert.match(view.capture("recover.sweep").text, new RegExp(`done: deregistered runner ${offlineOrphan} `));
        assert.match(view.capture("recover.sweep").text, new RegExp(`left: runner ${busyOrphan.runner} left alone`));
        assert.match(view.capture("recover.sweep").text, new RegExp(`left: server ${busyOrphan.runner} left alone`));
        const swept = view.report("recover.status-swept");
        assert.deepEqual(swept.orphans.runners.map((runner) => [runner.name, runner.github]), [[busyOrphan.runner, "busy"]]);
        assert.deepEqual(swept.orphans.servers.map((server) => [server.id, server.nova]), [[busyOrphan.server, "ACTIVE"]]);
    });

    test("after the busy orphan's job the sweep deletes its VM, and no orphan is left", () => {
        assert.match(view.capture("recover.sweep-after-job").text, new RegExp(`done: deleted server ${facts().busyOrphan.server} `));
        const clean = view.report("recover.status-clean");
        assert.deepEqual([clean.orphans.runners, clean.orphans.servers], [[], []]);
    });
}

function noSecretsTest(walk: () => { captures: Map<string, Capture>; facts: { secrets: string[]; contractViolations: string[] } }): void {
    test("no secret in any output, and the fakes saw only requests GitHub's and OpenStack's descriptions allow", () => {
        for (const { id, text } of walk().captures.values()) {
            for (const secret of walk().facts.secrets) assert.ok(!text.includes(secret), `${id} prints a secret`);
        }
        assert.deepEqual(walk().facts.contractViolations, []);
    });
}

/**
 * The quick walk's outputs the README shows, compared with image names left out (the full walk
 * rotates the token and drains after the image rotation, so its tables show the new image).
 * The sweep's outputs are shown too; its status tables are not: the quick walk sweeps a drained pool.
 */
const QUICK_SHOWN = ["token.up", "token.status", "drain.enabled-false", "drain.status-before", "drain.up", "drain.outputs", "drain.status-after", "drain.status-job-done", "recover.sweep-plan", "recover.sweep", "recover.sweep-after-job"];

describe("the runbook, quickly: deploy, rotate the token, drain with a busy runner, sweep what a killed up left", { timeout: 4 * 60_000 }, () => {
    let walk: QuickWalk;
    const view = new WalkView(() => walk.captures);

    before(async () => {
        walk = await walkQuickly();
    }, { timeout: 4 * 60_000 });

    test("deploy: the example's two runners, idle, kept", () => {
        assert.deepEqual(view.rows("deploy.status"), [[0, "idle", "ACTIVE", "keep"], [1, "idle", "ACTIVE", "keep"]]);
    });

    describe("rotate the GitHub token", () => {
        tokenTests(view, () => walk.facts, false);
    });

    describe("drain a pool with a busy runner (count: 0)", () => {
        drainTests(view, () => walk.facts, false);
    });

    describe("the orphan sweep", () => {
        sweepTests(view, () => walk.facts.sweep);
    });

    noSecretsTest(() => walk);

    describe("the README's Runbook section", () => {
        test("shows every output the template names, and nothing else", () => {
            const shown = shownOutputs(readmeSection());
            assert.deepEqual([...shown.keys()].sort(), outputIds(readTemplate()).sort());
        });

        test("its token, drain and sweep outputs make the claims this walk's make (states, next actions, changes, warnings, outputs, sweep actions)", () => {
            const shown = shownOutputs(readmeSection());
            for (const id of QUICK_SHOWN) assertShownAsWalked(shown, view.capture(id), { images: false });
        });

        test("a changed state, next action or step is a different claim (the comparison can fail)", () => {
            const shown = view.capture("drain.status-after").shown;
            assert.ok(shown.includes(" wait: "));
            assert.notDeepEqual(claimsOf(shown.replace(" wait: ", " keep: "), { images: false }), claimsOf(shown, { images: false }));
            assert.notDeepEqual(claimsOf(shown.replace(" busy ", " idle "), { images: false }), claimsOf(shown, { images: false }));
            assert.notDeepEqual(claimsOf(shown.replace(IMAGE_V1, IMAGE_V2)), claimsOf(shown), "an image name is a claim unless left out");
            const up = view.capture("drain.up").shown;
            assert.notDeepEqual(claimsOf(up.replace("fleet-small-1-drain updated", "fleet-small-0-drain updated")), claimsOf(up));
            assert.equal(shownOutputs(renderSection("{{output:x}}", () => shown)).get("x"), shown, "a rendered output is found again as it was");
        });
    });
});

describe("the runbook, every step tried (RUNBOOK_FULL=1)", { timeout: 15 * 60_000, skip: FULL ? false : "about 5 minutes on 2 cores: set RUNBOOK_FULL=1" }, () => {
    let walk: Walk;
    const view = new WalkView(() => walk.captures);
    const capture = (id: string) => view.capture(id);
    const report = (id: string) => view.report(id);
    const slots = (id: string) => view.slots(id);
    const rows = (id: string) => view.rows(id);
    const slot = (id: string, index: number) => view.slot(id, index);
    const operation = (id: string) => view.operation(id);
    const changed = (id: string) => view.changed(id);
    const warnings = (id: string) => view.warnings(id);

    before(async () => {
        walk = await walkRunbook();
    }, { timeout: 15 * 60_000 });

    describe("deploy", () => {
        test("the example's two runners, idle, kept", () => {
            assert.deepEqual(rows("deploy.status"), [[0, "idle", "ACTIVE", "keep"], [1, "idle", "ACTIVE", "keep"]]);
        });
    });

    describe("scale a pool", () => {
        test("count 2 -> 3: one up adds one slot (registration, VM, drain guard), its runner offline until it boots", () => {
            assert.deepEqual(changed("scale.up-out"), slotResources("create", 2));
            assert.deepEqual(rows("scale.status-out"), [[0, "idle", "ACTIVE", "keep"], [1, "idle", "ACTIVE", "keep"], [2, "offline", "ACTIVE", "keep"]]);
            assert.match(slot("scale.status-out", 2).next.reason, /within the bootstrap timeout/);
        });

        test("count 3 -> 2: before the up, status already says which slot the next up drains", () => {
            assert.equal(report("scale.status-before-in").pools[0]?.desired, 2);
            assert.deepEqual(rows("scale.status-before-in"), [[0, "idle", "ACTIVE", "keep"], [1, "idle", "ACTIVE", "keep"], [2, "idle", "ACTIVE", "drain"]]);
        });

        test("the first up only deregisters the retiring runner (its drain guard); its VM stays", () => {
            assert.deepEqual(changed("scale.up-in"), ["update guard fleet-small-2-drain"]);
            const after = walk.facts.snapshots["scale.after-up-in"]!;
            assert.ok(!after.runners.some((runner) => runner.name === walk.facts.scale.retiredRunner), "the retiring runner is still registered");
            assert.ok(after.servers.some((server) => server.id === walk.facts.scale.retiredServer), "the retiring runner's VM is gone after one up");
            assert.deepEqual(rows("scale.status-in")[2], [2, "absent", "ACTIVE", "remove"]);
            assert.equal(slot("scale.status-in", 2).retiring, true);
            assert.match(slot("scale.status-in", 2).next.reason, /^retiring: drained/);
        });

        test("the second up deletes the drained slot's guard, VM and registration", () => {
            assert.deepEqual(changed("scale.up-in-2"), slotResources("delete", 2));
            assert.ok(!walk.facts.snapshots["scale.after-up-in-2"]!.servers.some((server) => server.id === walk.facts.scale.retiredServer));
            assert.deepEqual(rows("scale.status-done"), [[0, "idle", "ACTIVE", "keep"], [1, "idle", "ACTIVE", "keep"]]);
        });
    });

    describe("rotate the image (image.name) with a busy runner", () => {
        test("the preview replaces the idle slot, warns that the busy runner's change waits, and writes nothing to GitHub", () => {
            assert.deepEqual(changed("image.preview"), slotResources("replace", 0));
            assert.ok(warnings("image.preview").some((message) => message.includes(walk.facts.image.busyRunner) && /waits until its job is done/.test(message)), warnings("image.preview").join("\n"));
            assert.equal(walk.facts.image.previewWrites, 0);
        });

        test("the up replaces only the idle runner; the busy one keeps its VM and is listed as deferred", () => {
            assert.deepEqual(changed("image.up"), slotResources("replace", 0));
            const outputs = JSON.parse(capture("image.outputs").text) as { deferred: string[]; busy: number };
            assert.deepEqual(outputs.deferred, [walk.facts.image.busyRunner]);
            const after = walk.facts.snapshots["image.after-up"]!;
            assert.ok(after.servers.some((server) => server.id === walk.facts.image.busyServer), "the busy runner's VM was deleted");
            assert.ok(!after.runners.some((runner) => runner.name === walk.facts.image.idleRunnerBefore), "the idle runner was not replaced");
        });

        test("status: the new runner on the new image; the busy one on the old image, its change deferred", () => {
            assert.deepEqual(rows("image.status-after"), [[0, "offline", "ACTIVE", "keep"], [1, "busy", "ACTIVE", "keep"]]);
            assert.deepEqual([slot("image.status-after", 0).image?.name, slot("image.status-after", 1).image?.name], [IMAGE_V2, IMAGE_V1]);
            assert.deepEqual(slot("image.status-after", 1).next.deferred, ["instance"]);
        });

        test("after the job the used-up slot is recycled onto the new image", () => {
            assert.deepEqual(rows("image.status-job-done")[1], [1, "absent", "SHUTOFF", "replace"]);
            assert.deepEqual(changed("image.up-2"), slotResources("replace", 1));
            assert.deepEqual(slots("image.status-done").map((entry) => entry.image?.name), [IMAGE_V2, IMAGE_V2]);
        });
    });

    describe("rotate the GitHub token", () => {
        tokenTests(view, () => walk.facts, true);
    });

    describe("drain a pool with a busy runner (count: 0)", () => {
        drainTests(view, () => walk.facts, true);
    });

    describe("recover", () => {
        test("a failed up (Nova's quota) keeps what it created: the runner is registered, its VM missing, and status says the next up creates it", () => {
            assert.ok((operation("recover.failed-up").error ?? "").includes(QUOTA_MESSAGE));
            assert.deepEqual(changed("recover.failed-up"), ["create registration fleet-small-0"]);
            assert.deepEqual(rows("recover.status-failed"), [[0, "offline", "absent", "keep"]]);
            assert.ok(slot("recover.status-failed", 0).notes.some((note) => /no VM in the state/.test(note)));
        });

        test("the up run again creates only what is missing", () => {
            assert.deepEqual(changed("recover.retry-up"), ["create guard fleet-small-0-drain", "create instance fleet-small-0"]);
            assert.deepEqual(rows("recover.status-retried"), [[0, "offline", "ACTIVE", "keep"]]);
        });

        test("changed by hand: status names the missing VM; refresh reads the runner as changed and drops the VM", () => {
            assert.deepEqual(rows("recover.status-by-hand"), [[0, "absent", "absent", "replace"]]);
            assert.ok(slot("recover.status-by-hand", 0).notes.some((note) => note.includes(walk.facts.recover.handDeletedServer) && /pulumi refresh/.test(note)));
            const refreshed = Object.fromEntries(operation("recover.refresh").steps.filter((step) => step.op === "refresh").map((step) => [`${step.type} ${step.urn.split("::").pop()}`, step.refreshed]));
            assert.equal(refreshed[`${TYPES.registration} fleet-small-0`], "changed");
            assert.equal(refreshed[`${TYPES.drainGuard} fleet-small-0-drain`], "changed");
            assert.equal(refreshed[`${TYPES.instance} fleet-small-0`], "gone");
            assert.ok(slot("recover.status-refreshed", 0).notes.some((note) => /no VM in the state/.test(note)));
        });

        test("a killed up: status lists the pending create and the orphans on both sides", () => {
            const interrupted = report("recover.status-interrupted");
            assert.deepEqual(interrupted.pendingOperations, [{ type: "creating", resourceType: TYPES.registration, name: "fleet-small-2" }]);
            const { busyOrphan, offlineOrphan } = walk.facts.recover;
            assert.deepEqual(
                interrupted.orphans.runners.map((runner) => [runner.name, runner.github, runner.serverIds]).sort(),
                [[busyOrphan.runner, "busy", [busyOrphan.server]], [offlineOrphan, "offline", []]].sort(),
            );
            assert.deepEqual(interrupted.orphans.servers.map((server) => [server.id, server.runnerGithub]), [[busyOrphan.server, "busy"]]);
            assert.deepEqual(rows("recover.status-interrupted"), [[0, "absent", "absent", "replace"], [1, null, "absent", "create"], [2, null, "absent", "create"]]);
        });

        test("the up after clearing the pending create gives the pool its slots; the orphans stay for the sweep", () => {
            assert.deepEqual(changed("recover.up-after-interrupt"), [
                ...slotResources("create", 1),
                ...slotResources("create", 2),
                "create instance fleet-small-0",
                "replace guard fleet-small-0-drain",
                "replace registration fleet-small-0",
            ].sort());
            assert.deepEqual(rows("recover.status-after-interrupt"), [[0, "offline", "ACTIVE", "keep"], [1, "offline", "ACTIVE", "keep"], [2, "offline", "ACTIVE", "keep"]]);
            assert.equal(report("recover.status-after-interrupt").summary.orphanRunners, 2);
        });

        sweepTests(view, () => walk.facts.recover);
    });

    describe("a second environment", () => {
        test("staging, with its own namePrefix and network, deploys beside dev; neither sees the other's runners or servers", () => {
            assert.deepEqual(rows("env.status-staging"), [[0, "idle", "ACTIVE", "keep"]]);
            assert.equal(slot("env.status-staging", 0).runner?.name, walk.facts.env.stagingRunner);
            assert.match(walk.facts.env.stagingRunner, /^gh-staging-small-0-/);
            for (const id of ["env.status-staging", "env.status-dev"]) {
                assert.deepEqual([report(id).summary.orphanRunners, report(id).summary.orphanServers], [0, 0], id);
            }
            assert.equal(report("env.status-dev").summary.slots, 3);
        });

        test("had staging kept dev's namePrefix, it would take dev's idle runners for orphans, and its sweep would deregister them", () => {
            const shared = report("env.status-shared-prefix");
            assert.deepEqual(shared.orphans.runners.map((runner) => [runner.name, runner.github]).sort(), walk.facts.env.devRunners.map((name) => [name, "idle"]).sort());
            assert.deepEqual(shared.orphans.servers, []);
            for (const runner of walk.facts.env.devRunners) assert.match(capture("env.sweep-shared-prefix").text, new RegExp(`would deregister runner ${runner} `));
            assert.equal(walk.facts.env.sharedSweepWrites, 0);
        });
    });

    describe("destroy", () => {
        test("a busy runner stops pulumi destroy at its drain guard (GitHub's 422): the slot before it is gone, its own slot stays", () => {
            const { busySlot, firstDeleted, busyRunner } = walk.facts.destroy;
            assert.match(operation("destroy.first").error ?? "", /busy/);
            assert.match(operation("destroy.first").error ?? "", /422/);
            assert.deepEqual(changed("destroy.first"), slotResources("delete", firstDeleted));
            const blocked = slot("destroy.status-blocked", busySlot);
            assert.deepEqual([blocked.runner?.name, blocked.runner?.github, blocked.vm.nova], [busyRunner, "busy", "ACTIVE"]);
            assert.deepEqual([slot("destroy.status-blocked", firstDeleted).runner, slot("destroy.status-blocked", firstDeleted).vm.nova], [null, "absent"]);
        });

        test("after the job, destroy leaves nothing of dev in Nova or GitHub, status shows what a new up would create, staging untouched", () => {
            assert.equal(operation("destroy.second").error, undefined);
            const after = walk.facts.snapshots["destroy.after"]!;
            assert.deepEqual(after.servers, []);
            assert.deepEqual(after.runners.filter((runner) => runner.name.startsWith("gh-dev-")), []);
            assert.deepEqual(rows("destroy.status-after"), [[0, null, "absent", "create"], [1, null, "absent", "create"], [2, null, "absent", "create"]]);
            assert.deepEqual([report("destroy.status-after").summary.orphanRunners, report("destroy.status-after").summary.orphanServers], [0, 0]);
            assert.deepEqual(rows("destroy.status-staging"), [[0, "idle", "ACTIVE", "keep"]]);
        });
    });

    noSecretsTest(() => walk);

    describe("the README's Runbook section", () => {
        test("every output it shows makes the claims this walk's output makes", () => {
            const shown = shownOutputs(readmeSection());
            for (const id of outputIds(readTemplate())) assertShownAsWalked(shown, capture(id), { slotIndices: !ORDER_DEPENDENT.has(id) });
        });

        test("with slot numbers left out, a changed state is still a different claim", () => {
            const blocked = capture("destroy.status-blocked").shown;
            assert.notDeepEqual(claimsOf(blocked.replace(" busy ", " idle "), { slotIndices: false }), claimsOf(blocked, { slotIndices: false }));
        });
    });
});
