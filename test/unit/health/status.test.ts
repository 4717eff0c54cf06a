import { describe, expect, it } from "vitest";
import { statusObservations, type CheckRun, type CommitStatus, type Observation } from "../../../src/health/index.js";

const T0 = Date.parse("2024-05-01T12:00:00Z");
const iso = (s: number): string => new Date(T0 + s * 1000).toISOString();
const at = (s: number): number => T0 + s * 1000;

const status = (
  context: string,
  state: CommitStatus["state"],
  s: number,
  description?: string | null,
): CommitStatus => ({
  context,
  state,
  created_at: iso(s),
  ...(description !== undefined ? { description } : {}),
});
const run = (name: string, startS: number | null, end?: { s: number; conclusion: string | null }): CheckRun => ({
  name,
  status: end ? "completed" : "in_progress",
  conclusion: end ? end.conclusion : null,
  started_at: startS === null ? null : iso(startS),
  completed_at: end ? iso(end.s) : null,
});

const FLUX = "flux/kustomization/replicore-a*";

const cases: { name: string; pattern: string; statuses: CommitStatus[]; runs: CheckRun[]; want: Observation[] }[] = [
  { name: "nothing matching yet", pattern: FLUX, statuses: [status("ci/build", "success", 1)], runs: [], want: [] },
  {
    name: "one context pending then failure, description in detail",
    pattern: FLUX,
    statuses: [
      status("flux/kustomization/replicore-a", "failure", 20, "Health check failed"),
      status("flux/kustomization/replicore-a", "pending", 10, "Reconciling"),
    ],
    runs: [],
    want: [
      { at: at(10), state: "pending", detail: "flux/kustomization/replicore-a: pending (Reconciling)" },
      { at: at(20), state: "failure", detail: "flux/kustomization/replicore-a: failure (Health check failed)" },
    ],
  },
  {
    name: "error counts as failure; empty or null description is left out",
    pattern: "deploy",
    statuses: [status("deploy", "success", 5, null), status("deploy", "error", 9, "  ")],
    runs: [],
    want: [
      { at: at(5), state: "success", detail: "deploy: success" },
      { at: at(9), state: "failure", detail: "deploy: error" },
    ],
  },
  {
    name: "several contexts match the glob: one pending keeps the whole pending",
    pattern: FLUX,
    statuses: [
      status("flux/kustomization/replicore-a", "success", 10),
      status("flux/kustomization/replicore-a-agents", "pending", 12),
      status("flux/kustomization/replicore-a-agents", "success", 30),
    ],
    runs: [],
    want: [
      { at: at(10), state: "success", detail: "flux/kustomization/replicore-a: success" },
      { at: at(12), state: "pending", detail: "flux/kustomization/replicore-a-agents: pending" },
      {
        at: at(30),
        state: "success",
        detail: "flux/kustomization/replicore-a: success; flux/kustomization/replicore-a-agents: success",
      },
    ],
  },
  {
    name: "one failing context makes the whole failure even when another is success",
    pattern: "flux/*",
    statuses: [status("flux/a", "success", 1), status("flux/b", "failure", 2, "boom")],
    runs: [],
    want: [
      { at: at(1), state: "success", detail: "flux/a: success" },
      { at: at(2), state: "failure", detail: "flux/b: failure (boom)" },
    ],
  },
  {
    name: "statuses from several commits are one pool: the latest per context wins",
    pattern: "flux/a",
    statuses: [
      // newest first, as GitHub lists them; the second commit's status is later
      status("flux/a", "success", 40),
      status("flux/a", "failure", 20),
    ],
    runs: [],
    want: [
      { at: at(20), state: "failure", detail: "flux/a: failure" },
      { at: at(40), state: "success", detail: "flux/a: success" },
    ],
  },
  {
    name: "same-second pending and success for one context: success is taken as the later",
    pattern: "ci",
    statuses: [status("ci", "success", 3), status("ci", "pending", 3)],
    runs: [],
    want: [{ at: at(3), state: "success", detail: "ci: success" }],
  },
  {
    name: "check run: started is pending, completed success",
    pattern: "smoke*",
    statuses: [],
    runs: [run("smoke-test", 10, { s: 50, conclusion: "success" })],
    want: [
      { at: at(10), state: "pending", detail: "smoke-test: in_progress" },
      { at: at(50), state: "success", detail: "smoke-test: success" },
    ],
  },
  {
    name: "check run conclusions neutral and skipped count as success",
    pattern: "smoke*",
    statuses: [],
    runs: [
      run("smoke-a", null, { s: 5, conclusion: "neutral" }),
      run("smoke-b", null, { s: 6, conclusion: "skipped" }),
    ],
    want: [
      { at: at(5), state: "success", detail: "smoke-a: neutral" },
      { at: at(6), state: "success", detail: "smoke-a: neutral; smoke-b: skipped" },
    ],
  },
  ...["failure", "timed_out", "cancelled", "action_required", "startup_failure"].map((conclusion) => ({
    name: `check run conclusion ${conclusion} is failure`,
    pattern: "smoke",
    statuses: [],
    runs: [run("smoke", null, { s: 7, conclusion })],
    want: [{ at: at(7), state: "failure" as const, detail: `smoke: ${conclusion}` }],
  })),
  {
    name: "check run conclusion stale (or missing) stays pending",
    pattern: "smoke*",
    statuses: [],
    runs: [run("smoke-a", null, { s: 7, conclusion: "stale" }), run("smoke-b", null, { s: 8, conclusion: null })],
    want: [
      { at: at(7), state: "pending", detail: "smoke-a: stale" },
      { at: at(8), state: "pending", detail: "smoke-a: stale; smoke-b: no conclusion" },
    ],
  },
  {
    name: "an in-progress check run keeps a success status pending",
    pattern: "replicore-a*",
    statuses: [status("replicore-a-flux", "success", 10)],
    runs: [run("replicore-a-smoke", 12)],
    want: [
      { at: at(10), state: "success", detail: "replicore-a-flux: success" },
      { at: at(12), state: "pending", detail: "replicore-a-smoke: in_progress" },
    ],
  },
  {
    name: "a status and a check run with the same name are two things",
    pattern: "ci",
    statuses: [status("ci", "success", 10)],
    runs: [run("ci", 5, { s: 20, conclusion: "failure" })],
    want: [
      { at: at(5), state: "pending", detail: "ci: in_progress" },
      { at: at(10), state: "pending", detail: "ci: in_progress" },
      { at: at(20), state: "failure", detail: "ci: failure" },
    ],
  },
  {
    name: "a re-run check run replaces the earlier run of the same name",
    pattern: "smoke",
    statuses: [],
    runs: [run("smoke", 0, { s: 10, conclusion: "failure" }), run("smoke", 30, { s: 40, conclusion: "success" })],
    want: [
      { at: at(0), state: "pending", detail: "smoke: in_progress" },
      { at: at(10), state: "failure", detail: "smoke: failure" },
      { at: at(30), state: "pending", detail: "smoke: in_progress" },
      { at: at(40), state: "success", detail: "smoke: success" },
    ],
  },
  {
    name: "picomatch semantics: * stays within one path segment, ** crosses them",
    pattern: "flux/*",
    statuses: [status("flux/a/b", "failure", 1), status("flux/a", "success", 2)],
    runs: [],
    want: [{ at: at(2), state: "success", detail: "flux/a: success" }],
  },
  {
    name: "** crosses path segments",
    pattern: "flux/**",
    statuses: [status("flux/a/b", "failure", 1), status("flux/a", "success", 2)],
    runs: [],
    want: [
      { at: at(1), state: "failure", detail: "flux/a/b: failure" },
      { at: at(2), state: "failure", detail: "flux/a/b: failure" },
    ],
  },
];

describe("statusObservations", () => {
  it.each(cases)("$name", ({ pattern, statuses, runs, want }) => {
    expect(statusObservations(pattern, statuses, runs)).toEqual(want);
  });
});
