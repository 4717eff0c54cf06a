// The Octokit class the App's Probot builds its clients from: Probot's own, less the cost of a debug line nobody reads
// and of a retry plugin that schedules every request on a limiter of its own.
import { ProbotOctokit } from "probot";
import { retryRequests } from "./retry.js";

type OctokitPlugin = Parameters<typeof ProbotOctokit.plugin>[0];

/** The name of Probot's plugin that logs every request at debug level (it is not exported). */
const PROBOT_REQUEST_LOGGING = "probotRequestLogging";

/** The name of @octokit/plugin-retry's plugin in Probot's list (exported there, but not a dependency of the App's). */
const PLUGIN_RETRY = "retry";

interface Logged {
  request: { endpoint: { parse(options: RequestOptions): RequestOptions } };
  hook: {
    after(name: "request", hook: (result: { status: number }, options: RequestOptions) => void): void;
    error(name: "request", hook: (error: unknown, options: RequestOptions) => never): void;
  };
  log: { debug: (...args: unknown[]) => void; isLevelEnabled?: (level: string) => boolean };
}

interface RequestOptions {
  method: string;
  url: string;
  body?: unknown;
  [key: string]: unknown;
}

/**
 * Probot's debug line for each request (`GitHub request: GET /repos/... - 200`), written only when debug is on:
 * Probot's plugin parses the request's options again (route, defaults, URL template) for it at any log level, about
 * a tenth of the client's CPU for a conditional read.
 */
function debugRequests(octokit: Logged): void {
  const on = (): boolean => octokit.log.isLevelEnabled?.("debug") ?? false;
  const line = (options: RequestOptions, status: number): void => {
    const { method, url, ...params } = octokit.request.endpoint.parse(options);
    octokit.log.debug(params.body || {}, `GitHub request: ${method} ${url} - ${status}`);
  };
  octokit.hook.after("request", (result, options) => {
    if (on()) line(options, result.status);
  });
  octokit.hook.error("request", (error, options) => {
    if (on() && typeof error === "object" && error !== null && "status" in error)
      line(options, (error as { status: number }).status);
    throw error;
  });
}

const plugins = (ProbotOctokit as unknown as { plugins: OctokitPlugin[] }).plugins;

/** Probot's plugins replaced, by name, with the App's. */
const replacements = new Map<string, OctokitPlugin>([
  [PROBOT_REQUEST_LOGGING, debugRequests as unknown as OctokitPlugin],
  [PLUGIN_RETRY, retryRequests as unknown as OctokitPlugin],
]);

/**
 * ProbotOctokit with the same plugins, in the same order, and the same defaults, but two replaced: its request logging
 * by one that does nothing unless debug is on, and plugin-retry by retry.ts (the same retries, without a limiter per
 * request). Should a Probot release rename either plugin, that one stays Probot's: a test says so.
 */
export const HandoverOctokit: typeof ProbotOctokit = class extends ProbotOctokit {
  static override plugins = plugins.map((plugin) => replacements.get(plugin.name) ?? plugin);
};
