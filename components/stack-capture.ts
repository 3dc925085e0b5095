/**
 * Stack capture for the program's run.
 *
 * The SDK records `new Error().stack` on every promise it creates
 * (@pulumi/pulumi 3.276.0 runtime/debuggable.js, debuggablePromise: about 300
 * per runner slot), and ts-node's source-map support maps each of those stacks.
 * At 1000 runners that was about half of the program's CPU time and memory
 * (scripts/bench-reconcile.ts, README "Speed of one reconcile"). With
 * Error.stackTraceLimit at 0 those captures are empty and cheap. Source
 * positions in the state are unaffected: Resource.callsites raises the limit
 * to Infinity while it reads them (resource.js, callsites).
 *
 * What is lost: the frames of an error thrown while the program runs (its
 * message stays whole; the program's own errors are written to stand without
 * frames). RUNNER_FLEET_STACK_TRACES=1 keeps full stacks, for debugging.
 */
export const STACK_TRACES_VARIABLE = "RUNNER_FLEET_STACK_TRACES";

/** Turns stack capture off for the rest of this process, unless the variable asks for stacks. */
export function limitStackCapture(env: NodeJS.ProcessEnv = process.env): void {
    if (env[STACK_TRACES_VARIABLE] === "1") return;
    Error.stackTraceLimit = 0;
}
