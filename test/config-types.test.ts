/**
 * The FleetConfig / PoolConfig contract the components consume, spelt out in
 * full. zod infers the real types from the schema; `npm run typecheck` fails
 * when they drift from what is written here (the test itself only runs once).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { FleetConfig, PoolConfig } from "../components/config";
import type { GithubAuth } from "../components/github/client";
import type { GithubPath } from "../components/github/paths";
import { dev } from "./config-helpers";
import { parseStackConfig } from "../components/config";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

interface ExpectedPoolConfig {
    name: string;
    sizing: { kind: "fixed"; count: number } | { kind: "demand"; min: number; max: number; schedules: Array<{ cron: string; timezone: string; min: number }> };
    flavor: { kind: "existing"; name: string } | { kind: "create"; vcpus: number; ramMb: number; diskGb: number };
    labels: string[];
    defaultLabels: boolean;
    ephemeral: boolean;
    bootVolume?: { sizeGb: number; type?: string | undefined } | undefined;
    availabilityZone?: string | undefined;
    serverGroup?: { policy: "anti-affinity" | "soft-anti-affinity" } | undefined;
    keyPair?: string | undefined;
    metadata: Record<string, string>;
    registration: "jit" | "token";
    runnerLabels: string[];
}

interface ExpectedFleetConfig {
    github: { path: GithubPath; pathText: string; runnerGroup?: string; apiUrl: string; registration: "jit" | "token"; registrationsPerHour: number; auth: GithubAuth };
    image: {
        base: "jammy" | "noble";
        arch: "x64" | "arm64";
        name?: string | undefined;
        id?: string | undefined;
        build?:
            | { runnerVersion: string; runnerSha256?: string | undefined; extraPackages: string[]; baseImageUrl?: string | undefined; baseImageSha256?: string | undefined; cacheDir: string }
            | undefined;
    };
    network: { kind: "create"; cidr: string; dnsServers: string[]; externalNetwork: string; sshIngressCidr?: string } | { kind: "existing"; name: string; securityGroup?: string };
    pools: PoolConfig[];
    proxy?: { http?: string | undefined; https?: string | undefined; noProxy?: string | undefined } | undefined;
    dockerhubMirror?: string | undefined;
    sshDebug: Array<{ host: string; port: number; rsaFingerprint: string; ed25519Fingerprint: string }>;
    namePrefix: string;
    bootstrapTimeoutMinutes: number;
    preJobScript?: string | undefined;
    project: string;
    stack: string;
    secretKeys: ReadonlySet<string>;
}

type Flat<T> = { [K in keyof T]: T[K] };
const poolConfigIsAsWritten: Equal<Flat<PoolConfig>, ExpectedPoolConfig> = true;
const fleetConfigIsAsWritten: Equal<Flat<FleetConfig>, ExpectedFleetConfig> = true;

test("FleetConfig and PoolConfig are the types written above (checked by tsc), and a parsed stack has their keys", { timeout: 60_000 }, () => {
    assert.ok(poolConfigIsAsWritten && fleetConfigIsAsWritten);
    const config = parseStackConfig(dev());
    const fleetKeys: Array<keyof ExpectedFleetConfig> = ["github", "image", "network", "pools", "sshDebug", "namePrefix", "bootstrapTimeoutMinutes", "project", "stack", "secretKeys"];
    for (const key of fleetKeys) assert.ok(key in config, key);
    const poolKeys: Array<keyof ExpectedPoolConfig> = ["name", "sizing", "flavor", "labels", "defaultLabels", "ephemeral", "metadata", "registration", "runnerLabels"];
    for (const key of poolKeys) assert.ok(key in config.pools[0], key);
});
