import { commandLine } from "../chatops/index.js";
import { durationMs } from "../spec/config.js";
import {
  phaseHold,
  stepDone,
  type HiddenState,
  type Phase,
  type ScheduleHold,
  type Snapshot,
} from "../engine/types.js";
import { DASHBOARD_MARKER } from "../spec/markers.js";
import type { PlannedStep } from "../plan/index.js";
import { formatDateTime } from "../health/index.js";
import { code, escapeText } from "./markdown.js";
import { phaseWords } from "./phase.js";

const CHECK_ICON = { success: "✅", pending: "⏳", failure: "❌" } as const;

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
  if (view?.pr?.state === "open") return view.pr.draft ? "📝 draft PR open" : "👀 PR open";
  if (view?.pr?.state === "closed") return "⏸️ PR closed unmerged";
  if (step.kind === "decommission")
    return snapshot.hidden.decommission ? "🟢 approved" : "✋ needs `/handover decommission`";
  const held = phaseHold(phase);
  if (held) return HOLD_STATE[held.kind];
  return phase.label === "handover:failed" ? "⛔ blocked" : "⏳ next";
}

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
  const checks = gate.checks.map((c) => `${CHECK_ICON[c.state]} ${escapeText(c.label)}`).join("<br>");
  const soak =
    gate.state === "soaking" && gate.passingSince !== undefined && step.gate
      ? `<br>soak ends ${formatDateTime(gate.passingSince + durationMs(step.gate.soak))}`
      : "";
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

function audit(hidden: HiddenState): string {
  if (hidden.audit.length === 0) return "_No commands yet._";
  const rows = hidden.audit
    .slice(-20)
    .map(
      (a) =>
        `| ${formatDateTime(a.at)} | @${escapeText(a.user)} | ${code(a.command)} | ${a.result} | ${escapeText(a.note)} |`,
    );
  return ["| when | who | command | result | note |", "|---|---|---|---|---|", ...rows].join("\n");
}

const HELP_FOOTER =
  `<sub>Steer with a comment here or on a step PR: ${commandLine(" · ")}. ` +
  "Handover re-reads GitHub on every event and every resync, so this comment always shows the current state.</sub>";

/** The text of the migration issue's dashboard comment: steps, gate checks, chain, audit log, help (the engine adds its state). */
export function renderDashboard(snapshot: Snapshot, phase: Phase, hidden: HiddenState): string {
  const words = phaseWords(phase);
  const state = { ...snapshot, hidden };
  const table = snapshot.steps.length
    ? [
        "| # | step | state | PR | gate |",
        "|---|---|---|---|---|",
        ...snapshot.steps.map(
          (s, i) =>
            `| ${i + 1} | ${s.id} | ${stepState(s, state, phase)} | ${prCell(s, state)} | ${gateCell(s, state)} |`,
        ),
      ].join("\n")
    : "";
  return [
    DASHBOARD_MARKER,
    `## Handover: ${phase.label.replace("handover:", "")}`,
    "",
    `**${escapeText(words.headline)}**`,
    "",
    ...(words.problems ?? []).map((p) => `- ${escapeText(p)}`),
    ...(words.problems?.length ? [""] : []),
    words.next ? `Next: ${words.next}` : "",
    "",
    table,
    "",
    snapshot.steps.length ? mermaid(state, phase) : "",
    "",
    "<details><summary>Audit log</summary>",
    "",
    audit(hidden),
    "",
    "</details>",
    "",
    HELP_FOOTER,
  ].join("\n");
}
