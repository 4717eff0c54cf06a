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
  PERMISSIONS,
  PermissionSchema,
  authorize,
  neededPermission,
  effectivePermission,
  type Permission,
  type CommandPermissions,
  type Authorization,
} from "./authorize.js";
export { helpText } from "./help.js";
export { isIgnoredComment } from "./ignore.js";
