import { EditError } from "../edit/index.js";
import {
  deploymentObservations,
  evaluateGate,
  httpObservation,
  gateUnderWay,
  statusObservations,
  type CheckRun,
  type CheckSpec,
  type CommitStatus,
  type GateResult,
  type Observation,
} from "../health/index.js";
import { checkingTree } from "../invariant/index.js";
import { activeLocks, reaches } from "../guard/index.js";
import {
  applyStep,
  applyingStep,
  gateFor,
  loadInSlices,
  planMigrationInSlices,
  revertStep,
  type Plan,
  type PlannedStep,
  type PlanResult,
  type StepOutcome,
} from "../plan/index.js";
import type { Violation } from "../spec/violation.js";
import { inSlices } from "../spec/work.js";
import { sameYamlValues } from "../spec/yaml.js";
import { FirstSeen, LruCache } from "../spec/lru.js";
import { diffTrees, type FileMap } from "../repo/index.js";
import {
  CONFIG_PATH,
  durationMs,
  statusGlob,
  stepControls,
  type HandoverConfig,
  type HealthCheck,
} from "../spec/config.js";
import { ISSUE_FIELDS, parseIssueBody, type MigrationRequest } from "../spec/issue.js";
import { InputError } from "../spec/problems.js";
import { DASHBOARD_MARKER, MIGRATION_LABEL, rollbackStepId, stepBranch, stepTitle } from "../spec/markers.js";
import {
  COMMITTER,
  type CommentInfo,
  type GitHubPort,
  type HttpProbe,
  type IssueInfo,
  type Permission,
  type PullInfo,
} from "../github/port.js";
import { parseFreeze, parseWindow, type ChangeWindow, type DateFreeze } from "../schedule/index.js";
import {
  FROZEN_FIELDS,
  STRAY_LIMIT,
  stepDone,
  type FrozenField,
  type Snapshot,
  type StepSchedule,
  type StepView,
} from "./types.js";
import { outOfDate, waitsToOpen } from "./decide.js";
import {
  compactProbes,
  emptyState,
  readOpenedFor,
  type Prepared,
  readState,
  type HiddenState,
  type StateSigner,
  type StepRecord,
} from "./state.js";

export interface EngineDeps {
  port: GitHubPort;
  probe: HttpProbe;
  now: () => number;
  /** Signs and verifies the hidden state of one migration issue (a key only the App holds). */
  signer: (issue: number) => StateSigner;
}

export interface Observed {
  issue: IssueInfo;
  comments: CommentInfo[];
  dashboard: CommentInfo | undefined;
  /** Newer dashboards written by a racing replica: removed after the oldest is updated. */
  extraDashboards: CommentInfo[];
  request: MigrationRequest | undefined;
  snapshot: Snapshot;
  /** The state was missing or failed its signature: it is rebuilt from GitHub, and older commands are not replayed. */
  rebuilt: boolean;
  /** The migration's PRs by head branch, read once for a rebuilt state (empty otherwise). */
  recovered: ReadonlyMap<string, PullInfo>;
  /** From the config repo's handover.yml (defaults until it is read). */
  permissions: HandoverConfig["commands"];
  resyncMs: number;
  /** Work the reconcile that comes next will need, to do once this one is over (`stepAhead`). */
  ahead?: () => Promise<unknown>;
}

/** The headings every migration issue form has: an issue with them is taken even when the form's label was not applied. */
const FORM_HEADINGS = ["### source cluster", "### target cluster", "### target version"];

/** A migration issue: labelled `handover` (in any case), or shaped like the form (a repo without the label yet). */
export function isMigrationIssue(issue: IssueInfo): boolean {
  if (issue.labels.some((l) => l.toLowerCase() === MIGRATION_LABEL)) return true;
  const headings = new Set(
    issue.body
      .split("\n")
      .filter((line) => line.startsWith("###"))
      .map((line) => line.trim().toLowerCase().replace(/\s+/g, " ")),
  );
  return FORM_HEADINGS.every((h) => headings.has(h));
}

function checkLabel(check: HealthCheck): string {
  if ("flux" in check) return `flux ${check.flux} (status ${statusGlob(check)})`;
  if ("argocd" in check) return `argocd ${check.argocd} (status ${statusGlob(check)})`;
  if ("status" in check) return `status ${check.status}`;
  if ("deployment" in check) return `deployment ${check.deployment}`;
  return `http ${check.http}`;
}

function checkSpec(check: HealthCheck): CheckSpec {
  const glob = statusGlob(check);
  if (glob !== undefined) return { kind: "status", pattern: glob };
  if ("deployment" in check) return { kind: "deployment", environment: check.deployment };
  if ("http" in check) return { kind: "http", url: check.http, ...(check.version ? { version: true } : {}) };
  throw new Error(`unknown health check ${JSON.stringify(check)}`);
}

/** A commit's statuses and check runs from before a gate's window still count (a green one is carried into it). */
const ANY_TIME = { since: 0 };
/** How far this process's clock may be behind GitHub's. */
const CLOCK_SKEW_MS = 2 * 60_000;

/** After a retry the window starts again, but a check that is green and silent is still green. */
function fromWindow(observations: Observation[], windowStart: number): Observation[] {
  const before = observations.filter((o) => o.at < windowStart);
  const carried = before[before.length - 1];
  const inside = observations.filter((o) => o.at >= windowStart);
  return carried && carried.state !== "failure" ? [{ ...carried, at: windowStart }, ...inside] : inside;
}

async function gateOf(
  deps: EngineDeps,
  step: PlannedStep,
  rec: StepRecord,
  headSha: string,
  targetVersion: string,
): Promise<{ gate: GateResult; probes: Record<string, Observation[]>; readAllAt?: number }> {
  const gate = step.gate;
  const sha = rec.mergeSha ?? rec.noDiff?.sha ?? headSha;
  // A gate keeps the soak it started with: an issue edit to `0s` must not pass a soaking gate at once.
  const soak = rec.soak ?? gate?.soak ?? "0s";
  const since = rec.mergedAt ?? rec.noDiff?.at ?? deps.now();
  const windowStart = rec.windowStart ?? since;
  const timeoutMs = durationMs(gate?.timeout ?? "2h");
  // No report can pass the gate before one soak from the window's start, nor end it but a failure, whose webhook
  // says so: until then only what webhooks reported on is read, and every check is read at that time.
  const readAllAt = Math.min(windowStart + durationMs(soak), windowStart + timeoutMs);
  const quiet = deps.now() < readAllAt;
  // Nothing is deployed for a step whose changes were already there: the newest deployment, whenever it was, is current.
  const deployedSince = rec.mergedAt === undefined && rec.noDiff ? 0 : since;
  const probes: Record<string, Observation[]> = { ...(rec.probes ?? {}) };
  let commitData: Promise<{ statuses: CommitStatus[]; runs: CheckRun[] }> | undefined;
  const commitChecks = () =>
    (commitData ??= (async () => {
      const refs = [sha];
      if (headSha !== sha && (await deps.port.contains(headSha, sha))) refs.push(headSha);
      const [statuses, runs] = await Promise.all([
        Promise.all(refs.map((r) => deps.port.statuses(r, quiet ? ANY_TIME : undefined))),
        Promise.all(refs.map((r) => deps.port.checkRuns(r, quiet ? ANY_TIME : undefined))),
      ]);
      return { statuses: statuses.flat(), runs: runs.flat() };
    })());
  const observationsOf = async (label: string, spec: CheckSpec): Promise<Observation[]> => {
    if (spec.kind === "status") {
      const { statuses, runs } = await commitChecks();
      return statusObservations(spec.pattern, statuses, runs);
    }
    if (spec.kind === "deployment") {
      // A deployment made before the window is not this gate's: news of one cannot change its verdict (news is timed
      // by this process's clock, the window by GitHub's: a little earlier news is read all the same).
      const recent = quiet ? { since: deployedSince - CLOCK_SKEW_MS } : undefined;
      const deployments = (await deps.port.deployments(spec.environment, recent)).filter(
        (d) => Date.parse(d.created_at) >= deployedSince,
      );
      const newest = deployments.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id)[0];
      const statuses = new Map(newest ? [[newest.id, await deps.port.deploymentStatuses(newest.id, recent)]] : []);
      return deploymentObservations(spec.environment, deployedSince, deployments, statuses);
    }
    const health = await deps.probe(spec.url);
    const version = spec.version
      ? { ...(await deps.probe(new URL("version", spec.url).toString())), expect: targetVersion }
      : undefined;
    probes[label] = compactProbes([...(probes[label] ?? []), httpObservation(deps.now(), health, version)]);
    return probes[label] ?? [];
  };
  // The checks are read side by side: a reconcile waits for the slowest, not for their sum.
  const checks = await Promise.all(
    (gate?.checks ?? []).map(async (check) => {
      const label = checkLabel(check);
      const spec = checkSpec(check);
      return { label, spec, observations: fromWindow(await observationsOf(label, spec), windowStart) };
    }),
  );
  const result = evaluateGate({
    checks,
    windowStart,
    soakMs: durationMs(soak),
    timeoutMs,
    now: deps.now(),
  });
  return { gate: result, probes, ...(quiet ? { readAllAt } : {}) };
}

/** What a step gives on a head: its changes and the trees with every violation after them, or the user's mistake. */
export type HeadOutcome =
  | { problems: string[] }
  | { changes: NonNullable<StepView["changes"]>; trees: NonNullable<StepView["trees"]> };

/**
 * Outcomes by plan, then head commit and step: a step that waits (for a change window, an approval, a command, or a
 * fix of its problems) is computed once while the default branch stays where it is, not at every reconcile.
 */
const outcomes = new WeakMap<object, LruCache<string, HeadOutcome>>();

/** A step of `plan` applied on the default branch's head `headSha` (its tree `head`), computed once (bounded). */
export async function stepOutcome(
  plan: Pick<Plan, "context" | "steps">,
  headSha: string,
  head: FileMap,
  step: PlannedStep,
): Promise<HeadOutcome> {
  const key = `${headSha}\0${step.id}`;
  const known = outcomes.get(plan)?.get(key);
  if (known) return known;
  const outcome = await headOutcome(head, () => stepOnHead(head, plan, step));
  const byKey = outcomes.get(plan) ?? new LruCache<string, HeadOutcome>(64);
  byKey.set(key, outcome);
  outcomes.set(plan, byKey);
  return outcome;
}

/** An outcome as the step's view shows it: the violations that count for this step. */
function showOutcome(view: StepView, outcome: HeadOutcome, counts: (v: Violation) => boolean): void {
  if ("problems" in outcome) {
    view.problems = [...outcome.problems];
    return;
  }
  view.changes = outcome.changes;
  view.violations = outcome.trees.violations.filter(counts);
  view.trees = outcome.trees;
}

/**
 * A step's changes on the default-branch head and the invariant on the tree after them; a user mistake becomes
 * problems. Both trees are loaded in slices first: on a large repo a load holds the event loop too long.
 */
async function headOutcome(head: FileMap, produce: () => Generator<void, StepOutcome>): Promise<HeadOutcome> {
  try {
    await loadInSlices(head, SLICING);
    const outcome = await inSlices(produce(), SLICING);
    const changes = diffTrees(head, outcome.tree);
    await loadInSlices(outcome.tree, SLICING);
    const violations = await inSlices(checkingTree(outcome.tree), SLICING);
    return { changes, trees: { base: head, step: outcome.tree, violations } };
  } catch (err) {
    if (err instanceof InputError) return { problems: [...err.problems] };
    if (err instanceof EditError) return { problems: [err.message] };
    throw err;
  }
}

/**
 * A step applied on the default-branch head. The plan computed its first step on the tree it was planned on: on that
 * same tree (the migration not started, the default branch unchanged) the step's planned changes are its outcome, and
 * a large scaffold is not computed twice.
 */
function* stepOnHead(
  head: FileMap,
  plan: Pick<Plan, "context" | "steps">,
  step: PlannedStep,
): Generator<void, StepOutcome> {
  if (head !== plan.context.base || plan.steps[0] !== step) return yield* applyingStep(head, plan.context, step);
  const tree = new Map(head);
  for (const change of step.changes) {
    if (change.content === null) tree.delete(change.path);
    else tree.set(change.path, change.content);
  }
  return { tree, warnings: [] };
}

/**
 * A merged step PR counts only when it merged into the default branch with the step's changes in its merge commit
 * (the step applied again there changes nothing): not a PR retargeted and merged elsewhere, nor a PR from a branch a
 * person prepared with other content. A step that cannot be applied there (a user mistake) is taken as merged.
 */
async function mergedHere(
  deps: EngineDeps,
  pr: PullInfo,
  step: PlannedStep,
  plan: { context: Parameters<typeof applyStep>[1] },
  defaultBranch: string,
): Promise<boolean> {
  if (pr.baseRef !== defaultBranch || !pr.mergeCommitSha) return false;
  const tree = await deps.port.readTree(pr.mergeCommitSha);
  try {
    // A step that writes whole objects (a DiscoverySettings file) writes them again without a reviewer's comment line
    // in them: the same values are the same change.
    return diffTrees(tree, applyStep(tree, plan.context, step).tree).every((c) => sameValues(c.path, tree, c.content));
  } catch (err) {
    if (err instanceof InputError || err instanceof EditError) return true;
    throw err;
  }
}

/** Whether a YAML file holds the same values as `content`, however commented or laid out (other files: the same text). */
function sameValues(path: string, tree: FileMap, content: string | null): boolean {
  const before = tree.get(path);
  if (before === undefined || content === null) return false;
  return sameYamlValues(path, before, content);
}

/**
 * A step whose gate passed without the state saying so (the dashboard write that recorded it failed after the next
 * step opened): Handover opens a step only once the gate before it passed, so the next step's PR, Handover's and not
 * rolled back, is GitHub's record that it did, by the time that PR was opened. Without it the gate would be judged
 * again, on a default branch that may have moved since and without the probe history the lost state held, and a step
 * already open would seem to have skipped it. (One conditional read of the next branch's PRs once the step merged,
 * or had no diff; answered 304 while nothing changes.)
 */
async function passedBefore(
  deps: EngineDeps,
  snapshot: Snapshot,
  step: PlannedStep,
  next: PlannedStep | undefined,
): Promise<Partial<StepRecord> | undefined> {
  const rec = snapshot.hidden.steps[step.id] ?? {};
  if (!next || step.kind === "decommission" || rec.failed) return undefined;
  // A step with a diff passed only once its PR merged: until then the next branch is not read (the step's own PRs
  // are, by its view, anyway).
  const own = rec.noDiff ? undefined : await deps.port.findPull(step.branch);
  if (!rec.noDiff && (!own?.merged || snapshot.hidden.undone.includes(own.number))) return undefined;
  const later = await deps.port.findPull(next.branch);
  if (!later || later.author !== deps.port.botLogin || later.createdAt === undefined) return undefined;
  if (snapshot.hidden.undone.includes(later.number)) return undefined;
  if (!own) return { gatePassedAt: later.createdAt };
  return {
    pr: own.number,
    mergeSha: rec.mergeSha ?? own.mergeCommitSha ?? own.headSha,
    mergedAt: rec.mergedAt ?? own.mergedAt ?? later.createdAt,
    gatePassedAt: later.createdAt,
  };
}

/** Whether GitHub would reopen the step's closed PR: its branch exists and has a commit the default branch lacks. */
async function reopenable(deps: EngineDeps, step: PlannedStep, headSha: string): Promise<boolean> {
  const branch = await deps.port.getBranch(step.branch);
  return branch !== undefined && !(await deps.port.contains(headSha, branch));
}

async function viewOf(
  deps: EngineDeps,
  step: PlannedStep,
  snapshot: Snapshot,
  request: MigrationRequest,
  plan: Pick<Plan, "context" | "steps">,
  defaultBranch: string,
): Promise<StepView> {
  const rec = snapshot.hidden.steps[step.id] ?? {};
  const view: StepView = { step };
  const found: PullInfo | undefined = rec.noDiff ? undefined : await deps.port.findPull(step.branch);
  // A merged PR whose step was rolled back does not count: the step is opened again.
  let pr = found && !snapshot.hidden.undone.includes(found.number) ? found : undefined;
  // GitHub refuses (422) to reopen a PR whose branch is gone or has no commit the default branch lacks.
  if (pr && pr.state === "closed" && !pr.merged) view.reopenable = await reopenable(deps, step, snapshot.headSha);
  if (pr?.merged && rec.mergeSha === undefined && !(await mergedHere(deps, pr, step, plan, defaultBranch))) {
    // Not the step's merge: the step opens again (a new PR), and this one is not counted as a duplicate.
    const stray = [...(rec.stray ?? []), pr.number];
    snapshot.hidden = {
      ...snapshot.hidden,
      undone: [...snapshot.hidden.undone, pr.number],
      steps: { ...snapshot.hidden.steps, [step.id]: { ...rec, stray } },
    };
    pr = undefined;
  }
  const strays = snapshot.hidden.steps[step.id]?.stray ?? [];
  if (!pr && strays.length >= STRAY_LIMIT) {
    // Something keeps the step's changes out of what merges: another PR would most likely merge empty too.
    view.strays = strays;
    return view;
  }
  if (pr) view.pr = pr;
  if (pr?.state === "open") await readOpenPull(deps, view, pr, defaultBranch, snapshot.headSha);
  // A step to open, or Handover's own open PR that no longer merges: its changes on the current head.
  if (found && found.author !== deps.port.botLogin) {
    // A PR a person opened on the step branch (in advance, say) is not the step, merged or not.
    view.problems = [
      `#${found.number} on ${step.branch} was opened by @${found.author}, not Handover: close it and delete the branch, and Handover opens ${step.id}`,
    ];
    return view;
  }
  // The head of the branch's PR merged into the default branch, when the step opens again on that branch (rolled
  // back, or re-planned): the branch moves on from it (act.ts, bringUp). (One merged into another branch, retargeted,
  // brought its commits there, not here.)
  if (found?.merged && found.baseRef === defaultBranch && !pr) view.mergedHead = found.headSha;
  if (!found && !rec.noDiff && waitsToOpen(snapshot, step)) view.branchUnread = true;
  else if (!found && !rec.noDiff) {
    // A step branch someone else made before Handover is not Handover's to use. A free one is opened next, with the
    // guard's verdict weighing the other open migrations (act.ts, `ownVerdict`): they are listed in the same round trip.
    const [existing] = await Promise.all([deps.port.getBranch(step.branch), deps.port.openMigrationIssues()]);
    if (existing === undefined) view.branchFree = true;
    const committer = existing ? (await deps.port.getCommit(existing)).committer : COMMITTER.name;
    // A person's commits the default branch already has lose nothing when the branch moves on (act.ts, bringUp).
    if (committer !== COMMITTER.name && !(existing && (await deps.port.contains(snapshot.headSha, existing)))) {
      view.problems = [
        `branch ${step.branch} already exists with a commit Handover did not make (committed by ${committer}): delete the branch, and Handover opens ${step.id} on it`,
      ];
      return view;
    }
  }
  if ((!pr && !rec.noDiff) || (pr?.state === "open" && outOfDate(view) && !view.humanCommits)) {
    const head = await deps.port.readTree(snapshot.headSha);
    // The prepare scaffold carries REPLACE-ME on purpose: operators fill it in on its PR (the guard holds it until then).
    showOutcome(
      view,
      await stepOutcome(plan, snapshot.headSha, head, step),
      (v) => !(step.kind === "prepare" && v.rule === "unfinished-scaffold"),
    );
  }
  if ((pr?.merged || rec.noDiff) && step.kind !== "decommission") {
    const merged = pr?.merged
      ? {
          mergeSha: rec.mergeSha ?? pr.mergeCommitSha ?? pr.headSha,
          mergedAt: rec.mergedAt ?? pr.mergedAt ?? deps.now(),
        }
      : {};
    const { gate, probes, readAllAt } = await gateOf(
      deps,
      step,
      { ...rec, ...merged },
      snapshot.headSha,
      request.version,
    );
    view.gate = gate;
    if (readAllAt !== undefined) view.gateReadAllAt = readAllAt;
    const pinned = rec.soak === undefined && step.gate ? { soak: step.gate.soak } : {};
    if (Object.keys(probes).length > 0 || pinned.soak !== undefined)
      snapshot.hidden = {
        ...snapshot.hidden,
        steps: {
          ...snapshot.hidden.steps,
          [step.id]: { ...rec, ...pinned, ...(Object.keys(probes).length > 0 ? { probes } : {}) },
        },
      };
  }
  return view;
}

/** Find the App's dashboard comment: the oldest one authored by the App itself carrying the marker. */
export function findDashboard(
  comments: CommentInfo[],
  botLogin: string,
): { dashboard?: CommentInfo; extra: CommentInfo[] } {
  const own = comments
    .filter((c) => c.author === botLogin && c.body.includes(DASHBOARD_MARKER))
    .sort((a, b) => a.id - b.id);
  return { ...(own[0] ? { dashboard: own[0] } : {}), extra: own.slice(1) };
}

/** The synthetic step of a rollback: same cluster and gate as the step it reverts, its own branch and title. */
export function rollbackStep(step: PlannedStep, issue: number, attempt: number): PlannedStep {
  const id = rollbackStepId(step.id, attempt);
  const summary = `Roll back ${step.id} (${step.summary})`;
  return {
    ...step,
    id,
    branch: stepBranch(issue, id),
    title: stepTitle(issue, summary),
    summary,
    changes: [],
    status: "planned",
  };
}

/**
 * The default-branch commit before a step's merge: the first parent of a merge commit or a squash, and for a rebase
 * merge (its tip is the last of the PR's commits replayed, with that commit's message) the commit before all of them,
 * so a rollback reverts every commit of the step.
 */
async function commitBefore(deps: EngineDeps, mergeSha: string, pr: number | undefined): Promise<string> {
  const merged = await deps.port.getCommit(mergeSha);
  const parent = merged.parents[0] ?? mergeSha;
  if (merged.parents.length !== 1 || pr === undefined) return parent;
  const commits = await deps.port.pullCommits(pr);
  if (commits.length < 2 || commits[commits.length - 1]?.message !== merged.message) return parent;
  let sha = mergeSha;
  for (let i = 0; i < commits.length; i++) sha = (await deps.port.getCommit(sha)).parents[0] ?? sha;
  return sha;
}

/**
 * What an open PR of Handover's (a step's, or a rollback's revert) shows: whether people pushed to it, and whether it is
 * behind the default branch. GitHub says `behind` only where branch protection requires PRs to be up to date (a PR
 * retargeted elsewhere is behind another branch: not Handover's to re-plan).
 */
async function readOpenPull(
  deps: EngineDeps,
  view: StepView,
  pr: PullInfo,
  defaultBranch: string,
  baseSha: string,
): Promise<void> {
  view.humanCommits = (await deps.port.getCommit(pr.headSha)).committer !== COMMITTER.name;
  if (pr.mergeableState === "behind" && pr.baseRef === defaultBranch) view.behind = true;
  if (pr.mergeable === null)
    view.mergeableUnknownSince = mergeableUnknown.since(
      `${deps.port.owner}/${deps.port.repo}#${pr.number}@${pr.headSha}...${baseSha}`,
      deps.now(),
    );
}

/** When this process first saw each open PR's mergeability unknown, by PR, head and default-branch head. */
const mergeableUnknown = new FirstSeen(1_000);

async function rollbackView(
  deps: EngineDeps,
  snapshot: Snapshot,
  plan: { context: Parameters<typeof applyStep>[1] },
  request: MigrationRequest,
  defaultBranch: string,
): Promise<Snapshot["rollback"]> {
  const rb = snapshot.hidden.rollback;
  const target = rb ? snapshot.steps.find((s) => s.id === rb.step) : undefined;
  const rec = target ? snapshot.hidden.steps[target.id] : undefined;
  if (!rb || !target || !rec?.mergeSha) return undefined;
  const step = rollbackStep(target, snapshot.issue, rb.attempt);
  const view: StepView = { step };
  // The revert's gate follows from the tree after it, as every step's does: reverting a prepare that created the
  // target removes the target from handover.yml, and a cluster that is gone has no health to wait for.
  const gatedOn = (tree: FileMap) => {
    view.step = { ...step, gate: gateFor(target, tree, request) };
  };
  const pr = await deps.port.findPull(step.branch);
  if (pr) view.pr = pr;
  // The revert on the current head: to open, or to re-plan Handover's own revert PR the default branch moved under
  // (as a step PR is: it conflicts, or it is behind where the repo requires PRs to be up to date).
  const { mergeSha: stepMergeSha, pr: stepPr } = rec;
  const revertOnHead = async () => {
    const [head, after, beforeSha] = await Promise.all([
      deps.port.readTree(snapshot.headSha),
      deps.port.readTree(stepMergeSha),
      commitBefore(deps, stepMergeSha, stepPr),
    ]);
    const before = await deps.port.readTree(beforeSha);
    const reverted = await headOutcome(head, function* () {
      yield; // the revert is a piece of its own, after the loads
      return revertStep(head, before, after, plan.context, target, step.id);
    });
    showOutcome(view, reverted, () => true);
    if (view.trees) gatedOn(view.trees.step);
  };
  if (!pr) await revertOnHead();
  else if (pr.merged) {
    const mergeSha = rb.mergeSha ?? pr.mergeCommitSha ?? pr.headSha;
    gatedOn(await deps.port.readTree(mergeSha));
    const { gate, probes } = await gateOf(
      deps,
      view.step,
      { mergeSha, mergedAt: rb.mergedAt ?? pr.mergedAt ?? deps.now(), ...(rb.probes ? { probes: rb.probes } : {}) },
      snapshot.headSha,
      request.version,
    );
    view.gate = gate;
    // Its http checks' results are kept as a step's are: GitHub keeps none, and a soak needs every one since the merge.
    if (Object.keys(probes).length > 0) snapshot.hidden = { ...snapshot.hidden, rollback: { ...rb, probes } };
  } else if (pr.state === "open") {
    await readOpenPull(deps, view, pr, defaultBranch, snapshot.headSha);
    if (outOfDate(view) && !view.humanCommits) await revertOnHead();
    else gatedOn(await deps.port.readTree(pr.headSha));
  }
  return { of: target, view };
}

/** A plan is a pure function of (base commit, issue number, issue body): kept across reconciles (bounded). */
const plans = new Map<string, Promise<PlanResult>>();
function cachedPlan(key: string, compute: () => Promise<PlanResult>): Promise<PlanResult> {
  const hit = plans.get(key);
  if (hit) return hit;
  const plan = compute();
  // A computation that failed is not an answer to keep.
  plan.catch(() => plans.delete(key));
  if (plans.size >= 32) plans.delete(plans.keys().next().value as string);
  plans.set(key, plan);
  return plan;
}

/**
 * Planning a large migration takes a second of CPU, loading a large repo tens of milliseconds: both run in slices of
 * about 5 ms with the event loop let through between them, so webhooks are answered and timers fire meanwhile (a
 * slice ends after the piece of work that passes 5 ms, so the event loop waits for a slice plus one piece).
 */
const SLICING = { sliceMs: 5, pause: () => new Promise<void>((resolve) => setImmediate(resolve)) };

/** One active migration per cluster: an older open migration issue holding the same cluster blocks this one's start. */
async function heldElsewhere(
  deps: EngineDeps,
  number: number,
  request: MigrationRequest,
  needed: Permission,
): Promise<string[]> {
  const mine = [request.source, request.target].filter((c) => c !== "");
  return (await activeLocks(deps.port, needed, number))
    .filter((lock) => lock.issue < number)
    .flatMap((lock) =>
      lock.clusters
        .filter((c) => mine.includes(c))
        .map(
          (c) =>
            `${c} is already being migrated by #${lock.issue}: one migration per cluster at a time; this one starts once #${lock.issue} is closed`,
        ),
    );
}

/** handover.yml's windows and freezes (already validated by the schema), with the freeze label the issue carries. */
export function scheduleOf(config: HandoverConfig, labels: string[]): StepSchedule | undefined {
  if (config.windows.length === 0 && config.freezes.length === 0) return undefined;
  const windows = config.windows.map(parseWindow).filter((w): w is ChangeWindow => typeof w !== "string");
  const freezes = config.freezes
    .map((f) => (typeof f === "string" ? parseFreeze(f) : undefined))
    .filter((f): f is DateFreeze => f !== undefined && typeof f !== "string");
  const lower = labels.map((l) => l.toLowerCase());
  const frozenByLabel = config.freezes.find(
    (f): f is { label: string } => typeof f !== "string" && lower.includes(f.label.toLowerCase()),
  )?.label;
  return { windows, freezes, ...(frozenByLabel ? { frozenByLabel } : {}) };
}

/**
 * The commit a migration was planned on, for a state rebuilt from GitHub: the parent of Handover's first commit of
 * its first step (prepare), past people's commits on top and Handover's re-plans (their second parent is the previous
 * head). `null` (plan on the current head) when that step was never opened.
 */
async function recoverBase(
  deps: EngineDeps,
  issue: number,
  pulls: ReadonlyMap<string, PullInfo>,
): Promise<string | null> {
  const first = pulls.get(stepBranch(issue, "prepare"));
  if (!first) return null;
  let commit = await deps.port.getCommit(first.headSha);
  for (let hops = 0; hops < 50; hops++) {
    const handovers = commit.committer === COMMITTER.name;
    const next = handovers ? commit.parents[1] : commit.parents[0];
    if (handovers && next === undefined) return commit.parents[0] ?? null;
    if (next === undefined) return null;
    commit = await deps.port.getCommit(next);
  }
  return null;
}

/** What one round of a reconcile hands the next: the issue as read, and the hidden state as decided (maybe unsaved). */
export interface Carried {
  issue: IssueInfo;
  comments: CommentInfo[];
  dashboard: CommentInfo | undefined;
  extraDashboards: CommentInfo[];
  hidden: HiddenState;
}

/** No PRs: a state read from the dashboard needs none to be rebuilt. */
const NONE: ReadonlyMap<string, PullInfo> = new Map();

/** The issue, its comments and the dashboard's hidden state (rebuilt from GitHub when missing or failing its check). */
async function readIssue(
  deps: EngineDeps,
  number: number,
): Promise<(Carried & { rebuilt: boolean; recovered: ReadonlyMap<string, PullInfo> }) | undefined> {
  const issue = await deps.port.getIssue(number);
  // A closed issue stands still (a done migration stays done); reopening it resumes where it was.
  if (issue.isPullRequest || issue.state === "closed" || !isMigrationIssue(issue)) return undefined;
  const comments = await deps.port.listComments(number);
  const { dashboard, extra } = findDashboard(comments, deps.port.botLogin);
  const read = dashboard ? readState(dashboard.body, deps.signer(number)) : ({ kind: "missing" } as const);
  if (read.kind === "ok")
    return { issue, comments, dashboard, extraDashboards: extra, hidden: read.state, rebuilt: false, recovered: NONE };
  // One listing of the migration's PRs answers every branch the rebuild asks about (a 1,000-group plan has 2,000).
  const recovered = await deps.port.migrationPulls(number);
  const hidden: HiddenState = {
    ...emptyState(),
    base: await recoverBase(deps, number, recovered),
    tampered: read.kind === "tampered" ? { at: deps.now() } : null,
  };
  return { issue, comments, dashboard, extraDashboards: extra, hidden, rebuilt: true, recovered };
}

/**
 * The issue, its comments and its dashboard's state: all a failure report needs. `undefined` when not a migration.
 * A later round of a reconcile passes what the round before it left (`carried`) instead: nothing is read again.
 */
export async function observeIssue(deps: EngineDeps, number: number, carried?: Carried): Promise<Observed | undefined> {
  const read = carried ? { ...carried, rebuilt: false, recovered: NONE } : await readIssue(deps, number);
  if (!read) return undefined;
  const { issue, comments, dashboard, hidden } = read;
  const snapshot: Snapshot = {
    now: deps.now(),
    issue: number,
    headSha: "",
    problems: [],
    steps: [],
    views: new Map(),
    hidden,
  };
  const observed: Observed = {
    issue,
    comments,
    dashboard,
    extraDashboards: read.extraDashboards,
    request: undefined,
    snapshot,
    rebuilt: read.rebuilt,
    recovered: read.recovered,
    permissions: { permission: "write", elevated: "maintain", approvers: [] },
    resyncMs: durationMs("5m"),
  };
  return observed;
}

/** Rollbacks of one step Handover looks for when it rebuilds a state (each has its own branch, tried in order). */
const ROLLBACKS_PROBED = 20;

/**
 * The rollbacks a state rebuilt from GitHub must not forget, read from Handover's rollback branches
 * (`handover/N/rollback-<step>-<k>`): how many each step had (the next one gets a new branch), and the step PR the
 * newest one reverted, which no longer counts as merged. A rollback PR newer than the step's own PR that is open or
 * merged is taken up again where it was: its gate is read, then the step PR counts as undone and the chain pauses
 * (a person resumes it, as after any rollback). Later steps' PRs closed unmerged before it are undone too, so they
 * open again instead of pausing the chain as closed PRs.
 */
function recoverRollbacks(
  deps: EngineDeps,
  hidden: HiddenState,
  issue: number,
  steps: PlannedStep[],
  pulls: ReadonlyMap<string, PullInfo>,
): HiddenState {
  let state = hidden;
  const reverted: { step: PlannedStep; attempt: number; rollback: PullInfo; stepPr: PullInfo }[] = [];
  for (const [index, step] of steps.entries()) {
    if (step.kind === "decommission") continue;
    let newest: { attempt: number; pr: PullInfo } | undefined;
    for (let attempt = 1; attempt <= ROLLBACKS_PROBED; attempt++) {
      const pr = pulls.get(stepBranch(issue, rollbackStepId(step.id, attempt)));
      if (!pr) break;
      newest = { attempt, pr };
    }
    if (!newest) continue;
    state = { ...state, rollbacks: { ...state.rollbacks, [step.id]: newest.attempt } };
    const rollback = newest.pr;
    const stepPr = pulls.get(step.branch);
    // A cancelled rollback reverted nothing; a step PR newer than the rollback is the step done again.
    if ((rollback.state === "closed" && !rollback.merged) || !stepPr?.merged || stepPr.number > rollback.number)
      continue;
    reverted.push({ step, attempt: newest.attempt, rollback, stepPr });
    for (const later of steps.slice(index + 1)) {
      const pr = pulls.get(later.branch);
      if (pr && pr.state === "closed" && !pr.merged && pr.number < rollback.number)
        state = { ...state, undone: [...new Set([...state.undone, pr.number])] };
    }
  }
  // The newest rollback is taken up where it was; an older one had finished (its step PR is simply undone).
  const [current, ...finished] = reverted.sort((a, b) => b.rollback.number - a.rollback.number);
  state = { ...state, undone: [...new Set([...state.undone, ...finished.map((r) => r.stepPr.number)])] };
  if (!current) return state;
  const { step, attempt, stepPr } = current;
  return {
    ...state,
    steps: {
      ...state.steps,
      [step.id]: {
        pr: stepPr.number,
        mergeSha: stepPr.mergeCommitSha ?? stepPr.headSha,
        mergedAt: stepPr.mergedAt ?? deps.now(),
      },
    },
    rollback: { step: step.id, attempt, by: deps.port.botLogin, at: deps.now() },
  };
}

/**
 * Read everything the decision needs from GitHub. `undefined` when the issue is not a migration issue. A later round
 * of the same reconcile passes what the round before it left (`carried`): the issue and its comments are not read
 * again, and the hidden state is the one decided, which is saved once, at the end of the reconcile.
 */
export async function observe(deps: EngineDeps, number: number, carried?: Carried): Promise<Observed | undefined> {
  const observed = await observeIssue(deps, number, carried);
  if (!observed) return undefined;
  const { issue, snapshot } = observed;
  const hidden = snapshot.hidden;
  // Problems with the issue body are reported together with the repo's, by planMigration below.
  const edited = parseIssueBody(issue.body);
  const head = await deps.port.defaultBranch();
  snapshot.headSha = head.sha;
  const frozen = hidden.frozen ?? (await mergedAsOpened(deps, number, hidden, edited, head.name));
  if (frozen !== hidden.frozen) snapshot.hidden = { ...hidden, frozen };
  const parsed = frozenRequest(edited, frozen, snapshot);
  observed.request = parsed.request;
  const baseTree = await deps.port.readTree(hidden.base ?? head.sha);
  const loaded = await loadInSlices(baseTree, SLICING);
  let config: HandoverConfig | undefined;
  if (loaded.ok) {
    observed.permissions = loaded.model.config.commands;
    observed.resyncMs = durationMs(loaded.model.config.resync);
    const schedule = scheduleOf(loaded.model.config, issue.labels);
    if (schedule) snapshot.schedule = schedule;
    config = loaded.model.config;
  }
  // Not started yet: only a person with `commands.permission` starts a migration, and only a valid one takes a lock.
  const needed = observed.permissions.permission;
  const has = hidden.base === null ? await deps.port.permission(issue.author) : needed;
  const lockProblems =
    hidden.base !== null
      ? []
      : !reaches(has, needed)
        ? [
            `Issue author: @${issue.author} has ${has} permission on this repository; a migration starts only when someone with ${needed} (commands.permission in .github/handover.yml) files the issue`,
          ]
        : parsed.ok
          ? await heldElsewhere(deps, number, parsed.request, needed)
          : [];
  const key = `${hidden.base ?? head.sha}\0${number}\0${JSON.stringify(parsed)}\0${lockProblems.join("\n")}`;
  const planned = await cachedPlan(key, () =>
    planMigrationInSlices(baseTree, parsed.request, number, [...parsed.problems, ...lockProblems], SLICING),
  );
  if (!planned.ok) {
    snapshot.problems =
      planned.kind === "input"
        ? planned.problems
        : planned.violations.map((v) => `${planned.step ? `step ${planned.step}: ` : ""}${v.message}`);
    return observed;
  }
  if (hidden.base === null && planned.plan.ungated.length > 0) {
    // A gate with no checks passes on time alone: never start on that by accident.
    snapshot.problems = planned.plan.ungated.map(
      (name) =>
        `${CONFIG_PATH}: clusters.${name}.health is empty, so its gates would pass on the soak time alone: add the checks that tell ${name} is healthy (flux:, argocd:, status:, deployment: or http:), or write \`health: none\` to run without a gate on purpose`,
    );
    return observed;
  }
  snapshot.steps = planned.plan.steps;
  if (observed.rebuilt) {
    snapshot.hidden = recoverRollbacks(deps, snapshot.hidden, number, planned.plan.steps, observed.recovered);
    await SLICING.pause(); // it went over every step of a plan that may have thousands
  }
  const { approve, automerge } = controlledSteps(planned.plan, config);
  if (automerge.length > 0) snapshot.automerge = automerge;
  if (config && approve.length > 0)
    snapshot.approvals = {
      steps: approve,
      permission: config.commands.elevated,
      ...(config.commands.approvers.length ? { teams: config.commands.approvers } : {}),
    };
  for (const [index, step] of planned.plan.steps.entries()) {
    if (stepDone(snapshot.hidden, step)) continue;
    const passed = await passedBefore(deps, snapshot, step, planned.plan.steps[index + 1]);
    if (passed) {
      snapshot.hidden = {
        ...snapshot.hidden,
        steps: { ...snapshot.hidden.steps, [step.id]: { ...snapshot.hidden.steps[step.id], ...passed } },
      };
      continue;
    }
    snapshot.views.set(step.id, await viewOf(deps, step, snapshot, parsed.request, planned.plan, head.name));
    break;
  }
  const rollback = await rollbackView(deps, snapshot, planned.plan, parsed.request, head.name);
  if (rollback) snapshot.rollback = rollback;
  const ahead = stepAhead(deps, snapshot, planned.plan);
  if (ahead) observed.ahead = ahead;
  const started =
    Object.values(snapshot.hidden.steps).some((r) => r.mergeSha !== undefined || r.noDiff !== undefined) ||
    [...snapshot.views.values()].some((v) => v.pr?.merged);
  const { source, target, version, groups } = parsed.request;
  if (started && !snapshot.hidden.frozen)
    snapshot.hidden = { ...snapshot.hidden, frozen: { source, target, version, groups } };
  // The first step's PR, not merged yet, prepares what its body says it was opened for, which an edit may have changed.
  const firstPr = planned.plan.steps[0] && snapshot.views.get(planned.plan.steps[0].id)?.pr;
  const first = planned.plan.steps[0]?.id ?? "";
  const opened = firstPr && !firstPr.merged ? openedForPull(deps, number, firstPr, snapshot.hidden, first) : undefined;
  const stale = opened ? changedFields(parsed.request, opened, PREPARED_FIELDS) : [];
  if (firstPr && stale.length > 0) snapshot.staleFirst = { pr: firstPr.number, fields: stale };
  return observed;
}

/** What the first step is made of: an edit of the groups changes nothing in it. */
const PREPARED_FIELDS = ["source", "target", "version"] as const;

/**
 * What the migration moves, once the first step's PR merged as it was opened (Handover's, into the default branch,
 * not rolled back): the cluster, source and version its body says it was opened for (`openedFor`), even if the issue
 * was edited between the opening and the merge, or the edit is seen only with the merge. That cluster is in the repo
 * now: planning for the edit would leave it there and open the first step again. The groups are the issue's (the first
 * step does not depend on them). Null while no such PR merged, or when its body does not say (edited by a person).
 */
async function mergedAsOpened(
  deps: EngineDeps,
  number: number,
  hidden: HiddenState,
  edited: ReturnType<typeof parseIssueBody>,
  defaultBranch: string,
): Promise<HiddenState["frozen"]> {
  if (!edited.ok) return null;
  const pr = await deps.port.findPull(stepBranch(number, "prepare"));
  if (!pr?.merged || pr.baseRef !== defaultBranch || pr.author !== deps.port.botLogin) return null;
  if (hidden.undone.includes(pr.number)) return null;
  const opened = openedForPull(deps, number, pr, hidden, "prepare");
  return opened ? { ...opened, groups: edited.request.groups } : null;
}

/**
 * What the first step's PR was opened for: the signed block of its body, or, once a person rewrote the body, the
 * state's record of that PR (act.ts). Undefined when neither says (the body rewritten and the state rebuilt).
 */
function openedForPull(
  deps: EngineDeps,
  number: number,
  pr: PullInfo,
  hidden: HiddenState,
  first: string,
): Prepared | undefined {
  const signed = readOpenedFor(pr.body, deps.signer(number));
  if (signed) return signed;
  const rec = hidden.steps[first]?.opened;
  return rec?.pr === pr.number ? { source: rec.source, target: rec.target, version: rec.version } : undefined;
}

/**
 * The step after the one whose gate is running, applied on the default branch's head ahead of time: the reconcile
 * that opens it once the gate passes finds its changes and the invariant on them computed (`stepOutcome` keeps them
 * while the head stays), and their commit written, instead of doing both between its reads and its writes. Only on
 * files this process holds: nothing is read for it. Undefined when no gate is running or the head's files are not in
 * memory.
 */
export function stepAhead(
  deps: Pick<EngineDeps, "port">,
  snapshot: Snapshot,
  plan: Pick<Plan, "context" | "steps">,
): (() => Promise<HeadOutcome>) | undefined {
  const running = plan.steps.findIndex((step) => {
    const state = snapshot.views.get(step.id)?.gate?.state;
    return state !== undefined && gateUnderWay(state);
  });
  const next = running < 0 ? undefined : plan.steps[running + 1];
  const head = next ? deps.port.heldTree?.(snapshot.headSha) : undefined;
  if (!next || !head) return undefined;
  const { headSha, issue } = snapshot;
  return async () => {
    const outcome = await stepOutcome(plan, headSha, head, next);
    // Its commit too: two writes the opening then does without. A commit no branch points to changes nothing on
    // GitHub, so the decommission's is written ahead as well (its PR still opens only on a person's command); not a
    // step without changes, nor one the invariant or a mistake would refuse.
    if ("changes" in outcome && outcome.changes.length > 0 && outcome.trees.violations.length === 0)
      await deps.port.createCommit(headSha, outcome.changes, stepMessage(issue, next));
    return outcome;
  };
}

/** The message of the commit that opens a step. */
export function stepMessage(issue: number, step: PlannedStep): string {
  return `${step.title}\n\nStep ${step.id} of Handover migration #${issue}.\nCommitter: ${COMMITTER.name}`;
}

/** The steps of a plan that wait for an approval and those merged automatically, computed once per plan and config. */
const controls = new WeakMap<Plan, { config: HandoverConfig; approve: string[]; automerge: string[] }>();

function controlledSteps(plan: Plan, config: HandoverConfig | undefined): { approve: string[]; automerge: string[] } {
  if (!config) return { approve: [], automerge: [] };
  const known = controls.get(plan);
  if (known?.config === config) return known;
  const approve = plan.steps.filter((s) => stepControls(config, s).approve).map((s) => s.id);
  const automerge = plan.steps.filter((s) => stepControls(config, s).automerge).map((s) => s.id);
  controls.set(plan, { config, approve, automerge });
  return { approve, automerge };
}

/**
 * After the first step merged, what the migration moves is fixed: an edit of source, target, version or groups is
 * reported and ignored (re-planning would gate merged steps on a cluster that never reports); the soak may change,
 * for gates not started yet (a started gate keeps its own).
 */
function frozenRequest(
  edited: ReturnType<typeof parseIssueBody>,
  frozen: HiddenState["frozen"],
  snapshot: Snapshot,
): ReturnType<typeof parseIssueBody> {
  if (!frozen) return edited;
  const soakOk = !edited.problems.some((p) => p.startsWith(ISSUE_FIELDS.soak));
  const soak = soakOk ? edited.request.soak : undefined;
  const request: MigrationRequest = { ...frozen, notesAcknowledged: true, ...(soak ? { soak } : {}) };
  const changed = changedFields(edited.request, frozen);
  if (changed.length > 0) snapshot.ignoredEdits = changed;
  return { ok: true, problems: [], request };
}

/** The fields of what a migration moves that differ between a request and a recorded one. */
function changedFields(
  request: MigrationRequest,
  recorded: Partial<Pick<MigrationRequest, FrozenField>>,
  fields: readonly FrozenField[] = FROZEN_FIELDS,
): FrozenField[] {
  // Groups compare by name and backends: a line moved by an edit elsewhere in the field is no change.
  const same = (field: FrozenField, value: unknown): string =>
    JSON.stringify(
      field === "groups" ? (value as MigrationRequest["groups"])?.map(({ name, items }) => ({ name, items })) : value,
    );
  return fields.filter((field) => same(field, request[field]) !== same(field, recorded[field]));
}
