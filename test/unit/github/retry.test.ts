// retry.ts against the plugin it replaces: each answer sequence sent through an Octokit with @octokit/plugin-retry and
// through one with retry.ts must make the same requests and end the same way; retry.ts's waits are the plugin's.
import { retry as pluginRetry } from "@octokit/plugin-retry";
import { Octokit } from "@octokit/rest";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { retryPlugin } from "../../../src/github/retry.js";
import { github, useNock, type Seen } from "./nock.js";

const seen = useNock();

/** A retry wait of the real plugin, in ms: one unit (a retry waits retries² units) is 1 ms, not 1 s. */
const BASE = 1;

type Answer = [status: number, body: unknown];

interface Case {
  name: string;
  answers: Answer[];
  /** The route called, and its parameters. */
  call?: (octokit: Octokit) => Promise<unknown>;
  retry?: Record<string, unknown>;
  /** Answered on POST /graphql, not on the issue's route. */
  graphql?: boolean;
  /** What the call ends with: its data, or the status it was refused with. */
  outcome: { data: unknown } | { status: number };
  requests: number;
  /** retry.ts's waits, in units of BASE. */
  waits: number[];
}

const issue = (octokit: Octokit) =>
  octokit.request("GET /repos/{owner}/{repo}/issues/{n}", { owner: "acme", repo: "config", n: 1 });
const GRAPHQL_FAILED = "Something went wrong while executing your query. This may be the result of a timeout.";

const cases: Case[] = [
  {
    name: "a 500, then an answer",
    answers: [
      [500, { message: "Server Error" }],
      [200, { number: 1 }],
    ],
    outcome: { data: { number: 1 } },
    requests: 2,
    waits: [1],
  },
  {
    name: "a 502 four times: three retries, then the error",
    answers: [
      [502, {}],
      [502, {}],
      [502, {}],
      [502, {}],
    ],
    outcome: { status: 502 },
    requests: 4,
    waits: [1, 4, 9],
  },
  {
    name: "a 404 is not retried",
    answers: [[404, { message: "Not Found" }]],
    outcome: { status: 404 },
    requests: 1,
    waits: [],
  },
  {
    name: "a 422 is not retried",
    answers: [[422, { message: "Validation Failed" }]],
    outcome: { status: 422 },
    requests: 1,
    waits: [],
  },
  { name: "a 304 is not retried", answers: [[304, ""]], outcome: { status: 304 }, requests: 1, waits: [] },
  {
    name: "a request's own retries",
    answers: [
      [500, {}],
      [500, {}],
      [200, { number: 1 }],
    ],
    call: (octokit) =>
      octokit.request("GET /repos/{owner}/{repo}/issues/{n}", {
        owner: "acme",
        repo: "config",
        n: 1,
        request: { retries: 1 },
      }),
    outcome: { status: 500 },
    requests: 2,
    waits: [1],
  },
  {
    name: "retries off",
    answers: [[500, {}]],
    retry: { enabled: false },
    outcome: { status: 500 },
    requests: 1,
    waits: [],
  },
  {
    name: "statuses not to retry, given",
    answers: [[503, {}]],
    retry: { doNotRetry: [503] },
    outcome: { status: 503 },
    requests: 1,
    waits: [],
  },
  {
    name: "GraphQL failed on GitHub's side (HTTP 200), then answered",
    answers: [
      [200, { errors: [{ message: GRAPHQL_FAILED }] }],
      [200, { data: { viewer: { login: "x" } } }],
    ],
    graphql: true,
    call: (octokit) => octokit.request("POST /graphql", { query: "{ viewer { login } }" }),
    outcome: { data: { data: { viewer: { login: "x" } } } },
    requests: 2,
    waits: [1],
  },
  {
    name: "another GraphQL error is the caller's",
    answers: [[200, { errors: [{ message: "Field 'x' doesn't exist" }] }]],
    graphql: true,
    call: (octokit) => octokit.request("POST /graphql", { query: "{ x }" }),
    outcome: { data: { errors: [{ message: "Field 'x' doesn't exist" }] } },
    requests: 1,
    waits: [],
  },
];

function answering(c: Case): void {
  const scope = github(seen);
  for (const [status, body] of c.answers) {
    if (c.graphql) scope.post("/graphql").reply(status, body as never);
    else scope.get("/repos/acme/config/issues/1").reply(status, body as never);
  }
}

async function outcomeOf(call: Promise<{ data: unknown }>): Promise<Case["outcome"]> {
  try {
    return { data: (await call).data };
  } catch (err) {
    return { status: (err as { status: number }).status };
  }
}

async function run(c: Case, plugin: Parameters<typeof Octokit.plugin>[0], s: Seen) {
  answering(c);
  const Client = Octokit.plugin(plugin);
  const octokit = new Client({ auth: "t", retry: { retryAfterBaseValue: BASE, ...c.retry } });
  const outcome = await outcomeOf((c.call ?? issue)(octokit) as Promise<{ data: unknown }>);
  const requests = [...s.matched];
  s.matched.length = 0;
  nock.cleanAll(); // answers a client did not ask for are not left to the next

  return { outcome, requests };
}

describe("retry.ts, against @octokit/plugin-retry", () => {
  for (const c of cases)
    it(c.name, async () => {
      const waits: number[] = [];
      const ours = await run(
        c,
        retryPlugin(async (ms) => {
          waits.push(ms / BASE);
        }) as never,
        seen,
      );
      const theirs = await run(c, pluginRetry as never, seen);
      expect(ours.outcome).toEqual(c.outcome);
      expect(ours.requests).toHaveLength(c.requests);
      expect(waits).toEqual(c.waits);
      expect(theirs).toEqual(ours);
      expect(seen.unmatched).toEqual([]);
    });

  it("waits retries² seconds by default, and counts the retries on the request", async () => {
    github(seen).get("/repos/acme/config/issues/1").reply(500, {}).get("/repos/acme/config/issues/1").reply(500, {});
    github(seen).get("/repos/acme/config/issues/1").reply(200, { number: 1 });
    const waits: number[] = [];
    const counts: unknown[] = [];
    // Registered before the retries, so under them: it sees each attempt.
    const counting = (octokit: Octokit) => {
      octokit.hook.before("request", (options) => {
        counts.push(options.request?.retryCount);
      });
    };
    const Client = Octokit.plugin(
      counting as never,
      retryPlugin(async (ms) => {
        waits.push(ms);
      }) as never,
    );
    const octokit = new Client({ auth: "t" });
    expect((await issue(octokit)).data).toEqual({ number: 1 });
    expect(waits).toEqual([1000, 4000]);
    expect(counts).toEqual([undefined, 1, 2]);
    expect(seen.matched).toEqual([
      "GET /repos/acme/config/issues/1",
      "GET /repos/acme/config/issues/1",
      "GET /repos/acme/config/issues/1",
    ]);
  });
});
