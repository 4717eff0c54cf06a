export { reconcile, type ReconcileResult } from "./reconcile.js";
export {
  decide,
  stepDone,
  type Action,
  type Decision,
  type Phase,
  type Snapshot,
  type StepView,
} from "./decide.js";
export { observe, findDashboard, type EngineDeps, type Observed } from "./observe.js";
export { emptyState, encodeState, decodeState, type HiddenState } from "./state.js";
