/**
 * The SDK's mock monitor (pulumi.runtime.setMocks) has no RegisterResourceHook,
 * so a program that binds resource hooks fails under mocks ("registerResourceHook
 * is not a function", @pulumi/pulumi 3.276.0 runtime/mocks.js). Hooks only run
 * in a real `pulumi up` (the engine calls them back); under mocks they are
 * accepted and recorded, never run.
 */
import { Empty } from "google-protobuf/google/protobuf/empty_pb.js";

type HookCallback = (error: Error | null, response: Empty) => void;

export function acceptResourceHooksUnderMocks(recorded: string[] = []): string[] {
    const settings: typeof import("@pulumi/pulumi/runtime/settings") = require("@pulumi/pulumi/runtime/settings");
    const monitor = settings.getMonitor() as unknown as Record<string, unknown>;
    monitor.registerResourceHook = (request: { getName(): string }, callback: HookCallback) => {
        recorded.push(request.getName());
        callback(null, new Empty());
    };
    return recorded;
}
