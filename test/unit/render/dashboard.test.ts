import { describe, expect, it } from "vitest";
import { applyCommand } from "../../../src/engine/commands.js";
import { decide } from "../../../src/engine/decide.js";
import type { Phase, StepView } from "../../../src/engine/types.js";
import { decodeState, emptyState, encodeState, type HiddenState } from "../../../src/engine/state.js";
import { DASHBOARD_MARKER } from "../../../src/spec/markers.js";
import { fullTableFloor, renderDashboard } from "../../../src/render/dashboard.js";
import { dashboardBody } from "../../../src/engine/act.js";
import {
  GATES,
  IDS,
  MIN,
  NOW,
  changesOf,
  comment,
  doneBefore,
  hiddenWith,
  mergedPull,
  passedRecord,
  pull,
  snapshot,
} from "../engine/helpers.js";

/** Render what decide makes of a state, as reconcile does. */
function render(
  hidden: HiddenState,
  views: Record<string, Omit<StepView, "step">> = {},
): { body: string; phase: Phase; hidden: HiddenState } {
  const snap = snapshot(hidden, views);
  const decision = decide(snap);
  return {
    body: dashboardBody(snap, decision.phase, decision.hidden),
    phase: decision.phase,
    hidden: decision.hidden,
  };
}

/** The step table's rows, as [#, step, state, PR, gate]. */
function rows(body: string): string[][] {
  return body
    .split("\n")
    .filter((l) => /^\| \d+ \| /.test(l))
    .map(cells);
}
/** The cells of a markdown table row, split on unescaped pipes. */
function cells(line: string): string[] {
  return line
    .replace(/^\| /, "")
    .replace(/ \|$/, "")
    .split(/(?<!\\) \| /);
}
const clock = (at: number) => `${new Date(at).toISOString().slice(0, 19).replace("T", " ")} UTC`;
const SUMMARY = { a: "replicore-a: 2 check(s), soak 15m", b: "replicore-b: 2 check(s), soak 15m" };

const SOAKING = render(hiddenWith({ steps: doneBefore("release-canary") }), {
  prepare: { pr: mergedPull("prepare") },
  "release-canary": { pr: mergedPull("release-canary"), gate: GATES.soaking },
});

describe("renderDashboard: a migration soaking at release-canary", () => {
  it("starts with the dashboard marker and the label", () => {
    expect(SOAKING.body.split("\n").slice(0, 7)).toStrictEqual([
      DASHBOARD_MARKER,
      "## Handover: running",
      "",
      "**Waiting for the replicore-a health gate of release-canary.**",
      "",
      "Next: Nothing to do: the next step opens by itself once the gate passes (time-out at 13:55:00 UTC). `/handover status` replies with each check's state now. `/handover pause` holds it.",
      "",
    ]);
  });

  it("one row per step: done, current, future; PR numbers; gate cells", () => {
    expect(rows(SOAKING.body)).toStrictEqual([
      ["1", "prepare", `✅ passed ${clock(passedRecord("prepare").gatePassedAt as number)}`, "#101", SUMMARY.b],
      [
        "2",
        "release-canary",
        "🔎 merged, gate running",
        "#102",
        `flux/kustomization/replicore-a*<br>deployment replicore-a<br>soak 15m once all are green<br>time-out ${clock(NOW + 115 * MIN)}`,
      ],
      ["3", "adopt-canary", "· not started", "", SUMMARY.b],
      ["4", "release-wave-1", "· not started", "", SUMMARY.a],
      ["5", "adopt-wave-1", "· not started", "", SUMMARY.b],
      ["6", "release-rest", "· not started", "", SUMMARY.a],
      ["7", "adopt-rest", "· not started", "", SUMMARY.b],
      ["8", "decommission", "· not started", "", "none"],
    ]);
    expect(SOAKING.body).toContain("| # | step | state | PR | gate |\n|---|---|---|---|---|\n| 1 | prepare |");
  });

  it("the mermaid block: one node per step, chained, with the right classes", () => {
    const start = SOAKING.body.indexOf("```mermaid");
    const block = SOAKING.body.slice(start, SOAKING.body.indexOf("```\n", start + 3) + 3);
    expect(block).toBe(
      [
        "```mermaid",
        "flowchart LR",
        '  s0["prepare"]:::done',
        '  s1["release-canary"]:::current',
        "  s0 --> s1",
        '  s2["adopt-canary"]:::todo',
        "  s1 --> s2",
        '  s3["release-wave-1"]:::todo',
        "  s2 --> s3",
        '  s4["adopt-wave-1"]:::todo',
        "  s3 --> s4",
        '  s5["release-rest"]:::todo',
        "  s4 --> s5",
        '  s6["adopt-rest"]:::todo',
        "  s5 --> s6",
        '  s7["decommission"]:::todo',
        "  s6 --> s7",
        "  classDef done fill:#d3f9d8,stroke:#2b8a3e",
        "  classDef current fill:#fff3bf,stroke:#e67700",
        "  classDef failed fill:#ffe3e3,stroke:#c92a2a",
        "  classDef todo fill:#f1f3f5,stroke:#868e96",
        "```",
      ].join("\n"),
    );
  });

  it("a running gate's progress (a check turning green, the soak starting) leaves the text as it was: no edit", () => {
    const pending = render(SOAKING.hidden, {
      prepare: { pr: mergedPull("prepare") },
      "release-canary": {
        pr: mergedPull("release-canary"),
        gate: { ...GATES.pending, checks: GATES.soaking.checks.map((c) => ({ ...c, state: "pending" as const })) },
      },
    });
    expect(pending.phase.reason).toMatchObject({ kind: "gate-waiting", state: "pending" });
    expect(SOAKING.phase.reason).toMatchObject({ kind: "gate-waiting", state: "soaking" });
    expect(pending.body).toBe(SOAKING.body);
  });

  it("the help footer names every command, rollback included", () => {
    expect(SOAKING.body.split("\n").at(-2)).toBe(
      "<sub>Steer with a comment here or on a step PR: `/handover status` · `pause` · `resume` · `retry [step]` · `skip [step]` · `abort -- reason` · `rollback` · `decommission` · `approve [step]` · `help`. " +
        "Handover re-reads GitHub on every event and every resync, so this comment always shows the current phase.</sub>",
    );
  });

  it("no commands yet: the audit placeholder", () => {
    expect(SOAKING.body).toContain("<details><summary>Audit log</summary>\n\n_No commands yet._\n\n</details>");
  });

  it("the renderer writes no state: the engine adds the block after the rendered text", () => {
    const snap = snapshot(SOAKING.hidden, {
      prepare: { pr: mergedPull("prepare") },
      "release-canary": { pr: mergedPull("release-canary"), gate: GATES.soaking },
    });
    const text = renderDashboard(snap, SOAKING.phase, SOAKING.hidden);
    expect(text).not.toContain("handover:state");
    expect(SOAKING.body).toBe(`${text}\n${encodeState(SOAKING.hidden)}`);
  });

  it("ends with the state block, which reads back to the same hidden state", () => {
    expect(SOAKING.body.endsWith(`\n${encodeState(SOAKING.hidden)}`)).toBe(true);
    expect(decodeState(SOAKING.body)).toStrictEqual(SOAKING.hidden);
  });
});

/** The state cell of step `id`, and its mermaid class, for a state and views. */
function stateOf(
  id: string,
  hidden: HiddenState,
  views: Record<string, Omit<StepView, "step">> = {},
): [string, string] {
  const { body } = render(hidden, views);
  const row = rows(body).find((r) => r[1] === id);
  const node = new RegExp(`s${IDS.indexOf(id)}\\["${id}"\\]:::(\\w+)`).exec(body)?.[1];
  return [row?.[2] ?? "(no row)", node ?? "(no node)"];
}

const AT_RC = doneBefore("release-canary");
const ALL = doneBefore("decommission");
const VIOLATION = { rule: "shared-backend" as const, message: "m", clusters: [], subject: "s", files: [] };

type Views = Record<string, Omit<StepView, "step">>;
const STATE_ROWS: { name: string; id: string; hidden: HiddenState; views: Views; out: [string, string] }[] = [
  {
    name: "gate skipped",
    id: "release-canary",
    hidden: hiddenWith({
      steps: { ...AT_RC, "release-canary": { pr: 102, mergeSha: "m", mergedAt: 1, skipped: { by: "mia", at: NOW } } },
    }),
    views: {},
    out: ["⏭️ gate skipped by @mia", "done"],
  },
  {
    name: "passed, no diff",
    id: "release-canary",
    hidden: hiddenWith({
      steps: { ...AT_RC, "release-canary": { noDiff: { sha: "h", at: 1 }, gatePassedAt: NOW - MIN } },
    }),
    views: {},
    out: [`✅ passed ${clock(NOW - MIN)} (no diff)`, "done"],
  },
  {
    name: "decommission merged",
    id: "decommission",
    hidden: hiddenWith({
      decommission: { by: "mia", at: 1 },
      steps: { ...ALL, decommission: { pr: 108, mergeSha: "m", mergedAt: 1 } },
    }),
    views: {},
    out: ["✅ merged", "done"],
  },
  {
    name: "gate failed",
    id: "release-canary",
    hidden: hiddenWith({
      steps: { ...AT_RC, "release-canary": { pr: 102, mergeSha: "m", mergedAt: 1, failed: { reason: "x", at: 1 } } },
    }),
    views: { "release-canary": { pr: mergedPull("release-canary") } },
    out: ["❌ gate failed", "failed"],
  },
  {
    name: "future step",
    id: "adopt-canary",
    hidden: hiddenWith({ steps: AT_RC }),
    views: { "release-canary": { pr: pull("release-canary") } },
    out: ["· not started", "todo"],
  },
  {
    name: "current, no diff, gate running",
    id: "release-canary",
    hidden: hiddenWith({ steps: { ...AT_RC, "release-canary": { noDiff: { sha: "h", at: NOW - MIN } } } }),
    views: { "release-canary": { gate: GATES.pending } },
    out: ["🔎 no diff, gate running", "current"],
  },
  {
    name: "current, draft PR",
    id: "prepare",
    hidden: hiddenWith(),
    views: { prepare: { pr: pull("prepare", { draft: true }) } },
    out: ["📝 draft PR open", "current"],
  },
  {
    name: "current, PR open",
    id: "release-canary",
    hidden: hiddenWith({ steps: AT_RC }),
    views: { "release-canary": { pr: pull("release-canary") } },
    out: ["👀 PR open", "current"],
  },
  {
    name: "current, PR closed unmerged",
    id: "release-canary",
    hidden: hiddenWith({ steps: AT_RC }),
    views: { "release-canary": { pr: pull("release-canary", { state: "closed" }) } },
    out: ["⏸️ PR closed unmerged", "current"],
  },
  {
    name: "decommission needs approval",
    id: "decommission",
    hidden: hiddenWith({ steps: ALL }),
    views: { decommission: { changes: changesOf("decommission") } },
    out: ["✋ needs `/handover decommission`", "current"],
  },
  {
    name: "decommission approved",
    id: "decommission",
    hidden: hiddenWith({ steps: ALL, decommission: { by: "mia", at: 1 } }),
    views: { decommission: { changes: changesOf("decommission") } },
    out: ["🟢 approved", "current"],
  },
  {
    name: "current, blocked by the invariant",
    id: "release-canary",
    hidden: hiddenWith({ steps: AT_RC }),
    views: { "release-canary": { changes: changesOf("release-canary"), violations: [VIOLATION] } },
    out: ["⛔ blocked", "failed"],
  },
  {
    name: "current, about to open",
    id: "release-canary",
    hidden: hiddenWith({ steps: AT_RC }),
    views: { "release-canary": { changes: changesOf("release-canary") } },
    out: ["⏳ next", "current"],
  },
];

describe("renderDashboard: the state cell and mermaid class of a step", () => {
  it.each(STATE_ROWS)("$name", ({ id, hidden, views, out }) => {
    expect(stateOf(id, hidden, views)).toStrictEqual(out);
  });

  it("a no-diff step shows no PR; a recorded PR wins over the view", () => {
    const { body } = render(
      hiddenWith({ steps: { ...AT_RC, "release-canary": { noDiff: { sha: "h", at: NOW - MIN } } } }),
      { "release-canary": { gate: GATES.pending } },
    );
    expect(rows(body)[1]?.[3]).toBe("no PR (no diff)");
    expect(rows(body)[0]?.[3]).toBe("#101");
  });

  it("done: every node done, label done", () => {
    const { body } = render(
      hiddenWith({
        decommission: { by: "mia", at: 1 },
        steps: { ...ALL, decommission: { pr: 108, mergeSha: "m", mergedAt: 1 } },
      }),
    );
    expect(body.split("\n")[1]).toBe("## Handover: done");
    expect([...body.matchAll(/:::(\w+)$/gm)].map((m) => m[1])).toStrictEqual(IDS.map(() => "done"));
    expect(rows(body).map((r) => r[3])).toStrictEqual(IDS.map((id) => `#${101 + IDS.indexOf(id)}`));
  });
});

describe("renderDashboard: the audit log with hostile user text", () => {
  const HOSTILE = "/handover abort -- x | y <script>alert(1)</script> `rm -rf` @someone";
  const applied = applyCommand(
    { comment: comment(77, HOSTILE, { author: "eve" }), on: 42 },
    "write",
    hiddenWith({ steps: AT_RC }),
    {
      now: NOW,
      permissions: { permission: "write", elevated: "maintain", approvers: [] },
      steps: snapshot(emptyState()).steps,
      phase: undefined,
    },
  );
  const { body, hidden } = render(applied.hidden);
  const auditRows = body.split("\n").filter((l) => l.startsWith(`| ${clock(NOW)} |`));

  it("one row, exactly escaped", () => {
    expect(auditRows).toStrictEqual([
      `| ${clock(NOW)} | @eve | \`/handover abort -- x \\| y <script>alert(1)</script> 'rm -rf' @someone\` | applied | aborted: x \\| y &lt;script&gt;alert(1)&lt;/script&gt; \`rm -rf\` @\u200bsomeone; the open step PR is closed and its branch deleted |`,
    ]);
  });

  it("the row keeps its five cells; outside the code span there is no HTML and no mention", () => {
    const row = cells(auditRows[0] as string);
    expect(row.length).toBe(5);
    expect(row[2]).toMatch(/^`[^`]*`$/);
    expect(row[4]).not.toMatch(/[<>]/);
    expect(row[4]).not.toMatch(/@\w/);
    expect(body).toContain("| when | who | command | result | note |\n|---|---|---|---|---|\n");
  });

  it("the headline quoting the reason is escaped too", () => {
    expect(body.split("\n")[3]).toBe(
      "**Aborted by @\u200beve: x \\| y &lt;script&gt;alert(1)&lt;/script&gt; `rm -rf` @\u200bsomeone.**",
    );
  });

  it("the state block still reads back", () => {
    expect(decodeState(body)).toStrictEqual(hidden);
    expect(body.endsWith(encodeState(hidden))).toBe(true);
  });

  it("newlines in a command cannot add rows", () => {
    const multi = {
      ...hidden,
      audit: [
        { at: NOW, user: "eve", command: "/handover x\n| 1 | forged |", result: "unknown" as const, note: "a\n| b |" },
      ],
    };
    const text = renderDashboard(snapshot(multi), { label: "handover:running", reason: { kind: "checking" } }, multi);
    expect(text.split("\n").filter((l) => l.startsWith(`| ${clock(NOW)} |`))).toStrictEqual([
      `| ${clock(NOW)} | @eve | \`/handover x \\| 1 \\| forged \\|\` | unknown | a \\| b \\| |`,
    ]);
  });
});

describe("renderDashboard: a forged state block in a command", () => {
  const forged = encodeState({ ...emptyState(), base: "x", decommission: { by: "m", at: 0 } });
  const line = `/handover x ${forged}`;
  // Anyone can comment on a public issue; an unknown verb is audited without any permission check.
  const applied = applyCommand(
    { comment: comment(66, line, { author: "mallory" }), on: 42 },
    "none",
    hiddenWith({ steps: AT_RC }),
    {
      now: NOW,
      permissions: { permission: "write", elevated: "maintain", approvers: [] },
      steps: snapshot(emptyState()).steps,
      phase: undefined,
    },
  );
  const { body, hidden } = render(applied.hidden);

  it("the forged block is audited, but cannot appear as an HTML comment in the rendered audit table", () => {
    expect(hidden.audit.at(-1)).toStrictEqual({
      at: NOW,
      user: "mallory",
      // cut to 200 characters (the line is longer), so it cannot end the dashboard's own state block either
      command: `${line.slice(0, 199)}…`,
      result: "unknown",
      note: "unknown command x",
    });
    const auditRows = body.split("\n").filter((l) => l.includes("@mallory"));
    expect(auditRows).toHaveLength(1);
    expect(auditRows[0]).not.toContain("<!--");
    expect(auditRows[0]).not.toContain("-->");
  });

  it("decodeState reads the App's own state (the body's last line), not the one quoted in the audit log", () => {
    expect(decodeState(body)).toStrictEqual(hidden);
    expect(decodeState(`${forged}\nsome text after`)).toBeUndefined();
  });
});

describe("renderDashboard: always within GitHub's 65,536-character comment limit", () => {
  const audit = Array.from({ length: 100 }, (_, i) => ({
    at: NOW + i,
    user: `user-${i}`,
    command: `/handover ${"x".repeat(187)}${String(i).padStart(3, "0")}`,
    result: "unknown" as const,
    note: `unknown command ${"y".repeat(40)}`,
  }));

  it("keeps 100 audit entries of 200-character commands", () => {
    const { body, hidden } = render(hiddenWith({ steps: AT_RC, audit }));
    expect(body.length).toBeLessThanOrEqual(65_000);
    expect(decodeState(body)?.audit).toStrictEqual(hidden.audit);
  });

  it("a chain too long to show whole keeps the rows around the current step", () => {
    const snap = snapshot(hiddenWith({ steps: AT_RC, audit }));
    const template = snap.steps[1] as (typeof snap.steps)[number];
    const steps = Array.from({ length: 3000 }, (_, i) => ({ ...template, id: `release-g${i}` }));
    const long = { ...snap, steps };
    const phase: Phase = { label: "handover:running", current: "release-g1500", reason: { kind: "checking" } };
    const body = dashboardBody(long, phase, long.hidden);
    expect(body.length).toBeLessThanOrEqual(65_000);
    const table = body.split("\n").filter((l) => l.startsWith("| "));
    expect(table.slice(1, 3)).toStrictEqual([
      "| 1-1490 | … | 1490 earlier steps | | |",
      `| 1491 | release-g1490 | · not started |  | ${SUMMARY.a} |`,
    ]);
    expect(table).toHaveLength(1 + 1 + 21 + 1 + 1 + 5);
    expect(table[23]).toBe("| 1512-3000 | … | 1489 later steps | | |");
    expect(decodeState(body)?.audit).toStrictEqual(audit);
  });

  it("a full table's floor is the length of its shortest possible rows (a done step, no PR, no gate)", () => {
    const shortest = ["| 1 | prepare | ✅ |  |  |", "| 2 | release-g1 | ✅ |  |  |"];
    expect(fullTableFloor([{ id: "prepare" }, { id: "release-g1" }])).toBe(shortest.join("").length);
    expect(fullTableFloor([{ id: "prepare" }, { id: "release-g1" }])).toBe(53);
    const snap = snapshot(hiddenWith({ steps: AT_RC }));
    const table = render(hiddenWith({ steps: AT_RC }))
      .body.split("\n")
      .filter((l) => /^\| \d+ \|/.test(l));
    expect(table).toHaveLength(snap.steps.length);
    expect(fullTableFloor(snap.steps)).toBeLessThan(table.join("").length);
  });

  it("audit entries too large to keep 100 of lose the oldest, never the write", () => {
    const wide = audit.map((a) => ({ ...a, command: `/handover ${"é".repeat(190)}`, note: "ü".repeat(200) }));
    const { body } = render(hiddenWith({ steps: AT_RC, audit: wide }));
    expect(body.length).toBeLessThanOrEqual(65_000);
    const kept = decodeState(body)?.audit ?? [];
    expect(kept.length).toBeGreaterThan(20);
    expect(kept.length).toBeLessThan(100);
    expect(kept).toStrictEqual(wide.slice(100 - kept.length));
  });

  it("shows at most 30 problems and counts the rest", () => {
    const problems = Array.from(
      { length: 4000 },
      (_, i) => `Backend groups: line ${i + 2}: group name "canary" is used twice`,
    );
    const phase: Phase = { label: "handover:failed", reason: { kind: "cannot-start", problems } };
    const body = renderDashboard(snapshot(emptyState()), phase, emptyState());
    const listed = body.split("\n").filter((l) => l.startsWith("- "));
    expect(listed).toHaveLength(31);
    expect(listed.at(-1)).toBe("- …and 3970 more");
  });
});
