export {
  FREEZE_EXAMPLE,
  nextOpening,
  openAt,
  parseFreeze,
  parseWindow,
  windowOpen,
  WINDOW_EXAMPLE,
  type ChangeWindow,
  type DateFreeze,
} from "./windows.js";
export { describeInstant, instantOf, localTime } from "./zone.js";
