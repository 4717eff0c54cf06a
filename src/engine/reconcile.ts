import { classify, errorMessage, failedRequest, RETRYABLE, type GitHubErrorKind } from "../github/errors.js";
import { FirstSeen } from "../spec/lru.js";
import { authorize, parseCommand, teamsCount, type TeamStanding } from "../chatops/index.js";
import type { Permission } from "../spec/github.js";
import type { HandoverConfig } from "../spec/config.js";
import { GUARD_NAME, guardPullRequest } from "../guard/index.js";
import { act, ensureDashboard, ensureLabel, LearnedBeforeFailing, sendFeedback, type ActOutcome } from "./act.js";
import { applyCommand, pendingCommands, type CommandFeedback, type PendingCommand } from "./commands.js";
import { decide } from "./decide.js";
import type { Decision, HiddenState, Phase } from "./types.js";
import { gateUnderWay, type GateCheckResult } from "../health/index.js";
import { observe, observeIssue, type Carried, type EngineDeps, type Observed } from "./observe.js";
import { staleFirstPullNote } from "../render/dashboard.js";
import { withPullNote } from "../spec/markers.js";
import { MAX_ISSUE_BODY } from "../spec/issue.js";

/** Enough rounds to settle a step (merge seen, gate passed, next PR opened) without looping forever. */
const MAX_ROUNDS = 8;

export interface ReconcileResult {
  issue: number;
  resyncMs?: number;
  /** undefined when the issue is not a migration issue */
  decision?: Decision;
  /** An error retrying cannot fix (or a bug), now shown on the dashboard with the request that failed. */
  failure?: { kind: GitHubErrorKind; error: unknown };
  /** Work for the next reconcile of the issue, for the App to do once nothing else waits (observe.ts, `stepAhead`). */
  ahead?: () => Promise<unknown>;
}

/** The longest error message the dashboard shows (GitHub's messages are short; a bug's may not be). */
const MESSAGE_MAX = 300;

/**
 * Show an error that retrying cannot fix on the dashboard (label failed) and stop until `/handover retry`, instead of
 * failing the same way on every event and resync. Throws the original error when even that cannot be written.
 */
async function recordFailure(deps: EngineDeps, issue: number, err: unknown, kind: GitHubErrorKind): Promise<Decision> {
  try {
    // The full view keeps the step table on the dashboard; when reading is what fails, the issue alone will do.
    const observed = await observe(deps, issue).catch(() => observeIssue(deps, issue));
    if (!observed) throw err;
    const status = (err as { status?: unknown } | undefined)?.status;
    const request = failedRequest(err);
    const message = errorMessage(err).slice(0, MESSAGE_MAX);
    const previous = observed.snapshot.hidden.blocked;
    const same = previous?.request === request && previous?.message === message;
    observed.snapshot.hidden = {
      ...observed.snapshot.hidden,
      blocked: {
        // The same error again (every resync) leaves the dashboard as it is.
        at: same && previous ? previous.at : deps.now(),
        kind,
        ...(typeof status === "number" ? { status } : {}),
        ...(request ? { request } : {}),
        message,
      },
    };
    const decision = decide(observed.snapshot);
    await ensureDashboard(deps, observed, decision);
    await ensureLabel(deps, observed, decision.phase.label);
    return decision;
  } catch {
    throw err;
  }
}

/** The commands with no reaction of Handover's: a comment nobody reacted to is read without a request. */
async function unhandledSinceRebuild(deps: EngineDeps, commands: PendingCommand[]): Promise<PendingCommand[]> {
  const reacted = await Promise.all(
    commands.map(async ({ comment }) =>
      comment.reactions === 0 ? false : (await deps.port.reactedBy(comment.id)).includes(deps.port.botLogin),
    ),
  );
  return commands.filter((_, i) => !reacted[i]);
}

async function commandsOf(deps: EngineDeps, observed: Observed): Promise<PendingCommand[]> {
  const onIssue = observed.comments.map((comment) => ({ comment, on: observed.issue.number }));
  const openPrs = [...observed.snapshot.views.values()].flatMap((v) => (v.pr?.state === "open" ? [v.pr.number] : []));
  const onPrs = (
    await Promise.all(
      openPrs.map(async (n) => (await deps.port.listComments(n)).map((comment) => ({ comment, on: n }))),
    )
  ).flat();
  const all = [...onIssue, ...onPrs];
  if (observed.rebuilt) {
    // A state rebuilt from GitHub has no record of what was handled. Every command Handover handled carries its
    // reaction: those are never replayed (they would run with today's permissions, and deleting the dashboard would
    // re-run them). A command without it was never handled (the dashboard's first write failed before it was saved):
    // it is applied now, not silently dropped.
    const hidden = observed.snapshot.hidden;
    const unhandled = new Set(
      (await unhandledSinceRebuild(deps, pendingCommands(all, hidden, deps.port.botLogin))).map((c) => c.comment.id),
    );
    const ids = all.map((c) => c.comment.id);
    const first = Math.min(...unhandled);
    // Below the first command never handled, every comment counts as handled; above it, all but those commands.
    observed.snapshot.hidden = {
      ...hidden,
      handledBelow: Math.max(hidden.handledBelow, ...ids.filter((id) => id < first)),
      handled: [...hidden.handled, ...ids.filter((id) => id > first && !unhandled.has(id))],
    };
    observed.rebuilt = false;
  }
  return pendingCommands(all, observed.snapshot.hidden, deps.port.botLogin);
}

/**
 * A commenter's standing with `commands.approvers`, read from GitHub only for an approve their permission does not
 * allow (one membership request per listed team at most, stopping at the first team they are in).
 */
async function standingOf(
  deps: EngineDeps,
  item: PendingCommand,
  has: Permission,
  permissions: HandoverConfig["commands"],
): Promise<TeamStanding | undefined> {
  const parsed = parseCommand(item.comment.body);
  if (parsed.kind !== "command" || !teamsCount(parsed.command.verb, permissions)) return undefined;
  if (authorize(parsed.command.verb, has, permissions).ok) return undefined;
  const problems: string[] = [];
  for (const team of permissions.approvers) {
    const found = await deps.port.teamMember(team, item.comment.author);
    if (found.member) return { team };
    if (found.problem) problems.push(found.problem);
  }
  return { problems };
}

/** The checks of the gate running at the current step, for the status reply. */
function runningChecks(observed: Observed, phase: Phase): { checks?: GateCheckResult[] } {
  const gate = (
    phase.reason.kind === "rollback-gate-waiting"
      ? observed.snapshot.rollback?.view
      : observed.snapshot.views.get(phase.current ?? "")
  )?.gate;
  return gate && gateUnderWay(gate.state) ? { checks: gate.checks } : {};
}

/** Apply new commands to the hidden state; their feedback goes to its outbox, sent once the state is saved. */
async function handleCommands(
  deps: EngineDeps,
  observed: Observed,
  permissions: HandoverConfig["commands"],
): Promise<{ hidden: HiddenState; feedback: CommandFeedback[] }> {
  const pending = await commandsOf(deps, observed);
  const feedback: CommandFeedback[] = [];
  const known = new Map<string, Awaited<ReturnType<EngineDeps["port"]["permission"]>>>();
  let hidden = observed.snapshot.hidden;
  for (const item of pending) {
    const login = item.comment.author;
    if (!known.has(login)) known.set(login, await deps.port.permission(login));
    const decided = decide({ ...observed.snapshot, hidden });
    const { phase } = decided;
    // A step PR merged since the last reconcile is recorded by the decision; the command sees it as GitHub shows it.
    const merged = observed.snapshot.steps
      .filter((s) => hidden.steps[s.id]?.mergeSha === undefined && decided.hidden.steps[s.id]?.mergeSha !== undefined)
      .map((s) => s.id);
    const has = known.get(login) ?? "none";
    const standing = await standingOf(deps, item, has, permissions);
    const applied = applyCommand(item, has, hidden, {
      now: deps.now(),
      ...(standing ? { standing } : {}),
      permissions,
      steps: observed.snapshot.steps,
      phase,
      ...(observed.snapshot.approvals ? { approvals: observed.snapshot.approvals.steps } : {}),
      ...runningChecks(observed, phase),
      ...(merged.length ? { merged } : {}),
    });
    hidden = applied.hidden;
    feedback.push(applied.feedback);
  }
  return { hidden: { ...hidden, outbox: [...hidden.outbox, ...feedback] }, feedback };
}

/**
 * The guard runs on each push to a PR (its webhook); one webhook lost leaves the head without `handover/guard`, and a
 * branch protection that requires it (as auto-merge wants) would then hold the step PR for good. The open step PR
 * (under review, or while the migration is paused: people still push and try to merge) and the open revert get their
 * guard run here when their head has none (one conditional read otherwise).
 */
async function ensureGuard(deps: EngineDeps, observed: Observed, decision: Decision): Promise<void> {
  const { kind } = decision.phase.reason;
  const { snapshot } = observed;
  const pr =
    kind === "review" || kind === "paused-pr-open"
      ? snapshot.views.get(decision.phase.current ?? "")?.pr
      : kind === "rollback-review"
        ? snapshot.rollback?.view.pr
        : undefined;
  if (pr?.state !== "open") return;
  // The push's own webhook runs the guard: a head is only looked at once it has been there a while (then one
  // conditional read per reconcile, answered 304 while nothing changes).
  const now = deps.now();
  if (now - heads.since(`${deps.port.owner}/${deps.port.repo}@${pr.headSha}`, now) < GUARD_GRACE_MS) return;
  if (!(await deps.port.findCheckRun(pr.headSha, GUARD_NAME))) await guardPullRequest(deps.port, pr);
}

/**
 * The first step's open PR (Handover's) carries at its top the dashboard's warning while the issue asks for another
 * source, target or version than the PR prepares, and loses it once they agree again (or once the PR is gone). One PR
 * edit each way, made only when its body differs: the body GitHub answered with is the record, so a lost edit is made
 * again by the next reconcile and a repeated one changes nothing.
 */
async function ensureFirstPullNote(deps: EngineDeps, observed: Observed): Promise<void> {
  const { snapshot } = observed;
  const first = snapshot.steps[0];
  const pr = first ? snapshot.views.get(first.id)?.pr : undefined;
  if (pr?.state !== "open" || pr.author !== deps.port.botLogin) return;
  const stale = snapshot.staleFirst?.pr === pr.number ? snapshot.staleFirst : undefined;
  const body = withPullNote(pr.body, stale ? staleFirstPullNote(stale, snapshot) : undefined);
  // (A body a person filled up to GitHub's limit keeps the dashboard's warning alone: a refused edit would fail the
  // reconcile for a note.)
  if (body !== pr.body && body.length <= MAX_ISSUE_BODY) await deps.port.updatePull(pr.number, { body });
}

/** How long a step PR head may go without a guard run before the reconcile runs it (its webhook may be lost). */
const GUARD_GRACE_MS = 2 * 60_000;
/** When a reconcile first saw each step PR head under review. */
const heads = new FirstSeen(1_000);

/**
 * Bring one migration issue up to date: observe GitHub, apply new commands, decide, act, and show it.
 * Level-triggered: safe to run any number of times, for any event, in any order.
 *
 * The dashboard and the status label are written once, at the end, and only when they changed: a reconcile that sees
 * a gate pass and opens the next step writes one dashboard edit, not one per round. What a crash before that write
 * loses is re-derived from GitHub by the next reconcile (merges from the PRs, a passed gate from its checks, the base
 * from the prepare PR). The one exception is command feedback: the state that records a command is saved before its
 * reaction and reply are sent, so a command is never answered and then applied again.
 */
export async function reconcile(deps: EngineDeps, issue: number): Promise<ReconcileResult> {
  try {
    return await reconcileRounds(deps, issue);
  } catch (error) {
    const kind = classify(error);
    if (RETRYABLE.includes(kind)) throw error;
    return { issue, decision: await recordFailure(deps, issue, error, kind), failure: { kind, error } };
  }
}

async function reconcileRounds(deps: EngineDeps, issue: number): Promise<ReconcileResult> {
  let decision: Decision | undefined;
  let resyncMs: number | undefined;
  let last: Observed | undefined;
  let carried: Carried | undefined;
  let settled = false;
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const seen = await observe(deps, issue, carried);
      if (!seen) return { issue };
      resyncMs = seen.resyncMs;
      // Each stage gets a new value; nothing a stage was given is changed under the next one.
      const { hidden, feedback } = await handleCommands(deps, seen, seen.permissions);
      const observed: Observed = { ...seen, snapshot: { ...seen.snapshot, hidden } };
      decision = decide(observed.snapshot);
      for (const action of decision.actions) {
        let outcome: ActOutcome | undefined;
        try {
          outcome = await act(deps, observed, action);
        } catch (err) {
          if (!(err instanceof LearnedBeforeFailing)) throw err;
          // Kept (and saved below, with the rest of the decision) before the reconcile fails as the action did.
          decision = withOutcome(decision, err.outcome);
          last ??= observed;
          throw err.cause;
        }
        if (outcome) decision = withOutcome(decision, outcome);
        // A rollback's revert would otherwise open on a tree the merge of a PR it meant to close no longer fits.
        if (outcome?.interrupts) {
          decision = { ...decision, again: true };
          break;
        }
      }
      last = observed;
      carried = {
        issue: last.issue,
        comments: last.comments,
        dashboard: last.dashboard,
        extraDashboards: last.extraDashboards,
        hidden: decision.hidden,
      };
      if (!decision.again && feedback.length === 0) {
        settled = true;
        break;
      }
    }
  } catch (err) {
    // What the rounds before the failure decided is kept, as when each round saved its own (best effort: the error
    // that stopped the reconcile, a rate limit say, may stop this write too).
    if (last && decision) await save(deps, last, decision).catch(() => undefined);
    throw err;
  }
  if (last && decision) {
    await save(deps, last, decision);
    await sendUnsent(deps, decision.hidden);
    if (settled) await ensureGuard(deps, last, decision);
    if (settled) await ensureFirstPullNote(deps, last);
  }
  return {
    issue,
    ...(decision ? { decision } : {}),
    ...(resyncMs ? { resyncMs } : {}),
    ...(settled && last?.ahead ? { ahead: last.ahead } : {}),
  };
}

/** The decision with what an action found out recorded on its step. */
function withOutcome(decision: Decision, outcome: ActOutcome): Decision {
  const hidden: HiddenState = decision.hidden;
  const record = { ...(hidden.steps[outcome.step] ?? {}), ...outcome.record };
  return { ...decision, hidden: { ...hidden, steps: { ...hidden.steps, [outcome.step]: record } } };
}

/**
 * The dashboard and the status label as the last decision has them (each written only when it changed). The outbox
 * keeps what this process sent until the dashboard changes for another reason: clearing it costs no write of its own.
 */
async function save(deps: EngineDeps, observed: Observed, decision: Decision): Promise<void> {
  await ensureDashboard(deps, observed, decision, (hidden) => {
    const outbox = unsent(deps, hidden);
    return outbox.length === hidden.outbox.length ? hidden : { ...hidden, outbox };
  });
  await ensureLabel(deps, observed, decision.phase.label);
}

/**
 * Reactions and replies of the saved outbox this process has not sent: a command's decision is saved before it is
 * answered, so it is never answered and then applied again. A crash before they go, or another replica, sends them
 * again (a reaction is the same one; a reply is sent once per command).
 */
async function sendUnsent(deps: EngineDeps, hidden: HiddenState): Promise<void> {
  const items = unsent(deps, hidden);
  if (items.length === 0) return;
  await sendFeedback(deps, items);
  for (const item of items) deps.port.noteFeedbackSent(item.commentId);
}

/** The outbox's feedback this process has not sent. */
function unsent(deps: EngineDeps, hidden: HiddenState): CommandFeedback[] {
  return hidden.outbox.filter((item) => !deps.port.feedbackSent(item.commentId));
}
