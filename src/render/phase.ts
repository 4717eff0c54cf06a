import type { AutoMergeView, CloseReason, Phase, PhaseReason, ScheduleHold } from "../engine/types.js";
import { describeInstant } from "../schedule/index.js";
import { formatClock, type GateCheckResult } from "../health/index.js";
import { escapeText } from "./markdown.js";

/** What the dashboard says about a phase: a headline, what to do next, and the problems to fix (if several). */
export interface PhaseWords {
  headline: string;
  /** What the operator can do now ("" when nothing). */
  next: string;
  problems?: string[];
}

const RETRY_ABORT =
  "`/handover retry` to try again, `/handover rollback` to revert the last merged step, or `/handover abort` to stop";
const PEOPLE = " It has commits pushed by people; Handover leaves them as they are.";
const BEHIND =
  " The default branch moved since, and this repo requires a PR to be up to date with it before it merges.";
const CONFLICT = " It conflicts with the default branch.";
const UPDATE_BRANCH = 'Press "Update branch" on it (or rebase it)';
const DRAFT = " It is a draft: fill in every REPLACE-ME (the new cluster's own dependencies), then mark it ready.";

function soakEnds(at: number | undefined): string {
  return at === undefined ? "" : ` (soak ends ${formatClock(at)} if it stays green)`;
}

/** Why a step PR handover.yml marks for auto-merge waits for a person after all. */
function autoMergeNote(view: AutoMergeView): string {
  if (view.state === "refused") return ` Auto-merge could not be enabled: ${escapeText(view.reason)}.`;
  if (view.state === "off") return " Auto-merge was turned off on the PR, so a person merges it.";
  if (view.state === "people-commits")
    return " Auto-merge is not enabled: people pushed to the branch, so a person merges it.";
  return "";
}

/** A step that could open waits for an approval, a change window or the end of a freeze. */
function heldWords(hold: ScheduleHold, step: string): PhaseWords {
  if (hold.kind === "approval")
    return {
      headline: `${step} waits for approval before its PR opens.`,
      next: `Someone with **${hold.permission}** permission or more${hold.teams?.length ? `, or a member of ${hold.teams.map((t) => `@${t}`).join(" or ")},` : ""} comments \`/handover approve\`.`,
    };
  const when = hold.kind !== "label" && hold.until !== undefined ? describeInstant(hold.until, hold.zone) : undefined;
  const headline =
    hold.kind === "label"
      ? `Frozen: ${step} opens once the label \`${hold.label}\` is removed from this issue.`
      : hold.kind === "freeze"
        ? `Frozen (${hold.freeze}): ${step} opens ${when ? `at ${when}` : "when the freeze ends"}.`
        : `Outside the change windows (${hold.windows.join("; ")}): ${step} opens ${when ? `at ${when}` : "in the next window"}.`;
  return { headline, next: "Nothing to do: it opens by itself then. `/handover pause` holds it longer." };
}

type Words = {
  [K in PhaseReason["kind"]]: (reason: Extract<PhaseReason, { kind: K }>, step: string, live: boolean) => PhaseWords;
};

/**
 * The dashboard is edited when the phase changes, not each time a check turns green or a soak runs down (that would be
 * three more writes per step, and as many re-reads of the comments): it names where the live state is instead.
 */
const LIVE = " `/handover status` replies with each check's state now.";

/** One entry per reason decide can give: the only place the dashboard's headlines are written. */
const WORDS: Words = {
  "cannot-start": ({ problems }) => ({
    headline: `Handover cannot start: ${problems.length === 1 ? "1 problem" : `${problems.length} problems`} to fix.`,
    next: "Edit the issue (or fix the repo); Handover re-reads it on every edit.",
    problems,
  }),
  aborted: ({ by, reason }) => ({
    headline: `Aborted by @${by}: ${reason || "no reason given"}.`,
    next: "Nothing more will be opened. File a new issue to start again.",
  }),
  checking: (_, step) => ({ headline: `Checking ${step}.`, next: "" }),
  "gate-failed": ({ reason }, step) => ({
    headline: `Gate of ${step} failed: ${reason}`,
    next: `Fix the cluster, then ${RETRY_ABORT}.`,
  }),
  "awaiting-decommission": ({ cluster }) => ({
    headline: "Every backend moved and every adopt gate passed: the old cluster is ready to be decommissioned.",
    next: `Deleting ${cluster}'s files is a human decision: comment \`/handover decommission\` (needs elevated permission).`,
  }),
  "paused-gate": ({ by }, step) => ({
    headline: `Paused by @${by}: the gate of ${step} is not advanced.`,
    next: "`/handover resume` continues.",
  }),
  "reading-gate": (_, step) => ({ headline: `Reading the gate of ${step}.`, next: "" }),
  "gate-passed": (_, step) => ({ headline: `Gate of ${step} passed.`, next: "" }),
  "gate-waiting": ({ cluster, state, soakEndsAt, deadline }, step, live) => ({
    headline: `Waiting for the ${cluster ?? ""} health gate of ${step}${live ? `: ${state}${soakEnds(soakEndsAt)}` : "."}`,
    next: `Nothing to do: the next step opens by itself once the gate passes (time-out at ${formatClock(deadline)}).${live ? "" : LIVE} \`/handover pause\` holds it.`,
  }),
  "step-problems": ({ problems }, step) => ({
    headline: `Step ${step} cannot be computed on the default branch: ${problems.join("; ")}`,
    next: "Fix the repo (or the issue body); Handover re-checks on every push.",
  }),
  "stray-merges": ({ prs }, step) => ({
    headline: `${prs.map((n) => `#${n}`).join(" and ")} merged without the changes of ${step}, so Handover stopped opening it again: another PR would most likely merge empty too.`,
    next: `Check what the default branch holds of ${step} (a PR retargeted to another branch, a branch protection or merge setting that drops commits), then \`/handover retry ${step}\` opens it once more; \`/handover abort\` stops.`,
  }),
  "step-violations": ({ violations }, step) => ({
    headline: `Step ${step} would break the invariant: ${violations.join("; ")}`,
    next: "Fix the repo so no two clusters share a datastore; Handover re-checks on every push. Nothing was opened.",
  }),
  "paused-before-open": ({ by }, step) => ({
    headline: `Paused by @${by} before opening ${step}.`,
    next: "`/handover resume` continues.",
  }),
  "not-computed": (_, step) => ({ headline: `Step ${step} is not computed yet.`, next: "Handover re-checks shortly." }),
  "no-diff": (_, step) => ({
    headline: `${step}: already on the default branch (skipped, no diff).`,
    next: "Its gate is checked next.",
  }),
  opening: (_, step) => ({ headline: `Opening ${step}.`, next: "Review and merge the pull request." }),
  reopening: ({ pr }) => ({ headline: `Reopening #${pr}.`, next: "Review and merge it." }),
  "closed-unmerged": ({ pr }, step) => ({
    headline: `#${pr} (${step}) was closed without merging: the chain is paused.`,
    next: "Reopen it, or `/handover retry` to have Handover reopen it, or `/handover abort` to stop.",
  }),
  "conflict-with-people": ({ pr }, step) => ({
    headline: `#${pr} (${step}) conflicts with the default branch and has commits pushed by people, so Handover leaves it alone.`,
    next: "Resolve the conflict on the branch by hand; the chain continues once it is merged.",
  }),
  refreshing: ({ pr }, step) => ({
    headline: `The default branch moved under #${pr}: ${step} is re-planned on the new head.`,
    next: "Review and merge it.",
  }),
  "paused-pr-open": ({ by, pr, peopleCommits }, step) => ({
    headline: `Paused by @${by}; #${pr} (${step}) stays open.${peopleCommits ? PEOPLE : ""}`,
    next: "`/handover resume` continues: no gate advances and no PR opens while paused.",
  }),
  review: ({ pr, draft, peopleCommits, autoMerge, behind }, step) =>
    autoMerge?.state === "queued"
      ? {
          headline: `Handover added #${pr} (${step}) to the merge queue: the default branch takes no direct merge. GitHub merges it once the required checks pass on its merge group.`,
          next: "Nothing to do; the gate starts at the merge. Should GitHub take it out of the queue (a check failed on its group, or never reported), fix the cause and add it again with Merge when ready.",
        }
      : autoMerge?.state === "merging"
        ? {
            headline: `#${pr} (${step}) has nothing left to wait for, so GitHub does not auto-merge it: Handover merges it now${autoMerge.method ? ` (${autoMerge.method})` : ""}.`,
            next: "Nothing to do; the gate starts at the merge.",
          }
        : autoMerge?.state === "on" || autoMerge?.state === "enabling"
          ? {
              headline: `#${pr} (${step}) merges by itself (GitHub auto-merge${autoMerge.state === "on" ? `, ${autoMerge.method}` : ""}) once branch protection's required reviews and checks pass.`,
              next: "Nothing to do unless a review is required; the gate starts at the merge. Turn auto-merge off on the PR to merge it yourself. With a merge queue, GitHub adds it to the queue once it can merge, but not again once it left: should it leave, add it again with Merge when ready.",
            }
          : {
              headline: `Waiting for #${pr} (${step}) to be reviewed and merged.${draft ? DRAFT : ""}${peopleCommits ? PEOPLE : ""}${behind ? BEHIND : ""}${autoMerge ? autoMergeNote(autoMerge) : ""}`,
              next: behind
                ? `${UPDATE_BRANCH}, then merge it; the gate starts at the merge.`
                : "Merge it when it looks right; the gate starts at the merge.",
            },
  "rollback-failed": ({ reason }, step) => ({
    headline: `Rollback of ${step} failed: ${reason}`,
    next: "Fix the cluster, then `/handover retry`, or `/handover abort`.",
  }),
  "rolled-back": (_, step) => ({
    headline: `Rolled back ${step}; the chain is paused.`,
    next: `\`/handover resume\` opens ${step} again; \`/handover abort\` stops.`,
  }),
  "rollback-problems": ({ problems }, step) => ({
    headline: `The rollback of ${step} cannot be computed: ${problems.join("; ")}`,
    next: "Fix the repo; Handover re-checks on every push.",
  }),
  "rollback-violations": ({ violations, pr }, step) => ({
    headline: `Rolling back ${step} would break the invariant: ${violations.join("; ")}`,
    next:
      pr === undefined
        ? "Nothing was opened. Fix the repo, or `/handover abort`."
        : `The rollback PR #${pr} was not re-planned on the moved default branch, and cannot merge as it is. Fix the repo, or \`/handover abort\`.`,
  }),
  "rollback-computing": (_, step) => ({ headline: `Computing the rollback of ${step}.`, next: "" }),
  "rollback-opening": (_, step) => ({
    headline: `Opening the rollback of ${step}.`,
    next: "Review and merge the revert PR.",
  }),
  "rollback-review": ({ pr, peopleCommits, conflict, behind }, step) => ({
    headline: `Waiting for the rollback PR #${pr} (${step}) to be reviewed and merged.${peopleCommits ? PEOPLE : ""}${conflict ? CONFLICT : behind ? BEHIND : ""}`,
    next: conflict
      ? "Resolve the conflict on its branch by hand, then merge it to revert; its gate follows like any step."
      : behind
        ? `${UPDATE_BRANCH}, then merge it to revert; its gate follows like any step.`
        : "Merge it to revert; its gate follows like any step.",
  }),
  "rollback-refreshing": ({ pr }, step) => ({
    headline: `The default branch moved under the rollback PR #${pr}: the revert of ${step} is re-planned on the new head.`,
    next: "Review and merge it to revert.",
  }),
  "rollback-cancelled": ({ pr }) => ({
    headline: `The rollback PR #${pr} was closed without merging: rollback cancelled; the chain is paused.`,
    next: "`/handover rollback` to try again, `/handover resume` to go on.",
  }),
  "rollback-overtaken": ({ step: later, pr }, step) => ({
    headline: `The rollback of ${step} was cancelled before its revert opened: ${later}${pr === undefined ? "" : ` (#${pr})`} merged after it was asked, and a rollback reverts only the last merged step. The chain is paused.`,
    next: `\`/handover rollback\` reverts ${later} (run it again for ${step}); \`/handover resume\` goes on without a rollback.`,
  }),
  "rollback-reading-gate": (_, step) => ({ headline: `Reading the gate of the rollback of ${step}.`, next: "" }),
  "rollback-gate-failed": ({ reason }, step) => ({
    headline: `Gate of the rollback of ${step} failed: ${reason}`,
    next: "Fix the cluster, then `/handover abort` or resolve by hand.",
  }),
  "rollback-gate-waiting": ({ cluster, state, soakEndsAt }, step, live) => ({
    headline: `Waiting for the ${cluster ?? ""} health gate of the rollback of ${step}${live ? `: ${state}${soakEnds(soakEndsAt)}` : "."}`,
    next: `Nothing to do: the chain pauses once it passes.${live ? "" : LIVE}`,
  }),
  held: ({ hold }, step) => heldWords(hold, step),
  blocked: ({ error, status, request, message }) =>
    error === "bug"
      ? {
          headline: `Handover stopped on an error that is not GitHub's (a bug in Handover, please report it): ${message}`,
          next: "Retrying by itself would fail the same way, so Handover waits. `/handover retry` tries again (after an upgrade, say); `/handover abort` stops.",
        }
      : {
          headline: `GitHub refused ${request ?? "a request"}${status === undefined ? "" : ` (${status})`}: ${message}`,
          next: "Retrying the same request by itself would fail again, so Handover waits. Fix the cause (a permission, branch protection, a deleted branch or comment), then `/handover retry`; `/handover abort` stops.",
        },
  done: ({ source = "the old cluster", target = "the new cluster" }) => ({
    headline: `Done: every backend moved from ${source} to ${target}, and ${source} is decommissioned.`,
    next: "Close this issue.",
  }),
};

/**
 * The words for a phase: decide gives the reason as data, this writes it. `live: false` (the dashboard) leaves out
 * what changes while the phase does not (a running gate's pending or soaking, when its soak ends).
 */
export function phaseWords(phase: Phase, live = true): PhaseWords {
  const words = WORDS[phase.reason.kind] as (reason: PhaseReason, step: string, live: boolean) => PhaseWords;
  return words(phase.reason, phase.current ?? "", live);
}

export const CHECK_ICON = { success: "✅", pending: "⏳", failure: "❌" } as const;

/** A running gate's checks, one line each with its state now (the `/handover status` reply). */
export function checkLines(checks: readonly GateCheckResult[]): string {
  return checks.map((c) => `- ${CHECK_ICON[c.state]} ${escapeText(c.label)}: ${escapeText(c.detail)}`).join("\n");
}

/** The comment Handover leaves on a step PR it closes. */
export function closeComment(issue: number, why: CloseReason, peopleCommits = false): string {
  const branch = peopleCommits
    ? "The step branch is deleted; its newest commit is a person's, and **Restore branch** on this PR brings the branch back with every commit"
    : "The step branch is deleted";
  if (why.kind === "aborted")
    return `Closed by Handover: @${why.by} aborted the migration (#${issue}): ${escapeText(why.reason || "no reason given")}.\n${branch}; nothing else will be opened.`;
  return `Closed by Handover: @${why.by} is rolling back ${why.step} (#${issue}). This step opens again after \`/handover resume\`.${
    peopleCommits ? `\n${branch}.` : ""
  }`;
}
