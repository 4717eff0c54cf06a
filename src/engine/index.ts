export { reconcile, type ReconcileResult } from "./reconcile.js";
export {
  decide,
  LABELS,
  stepDone,
  type Action,
  type Decision,
  type Label,
  type Phase,
  type Snapshot,
  type StepView,
} from "./decide.js";
export { observe, findDashboard, MIGRATION_LABEL, type EngineDeps, type Observed } from "./observe.js";
export { emptyState, encodeState, decodeState, DASHBOARD_MARKER, type HiddenState } from "./state.js";
export { replyMarker } from "./commands.js";
