/**
 * One program run under the harness: start the recording monitor, launch the program through
 * cmd/run as the language host would, and always stop the monitor afterwards.
 */
import { runProgram, type ProgramExit, type ProgramLaunch } from "./language-host";
import { RecordingMonitor, type InvokeResponder, type MonitorEngine, type ResourceResponder } from "./recording-monitor";

export interface EngineRunOptions extends Omit<ProgramLaunch, "monitorAddress" | "engineAddress" | "parallel" | "organization" | "entryPoint" | "typescript" | "timeoutMs" | "signal"> {
    entryPoint?: string;
    organization?: string;
    parallel?: number;
    typescript?: boolean;
    timeoutMs?: number;
    invoke?: InvokeResponder;
    respond?: ResourceResponder;
    /** The simulated engine behind the monitor (then `invoke` and `respond` are not used). */
    engine?: MonitorEngine;
    /** Ends the program early (the deployment failed). */
    signal?: AbortSignal;
    /** Called with the monitor's address before the program starts (e.g. to start provider plugins). */
    onMonitorStarted?: (address: string) => Promise<void> | void;
}

export interface EngineRun {
    exit: ProgramExit;
    monitor: RecordingMonitor;
}

export async function runUnderEngine(options: EngineRunOptions): Promise<EngineRun> {
    const launch = {
        entryPoint: ".",
        organization: "organization",
        parallel: 16,
        typescript: true,
        timeoutMs: 90_000,
        ...options,
    };
    const monitor = new RecordingMonitor({
        project: launch.project,
        stack: launch.stack,
        organization: launch.organization,
        dryRun: launch.dryRun,
        parallel: launch.parallel,
        invoke: options.invoke,
        respond: options.respond,
        engine: options.engine,
        projectRoot: launch.programDir,
    });
    const address = await monitor.start();
    try {
        await options.onMonitorStarted?.(address);
        const exit = await runProgram({ ...launch, monitorAddress: address, engineAddress: address });
        return { exit, monitor };
    } finally {
        await monitor.stop();
    }
}
