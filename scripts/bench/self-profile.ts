/**
 * A V8 CPU profile of this process over one section (the harness's share of a measured `up`),
 * taken through the inspector protocol (node:inspector Session, Profiler.start / Profiler.stop,
 * the same profile format `node --cpu-prof` writes).
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

export async function profiled<T>(file: string, section: () => Promise<T>): Promise<T> {
    const session = new Session();
    session.connect();
    try {
        await session.post("Profiler.enable");
        await session.post("Profiler.start");
        try {
            return await section();
        } finally {
            const { profile } = await session.post("Profiler.stop");
            writeFileSync(file, JSON.stringify(profile));
        }
    } finally {
        session.disconnect();
    }
}
