// Shared nock helpers for the GitHub adapter and App tests: an Octokit with retries and throttling really off,
// and a log of every request nock saw (matched or not), so tests assert the exact sequence and that nothing else went out.
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach } from "vitest";
import { type OctokitLike, resetCaches } from "../../../src/github/index.js";

export const API = "https://api.github.com";

/** Callback form: applied last, so Probot's own defaults cannot switch retry or throttling back on. */
export const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
  ...o,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

export function octokit(): OctokitLike {
  return new TestOctokit({ auth: "t" }) as unknown as OctokitLike;
}

export interface Seen {
  /** `METHOD /path?query` of every request an interceptor answered, in order. */
  matched: string[];
  /** Requests no interceptor answered (each one is a bug in the code or in the test). */
  unmatched: string[];
}

/** nock on for each test: net connect off, a fresh request log, everything cleaned afterwards. */
export function useNock(): Seen {
  const seen: Seen = { matched: [], unmatched: [] };
  const onNoMatch = (req: { method?: string; path?: string }): void => {
    seen.unmatched.push(`${req.method ?? "?"} ${req.path ?? "?"}`);
  };
  beforeEach(() => {
    resetCaches(); // fakes reuse shas with other contents; real ones never change
    seen.matched.length = 0;
    seen.unmatched.length = 0;
    nock.disableNetConnect();
    nock.emitter.on("no match", onNoMatch);
  });
  afterEach(() => {
    nock.emitter.removeListener("no match", onNoMatch);
    nock.cleanAll();
    nock.enableNetConnect();
  });
  return seen;
}

/** A scope on api.github.com whose answered requests go into `seen.matched`. */
export function github(seen: Seen): nock.Scope {
  const scope = nock(API);
  scope.on("request", (req: { method: string; path: string }) => {
    seen.matched.push(`${req.method} ${req.path}`);
  });
  return scope;
}
