/**
 * What a `pulumi up` that was killed (a cancelled CI job, a lost machine) leaves behind, made
 * with the program's own code, as test/status/scenarios.ts makes it for the status tests:
 *
 * - a runner registration whose create reached GitHub but whose outputs never reached the state:
 *   the registration provider's own create (JIT: GitHub has the runner at once, offline), with
 *   the inputs the program declares for that slot (those of a sibling slot with the slot's
 *   name prefix, `${namePrefix}-${pool}-${index}` as components/pool.ts and runner.ts build it);
 * - its server, when the VM's create finished too: the name and ownership metadata the program
 *   gives a slot's server (components/naming.ts ownershipMetadata), in Nova, in no state;
 * - the pending operation the CLI records in the checkpoint before it asks a provider to create
 *   (pkg/backend/snapshot.go: the snapshot manager's BeginMutation persists the operation first,
 *   and only the step's end removes it), as `pending_operations: [{ resource, type: "creating" }]`
 *   (sdk/go/common/apitype/core.go OperationV2). The engine harness does not model these, so the
 *   world adds them to what `pulumi stack export` returns (stack-source.ts).
 */
import { createRegistration } from "../../components/github/registration/provider";
import { requireRegistrationInputs } from "../../components/github/registration/inputs";
import { setSharedClientTuning } from "../../components/github/shared-client";
import { ownershipMetadata } from "../../components/naming";
import { setProviderSettings } from "../../components/providers/settings";
import { TYPES } from "../harness/fleet-stack";
import { TENANT, type Environment } from "./world";

export interface PendingOperation {
    resource: { urn: string; custom: boolean; type: string };
    type: "creating";
}

/** The runner an interrupted create registered for slot `index` of `pool` (copying a sibling slot's inputs). */
export async function registerWithoutState(environment: Environment, pool: string, sibling: number, index: number): Promise<{ name: string; id: number; urn: string }> {
    const registration = environment.resources(TYPES.registration).get(`fleet-${pool}-${sibling}`);
    if (registration === undefined) throw new Error(`no registration fleet-${pool}-${sibling} to copy inputs from`);
    const inputs = requireRegistrationInputs({ ...registration.inputs, namePrefix: `${environment.namePrefix}-${pool}-${index}` }, "RunnerRegistration");
    setSharedClientTuning({ retries: 1, retryAfterBaseMs: 1, writeSpacingMs: 0 });
    setProviderSettings({ connection: { apiUrl: environment.world.github.apiUrl, auth: { kind: "token", token: environment.token } }, bootstrapTimeoutSeconds: 1200 });
    try {
        const outputs = await createRegistration(inputs);
        if (outputs.runnerId === undefined) throw new Error(`fleet-${pool}-${index} does not register JIT runners`);
        return { name: outputs.runnerName, id: outputs.runnerId, urn: registration.urn.replace(/::[^:]+$/, `::fleet-${pool}-${index}`) };
    } finally {
        setProviderSettings(undefined);
        setSharedClientTuning({});
    }
}

/** The server an interrupted create booted for a slot: in Nova with the slot's ownership metadata, in no state. */
export function bootWithoutState(environment: Environment, owner: { pool: string; slot: number; runner: string }): string {
    return environment.world.openstack.addServer({
        name: owner.runner,
        project: TENANT,
        status: "ACTIVE",
        metadata: ownershipMetadata({ stack: environment.name, pool: owner.pool, slot: owner.slot, runnerName: owner.runner }),
    }).id;
}

/** The checkpoint's record of a create the CLI began and never finished. */
export function pendingCreate(urn: string): PendingOperation {
    return { resource: { urn, custom: true, type: TYPES.registration }, type: "creating" };
}
