// Probot's retry of failed GitHub requests (@octokit/plugin-retry 8): the same options and the same retries, without
// its per-request Bottleneck. That plugin schedules every request, failed or not, on a new Bottleneck limiter, whose
// local datastore awaits a zero timer around each of its steps: about a millisecond of CPU and 5 ms of waiting per
// request, more than everything else Octokit and Node's HTTP client do for a conditional read (bench `client`).
import { RequestError } from "@octokit/request-error";

/** What the plugin needs of a request's options (Octokit's endpoint options). */
interface Options {
  method?: string;
  url?: string;
  request?: { retries?: number; retryAfter?: number; retryCount?: number; [key: string]: unknown };
  [key: string]: unknown;
}

/** A RequestError as far as retrying reads it: the request it failed, with the retries it was marked for. */
interface Failed {
  status?: number;
  request?: { request?: { retries?: number; retryAfter?: number; [key: string]: unknown } };
}

type Request = (options: Options) => Promise<{ data?: unknown; [key: string]: unknown }>;

interface Hooked {
  hook: {
    error(name: "request", hook: (error: unknown, options: Options) => never): void;
    wrap(name: "request", hook: (request: Request, options: Options) => Promise<unknown>): void;
  };
}

/** plugin-retry's options, with its defaults. */
interface RetryState {
  enabled: boolean;
  /** Milliseconds per unit of `retryAfter`: a retry waits (retries so far + 1)² of them. */
  retryAfterBaseValue: number;
  doNotRetry: number[];
  retries: number;
}

/** The message of GitHub's GraphQL answers that failed on its side (HTTP 200): retried like a 500. */
const GRAPHQL_SERVER_ERROR = /Something went wrong while executing your query/;

const sleeping = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An error of a request to retry `retries` times at most, `retryAfter` units from now (plugin-retry's marking). */
function markedForRetry(error: Failed, retries: number, retryAfter: number): Failed {
  if (error.request) error.request.request = { ...error.request.request, retries, retryAfter };
  return error;
}

/**
 * The plugin, with `sleep` (how a retry waits) given: tests pass one that records instead of waiting. Behaves as
 * plugin-retry 8.1: an answer of 400 or more whose status is not in `doNotRetry` is retried `request.retries` times
 * (default `retries`), the n-th retry after n² × `retryAfterBaseValue` ms; a GraphQL answer that failed on GitHub's side
 * too; `retry.enabled: false` turns it off; `octokit.retry.retryRequest` marks an error for retrying as there.
 */
export function retryPlugin(sleep: (ms: number) => Promise<void> = sleeping) {
  return function retryRequests(octokit: Hooked, octokitOptions: { retry?: Partial<RetryState> }) {
    const state: RetryState = {
      enabled: true,
      retryAfterBaseValue: 1000,
      doNotRetry: [400, 401, 403, 404, 410, 422, 451],
      retries: 3,
      ...octokitOptions.retry,
    };
    const plugin = { retry: { retryRequest: markedForRetry } };
    if (!state.enabled) return plugin;

    const failing = (error: unknown, options: Options): never => {
      const failed = error as Failed;
      if (!failed?.request?.request) throw error;
      const status = failed.status ?? 0;
      if (status >= 400 && !state.doNotRetry.includes(status)) {
        const retries = options.request?.retries ?? state.retries;
        throw markedForRetry(failed, retries, ((options.request?.retryCount ?? 0) + 1) ** 2);
      }
      throw error;
    };

    octokit.hook.error("request", failing);
    octokit.hook.wrap("request", async (request, options) => {
      for (let retried = 0; ; retried++) {
        try {
          const response = await request(options);
          const message = (response.data as { errors?: { message?: unknown }[] } | undefined)?.errors?.[0]?.message;
          if (typeof message === "string" && GRAPHQL_SERVER_ERROR.test(message))
            failing(
              new RequestError(message, 500, { request: options as never, response: response as never }),
              options,
            );
          return response;
        } catch (error) {
          const marked = (error as Failed)?.request?.request;
          if (options.request) options.request.retryCount = retried + 1;
          if (!(Math.trunc(marked?.retries ?? 0) > retried)) throw error;
          await sleep(Math.trunc(marked?.retryAfter ?? 0) * state.retryAfterBaseValue);
        }
      }
    });
    return plugin;
  };
}

/** The plugin as the App's Octokit uses it. */
export const retryRequests = retryPlugin();
