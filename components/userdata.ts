/**
 * Userdata of a runner VM: the runner's `.env` and the boot script cloud-init
 * runs. Pure and deterministic, so an unchanged fleet previews with no changes.
 */
import { renderBootScript } from "./userdata/boot-script";
import { renderEnvFile } from "./userdata/env";
import { checkUserdataSize } from "./userdata/size";
import type { RunnerUserdataInput } from "./userdata/types";
import { checkInput } from "./userdata/validate";

export type { RunnerStart, RunnerUserdataInput } from "./userdata/types";
export { NOVA_USER_DATA_LIMIT, UserdataTooLargeError } from "./userdata/size";
export { UserdataInputError } from "./userdata/validate";

/** The runner's `.env`, one `VAR=value` per line. Throws UserdataInputError on bad input. */
export function renderRunnerEnv(input: RunnerUserdataInput): string {
    return renderEnvFile(checkInput(input));
}

/**
 * The whole userdata, a `#!/bin/bash` script. Throws UserdataInputError on bad
 * input and UserdataTooLargeError when it would exceed Nova's limit.
 */
export function renderUserdata(input: RunnerUserdataInput): string {
    const checked = checkInput(input);
    const script = renderBootScript(checked);
    checkUserdataSize(checked.runnerName, script);
    return script;
}
