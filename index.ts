import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./components/config";
import { RunnerFleet } from "./components/fleet";

// Validation comes first: a bad config fails here, before any resource exists.
const config = loadStackConfig();
const fleet = new RunnerFleet("fleet", { config });

export const imageId = fleet.imageId;
export const networkId = fleet.networkId;
/** Runner names per pool; names are not secret (JIT configs and tokens are). */
export const runners = pulumi.output(
    Object.fromEntries(Object.entries(fleet.pools).map(([pool, runnerPool]) => [pool, runnerPool.runnerNames])),
);
