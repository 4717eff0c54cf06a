export { reconcile, type ReconcileResult } from "./reconcile.js";
export { decide } from "./decide.js";
export {
  gateRunning,
  stepDone,
  type Action,
  type Decision,
  type HiddenState,
  type Phase,
  type ScheduleHold,
  type Snapshot,
  type StepSchedule,
  type StepView,
} from "./types.js";
export { observe, findDashboard, scheduleOf, type EngineDeps, type Observed } from "./observe.js";
export { emptyState, encodeState, decodeState, readState, stateSigner, type StateSigner } from "./state.js";
export { warmEngine } from "./warm.js";
