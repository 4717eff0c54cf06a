import { describe, expect, it } from "vitest";
import { applyCommand, type CommandContext, type PendingCommand } from "../../../src/engine/commands.js";
import { decide } from "../../../src/engine/decide.js";
import type { Phase } from "../../../src/engine/types.js";
import { replyMarker } from "../../../src/spec/markers.js";
import { renderDashboard } from "../../../src/render/dashboard.js";
import { migrationStatus } from "../../../src/render/status.js";
import { stepControls, handoverConfig } from "../../../src/spec/config.js";
import { changesOf, comment, doneBefore, HEAD, hiddenWith, NOW, snapshot, step, STEPS } from "./helpers.js";

const PERMS = { permission: "write", elevated: "maintain" } as const;
const WAITING: Phase = {
  label: "handover:waiting",
  current: "adopt-canary",
  reason: { kind: "held", hold: { kind: "approval", permission: "maintain" } },
};
const ctx = (phase?: Phase): CommandContext => ({
  now: NOW,
  permissions: PERMS,
  steps: STEPS,
  phase,
  approvals: ["adopt-canary", "adopt-wave-1", "adopt-rest"],
});
const on = (id: number, body: string, author = "dave"): PendingCommand => ({
  comment: comment(id, body, { author }),
  on: 42,
});
const READY = hiddenWith({ steps: doneBefore("adopt-canary") });

describe("which steps wait for approval (handover.yml approve and groups)", () => {
  const config = (yaml: object) => handoverConfig.parse({ version: 1, clusters: {}, ...yaml });

  it.each([
    ["approve: [adopt]", { approve: ["adopt"] }, ["adopt-canary", "adopt-wave-1", "adopt-rest"]],
    ["a group", { groups: { canary: { approve: true } } }, ["release-canary", "adopt-canary"]],
    [
      "a group's false wins over its kind",
      { approve: ["release"], groups: { canary: { approve: false } } },
      ["release-wave-1", "release-rest"],
    ],
    ["prepare by kind", { approve: ["prepare"] }, ["prepare"]],
    ["never decommission", { approve: ["prepare", "release", "adopt"] }, STEPS.slice(0, -1).map((s) => s.id)],
  ])("%s", (_, yaml, ids) => {
    expect(STEPS.filter((s) => stepControls(config(yaml), s).approve).map((s) => s.id)).toStrictEqual(ids);
  });

  it("decommission cannot be listed: it always needs /handover decommission", () => {
    const parsed = handoverConfig.safeParse({ version: 1, clusters: {}, approve: ["decommission"] });
    expect(parsed.success ? [] : parsed.error.issues.map((i) => [i.path.join("."), i.message])).toStrictEqual([
      ["approve.0", "expected prepare, release or adopt (decommission always needs /handover decommission)"],
    ]);
  });
});

describe("which step PRs get auto-merge (handover.yml automerge and groups)", () => {
  const config = (yaml: object) => handoverConfig.parse({ version: 1, clusters: {}, ...yaml });

  it.each([
    ["nothing configured", {}, []],
    ["automerge: [release]", { automerge: ["release"] }, ["release-canary", "release-wave-1", "release-rest"]],
    [
      "a group's true wins over the kinds",
      { automerge: ["release"], groups: { canary: { automerge: true } } },
      ["release-canary", "adopt-canary", "release-wave-1", "release-rest"],
    ],
    [
      "a group's false wins over the kinds",
      { automerge: ["release", "adopt"], groups: { rest: { automerge: false } } },
      ["release-canary", "adopt-canary", "release-wave-1", "adopt-wave-1"],
    ],
    [
      "every group true: never prepare or decommission",
      { groups: { canary: { automerge: true }, "wave-1": { automerge: true }, rest: { automerge: true } } },
      STEPS.slice(1, -1).map((s) => s.id),
    ],
  ])("%s", (_, yaml, ids) => {
    expect(STEPS.filter((s) => stepControls(config(yaml), s).automerge).map((s) => s.id)).toStrictEqual(ids);
  });

  it.each(["prepare", "decommission"])("%s cannot be listed: a person always merges it", (kind) => {
    const parsed = handoverConfig.safeParse({ version: 1, clusters: {}, automerge: ["adopt", kind] });
    expect(parsed.success ? [] : parsed.error.issues.map((i) => [i.path.join("."), i.message])).toStrictEqual([
      ["automerge.1", `${kind} is never auto-merged (a person reviews and merges it); expected release or adopt`],
    ]);
  });
});

describe("decide: a step held for approval", () => {
  const view = { "adopt-canary": { changes: changesOf("adopt-canary"), violations: [] } };
  const approvals = { steps: ["adopt-canary"], permission: "maintain" };

  it("waits after the previous gate, saying who may approve; nothing opens", () => {
    expect(decide({ ...snapshot(READY, view), approvals })).toStrictEqual({
      hidden: READY,
      actions: [],
      again: false,
      phase: WAITING,
    });
  });

  it("approved: opens", () => {
    const hidden = hiddenWith({
      steps: { ...doneBefore("adopt-canary"), "adopt-canary": { approved: { by: "erin", at: NOW - 1000 } } },
    });
    expect(decide({ ...snapshot(hidden, view), approvals }).actions).toStrictEqual([
      {
        kind: "open",
        step: step("adopt-canary"),
        changes: changesOf("adopt-canary"),
        baseSha: HEAD,
        previousPr: 102 + 0,
      },
    ]);
  });
});

describe("/handover approve, refused and accepted by permission", () => {
  const audit = (user: string, result: string, note: string) => ({
    at: NOW,
    user,
    command: "/handover approve",
    result,
    note,
  });

  it("a write user is refused: -1, the reply names both permissions, nothing approved", () => {
    const out = applyCommand(on(51, "/handover approve", "carol"), "write", READY, ctx(WAITING));
    expect(out.hidden.steps["adopt-canary"]?.approved).toBeUndefined();
    expect(out.hidden.audit.at(-1)).toStrictEqual(audit("carol", "refused", "needs maintain, has write"));
    expect(out.feedback).toStrictEqual({
      commentId: 51,
      on: 42,
      reaction: "-1",
      reply: `${replyMarker(51)}\n@carol \`/handover approve\` needs **maintain** permission on this repository; @carol has **write**.`,
    });
  });

  it("a write user in a commands.approvers team approves: the audit log names the team", () => {
    const teams = { ...ctx(WAITING), permissions: { ...PERMS, approvers: ["acme/db-leads"] } };
    const out = applyCommand(on(55, "/handover approve", "carol"), "write", READY, {
      ...teams,
      standing: { team: "acme/db-leads" },
    });
    expect(out.hidden.steps["adopt-canary"]?.approved).toStrictEqual({ by: "carol", at: NOW });
    expect(out.hidden.audit.at(-1)).toStrictEqual(
      audit(
        "carol",
        "applied",
        "adopt-canary approved: its PR opens now (as a member of acme/db-leads, with write permission)",
      ),
    );
    // a team that is not (or no longer) listed counts for nothing
    const stale = applyCommand(on(56, "/handover approve", "carol"), "write", READY, {
      ...teams,
      standing: { team: "acme/old-leads" },
    });
    expect(stale.feedback.reaction).toBe("-1");
  });

  it("a write user outside the teams is refused; a team that could not be read is named", () => {
    const out = applyCommand(on(57, "/handover approve", "carol"), "write", READY, {
      ...ctx(WAITING),
      permissions: { ...PERMS, approvers: ["acme/db-leads"] },
      standing: {
        problems: [
          "Handover cannot read the members of acme/db-leads (the App needs the organization permission members: read)",
        ],
      },
    });
    expect(out.hidden.steps["adopt-canary"]?.approved).toBeUndefined();
    expect(out.feedback.reply).toBe(
      `${replyMarker(57)}\n@carol \`/handover approve\` needs **maintain** permission on this repository or membership of a team in \`commands.approvers\` (acme/db-leads); @carol has **write** and is in none of them. Handover cannot read the members of acme/db-leads (the App needs the organization permission members: read).`,
    );
  });

  it("a maintainer approves the waiting step: recorded in the state and the audit log, rocket", () => {
    const out = applyCommand(on(52, "/handover approve", "erin"), "maintain", READY, ctx(WAITING));
    expect(out.hidden.steps["adopt-canary"]?.approved).toStrictEqual({ by: "erin", at: NOW });
    expect(out.hidden.audit.at(-1)).toStrictEqual(audit("erin", "applied", "adopt-canary approved: its PR opens now"));
    expect(out.feedback).toStrictEqual({ commentId: 52, on: 42, reaction: "rocket" });
  });

  it("a later step approved ahead: recorded (eyes), it opens without waiting", () => {
    const out = applyCommand(on(53, "/handover approve adopt-wave-1", "erin"), "admin", READY, ctx(WAITING));
    expect(out.hidden.steps["adopt-wave-1"]?.approved).toStrictEqual({ by: "erin", at: NOW });
    expect(out.hidden.audit.at(-1)?.note).toBe("adopt-wave-1 approved: its PR opens once the previous gate passes");
    expect(out.feedback.reaction).toBe("eyes");
  });

  it.each([
    [
      "a step that does not wait for approval",
      "/handover approve release-wave-1",
      READY,
      "release-wave-1 does not wait for approval (handover.yml `approve` and `groups`)",
    ],
    [
      "twice",
      "/handover approve",
      hiddenWith({ steps: { ...doneBefore("adopt-canary"), "adopt-canary": { approved: { by: "erin", at: 1 } } } }),
      "adopt-canary was already approved by @erin",
    ],
    [
      "no such step",
      "/handover approve adopt-nope",
      READY,
      "nothing to approve: there is no step adopt-nope (steps: prepare, release-canary, adopt-canary, release-wave-1, adopt-wave-1, release-rest, adopt-rest, decommission)",
    ],
  ])("%s: invalid, a reply says why", (_, body, hidden, note) => {
    const out = applyCommand(on(54, body, "erin"), "maintain", hidden, ctx(WAITING));
    expect(out.hidden.audit.at(-1)).toStrictEqual({ ...audit("erin", "invalid", note), command: body });
    expect(out.feedback).toStrictEqual({
      commentId: 54,
      on: 42,
      reaction: "confused",
      reply: `${replyMarker(54)}\n@erin ${note}`,
    });
  });
});

describe("the held step as the dashboard and status show it", () => {
  const held = { ...snapshot(READY, { "adopt-canary": { changes: changesOf("adopt-canary"), violations: [] } }) };
  const approvals = { steps: ["adopt-canary"], permission: "maintain" };

  it("the dashboard's row and headline say who may approve", () => {
    const decision = decide({ ...held, approvals });
    const body = renderDashboard({ ...held, approvals }, decision.phase, decision.hidden);
    expect(
      body.split("\n").filter((l) => l.includes("adopt-canary") || l.startsWith("**") || l.startsWith("Next:")),
    ).toEqual([
      "**adopt-canary waits for approval before its PR opens.**",
      "Next: Someone with **maintain** permission or more comments `/handover approve`.",
      "| 3 | adopt-canary | ✋ needs `/handover approve` |  | replicore-b: 2 check(s), soak 15m |",
      '  s2["adopt-canary"]:::current',
    ]);
  });

  it("with commands.approvers, the next step names the teams too", () => {
    const teams = { ...approvals, teams: ["acme/db-leads", "acme/sre"] };
    const decision = decide({ ...held, approvals: teams });
    const body = renderDashboard({ ...held, approvals: teams }, decision.phase, decision.hidden);
    expect(body.split("\n").filter((l) => l.startsWith("Next:"))).toEqual([
      "Next: Someone with **maintain** permission or more, or a member of @acme/db-leads or @acme/sre, comments `/handover approve`.",
    ]);
  });

  it("status reports needs-approval and the hold", () => {
    const decision = decide({ ...held, approvals });
    const status = migrationStatus({ ...held, approvals }, decision.phase);
    expect([status.hold, status.steps.map((s) => s.state)]).toStrictEqual([
      { kind: "approval", until: null },
      ["passed", "passed", "needs-approval", "not-started", "not-started", "not-started", "not-started", "not-started"],
    ]);
  });
});
