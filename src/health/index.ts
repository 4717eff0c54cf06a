export type {
  CheckSpec,
  CheckState,
  Observation,
  CommitStatus,
  CheckRun,
  Deployment,
  DeploymentStatus,
} from "./types.js";
export {
  CHECK_STATES,
  CommitStatusSchema,
  CheckRunSchema,
  DeploymentSchema,
  DeploymentStatusSchema,
} from "./types.js";
export { statusObservations } from "./status.js";
export { deploymentObservations } from "./deployment.js";
export { httpObservation } from "./http.js";
export {
  evaluateGate,
  gateUnderWay,
  type GateInput,
  type GateState,
  type GateResult,
  type GateCheckResult,
} from "./gate.js";
export { formatDuration, formatClock, formatDateTime, formatElapsed } from "./duration.js";
export { healthWarnings } from "./lint.js";
