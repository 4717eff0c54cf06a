import { renderDashboard } from "../render/dashboard.js";
import { closeComment } from "../render/phase.js";
import { renderPrBody } from "../render/pr.js";
import type { Action, Decision } from "./types.js";
import type { CommandFeedback } from "./commands.js";
import { decodeState, withStateBlock, type HiddenState } from "./state.js";
import { COMMITTER, type CommentInfo } from "../github/port.js";
import { findDashboard, type EngineDeps, type Observed } from "./observe.js";
import { MIGRATION_LABEL, replyMarker, STATUS_LABELS } from "../spec/markers.js";

/** Perform one action idempotently: every create tolerates "already exists" and finds what is there. */
export async function act(deps: EngineDeps, observed: Observed, action: Action): Promise<void> {
  const { port } = deps;
  const { snapshot } = observed;
  switch (action.kind) {
    case "open": {
      const { step } = action;
      const message = `${step.title}\n\nStep ${step.id} of Handover migration #${snapshot.issue}.\nCommitter: ${COMMITTER.name}`;
      const sha = await port.createCommit(action.baseSha, action.changes, message);
      if (!(await port.createBranch(step.branch, sha))) {
        // The branch exists (a crash after creating it, another replica, or an earlier attempt). Bring it up to this
        // step only if its head is Handover's, and only by a fast-forward: a person's push in between is never lost.
        const existing = await port.getBranch(step.branch);
        if (existing && existing !== sha && (await port.getCommit(existing)).committer === COMMITTER.name) {
          await port.moveBranch(
            step.branch,
            await port.createCommit(action.baseSha, action.changes, message, existing),
          );
        }
      }
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
      });
      const pr = await port.createPull({
        branch: step.branch,
        title: step.title,
        body,
        draft: step.kind === "prepare" && !action.rollbackOf,
      });
      await port.addLabels(pr.number, [MIGRATION_LABEL]);
      return;
    }
    case "refresh": {
      // Only ever on a branch whose head is Handover's own commit (decide checks): re-plan the step on the new head.
      const message = `${action.step.title}\n\nStep ${action.step.id} of Handover migration #${snapshot.issue}, re-planned on the moved default branch.\nCommitter: ${COMMITTER.name}`;
      // The observed head is a parent of the new commit: the move is a fast-forward only if nobody pushed since.
      await port.moveBranch(
        action.step.branch,
        await port.createCommit(action.baseSha, action.changes, message, action.headSha),
      );
      return;
    }
    case "reopen":
      await port.updatePull(action.pr, { state: "open" });
      return;
    case "close":
      await port.createComment(action.pr, closeComment(snapshot.issue, action.why));
      await port.updatePull(action.pr, { state: "closed" });
      await port.deleteBranch(action.step.branch);
      return;
  }
}

/**
 * Another replica may have recorded commands since we read the dashboard: keep its `handled` ids and audit entries,
 * so a command it applied is never applied again (GitHub comments have no compare-and-swap; this narrows the window).
 */
async function withConcurrentRecords(deps: EngineDeps, observed: Observed, hidden: HiddenState): Promise<HiddenState> {
  const before = observed.dashboard ? decodeState(observed.dashboard.body) : undefined;
  const known = new Set(before?.handled ?? []);
  if (!hidden.handled.some((id) => !known.has(id))) return hidden;
  const current = findDashboard(await deps.port.listComments(observed.issue.number), deps.port.botLogin).dashboard;
  const theirs = current && current.body !== observed.dashboard?.body ? decodeState(current.body) : undefined;
  if (!theirs) return hidden;
  const seen = new Set(hidden.audit.map((a) => `${a.at}|${a.user}|${a.command}`));
  return {
    ...hidden,
    handled: [...new Set([...hidden.handled, ...theirs.handled])].sort((x, y) => x - y),
    handledBelow: Math.max(hidden.handledBelow, theirs.handledBelow),
    audit: [...hidden.audit, ...theirs.audit.filter((a) => !seen.has(`${a.at}|${a.user}|${a.command}`))]
      .sort((x, y) => x.at - y.at)
      .slice(-100),
  };
}

/**
 * Write the dashboard only when its text changed; remove duplicates a racing replica created. Returns the dashboard
 * comment as it now is on GitHub (the observation itself is never changed).
 */
export async function ensureDashboard(deps: EngineDeps, observed: Observed, decision: Decision): Promise<CommentInfo> {
  const hidden = await withConcurrentRecords(deps, observed, decision.hidden);
  const body = withStateBlock(renderDashboard(observed.snapshot, decision.phase, hidden), hidden);
  const { port } = deps;
  let dashboard = observed.dashboard;
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

/** Exactly one status label: add the wanted one, remove the others that are there. */
export async function ensureLabel(deps: EngineDeps, observed: Observed, label: string): Promise<void> {
  const labels = observed.issue.labels;
  if (!labels.includes(label)) await deps.port.addLabels(observed.issue.number, [label]);
  for (const stale of labels.filter((l) => l !== label && (STATUS_LABELS as readonly string[]).includes(l)))
    await deps.port.removeLabel(observed.issue.number, stale);
}

/** Reactions (idempotent on GitHub) and replies for the commands just applied, after their decisions were saved. */
export async function sendFeedback(deps: EngineDeps, feedback: CommandFeedback[]): Promise<void> {
  const replied = new Map<number, string[]>();
  for (const item of feedback) {
    await deps.port.addReaction(item.commentId, item.reaction);
    if (!item.reply) continue;
    // A racing replica may have answered the same command already: one reply per command.
    if (!replied.has(item.on))
      replied.set(
        item.on,
        (await deps.port.listComments(item.on)).filter((c) => c.author === deps.port.botLogin).map((c) => c.body),
      );
    if (replied.get(item.on)?.some((body) => body.startsWith(replyMarker(item.commentId)))) continue;
    await deps.port.createComment(item.on, item.reply);
  }
}
