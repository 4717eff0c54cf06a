import { commandLine } from "../chatops/index.js";
import {
  phaseHold,
  stepDone,
  type AutoMergeView,
  type HiddenState,
  type Phase,
  type ScheduleHold,
  type FrozenField,
  type Snapshot,
} from "../engine/types.js";
import { ISSUE_FIELDS } from "../spec/issue.js";
import { DASHBOARD_MARKER } from "../spec/markers.js";
import type { PlannedStep } from "../plan/index.js";
import { formatDateTime, gateUnderWay } from "../health/index.js";
import { code, escapeText } from "./markdown.js";
import { CHECK_ICON, phaseWords } from "./phase.js";

function stepState(step: PlannedStep, snapshot: Snapshot, phase: Phase): string {
  const rec = snapshot.hidden.steps[step.id] ?? {};
  if (rec.skipped) return `⏭️ gate skipped by @${rec.skipped.by}`;
  if (rec.gatePassedAt !== undefined)
    return `✅ passed ${formatDateTime(rec.gatePassedAt)}${rec.noDiff ? " (no diff)" : ""}`;
  if (step.kind === "decommission" && rec.mergeSha) return "✅ merged";
  if (rec.failed) return "❌ gate failed";
  if (phase.current !== step.id) return stepDone(snapshot.hidden, step) ? "✅" : "· not started";
  const view = snapshot.views.get(step.id);
  if (rec.noDiff) return "🔎 no diff, gate running";
  if (view?.pr?.merged) return "🔎 merged, gate running";
  if (view?.pr?.state === "open") {
    if (view.pr.draft) return "📝 draft PR open";
    const auto = phase.reason.kind === "review" ? phase.reason.autoMerge : undefined;
    return `👀 PR open${auto ? AUTO_MERGE_STATE[auto.state] : ""}`;
  }
  if (view?.pr?.state === "closed") return "⏸️ PR closed unmerged";
  if (step.kind === "decommission")
    return snapshot.hidden.decommission ? "🟢 approved" : "✋ needs `/handover decommission`";
  const held = phaseHold(phase);
  if (held) return HOLD_STATE[held.kind];
  return phase.label === "handover:failed" ? "⛔ blocked" : "⏳ next";
}

const AUTO_MERGE_STATE: Record<AutoMergeView["state"], string> = {
  enabling: ", auto-merge on",
  on: ", auto-merge on",
  refused: ", auto-merge could not be enabled",
  off: ", auto-merge turned off",
  "people-commits": ", auto-merge not enabled (people's commits)",
  merging: ", merging now (nothing left to wait for)",
  queued: ", added to the merge queue",
};

const HOLD_STATE: Record<ScheduleHold["kind"], string> = {
  approval: "✋ needs `/handover approve`",
  window: "🕘 waits for a change window",
  freeze: "🧊 frozen",
  label: "🧊 frozen (label)",
};

function gateCell(step: PlannedStep, snapshot: Snapshot): string {
  if (!step.gate) return "none";
  const view = snapshot.views.get(step.id);
  const gate = view?.gate;
  if (!gate) return `${step.gate.cluster}: ${step.gate.checks.length} check(s), soak ${step.gate.soak}`;
  // A running gate lists its checks without their states: those change while the phase does not (see phaseWords).
  const running = gateUnderWay(gate.state);
  const checks = gate.checks
    .map((c) => `${running ? "" : `${CHECK_ICON[c.state]} `}${escapeText(c.label)}`)
    .join("<br>");
  const soak = running ? `<br>soak ${snapshot.hidden.steps[step.id]?.soak ?? step.gate.soak} once all are green` : "";
  const timeout = gate.state === "passed" ? "" : `<br>time-out ${formatDateTime(gate.deadline)}`;
  return `${checks || "no checks"}${soak}${timeout}`;
}

function prCell(step: PlannedStep, snapshot: Snapshot): string {
  const rec = snapshot.hidden.steps[step.id] ?? {};
  const pr = rec.pr ?? snapshot.views.get(step.id)?.pr?.number;
  return pr === undefined ? (rec.noDiff ? "no PR (no diff)" : "") : `#${pr}`;
}

function mermaid(snapshot: Snapshot, phase: Phase): string {
  const lines = ["```mermaid", "flowchart LR"];
  snapshot.steps.forEach((step, i) => {
    const cls = stepDone(snapshot.hidden, step)
      ? "done"
      : phase.current === step.id
        ? phase.label === "handover:failed"
          ? "failed"
          : "current"
        : "todo";
    lines.push(`  s${i}["${step.id}"]:::${cls}`);
    if (i > 0) lines.push(`  s${i - 1} --> s${i}`);
  });
  lines.push(
    "  classDef done fill:#d3f9d8,stroke:#2b8a3e",
    "  classDef current fill:#fff3bf,stroke:#e67700",
    "  classDef failed fill:#ffe3e3,stroke:#c92a2a",
    "  classDef todo fill:#f1f3f5,stroke:#868e96",
    "```",
  );
  return lines.join("\n");
}

function audit(hidden: HiddenState, shown: number): string {
  if (hidden.audit.length === 0) return "_No commands yet._";
  if (shown === 0) return `_${hidden.audit.length} commands; the newest are in the hidden state._`;
  const rows = hidden.audit
    .slice(-shown)
    .map(
      (a) =>
        `| ${formatDateTime(a.at)} | @${escapeText(a.user)} | ${code(a.command)} | ${a.result} | ${escapeText(a.note)} |`,
    );
  return ["| when | who | command | result | note |", "|---|---|---|---|---|", ...rows].join("\n");
}

const HELP_FOOTER =
  `<sub>Steer with a comment here or on a step PR: ${commandLine(" · ")}. ` +
  "Handover re-reads GitHub on every event and every resync, so this comment always shows the current phase.</sub>";

/** GitHub refuses a comment body over 65,536 characters; the dashboard keeps a margin below it. */
export const DASHBOARD_MAX = 65_000;
const PROBLEMS_SHOWN = 30;
const ROWS_AROUND_CURRENT = 10;

interface Layout {
  mermaid: boolean;
  /** Table rows kept around the current step (all when undefined). */
  rows?: number;
  auditRows: number;
}

function problemLines(problems: string[] = []): string[] {
  const shown = problems.slice(0, PROBLEMS_SHOWN).map((p) => `- ${escapeText(p)}`);
  if (problems.length > PROBLEMS_SHOWN) shown.push(`- …and ${problems.length - PROBLEMS_SHOWN} more`);
  return shown.length ? [...shown, ""] : [];
}

function stepTable(state: Snapshot, phase: Phase, rows: number | undefined): string {
  if (!state.steps.length) return "";
  const current = Math.max(
    0,
    state.steps.findIndex((s) => s.id === phase.current),
  );
  const from = rows === undefined ? 0 : Math.max(0, current - rows);
  const to = rows === undefined ? state.steps.length : Math.min(state.steps.length, current + rows + 1);
  const row = (s: PlannedStep, i: number) =>
    `| ${i + 1} | ${s.id} | ${stepState(s, state, phase)} | ${prCell(s, state)} | ${gateCell(s, state)} |`;
  return [
    "| # | step | state | PR | gate |",
    "|---|---|---|---|---|",
    ...(from > 0 ? [`| 1-${from} | … | ${from} earlier steps | | |`] : []),
    ...state.steps.slice(from, to).map((s, i) => row(s, from + i)),
    ...(to < state.steps.length
      ? [`| ${to + 1}-${state.steps.length} | … | ${state.steps.length - to} later steps | | |`]
      : []),
  ].join("\n");
}

function compose(snapshot: Snapshot, phase: Phase, hidden: HiddenState, layout: Layout): string {
  const state = { ...snapshot, hidden };
  const words = phaseWords(phase, false);
  return [
    DASHBOARD_MARKER,
    `## Handover: ${phase.label.replace("handover:", "")}`,
    "",
    `**${escapeText(words.headline)}**`,
    "",
    ...(snapshot.ignoredEdits?.length ? [ignoredEditNote(snapshot.ignoredEdits), ""] : []),
    ...(snapshot.staleFirst ? [staleFirstNote(snapshot.staleFirst, snapshot), ""] : []),
    ...(hidden.tampered
      ? [
          `> [!WARNING]\n> The hidden state of this comment was edited by someone other than Handover (its signature did not match), so it was ignored and rebuilt from GitHub at ${formatDateTime(hidden.tampered.at)}. Commands written before then are not run again.`,
          "",
        ]
      : []),
    ...problemLines(words.problems),
    words.next ? `Next: ${words.next}` : "",
    "",
    stepTable(state, phase, layout.rows),
    "",
    snapshot.steps.length && layout.mermaid ? mermaid(state, phase) : "",
    "",
    "<details><summary>Audit log</summary>",
    "",
    audit(hidden, layout.auditRows),
    "",
    "</details>",
    "",
    HELP_FOOTER,
  ].join("\n");
}

/** The issue form's names of the fields a migration freezes once its first step merged. */
const FROZEN_FIELD_NAMES: Record<FrozenField, string> = {
  source: ISSUE_FIELDS.source,
  target: ISSUE_FIELDS.target,
  version: ISSUE_FIELDS.version,
  groups: ISSUE_FIELDS.groups,
};

const fieldNames = (fields: FrozenField[]): string => fields.map((f) => FROZEN_FIELD_NAMES[f]).join(", ");

function ignoredEditNote(fields: FrozenField[]): string {
  return `> [!NOTE]\n> The issue's edit of ${fieldNames(fields)} is ignored: the first step was opened and merged for what the issue asked before. What a migration moves is fixed once its first step merged; \`/handover abort\` and file a new issue to change it. (A soak time edit applies to gates not started yet.)`;
}

function staleFirstNote(stale: NonNullable<Snapshot["staleFirst"]>, snapshot: Snapshot): string {
  return staleFirstWarning(snapshot, {
    what: `The issue's ${fieldNames(stale.fields)} changed after #${stale.pr} was opened, and #${stale.pr}`,
    pr: `#${stale.pr}`,
    where: "",
  });
}

/**
 * The same warning at the top of the first step's PR, for its reviewers (who may never look at the issue): the
 * migration issue asks for something else than the PR prepares.
 */
export function staleFirstPullNote(stale: NonNullable<Snapshot["staleFirst"]>, snapshot: Snapshot): string {
  return staleFirstWarning(snapshot, {
    what: `#${snapshot.issue}'s ${fieldNames(stale.fields)} changed after this PR was opened, and it`,
    pr: "this PR",
    where: ` on #${snapshot.issue}`,
  });
}

/** The first step's PR prepares what the issue asked before, in the words of where it is shown. */
function staleFirstWarning(snapshot: Snapshot, words: { what: string; pr: string; where: string }): string {
  const branch = snapshot.steps[0]?.branch ?? "";
  return `> [!WARNING]\n> ${words.what} still prepares what the issue asked for then: if it merges, that is what the migration moves, and the edit is ignored. To move what the issue asks now, delete the branch ${code(branch)} (GitHub closes ${words.pr}) and comment \`/handover retry\`${words.where}: Handover opens the first step again.`;
}

const LAYOUTS: Layout[] = [
  { mermaid: true, auditRows: 20 },
  { mermaid: false, auditRows: 20 },
  { mermaid: false, rows: ROWS_AROUND_CURRENT, auditRows: 5 },
  { mermaid: false, rows: 2, auditRows: 0 },
];

/**
 * Characters every full step table holds at least: each row is `| n | id | state | PR | gate |`, 16 characters of
 * separators around its number, its step id and a state of at least one character (the PR and gate cells may be
 * empty).
 */
export function fullTableFloor(steps: readonly { id: string }[]): number {
  return steps.reduce((sum, step, i) => sum + 17 + String(i + 1).length + step.id.length, 0);
}

/**
 * The text of the migration issue's dashboard comment: steps, gate checks, chain, audit log, help (the engine adds its
 * state). It fits `budget` characters when it can: a long chain loses its diagram, then the rows far from the current
 * step, then the audit rows shown; a write that GitHub refuses would freeze the migration.
 */
export function renderDashboard(snapshot: Snapshot, phase: Phase, hidden: HiddenState, budget = DASHBOARD_MAX): string {
  // A long chain cannot fit a full table, so its full layouts are not composed just to be measured (thousands of rows
  // of a 1,000-group migration, at every write): what every full table holds at least says so beforehand.
  const fullTable = fullTableFloor(snapshot.steps);
  for (const layout of LAYOUTS) {
    if (layout.rows === undefined && fullTable > budget) continue;
    const body = compose(snapshot, phase, hidden, layout);
    if (body.length <= budget) return body;
  }
  return compose(snapshot, phase, hidden, LAYOUTS[LAYOUTS.length - 1] as Layout);
}
