export * from "./port.js";
export {
  knowDefaultBranch,
  knowRepositoryId,
  OctokitPort,
  PortMemory,
  resetCaches,
  type OctokitLike,
  type Read,
} from "./octokit.js";
export { classify, errorMessage, failedRequest, orUndefined, RETRYABLE, type GitHubErrorKind } from "./errors.js";
export { conditionalGet } from "./conditional.js";
export { fetchProbe } from "./probe.js";
export { appRequest, httpFetch } from "./http-fetch.js";
export { HandoverOctokit } from "./probot-octokit.js";
export { issueNews, pullNews, type Seen } from "./news.js";
