export { ConfigError, type ConfigProblem } from "./errors";
export { type FleetConfig, type PoolConfig, type RawStackConfig, parseStackConfig } from "./load";
export { loadStackConfig } from "./pulumi";
export { type FlavorChoice, type NetworkChoice, type RunnerArch, type StackConfig, type UbuntuBase } from "./schema";
