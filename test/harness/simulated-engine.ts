/**
 * The simulated Pulumi engine: the deployment logic (engine/deployment.ts), the state it keeps
 * between runs (deployment-state.ts) and the steps it reports (engine/steps.ts). A stack with a
 * state file on top of it is harness-stack.ts.
 */
export { Deployment, type DeploymentOptions, type Diagnostic } from "./engine/deployment";
export { isDynamicType, isProviderType } from "./engine/providers";
export type { Step, StepKind, StepOp } from "./engine/steps";
export { DeploymentState, type StackConfig, type StoredResource } from "./deployment-state";
