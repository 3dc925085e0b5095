/**
 * The fake's stand-in for GitHub's `encoded_jit_config`. The real one is
 * opaque to clients; the fake's is base64 of this JSON, so a stand-in runner
 * (for example inside a test VM) can decode it and report itself through the
 * side channel at `side_channel_url`:
 *
 * {
 *   "kind": "fake-github-jit-config/v1",
 *   "runner_id": 7, "runner_name": "pool-a-1f3c...", "scope": "acme" | "acme/app",
 *   "labels": ["linux"], "runner_group_id": 1, "work_folder": "_work",
 *   "api_url": "http://127.0.0.1:PORT[/api/v3]",
 *   "side_channel_url": "http://10.0.2.2:PORT/_fake"
 * }
 */
export const FAKE_JIT_CONFIG_KIND = "fake-github-jit-config/v1";

export interface FakeJitConfig {
    kind: typeof FAKE_JIT_CONFIG_KIND;
    runner_id: number;
    runner_name: string;
    /** `org` or `owner/repo`, the same spelling as the fake's scope keys. */
    scope: string;
    labels: string[];
    runner_group_id: number;
    work_folder: string;
    api_url: string;
    side_channel_url: string;
}

export function encodeJitConfig(config: FakeJitConfig): string {
    return Buffer.from(JSON.stringify(config), "utf8").toString("base64");
}

/** The decoded config, or undefined when the text is not one the fake made. */
export function decodeJitConfig(encoded: string): FakeJitConfig | undefined {
    try {
        const parsed = JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as Partial<FakeJitConfig>;
        if (parsed.kind !== FAKE_JIT_CONFIG_KIND || typeof parsed.runner_id !== "number" || typeof parsed.scope !== "string") {
            return undefined;
        }
        return parsed as FakeJitConfig;
    } catch {
        return undefined;
    }
}
