export {
  VERBS,
  ELEVATED_VERBS,
  VERB_INFO,
  STEP_ID_PATTERN,
  VerbSchema,
  StepIdSchema,
  CommandSchema,
  type Verb,
  type Command,
  type ArgumentForm,
  type VerbInfo,
} from "./verbs.js";
export { parseCommand, type ParseResult } from "./parse.js";
export {
  authorize,
  teamsCount,
  neededPermission,
  effectivePermission,
  type CommandPermissions,
  type Authorization,
  type TeamStanding,
} from "./authorize.js";
export { commandLine, helpText } from "./help.js";
