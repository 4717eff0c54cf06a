export * from "./port.js";
export { OctokitPort, resetCaches, type OctokitLike } from "./octokit.js";
export { classify, orUndefined, type GitHubErrorKind } from "./errors.js";
export { conditionalGet } from "./conditional.js";
export { fetchProbe } from "./probe.js";
