export { ConfigError, type ConfigProblem } from "./errors";
export { type FleetConfig, type PoolConfig, type RawStackConfig, parseStackConfig } from "./load";
export { type FlavorChoice, type PoolSchedule, type PoolSizing, MAX_POOL_RUNNERS, MAX_RUNNER_LABELS, RESERVED_METADATA_PREFIX } from "./pool-schema";
export { loadStackConfig } from "./pulumi";
export { maskUserInfo } from "./redact";
export { type NetworkChoice, type RunnerArch, type StackConfig, type UbuntuBase } from "./schema";
export { NEVER_SECRET_KEYS, REQUIRED_SECRET_KEYS } from "./secrets";
