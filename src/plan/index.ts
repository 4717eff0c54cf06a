export {
  planMigration,
  planMigrationInSlices,
  stepDefinitions,
  gateFor,
  type Plan,
  type PlannedStep,
  type PlannedChange,
  type PlanResult,
  type PlanOptions,
  type GateSummary,
} from "./plan.js";
export {
  applyStep,
  applyingStep,
  revertStep,
  restartValue,
  type MigrationContext,
  type MovedBackend,
  type StepDefinition,
  type StepKind,
  type StepOutcome,
} from "./steps.js";
export { resolveGroups, groupNameFor, type ResolvedGroup } from "./groups.js";
export { ownedFiles } from "./owned.js";
export { deployedFolder } from "./packaging.js";
export { loadInSlices } from "./slices.js";
