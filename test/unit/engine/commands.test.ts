import { describe, expect, it } from "vitest";
import { ELEVATED_VERBS, VERBS, helpText, type Verb } from "../../../src/chatops/index.js";
import type { Permission } from "../../../src/spec/github.js";
import {
  applyCommand,
  pendingCommands,
  type CommandContext,
  type PendingCommand,
} from "../../../src/engine/commands.js";
import type { Phase } from "../../../src/engine/types.js";
import type { GateCheckResult } from "../../../src/health/index.js";
import type { AuditEntry, HiddenState } from "../../../src/engine/state.js";
import { replyMarker } from "../../../src/spec/markers.js";
import { IDS, MIN, NOW, STEPS, comment, doneBefore, hiddenWith, passedRecord } from "./helpers.js";

const PERMS = { permission: "write", elevated: "maintain" } as const;
const BOT = "handover-app[bot]";
const ctx = (phase?: Phase, steps = STEPS): CommandContext => ({ now: NOW, permissions: PERMS, steps, phase });
const on = (id: number, body: string, patch: Parameters<typeof comment>[2] = {}): PendingCommand => ({
  comment: comment(id, body, patch),
  on: 42,
});

const MERGED_RC = { pr: 102, mergeSha: "merge-rc", mergedAt: NOW - 20 * MIN };
const FAILED_RC = { ...MERGED_RC, failed: { reason: "deployment replicore-a failed", at: NOW - 5 * MIN } };
/** prepare passed; release-canary merged and its gate failed. */
const H0 = hiddenWith({ handled: [7], steps: { ...doneBefore("release-canary"), "release-canary": FAILED_RC } });
const ALL_ADOPTS = hiddenWith({ steps: doneBefore("decommission") });

/** The hidden state after a command: `next`, plus the comment handled and its audit entry. */
function after(next: HiddenState, id: number, entry: Omit<AuditEntry, "at" | "user">, user = "dave"): HiddenState {
  return { ...next, handled: [...next.handled, id], audit: [...next.audit, { at: NOW, user, ...entry }] };
}
const reply = (id: number, text: string, user = "dave") => `${replyMarker(id)}\n@${user} ${text}`;

describe("authorization with the default config (write / maintain)", () => {
  const needs = (verb: Verb): Permission => (ELEVATED_VERBS.includes(verb) ? "maintain" : "write");
  const cells = VERBS.flatMap((verb) =>
    (["read", "write", "maintain"] as const).map((has) => ({
      verb,
      has,
      allowed: ["write", "maintain"].includes(has) && (has === "maintain" || needs(verb) === "write"),
    })),
  );

  it("the table covers 30 cells: regular verbs from write, elevated from maintain", () => {
    expect(cells.length).toBe(30);
    expect(cells.filter((c) => c.allowed).map((c) => `${c.verb}@${c.has}`)).toStrictEqual([
      "help@write",
      "help@maintain",
      "status@write",
      "status@maintain",
      "pause@write",
      "pause@maintain",
      "resume@write",
      "resume@maintain",
      "retry@write",
      "retry@maintain",
      "skip@maintain",
      "abort@write",
      "abort@maintain",
      "rollback@maintain",
      "decommission@maintain",
      "approve@maintain",
    ]);
  });

  it.each(cells.filter((c) => !c.allowed))(
    "$verb at $has is refused: -1, the reply names both permissions, state unchanged",
    ({ verb, has }) => {
      const out = applyCommand(on(31, `/handover ${verb}`, { author: "carol" }), has, H0, ctx());
      expect(out).toStrictEqual({
        hidden: after(
          H0,
          31,
          { command: `/handover ${verb}`, result: "refused", note: `needs ${needs(verb)}, has ${has}` },
          "carol",
        ),
        feedback: {
          commentId: 31,
          on: 42,
          reaction: "-1",
          reply: reply(
            31,
            `\`/handover ${verb}\` needs **${needs(verb)}** permission on this repository; @carol has **${has}**.`,
            "carol",
          ),
        },
      });
    },
  );

  it.each(cells.filter((c) => c.allowed))("$verb at $has is applied as for an admin", ({ verb, has }) => {
    const out = applyCommand(on(31, `/handover ${verb}`), has, H0, ctx());
    expect(out).toStrictEqual(applyCommand(on(31, `/handover ${verb}`), "admin", H0, ctx()));
    expect(out.hidden.audit.at(-1)?.result).not.toBe("refused");
    expect(out.feedback.reaction).not.toBe("-1");
  });
});

interface EffectRow {
  name: string;
  body: string;
  hidden: HiddenState;
  phase?: Phase;
  checks?: GateCheckResult[];
  out: { hidden: HiddenState; reaction: string; reply?: string };
}

const PAUSED_PHASE: Phase = {
  label: "handover:paused",
  current: "release-canary",
  reason: { kind: "closed-unmerged", pr: 102 },
};
const withRc = (rec: HiddenState["steps"][string], patch: Partial<HiddenState> = {}) =>
  hiddenWith({ steps: { ...doneBefore("release-canary"), "release-canary": rec }, ...patch });
const refusedRow = (name: string, body: string, hidden: HiddenState, note: string, phase?: Phase): EffectRow => ({
  name,
  body,
  hidden,
  ...(phase ? { phase } : {}),
  out: {
    hidden: after(hidden, 50, { command: body, result: "invalid", note }),
    reaction: "confused",
    reply: reply(50, note),
  },
});

const EFFECTS: EffectRow[] = [
  {
    name: "help: the help table with the permissions",
    body: "/handover help",
    hidden: H0,
    out: {
      hidden: after(H0, 50, { command: "/handover help", result: "applied", note: "help shown" }),
      reaction: "rocket",
      reply: reply(50, helpText(PERMS)),
    },
  },
  {
    name: "a bare /handover is help",
    body: "/handover",
    hidden: H0,
    out: {
      hidden: after(H0, 50, { command: "/handover", result: "applied", note: "help shown" }),
      reaction: "rocket",
      reply: reply(50, helpText(PERMS)),
    },
  },
  {
    name: "status: headline and next of the phase",
    body: "/handover status",
    hidden: H0,
    phase: {
      label: "handover:failed",
      current: "release-canary",
      reason: { kind: "gate-failed", reason: "x" },
    },
    out: {
      hidden: after(H0, 50, { command: "/handover status", result: "applied", note: "status shown" }),
      reaction: "rocket",
      reply: reply(
        50,
        "**Gate of release-canary failed: x**\n\nFix the cluster, then `/handover retry` to try again, `/handover rollback` to revert the last merged step, or `/handover abort` to stop.",
      ),
    },
  },
  {
    name: "status while a gate runs: the live headline and each check with its state now",
    body: "/handover status",
    hidden: H0,
    phase: {
      label: "handover:running",
      current: "release-canary",
      reason: { kind: "gate-waiting", cluster: "replicore-a", state: "pending", deadline: NOW + 100 * MIN },
    },
    checks: [
      { label: "deployment replicore-a", state: "success", since: NOW - MIN, detail: "success" },
      { label: "status flux/*", state: "pending", detail: "nothing reported yet" },
    ],
    out: {
      hidden: after(H0, 50, { command: "/handover status", result: "applied", note: "status shown" }),
      reaction: "rocket",
      reply: reply(
        50,
        "**Waiting for the replicore-a health gate of release-canary: pending**\n\n- ✅ deployment replicore-a: success\n- ⏳ status flux/*: nothing reported yet\n\nNothing to do: the next step opens by itself once the gate passes (time-out at 13:40:00 UTC). `/handover pause` holds it.",
      ),
    },
  },
  {
    name: "status before any decision",
    body: "/handover status",
    hidden: H0,
    out: {
      hidden: after(H0, 50, { command: "/handover status", result: "applied", note: "status shown" }),
      reaction: "rocket",
      reply: reply(50, "Handover has not looked at this migration yet."),
    },
  },
  {
    name: "pause records who and when",
    body: "/handover pause",
    hidden: H0,
    out: {
      hidden: after({ ...H0, paused: { by: "dave", at: NOW } }, 50, {
        command: "/handover pause",
        result: "applied",
        note: "paused: no new PR opens and no gate advances until `/handover resume`",
      }),
      reaction: "rocket",
    },
  },
  refusedRow("pause when paused", "/handover pause", { ...H0, paused: { by: "bob", at: 1 } }, "already paused by @bob"),
  {
    name: "resume clears the pause",
    body: "/handover resume",
    hidden: { ...H0, paused: { by: "bob", at: 1 } },
    out: {
      hidden: after(H0, 50, { command: "/handover resume", result: "applied", note: "resumed" }),
      reaction: "rocket",
    },
  },
  refusedRow("resume when not paused", "/handover resume", H0, "the migration is not paused"),
  refusedRow(
    "resume during a rollback, before it paused the chain",
    "/handover resume",
    { ...H0, rollback: { step: "adopt-canary", attempt: 1, by: "erin", at: 1 } },
    "the migration is not paused yet: the rollback of adopt-canary pauses it once its revert PR merged and its gate passed; resume then",
  ),
  {
    name: "abort with a reason",
    body: "/handover abort -- wrong target",
    hidden: H0,
    out: {
      hidden: after({ ...H0, aborted: { by: "dave", at: NOW, reason: "wrong target" } }, 50, {
        command: "/handover abort -- wrong target",
        result: "applied",
        note: "aborted: wrong target; the open step PR is closed and its branch deleted",
      }),
      reaction: "rocket",
    },
  },
  {
    name: "abort without a reason",
    body: "/handover abort",
    hidden: H0,
    out: {
      hidden: after({ ...H0, aborted: { by: "dave", at: NOW, reason: "" } }, 50, {
        command: "/handover abort",
        result: "applied",
        note: "aborted; the open step PR is closed and its branch deleted",
      }),
      reaction: "rocket",
    },
  },
  refusedRow(
    "abort twice",
    "/handover abort",
    { ...H0, aborted: { by: "alice", at: 1, reason: "" } },
    "already aborted by @alice",
  ),
  {
    name: "retry on a failed gate: window restarts now, failed cleared",
    body: "/handover retry",
    hidden: H0,
    out: {
      hidden: after(withRc({ ...MERGED_RC, windowStart: NOW }, { handled: [7] }), 50, {
        command: "/handover retry",
        result: "applied",
        note: "gate of release-canary re-evaluated from now",
      }),
      reaction: "rocket",
    },
  },
  {
    name: "retry naming the failed step",
    body: "/handover retry release-canary",
    hidden: H0,
    out: {
      hidden: after(withRc({ ...MERGED_RC, windowStart: NOW }, { handled: [7] }), 50, {
        command: "/handover retry release-canary",
        result: "applied",
        note: "gate of release-canary re-evaluated from now",
      }),
      reaction: "rocket",
    },
  },
  {
    name: "retry on a PR closed unmerged: reopen asked",
    body: "/handover retry",
    hidden: withRc({}),
    phase: PAUSED_PHASE,
    out: {
      hidden: after(withRc({ reopen: true }), 50, {
        command: "/handover retry",
        result: "applied",
        note: "release-canary: its PR is reopened",
      }),
      reaction: "rocket",
    },
  },
  {
    name: "retry on a closed PR while paused by someone: the reopen is recorded for the resume",
    body: "/handover retry",
    hidden: withRc({}, { paused: { by: "bob", at: 1 } }),
    phase: PAUSED_PHASE,
    out: {
      hidden: after(withRc({ reopen: true }, { paused: { by: "bob", at: 1 } }), 50, {
        command: "/handover retry",
        result: "recorded",
        note: "release-canary: its PR #102 reopens once the migration is resumed (`/handover resume`)",
      }),
      reaction: "eyes",
    },
  },
  refusedRow(
    "retry on a step held for another reason (its open PR conflicts with people's commits)",
    "/handover retry",
    withRc({}),
    "nothing to retry: release-canary has not failed",
    { ...PAUSED_PHASE, reason: { kind: "conflict-with-people", pr: 102 } },
  ),
  refusedRow(
    "retry when nothing failed",
    "/handover retry",
    withRc(MERGED_RC),
    "nothing to retry: release-canary has not failed",
  ),
  refusedRow(
    "retry of a step that does not exist",
    "/handover retry nope",
    H0,
    `nothing to retry: there is no step nope (steps: ${IDS.join(", ")})`,
  ),
  {
    name: "skip a merged step's failed gate: skipped recorded, failed cleared",
    body: "/handover skip",
    hidden: H0,
    out: {
      hidden: after(withRc({ ...MERGED_RC, skipped: { by: "dave", at: NOW } }, { handled: [7] }), 50, {
        command: "/handover skip",
        result: "applied",
        note: "gate of release-canary skipped by override",
      }),
      reaction: "rocket",
    },
  },
  {
    name: "skip a no-diff step's gate",
    body: "/handover skip release-canary",
    hidden: withRc({ noDiff: { sha: "h", at: 1 } }),
    out: {
      hidden: after(withRc({ noDiff: { sha: "h", at: 1 }, skipped: { by: "dave", at: NOW } }), 50, {
        command: "/handover skip release-canary",
        result: "applied",
        note: "gate of release-canary skipped by override",
      }),
      reaction: "rocket",
    },
  },
  refusedRow(
    "skip before the merge",
    "/handover skip",
    withRc({}),
    "the gate of release-canary cannot be skipped before its PR is merged (skip overrides a gate, not a review)",
  ),
  refusedRow(
    "skip a later step not merged",
    "/handover skip adopt-rest",
    H0,
    "the gate of adopt-rest cannot be skipped before its PR is merged (skip overrides a gate, not a review)",
  ),
  refusedRow("skip decommission", "/handover skip decommission", H0, "decommission has no gate to skip"),
  refusedRow(
    "skip when every step is done",
    "/handover skip",
    hiddenWith({ steps: { ...doneBefore("decommission"), decommission: passedRecord("decommission") } }),
    "nothing to skip: every step is done",
  ),
  {
    name: "decommission before every adopt passed: recorded, eyes",
    body: "/handover decommission",
    hidden: H0,
    out: {
      hidden: after({ ...H0, decommission: { by: "dave", at: NOW } }, 50, {
        command: "/handover decommission",
        result: "recorded",
        note: "decommission approved; its PR opens once every adopt gate has passed",
      }),
      reaction: "eyes",
    },
  },
  {
    name: "decommission after every adopt passed: applied",
    body: "/handover decommission",
    hidden: ALL_ADOPTS,
    out: {
      hidden: after({ ...ALL_ADOPTS, decommission: { by: "dave", at: NOW } }, 50, {
        command: "/handover decommission",
        result: "applied",
        note: "decommission approved: its PR opens now",
      }),
      reaction: "rocket",
    },
  },
  refusedRow(
    "decommission twice",
    "/handover decommission",
    { ...ALL_ADOPTS, decommission: { by: "mia", at: 1 } },
    "decommission was already approved by @mia",
  ),
  {
    name: "unknown verb: confused, help in the reply",
    body: "thanks!\n/handover frobnicate now",
    hidden: H0,
    out: {
      hidden: after(H0, 50, {
        command: "/handover frobnicate now",
        result: "unknown",
        note: "unknown command frobnicate",
      }),
      reaction: "confused",
      reply: reply(50, `\`frobnicate\` is not a Handover command.\n\n${helpText(PERMS)}`),
    },
  },
  {
    name: "arguments a verb does not take: invalid",
    body: "/handover pause now",
    hidden: H0,
    out: {
      hidden: after(H0, 50, {
        command: "/handover pause now",
        result: "invalid",
        note: "`/handover pause` takes no arguments; write `/handover pause`.",
      }),
      reaction: "confused",
      reply: reply(50, "`/handover pause` takes no arguments; write `/handover pause`."),
    },
  },
];

describe("applyCommand: each verb's effect", () => {
  it.each(EFFECTS)("$name", (row) => {
    const out = applyCommand(on(50, row.body), "admin", row.hidden, {
      ...ctx(row.phase),
      ...(row.checks ? { checks: row.checks } : {}),
    });
    expect(out).toStrictEqual({
      hidden: row.out.hidden,
      feedback: {
        commentId: 50,
        on: 42,
        reaction: row.out.reaction,
        ...(row.out.reply !== undefined ? { reply: row.out.reply } : {}),
      },
    });
  });

  it("every reply starts with the reply-to marker line", () => {
    const replies = EFFECTS.flatMap(
      (row) => applyCommand(on(50, row.body), "admin", row.hidden, ctx(row.phase)).feedback.reply ?? [],
    );
    expect(replies.length).toBe(EFFECTS.filter((r) => r.out.reply).length);
    for (const text of replies) expect(text.split("\n")[0]).toBe("<!-- handover:reply-to=50 -->");
  });

  it("the audit log keeps the last 100 entries", () => {
    const audit: AuditEntry[] = Array.from({ length: 100 }, (_, i) => ({
      at: i,
      user: "u",
      command: `/handover status`,
      result: "applied",
      note: `n${i}`,
    }));
    const out = applyCommand(on(50, "/handover status"), "write", { ...H0, audit }, ctx());
    expect(out.hidden.audit.length).toBe(100);
    expect(out.hidden.audit[0]?.note).toBe("n1");
    expect(out.hidden.audit[99]).toStrictEqual({
      at: NOW,
      user: "dave",
      command: "/handover status",
      result: "applied",
      note: "status shown",
    });
  });

  it("rollback by a maintainer targets the last merged step and records the rollback (attempt 1)", () => {
    const hidden = hiddenWith({ steps: doneBefore("adopt-canary") });
    const out = applyCommand(on(50, "/handover rollback"), "maintain", hidden, ctx());
    expect(out.hidden.rollback).toStrictEqual({ step: "release-canary", attempt: 1, by: "dave", at: NOW });
    expect(out.hidden.audit.at(-1)).toStrictEqual({
      at: NOW,
      user: "dave",
      command: "/handover rollback",
      result: "applied",
      note: "rolling back release-canary: a revert PR opens, checked by the invariant and gated like any step; the chain pauses after it",
    });
    expect(out.feedback).toStrictEqual({ commentId: 50, on: 42, reaction: "rocket" });
  });

  it("rollback targets a step GitHub shows merged that the state has not recorded yet (merged since the last look)", () => {
    const hidden = hiddenWith({ steps: doneBefore("adopt-canary") });
    const out = applyCommand(on(50, "/handover rollback"), "maintain", hidden, {
      ...ctx(),
      merged: ["adopt-canary"],
    });
    expect(out.hidden.rollback).toStrictEqual({ step: "adopt-canary", attempt: 1, by: "dave", at: NOW });
  });

  it("a second rollback of the same step gets a new attempt number (its own branch)", () => {
    const hidden = hiddenWith({ steps: doneBefore("adopt-canary"), rollbacks: { "release-canary": 1 } });
    expect(applyCommand(on(51, "/handover rollback"), "maintain", hidden, ctx()).hidden.rollback).toStrictEqual({
      step: "release-canary",
      attempt: 2,
      by: "dave",
      at: NOW,
    });
  });

  it.each([
    ["nothing merged yet", hiddenWith(), "nothing to roll back: no step PR is merged yet"],
    [
      "a rollback in progress",
      hiddenWith({
        steps: doneBefore("adopt-canary"),
        rollback: { step: "release-canary", attempt: 1, by: "erin", at: NOW - MIN },
      }),
      "a rollback of release-canary is already in progress",
    ],
  ])("rollback is refused with %s", (_name, hidden, message) => {
    const out = applyCommand(on(52, "/handover rollback"), "maintain", hidden, ctx());
    expect(out.hidden.rollback).toStrictEqual(hidden.rollback);
    expect(out.feedback).toStrictEqual({ commentId: 52, on: 42, reaction: "confused", reply: reply(52, message) });
  });
});

describe("pendingCommands", () => {
  const hidden = hiddenWith({ handled: [5] });
  const list: PendingCommand[] = [
    on(9, "/handover pause", { createdAt: NOW - 1 * MIN }),
    on(1, "/handover status", { createdAt: NOW - 3 * MIN }),
    on(5, "/handover resume", { createdAt: NOW - 4 * MIN }), // already handled
    on(2, "/handover pause", { createdAt: NOW - 2 * MIN, authorIsBot: true, author: "renovate[bot]" }),
    on(3, "/handover pause", { createdAt: NOW - 2 * MIN, author: BOT }),
    on(4, "/handover abort", { createdAt: NOW - 2 * MIN, edited: true }),
    on(6, "LGTM, merging", { createdAt: NOW - 2 * MIN }),
    on(8, "> /handover abort\nquoted", { createdAt: NOW - 2 * MIN }),
    on(10, "```\n/handover abort\n```", { createdAt: NOW - 2 * MIN }),
    { comment: comment(12, "/handover frobnicate", { createdAt: NOW - 1 * MIN }), on: 103 },
    on(11, "/handover retry", { createdAt: NOW - 1 * MIN }),
  ];

  it("drops handled, bot, own, edited and command-less comments; oldest first, then by id", () => {
    expect(pendingCommands(list, hidden, BOT).map((p) => [p.comment.id, p.on])).toStrictEqual([
      [1, 42],
      [9, 42],
      [11, 42],
      [12, 103],
    ]);
  });

  it("a comment applied once is not pending again", () => {
    const first = pendingCommands(list, hidden, BOT);
    let state = hidden;
    for (const item of first) state = applyCommand(item, "write", state, ctx()).hidden;
    expect(state.handled).toStrictEqual([1, 5, 9, 11, 12]);
    expect(pendingCommands(list, state, BOT)).toStrictEqual([]);
  });

  // `handled` keeps the newest 500 ids; older ones are covered by `handledBelow` (comment ids only grow).
  it("a comment stays handled after 500 later commands", () => {
    const handled = Array.from({ length: 500 }, (_, i) => i + 1);
    const next = applyCommand(on(501, "/handover status"), "write", hiddenWith({ handled }), ctx()).hidden;
    expect(next.handled).toHaveLength(500);
    expect(next.handledBelow).toBe(1);
    expect(pendingCommands([on(1, "/handover pause")], next, BOT)).toStrictEqual([]);
    expect(pendingCommands([on(502, "/handover pause")], next, BOT).map((p) => p.comment.id)).toStrictEqual([502]);
  });
});
