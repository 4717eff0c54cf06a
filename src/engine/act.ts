import { DASHBOARD_MAX, renderDashboard } from "../render/dashboard.js";
import { closeComment } from "../render/phase.js";
import { renderPrBody } from "../render/pr.js";
import type { Action, Decision, Phase, Snapshot } from "./types.js";
import type { CommandFeedback } from "./commands.js";
import { encodeState, openedFor, readState, withStateBlock, type HiddenState, type StateSigner } from "./state.js";
import { classify, RETRYABLE } from "../github/errors.js";
import type { StepRecord } from "../spec/state.js";
import {
  COMMITTER,
  type CommentInfo,
  type GuardRun,
  type LabelSpec,
  type MergeMethod,
  type NewPull,
  type PullInfo,
} from "../github/port.js";
import { activeLocks, GUARD_NAME, guardVerdict, verdictOf } from "../guard/index.js";
import { findDashboard, stepMessage, type EngineDeps, type Observed } from "./observe.js";
import { MIGRATION_LABEL, replyMarker, STATUS_LABELS, stepTitle, type StatusLabel } from "../spec/markers.js";

const LABEL_COLORS: Record<StatusLabel, string> = {
  "handover:running": "0e8a16",
  "handover:waiting": "fbca04",
  "handover:paused": "c5def5",
  "handover:failed": "b60205",
  "handover:done": "5319e7",
  "handover:aborted": "6a737d",
};

/** What an action found out that the state must keep (GitHub's answer to auto-merge, asked for once per PR). */
export interface ActOutcome {
  step: string;
  record: Partial<StepRecord>;
  /**
   * What GitHub answered contradicts what the rest of the decision assumed (a PR to close had merged): the rest waits
   * for the next round's look at GitHub.
   */
  interrupts?: true;
}

/**
 * An action that failed after GitHub answered something the state must keep (auto-merge is asked once per PR): the
 * reconcile keeps `outcome`, then fails with `cause`, as the action would have.
 */
export class LearnedBeforeFailing extends Error {
  constructor(
    readonly outcome: ActOutcome,
    override readonly cause: unknown,
  ) {
    super("an action failed after GitHub answered", { cause });
  }
}

/** GitHub's merge methods in the order Handover prefers them: a merge commit keeps the step's commit as it was. */
const METHOD_ORDER: readonly MergeMethod[] = ["merge", "squash", "rebase"];

type AutoMergeRecord = Omit<NonNullable<StepRecord["autoMerge"]>, "pr" | "at">;

/** What an auto-merge action found out, kept on the step's record for this PR (asked at `at`). */
function autoMergeOutcome(step: string, pr: number, at: number): (record: AutoMergeRecord) => ActOutcome {
  return (record) => ({ step, record: { autoMerge: { pr, at, ...record } } });
}

/**
 * A PR with nothing left to wait for merged now, at the head decide saw (branch protection still gates it), or added to
 * the merge queue where the base takes no direct merge (GitHub's "Merge when ready"); `why` is why GitHub's own
 * auto-merge was not the way, for the dashboard when the merge is refused too.
 */
async function mergeNow(
  deps: EngineDeps,
  pull: { pr: number; headSha: string; nodeId?: string | undefined },
  method: MergeMethod,
  why: string,
): Promise<AutoMergeRecord> {
  const merged = await deps.port.mergePull(pull.pr, pull.headSha, method);
  if ("merged" in merged) return { method, clean: true, merged: true };
  const refused = `GitHub refused auto-merge (${why}) and the merge: ${merged.refused}`;
  if (!merged.queue || pull.nodeId === undefined) return { method, clean: true, refused };
  const queued = await deps.port.enqueuePull({ nodeId: pull.nodeId, headSha: pull.headSha });
  return "queued" in queued
    ? { method, clean: true, queued: pull.headSha }
    : { method, clean: true, refused: `${refused}; and adding it to the merge queue: ${queued.refused}` };
}

/**
 * GitHub's auto-merge on a step PR, with the first merge method the repo allows. A repo that does not allow auto-merge
 * is not asked; a PR GitHub calls clean (nothing left to wait for, so it refuses auto-merge) is merged now. Whatever
 * GitHub answers is kept, so it is asked once per PR; should the answer be lost, a PR GitHub calls clean is merged
 * without asking again (decide reads its mergeable_state).
 */
async function enableAutoMerge(deps: EngineDeps, action: Extract<Action, { kind: "automerge" }>): Promise<ActOutcome> {
  const outcome = autoMergeOutcome(action.step.id, action.pr, deps.now());
  const chosen = await mergeMethod(deps);
  if ("refused" in chosen) return outcome(chosen);
  const { method } = chosen;
  const answer = await deps.port.enableAutoMerge({ nodeId: action.nodeId }, method);
  if ("enabled" in answer) return outcome({ method });
  if (!answer.clean) return outcome({ refused: `GitHub refused: ${answer.refused}` });
  try {
    return outcome(await mergeNow(deps, action, method, answer.refused));
  } catch (err) {
    // GitHub was asked and called the PR clean: the next reconcile merges it without asking again.
    throw new LearnedBeforeFailing(outcome({ method, clean: true }), err);
  }
}

/** The first merge method the repo allows, when it allows auto-merge at all (else why not, for the dashboard). */
async function mergeMethod(deps: EngineDeps): Promise<{ method: MergeMethod } | { refused: string }> {
  const settings = await deps.port.mergeSettings();
  if (!settings.allowAutoMerge)
    return {
      refused: "the repository does not allow auto-merge (Settings → General → Pull Requests → Allow auto-merge)",
    };
  const method = METHOD_ORDER.find((m) => settings.methods.includes(m));
  return method ? { method } : { refused: "the repository allows no merge method" };
}

/** Merge a step PR with nothing left to wait for (GitHub calls it clean, or refused auto-merge for that reason). */
async function mergeClean(
  deps: EngineDeps,
  observed: Observed,
  action: Extract<Action, { kind: "merge" }>,
): Promise<ActOutcome> {
  const asked = observed.snapshot.hidden.steps[action.step.id]?.autoMerge;
  const outcome = autoMergeOutcome(action.step.id, action.pr, asked?.pr === action.pr ? asked.at : deps.now());
  const chosen = action.method ? { method: action.method as MergeMethod } : await mergeMethod(deps);
  if ("refused" in chosen) return outcome(chosen);
  return outcome(await mergeNow(deps, action, chosen.method, "nothing left to wait for"));
}

/**
 * Perform one action idempotently: every create tolerates "already exists" and finds what is there. Returns what the
 * state must remember of GitHub's answer, when anything.
 */
export async function act(deps: EngineDeps, observed: Observed, action: Action): Promise<ActOutcome | undefined> {
  const { port } = deps;
  const { snapshot } = observed;
  switch (action.kind) {
    case "open": {
      const { step } = action;
      const sha = await port.createCommit(action.baseSha, action.changes, stepMessage(snapshot.issue, step));
      const index = snapshot.steps.findIndex((s) => s.id === step.id);
      const body = renderPrBody({
        issue: snapshot.issue,
        step,
        index: Math.max(0, index),
        total: snapshot.steps.length,
        previousPr: action.previousPr,
        changes: action.changes,
        version: observed.request?.version ?? "",
        ...(action.rollbackOf ? { rollbackOf: action.rollbackOf } : {}),
        ...(snapshot.automerge?.includes(step.id) && !action.rollbackOf ? { automerge: true } : {}),
        ...(index === 0 && !action.rollbackOf && observed.request
          ? { openedFor: openedFor(observed.request, deps.signer(snapshot.issue)) }
          : {}),
      });
      const draft = step.kind === "prepare" && !action.rollbackOf;
      const pull: NewPull = {
        branch: step.branch,
        title: step.title,
        body,
        draft,
        ...(draft ? { wipTitle: stepTitle(snapshot.issue, `[WIP] ${step.summary}`) } : {}),
      };
      let opened: PullInfo | undefined;
      let created: boolean;
      if (action.branchFree) {
        // No branch of this name was there: branch, PR and the guard's verdict on it go to GitHub in one request.
        const check = await ownVerdict(deps, observed, step.id);
        const answer = await port.openStep({
          branch: step.branch,
          sha,
          pull,
          ...(check ? { check: { name: GUARD_NAME, run: check } } : {}),
        });
        created = answer.branch;
        opened = answer.pull;
      } else created = await port.createBranch(step.branch, sha);
      // The branch was there: the step's PR may have been opened since this reconcile looked, by another replica or by
      // this one's request that failed after GitHub took it. Open, it is this step's (labelled below); merged already
      // (auto-merge with nothing to wait for: GitHub would take a second PR of a squash-merged branch), or a person's,
      // it is left to the next round, which sees it.
      const since = created || opened ? undefined : await port.findPull(step.branch, true);
      const counted = since && !snapshot.hidden.undone.includes(since.number) ? since : undefined;
      if (counted && (counted.state !== "open" || counted.author !== port.botLogin)) return;
      const head = created
        ? sha
        : counted
          ? undefined
          : await bringUp(deps, step.branch, sha, action.baseSha, action.mergedHead);
      if (!opened && head !== undefined && !port.ownCheckRun(head, GUARD_NAME)) {
        // Opened over REST (a branch that was there, a revert): the guard's verdict goes on the head before the PR
        // opens, so the PR never waits on a guard that only its opening webhook, which may be lost, would start.
        const check = await ownVerdict(deps, observed, step.id);
        if (check) await port.createCheckRun(head, GUARD_NAME, check);
      }
      const pr = opened ?? counted ?? (await port.createPull(pull));
      await port.addLabels(pr.number, [MIGRATION_LABEL]);
      // What the first step was opened for, in the state as well as in the PR's body, which a person may rewrite.
      if (index === 0 && !action.rollbackOf && observed.request) {
        const { source, target, version } = observed.request;
        return { step: step.id, record: { opened: { pr: pr.number, source, target, version } } };
      }
      return;
    }
    case "refresh": {
      // Only ever on a branch whose head is Handover's own commit (decide checks): re-plan the step on the new head.
      const message = `${action.step.title}\n\nStep ${action.step.id} of Handover migration #${snapshot.issue}, re-planned on the moved default branch.\nCommitter: ${COMMITTER.name}`;
      // One commit on the new base (a rebase merge refuses merge commits), moved only if the head is still the one
      // observed: a person's push since is never overwritten.
      await port.moveBranch(
        action.step.branch,
        await port.createCommit(action.baseSha, action.changes, message),
        action.headSha,
      );
      return;
    }
    case "delete-branch": {
      // Still the head the PR was closed with, and Handover's commit: nobody's work goes with it.
      const head = await port.getBranch(action.step.branch);
      if (head === action.headSha && (await port.getCommit(head)).committer === COMMITTER.name)
        await port.deleteBranch(action.step.branch);
      return;
    }
    case "reopen":
      try {
        await port.updatePull(action.pr, { state: "open" });
      } catch (err) {
        // GitHub reopens no PR while another is open for its branch: one opened since this round looked (another
        // replica's, taking the same retry, made the branch and its PR at once). That one is the step's PR now: the
        // next round finds it, instead of the migration failing on GitHub's refusal.
        if (classify(err) !== "exists") throw err;
        return { step: action.step.id, record: {}, interrupts: true };
      }
      return;
    case "close": {
      await port.createComment(action.pr, closeComment(snapshot.issue, action.why, action.peopleCommits === true));
      const closed = await port.updatePull(action.pr, { state: "closed" });
      // Merged between the decision and the close (a person's merge and this close race; GitHub keeps the merge): the
      // step is merged, and its branch is left as GitHub leaves a merged PR's.
      if (closed.merged)
        return {
          step: action.step.id,
          record: {
            pr: closed.number,
            mergeSha: closed.mergeCommitSha ?? closed.headSha,
            mergedAt: closed.mergedAt ?? deps.now(),
          },
          interrupts: true,
        };
      await port.deleteBranch(action.step.branch);
      return;
    }
    case "automerge":
      return enableAutoMerge(deps, action);
    case "merge":
      return mergeClean(deps, observed, action);
  }
}

/**
 * The step branch exists (a crash after creating it, another replica, an earlier attempt, or the branch of a PR merged
 * for a plan the issue no longer asks for): bring it up to this step only if its head is Handover's and not already
 * this step on this base (so no commit piles up on every attempt), or is already in the base (a person's commits
 * there are merged: the new head has them in its history), or is the head its merged PR had (`mergedHead`: a squash
 * or rebase merge copied its commits into the base). A person's push the base lacks is never overwritten. Returns the
 * branch's head when it holds exactly the step (`sha`, or Handover's commit of the same tree on the same base), and
 * undefined when it was left at a person's head.
 */
async function bringUp(
  deps: EngineDeps,
  branch: string,
  sha: string,
  baseSha: string,
  mergedHead?: string,
): Promise<string | undefined> {
  const { port } = deps;
  const existing = await port.getBranch(branch);
  if (!existing || existing === sha) return existing;
  const head = await port.getCommit(existing);
  const mine = head.committer === COMMITTER.name;
  const current =
    mine && head.parents.length === 1 && head.parents[0] === baseSha && head.tree === (await port.getCommit(sha)).tree;
  if (current) return existing;
  if (!(mine || existing === mergedHead || (await port.contains(baseSha, existing)))) return undefined;
  await port.moveBranch(branch, sha, existing);
  return sha;
}

/**
 * The guard's verdict on the step PR about to open, made here from the trees observe already checked (the same verdict
 * the guard reaches on the PR's head, with the same locks of the other active migrations), so the check run goes with
 * the PR and the guard reads nothing back. Undefined when the trees were not kept: the guard then judges the PR itself.
 */
async function ownVerdict(deps: EngineDeps, observed: Observed, stepId: string): Promise<GuardRun | undefined> {
  const { rollback } = observed.snapshot;
  const view = observed.snapshot.views.get(stepId) ?? (rollback?.view.step.id === stepId ? rollback.view : undefined);
  if (!view?.trees || !view.changes) return undefined;
  // Only this migration open (the usual case): no other lock, nothing more to read; its own lock never counts.
  const locks = await activeLocks(deps.port, observed.permissions.permission, observed.snapshot.issue);
  // No other migration active: the violations observe found on the step's tree are the guard's whole verdict.
  if (locks.length === 0) return verdictOf(view.trees.step, view.trees.violations, []);
  const changed = [...new Set(view.changes.map((c) => c.path))];
  return guardVerdict(view.trees.step, observed.snapshot.issue, locks, changed, view.trees.base);
}

/**
 * Another replica may have recorded commands since we read the dashboard: keep its `handled` ids, audit entries and
 * undone PRs, so a command it applied is never applied again (GitHub comments have no compare-and-swap; this narrows
 * the window).
 */
async function withConcurrentRecords(deps: EngineDeps, observed: Observed, hidden: HiddenState): Promise<HiddenState> {
  const sign = deps.signer(observed.issue.number);
  const read = (body: string) => {
    const found = readState(body, sign);
    return found.kind === "ok" ? found.state : undefined;
  };
  const before = observed.dashboard ? read(observed.dashboard.body) : undefined;
  const known = new Set(before?.handled ?? []);
  if (!hidden.handled.some((id) => !known.has(id))) return hidden;
  const current = findDashboard(
    await deps.port.listComments(observed.issue.number, true),
    deps.port.botLogin,
  ).dashboard;
  const theirs = current && current.body !== observed.dashboard?.body ? read(current.body) : undefined;
  if (!theirs) return hidden;
  const seen = new Set(hidden.audit.map((a) => `${a.at}|${a.user}|${a.command}`));
  return {
    ...hidden,
    handled: [...new Set([...hidden.handled, ...theirs.handled])].sort((x, y) => x - y),
    handledBelow: Math.max(hidden.handledBelow, theirs.handledBelow),
    // PRs a rollback closed on the other replica no longer count as their steps' PRs here either.
    undone: [...new Set([...hidden.undone, ...theirs.undone])],
    audit: [...hidden.audit, ...theirs.audit.filter((a) => !seen.has(`${a.at}|${a.user}|${a.command}`))]
      .sort((x, y) => x.at - y.at)
      .slice(-100),
  };
}

/**
 * The dashboard body within GitHub's comment limit: the renderer fits its text to what the state leaves, and when even
 * its shortest form does not fit, the oldest audit entries of the state go (at most 100 are kept anyway).
 */
export function dashboardBody(snapshot: Snapshot, phase: Phase, hidden: HiddenState, sign?: StateSigner): string {
  let kept = hidden;
  for (;;) {
    const budget = DASHBOARD_MAX - encodeState(kept, sign).length - 1;
    const body = withStateBlock(renderDashboard(snapshot, phase, kept, budget), kept, sign);
    if (body.length <= DASHBOARD_MAX || kept.audit.length === 0) return body;
    kept = { ...kept, audit: kept.audit.slice(Math.ceil(kept.audit.length / 4)) };
  }
}

/**
 * Write the dashboard only when its text changed; remove duplicates a racing replica created. Returns the dashboard
 * comment as it now is on GitHub (the observation itself is never changed). `written` is the state as written when a
 * write happens anyway (what it may leave out costs no write of its own); the same object when it leaves out nothing.
 */
export async function ensureDashboard(
  deps: EngineDeps,
  observed: Observed,
  decision: Decision,
  written: (hidden: HiddenState) => HiddenState = (hidden) => hidden,
): Promise<CommentInfo> {
  const hidden = await withConcurrentRecords(deps, observed, decision.hidden);
  const sign = deps.signer(observed.issue.number);
  let body = dashboardBody(observed.snapshot, decision.phase, hidden, sign);
  const { port } = deps;
  let dashboard = observed.dashboard;
  const kept = written(hidden);
  if (kept !== hidden && dashboard?.body !== body) body = dashboardBody(observed.snapshot, decision.phase, kept, sign);
  if (!dashboard) {
    const id = await port.createComment(observed.issue.number, body);
    dashboard = { id, body, author: port.botLogin, authorIsBot: true, createdAt: deps.now(), edited: false };
  } else if (dashboard.body !== body) {
    await port.updateComment(dashboard.id, body);
    dashboard = { ...dashboard, body };
  }
  for (const extra of observed.extraDashboards) await port.deleteComment(extra.id);
  return dashboard;
}

/** The labels Handover uses, created when the repo lacks them (so the issue form's `handover` label applies next time). */
export const LABEL_SPECS: readonly LabelSpec[] = [
  { name: MIGRATION_LABEL, color: "1d76db", description: "A Replicante Core migration run by Handover" },
  ...STATUS_LABELS.map((name) => ({
    name,
    color: LABEL_COLORS[name],
    description: `Handover migration state: ${name.slice("handover:".length)}`,
  })),
];

const isStatus = (label: string): boolean => (STATUS_LABELS as readonly string[]).includes(label.toLowerCase());

/** `labels` with `label` as the one status label and the migration label; every other label is kept as it is. */
export function labelsWith(labels: readonly string[], label: string): string[] {
  const kept = labels.filter((l) => !isStatus(l) || l.toLowerCase() === label);
  const has = (name: string) => kept.some((l) => l.toLowerCase() === name);
  return [...kept, ...[MIGRATION_LABEL, label].filter((l) => !has(l))];
}

const sameLabels = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((l) => b.some((m) => m.toLowerCase() === l.toLowerCase()));

/**
 * Exactly one status label, and the migration label (an issue taken by its form's shape lacks it), in one write: a
 * POST when labels are only added, else one PUT of the whole set (the repo's missing labels are created first).
 * GitHub has no compare-and-set on labels, so a PUT's set comes from a fresh read (a free 304 when nothing changed):
 * a label a person added since the observation, a freeze label say, is kept. Names compare case-insensitively.
 */
export async function ensureLabel(deps: EngineDeps, observed: Observed, label: string): Promise<void> {
  const { port } = deps;
  const labels = observed.issue.labels;
  const wanted = labelsWith(labels, label);
  if (sameLabels(labels, wanted)) return;
  const missing = wanted.filter((l) => !labels.some((m) => m.toLowerCase() === l.toLowerCase()));
  if (missing.length > 0) await port.ensureLabels(LABEL_SPECS.filter((spec) => missing.includes(spec.name)));
  if (wanted.length === labels.length + missing.length) {
    await port.addLabels(observed.issue.number, missing);
    return;
  }
  const fresh = (await port.getIssue(observed.issue.number, true)).labels;
  const set = labelsWith(fresh, label);
  if (!sameLabels(fresh, set)) await port.setLabels(observed.issue.number, set);
}

/** Reactions (idempotent on GitHub) and replies for the commands just applied, after their decisions were saved. */
export async function sendFeedback(deps: EngineDeps, feedback: CommandFeedback[]): Promise<void> {
  const replied = new Map<number, string[]>();
  for (const item of feedback) {
    try {
      await sendOne(deps, item, replied);
    } catch (err) {
      // A comment deleted since (404) or a locked conversation (403, 422) cannot get its feedback: that must not hold
      // back the feedback of later commands. A transient error or a bug keeps the outbox, so all is sent again later.
      const kind = classify(err);
      if (RETRYABLE.includes(kind) || kind === "bug") throw err;
    }
  }
}

async function sendOne(deps: EngineDeps, item: CommandFeedback, replied: Map<number, string[]>): Promise<void> {
  await deps.port.addReaction(item.commentId, item.reaction);
  if (!item.reply) return;
  // A racing replica may have answered the same command already: one reply per command.
  if (!replied.has(item.on))
    replied.set(
      item.on,
      (await deps.port.listComments(item.on)).filter((c) => c.author === deps.port.botLogin).map((c) => c.body),
    );
  if (replied.get(item.on)?.some((body) => body.startsWith(replyMarker(item.commentId)))) return;
  await deps.port.createComment(item.on, item.reply);
}
