// Shared fixtures for the engine and render tests: the example migration's real plan, PRs, gates, states.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { StepView, Snapshot } from "../../../src/engine/types.js";
import { emptyState, type HiddenState, type StepRecord } from "../../../src/engine/state.js";
import type { CommentInfo, PullInfo } from "../../../src/github/port.js";
import type { GateResult } from "../../../src/health/index.js";
import { planMigration, type Plan, type PlannedStep } from "../../../src/plan/index.js";
import { readDirTree } from "../../../src/cli/disk.js";
import type { FileChange } from "../../../src/repo/index.js";
import { parseIssueBody } from "../../../src/spec/issue.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export const ISSUE = 42;
export const MIN = 60_000;
/** "now" of every snapshot: 2024-05-01 12:00:00 UTC. */
export const NOW = Date.parse("2024-05-01T12:00:00Z");
export const HEAD = "head0000000000000000000000000000000000000";
export const BASE = "base0000000000000000000000000000000000000";

/** The example migration (examples/config-repo + examples/issue.md) planned for issue 42. */
export async function examplePlan(): Promise<Plan> {
  const tree = await readDirTree(`${ROOT}examples/config-repo`);
  const request = parseIssueBody(readFileSync(`${ROOT}examples/issue.md`, "utf8")).request;
  const result = planMigration(tree, request, ISSUE);
  if (!result.ok) throw new Error(`example plan failed: ${JSON.stringify(result)}`);
  return result.plan;
}

export const PLAN = await examplePlan();
export const STEPS: PlannedStep[] = PLAN.steps;
export const IDS = STEPS.map((s) => s.id);

export function step(id: string): PlannedStep {
  const found = STEPS.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id} in ${IDS.join(", ")}`);
  return found;
}

/** The PR number the tests give step i: 101 for prepare, 102 for release-canary, ... */
export const prOf = (id: string): number => 101 + IDS.indexOf(id);

/** A step's planned changes as the FileChange list observe computes on the head. */
export function changesOf(id: string): FileChange[] {
  return step(id).changes.map(({ path, action, content }) => ({ path, action, content }));
}

/** A step that merged and whose gate passed. */
export function passedRecord(id: string): StepRecord {
  const i = IDS.indexOf(id);
  return { pr: prOf(id), mergeSha: `merge-${id}`, mergedAt: NOW - (100 - i) * MIN, gatePassedAt: NOW - (90 - i) * MIN };
}

/** Records for every step before `id`, each passed. */
export function doneBefore(id: string): Record<string, StepRecord> {
  const index = IDS.indexOf(id);
  if (index < 0) throw new Error(`no step ${id}`);
  return Object.fromEntries(IDS.slice(0, index).map((s) => [s, passedRecord(s)]));
}

/** A hidden state with a recorded base (past the planning round). */
export function hiddenWith(patch: Partial<HiddenState> = {}): HiddenState {
  return { ...emptyState(), base: BASE, ...patch };
}

// Not annotated on purpose: PullInfo may gain fields; the cast keeps the fixtures compiling.
const PULL_BASE = {
  state: "open",
  merged: false,
  mergedAt: null,
  mergeCommitSha: null,
  headSha: "prhead",
  baseRef: "main",
  author: "handover[bot]",
  body: "",
  draft: false,
  url: "",
  mergeable: true,
};

/** The PR of a step, open and mergeable unless told otherwise. */
export function pull(id: string, patch: Partial<PullInfo> = {}): PullInfo {
  return {
    ...PULL_BASE,
    number: prOf(id),
    headRef: `handover/${ISSUE}/${id}`,
    url: `https://github.test/o/r/pull/${prOf(id)}`,
    ...patch,
  } as PullInfo;
}

/** The PR of a step, merged `ago` minutes before NOW. */
export function mergedPull(id: string, ago = 5): PullInfo {
  return pull(id, { state: "closed", merged: true, mergedAt: NOW - ago * MIN, mergeCommitSha: `merge-${id}` });
}

const CHECKS: GateResult["checks"] = [
  { label: "flux/kustomization/replicore-a*", state: "success", since: NOW - 5 * MIN, detail: "Applied" },
  { label: "deployment replicore-a", state: "success", since: NOW - 5 * MIN, detail: "success" },
];

/** Gate results by hand, one per state, for a gate whose window started 5 minutes before NOW. */
export const GATES = {
  soaking: {
    state: "soaking",
    passingSince: NOW - 5 * MIN,
    soakLeftMs: 10 * MIN,
    deadline: NOW + 115 * MIN,
    checks: CHECKS,
    reason: "every check healthy since 11:55:00 UTC; 10m of soak left",
  },
  pending: {
    state: "pending",
    deadline: NOW + 115 * MIN,
    checks: [{ label: "deployment replicore-a", state: "pending", detail: "nothing reported yet" }],
    reason: "waiting for deployment replicore-a (nothing reported yet)",
  },
  passed: {
    state: "passed",
    passingSince: NOW - 20 * MIN,
    passedAt: NOW - 5 * MIN,
    deadline: NOW + 100 * MIN,
    checks: CHECKS,
    reason: "every check healthy since 11:40:00 UTC; soak of 15m done at 11:55:00 UTC",
  },
  failed: {
    state: "failed",
    deadline: NOW + 115 * MIN,
    checks: [{ label: "deployment replicore-a", state: "failure", since: NOW - MIN, detail: "CrashLoopBackOff" }],
    reason: "deployment replicore-a failed at 11:59:00 UTC: CrashLoopBackOff",
  },
  timedOut: {
    state: "timed-out",
    deadline: NOW - MIN,
    checks: [{ label: "deployment replicore-a", state: "pending", detail: "nothing reported yet" }],
    reason:
      "not healthy for 15m within 2h (deadline 11:59:00 UTC); still waiting for deployment replicore-a (nothing reported yet)",
  },
} satisfies Record<string, GateResult>;

/** A snapshot of the example migration at NOW on HEAD. */
export function snapshot(
  hidden: HiddenState,
  views: Record<string, Omit<StepView, "step">> = {},
  problems: string[] = [],
): Snapshot {
  const entries = Object.entries(views).map(([id, v]): [string, StepView] => [id, { step: step(id), ...v }]);
  return { now: NOW, issue: ISSUE, headSha: HEAD, problems, steps: STEPS, views: new Map(entries), hidden };
}

/** A comment on the issue. */
export function comment(id: number, body: string, patch: Partial<CommentInfo> = {}): CommentInfo {
  return { id, body, author: "dave", authorIsBot: false, createdAt: NOW - MIN, edited: false, ...patch };
}
