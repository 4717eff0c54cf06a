import { renderDashboard } from "../render/dashboard.js";
import { renderPrBody } from "../render/pr.js";
import type { Action, Decision } from "./decide.js";
import { LABELS } from "./decide.js";
import type { CommandFeedback } from "./commands.js";
import { COMMITTER } from "../github/port.js";
import { MIGRATION_LABEL, type EngineDeps, type Observed } from "./observe.js";

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
          await port.moveBranch(step.branch, await port.createCommit(action.baseSha, action.changes, message, existing));
        }
      }
      const index = snapshot.steps.findIndex((s) => s.id === step.id);
      const body = renderPrBody({
        issue: snapshot.issue, step, index: Math.max(0, index), total: snapshot.steps.length, previousPr: action.previousPr, changes: action.changes,
        version: observed.request?.version ?? "", ...(action.rollbackOf ? { rollbackOf: action.rollbackOf } : {}),
      });
      const pr = await port.createPull({ branch: step.branch, title: step.title, body, draft: step.kind === "prepare" && !action.rollbackOf });
      await port.addLabels(pr.number, [MIGRATION_LABEL]);
      return;
    }
    case "refresh": {
      // Only ever on a branch whose head is Handover's own commit (decide checks): re-plan the step on the new head.
      const message = `${action.step.title}\n\nStep ${action.step.id} of Handover migration #${snapshot.issue}, re-planned on the moved default branch.\nCommitter: ${COMMITTER.name}`;
      // The observed head is a parent of the new commit: the move is a fast-forward only if nobody pushed since.
      await port.moveBranch(action.step.branch, await port.createCommit(action.baseSha, action.changes, message, action.headSha));
      return;
    }
    case "reopen":
      await port.updatePull(action.pr, { state: "open" });
      return;
    case "close":
      await port.createComment(action.pr, action.comment);
      await port.updatePull(action.pr, { state: "closed" });
      await port.deleteBranch(action.step.branch);
      return;
  }
}

/** Write the dashboard only when its text changed; remove duplicates a racing replica created. */
export async function ensureDashboard(deps: EngineDeps, observed: Observed, decision: Decision): Promise<void> {
  const body = renderDashboard(observed.snapshot, decision.phase, decision.hidden);
  const { port } = deps;
  if (!observed.dashboard) {
    const id = await port.createComment(observed.issue.number, body);
    observed.dashboard = { id, body, author: port.botLogin, authorIsBot: true, createdAt: deps.now(), edited: false };
  } else if (observed.dashboard.body !== body) {
    await port.updateComment(observed.dashboard.id, body);
    observed.dashboard = { ...observed.dashboard, body };
  }
  for (const extra of observed.extraDashboards) await port.deleteComment(extra.id);
  observed.extraDashboards = [];
}

/** Exactly one status label: add the wanted one, remove the others that are there. */
export async function ensureLabel(deps: EngineDeps, observed: Observed, label: string): Promise<void> {
  const labels = observed.issue.labels;
  if (!labels.includes(label)) await deps.port.addLabels(observed.issue.number, [label]);
  for (const stale of labels.filter((l) => l !== label && (LABELS as readonly string[]).includes(l))) await deps.port.removeLabel(observed.issue.number, stale);
  observed.issue = { ...observed.issue, labels: [...labels.filter((l) => !(LABELS as readonly string[]).includes(l)), label] };
}

/** Reactions and replies for the commands just applied (after their decisions were saved). */
export async function sendFeedback(deps: EngineDeps, feedback: CommandFeedback[]): Promise<void> {
  for (const item of feedback) {
    await deps.port.addReaction(item.commentId, item.reaction);
    if (item.reply) await deps.port.createComment(item.on, item.reply);
  }
}
