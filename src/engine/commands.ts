import {
  authorize,
  helpText,
  parseCommand,
  type Command,
  type CommandPermissions,
  type TeamStanding,
} from "../chatops/index.js";
import type { PlannedStep } from "../plan/index.js";
import { code } from "../render/markdown.js";
import type { CommentInfo, Permission, Reaction } from "../spec/github.js";
import { phaseHold, stepDone, STRAY_LIMIT, type Phase } from "./types.js";
import type { AuditEntry, HiddenState } from "./state.js";
import { replyMarker } from "../spec/markers.js";
import { checkLines, phaseWords } from "../render/phase.js";
import type { GateCheckResult } from "../health/index.js";

export interface CommandContext {
  now: number;
  permissions: CommandPermissions;
  steps: PlannedStep[];
  phase: Phase | undefined;
  /** Steps handover.yml holds for `/handover approve`. */
  approvals?: string[];
  /** The commenter's standing with `commands.approvers` (read only for an approve they lack the permission for). */
  standing?: TeamStanding;
  /** The checks of the gate running now, as last read (the dashboard does not follow them; the status reply does). */
  checks?: GateCheckResult[];
  /** Steps GitHub shows merged that the hidden state has not recorded yet (a rollback reverts the last merged). */
  merged?: string[];
}

export interface CommandFeedback {
  commentId: number;
  /** Where to reply: the issue or PR the comment was made on. */
  on: number;
  reaction: Reaction;
  reply?: string;
}

export interface PendingCommand {
  comment: CommentInfo;
  on: number;
}

/** The `/handover status` reply: the phase's headline (live), each check of a running gate, and the next step. */
function statusText(phase: Phase, checks: GateCheckResult[] = []): string {
  const words = phaseWords(phase);
  return [`**${words.headline}**`, ...(checks.length ? [checkLines(checks)] : []), words.next].join("\n\n");
}

/** Comments that carry a `/handover` line and were not applied yet. */
export function pendingCommands(comments: PendingCommand[], hidden: HiddenState, botLogin: string): PendingCommand[] {
  return comments
    .filter(({ comment }) => comment.id > hidden.handledBelow && !hidden.handled.includes(comment.id))
    .filter(({ comment }) => !comment.authorIsBot && comment.author !== botLogin && !comment.edited)
    .filter(({ comment }) => parseCommand(comment.body).kind !== "none")
    .sort((a, b) => a.comment.createdAt - b.comment.createdAt || a.comment.id - b.comment.id);
}

const HANDLED_KEPT = 500;
/** The hidden state keeps the newest audit entries, each field cut, so the dashboard stays under GitHub's limit. */
export const AUDIT_KEPT = 100;
const AUDIT_TEXT_MAX = 200;

function cut(text: string): string {
  return text.length > AUDIT_TEXT_MAX ? `${text.slice(0, AUDIT_TEXT_MAX - 1)}…` : text;
}

/** Keep the newest ids; everything older is covered by `handledBelow` (ids only grow), so nothing is applied twice. */
function trimHandled(handled: number[], handledBelow: number): { handled: number[]; handledBelow: number } {
  const sorted = [...handled].sort((a, b) => a - b);
  const dropped = sorted.slice(0, Math.max(0, sorted.length - HANDLED_KEPT));
  return { handled: sorted.slice(dropped.length), handledBelow: Math.max(handledBelow, ...dropped) };
}

type Effect = { hidden: HiddenState; result: AuditEntry["result"]; note: string; reaction: Reaction; reply?: string };

/** The step a step-less command is about: the first one not done. */
function currentStep(hidden: HiddenState, steps: PlannedStep[]): PlannedStep | undefined {
  return steps.find((s) => !stepDone(hidden, s));
}

function stepArg(command: Command, hidden: HiddenState, steps: PlannedStep[]): PlannedStep | string {
  if (command.step)
    return (
      steps.find((s) => s.id === command.step) ??
      `there is no step ${command.step} (steps: ${steps.map((s) => s.id).join(", ")})`
    );
  return currentStep(hidden, steps) ?? "every step is done";
}

function patchStep(hidden: HiddenState, id: string, patch: Record<string, unknown>, drop: string[] = []): HiddenState {
  const rec: Record<string, unknown> = { ...(hidden.steps[id] ?? {}), ...patch };
  for (const key of drop) delete rec[key];
  return { ...hidden, steps: { ...hidden.steps, [id]: rec } };
}

const refused = (hidden: HiddenState, note: string): Effect => ({
  hidden,
  result: "invalid",
  note,
  reaction: "confused",
  reply: note,
});
const applied = (hidden: HiddenState, note: string, reply?: string): Effect => ({
  hidden,
  result: "applied",
  note,
  reaction: "rocket",
  ...(reply ? { reply } : {}),
});

function effectOf(command: Command, user: string, hidden: HiddenState, ctx: CommandContext): Effect {
  const at = ctx.now;
  switch (command.verb) {
    case "help":
      return applied(hidden, "help shown", helpText(ctx.permissions));
    case "status":
      return applied(
        hidden,
        "status shown",
        ctx.phase ? statusText(ctx.phase, ctx.checks) : "Handover has not looked at this migration yet.",
      );
    case "pause":
      return hidden.paused
        ? refused(hidden, `already paused by @${hidden.paused.by}`)
        : applied(
            { ...hidden, paused: { by: user, at } },
            "paused: no new PR opens and no gate advances until `/handover resume`",
          );
    case "resume":
      if (hidden.paused) return applied({ ...hidden, paused: null }, "resumed");
      return refused(
        hidden,
        hidden.rollback
          ? `the migration is not paused yet: the rollback of ${hidden.rollback.step} pauses it once its revert PR merged and its gate passed; resume then`
          : "the migration is not paused",
      );
    case "abort":
      if (hidden.aborted) return refused(hidden, `already aborted by @${hidden.aborted.by}`);
      return applied(
        { ...hidden, blocked: null, aborted: { by: user, at, reason: command.reason ?? "" } },
        `aborted${command.reason ? `: ${command.reason}` : ""}; the open step PR is closed and its branch deleted`,
      );
    case "decommission": {
      if (hidden.decommission)
        return refused(hidden, `decommission was already approved by @${hidden.decommission.by}`);
      const next = { ...hidden, decommission: { by: user, at } };
      const adoptsDone = ctx.steps.filter((s) => s.kind !== "decommission").every((s) => stepDone(hidden, s));
      return adoptsDone
        ? applied(next, "decommission approved: its PR opens now")
        : {
            hidden: next,
            result: "recorded",
            note: "decommission approved; its PR opens once every adopt gate has passed",
            reaction: "eyes",
          };
    }
    case "approve": {
      const step = stepArg(command, hidden, ctx.steps);
      if (typeof step === "string") return refused(hidden, `nothing to approve: ${step}`);
      if (!ctx.approvals?.includes(step.id))
        return refused(hidden, `${step.id} does not wait for approval (handover.yml \`approve\` and \`groups\`)`);
      if (stepDone(hidden, step)) return refused(hidden, `${step.id} is done already`);
      const approved = hidden.steps[step.id]?.approved;
      if (approved) return refused(hidden, `${step.id} was already approved by @${approved.by}`);
      const next = patchStep(hidden, step.id, { approved: { by: user, at } });
      return ctx.phase && phaseHold(ctx.phase)?.kind === "approval" && ctx.phase.current === step.id
        ? applied(next, `${step.id} approved: its PR opens now`)
        : {
            hidden: next,
            result: "recorded",
            note: `${step.id} approved: its PR opens once the previous gate passes`,
            reaction: "eyes",
          };
    }
    case "retry": {
      // An error retrying could not fix: the operator says its cause is fixed, so the failed request is made again.
      if (hidden.blocked)
        return applied({ ...hidden, blocked: null }, `retrying ${hidden.blocked.request ?? "after the error"}`);
      const step = stepArg(command, hidden, ctx.steps);
      if (typeof step === "string") return refused(hidden, `nothing to retry: ${step}`);
      const rec = hidden.steps[step.id] ?? {};
      if (rec.failed)
        return applied(
          patchStep(hidden, step.id, { windowStart: at }, ["failed"]),
          `gate of ${step.id} re-evaluated from now`,
        );
      // Stopped after PRs that merged without its changes: the operator checked why, and asks for one more.
      if ((rec.stray?.length ?? 0) >= STRAY_LIMIT)
        return applied(patchStep(hidden, step.id, {}, ["stray"]), `${step.id}: opened once more`);
      const reason = ctx.phase?.current === step.id ? ctx.phase.reason : undefined;
      if (reason?.kind === "closed-unmerged") {
        const reopen = patchStep(hidden, step.id, { reopen: true });
        // Paused by someone: nothing reopens until they resume (a resume's reconcile reopens it, once).
        if (hidden.paused)
          return {
            hidden: reopen,
            result: "recorded",
            note: `${step.id}: its PR #${reason.pr} reopens once the migration is resumed (\`/handover resume\`)`,
            reaction: "eyes",
          };
        return applied(reopen, `${step.id}: its PR is reopened`);
      }
      return refused(hidden, `nothing to retry: ${step.id} has not failed`);
    }
    case "skip": {
      const step = stepArg(command, hidden, ctx.steps);
      if (typeof step === "string") return refused(hidden, `nothing to skip: ${step}`);
      const rec = hidden.steps[step.id] ?? {};
      if (step.kind === "decommission") return refused(hidden, "decommission has no gate to skip");
      if (rec.mergeSha === undefined && rec.noDiff === undefined) {
        return refused(
          hidden,
          `the gate of ${step.id} cannot be skipped before its PR is merged (skip overrides a gate, not a review)`,
        );
      }
      return applied(
        patchStep(hidden, step.id, { skipped: { by: user, at } }, ["failed"]),
        `gate of ${step.id} skipped by override`,
      );
    }
    case "rollback": {
      if (hidden.rollback) return refused(hidden, `a rollback of ${hidden.rollback.step} is already in progress`);
      const merged = [...ctx.steps]
        .reverse()
        .find((s) => hidden.steps[s.id]?.mergeSha !== undefined || ctx.merged?.includes(s.id));
      if (!merged) return refused(hidden, "nothing to roll back: no step PR is merged yet");
      if (merged.kind === "decommission")
        return refused(hidden, "the migration is complete: the decommission cannot be rolled back by Handover");
      const attempt = (hidden.rollbacks[merged.id] ?? 0) + 1;
      return applied(
        { ...hidden, rollback: { step: merged.id, attempt, by: user, at } },
        `rolling back ${merged.id}: a revert PR opens, checked by the invariant and gated like any step; the chain pauses after it`,
      );
    }
  }
}

/** Apply one command comment: authorize, record the decision (once, by comment id) and say what happened. */
export function applyCommand(
  pending: PendingCommand,
  permission: Permission,
  hidden: HiddenState,
  ctx: CommandContext,
): { hidden: HiddenState; feedback: CommandFeedback } {
  const { comment } = pending;
  const parsed = parseCommand(comment.body);
  const done = (next: HiddenState, entry: Omit<AuditEntry, "at" | "user">, reaction: Reaction, reply?: string) => ({
    hidden: {
      ...next,
      ...trimHandled([...next.handled, comment.id], next.handledBelow),
      audit: [
        ...next.audit,
        { at: ctx.now, user: comment.author, ...entry, command: cut(entry.command), note: cut(entry.note) },
      ].slice(-AUDIT_KEPT),
    },
    feedback: {
      commentId: comment.id,
      on: pending.on,
      reaction,
      ...(reply ? { reply: `${replyMarker(comment.id)}\n@${comment.author} ${reply}` } : {}),
    },
  });
  if (parsed.kind === "unknown") {
    return done(
      hidden,
      { command: parsed.line, result: "unknown", note: `unknown command ${parsed.word}` },
      "confused",
      `${code(parsed.word)} is not a Handover command.\n\n${helpText(ctx.permissions)}`,
    );
  }
  if (parsed.kind === "invalid")
    return done(hidden, { command: parsed.line, result: "invalid", note: parsed.message }, "confused", parsed.message);
  if (parsed.kind !== "command")
    return done(hidden, { command: "", result: "invalid", note: "no command" }, "confused");
  const command = parsed.command;
  const auth = authorize(command.verb, permission, ctx.permissions, comment.author, ctx.standing);
  if (!auth.ok)
    return done(
      hidden,
      { command: command.line, result: "refused", note: `needs ${auth.needed}, has ${auth.has}` },
      "-1",
      auth.message,
    );
  const effect = effectOf(command, comment.author, hidden, ctx);
  const as =
    auth.team && effect.result !== "invalid" ? ` (as a member of ${auth.team}, with ${permission} permission)` : "";
  return done(
    effect.hidden,
    { command: command.line, result: effect.result, note: `${effect.note}${as}` },
    effect.reaction,
    effect.reply,
  );
}
