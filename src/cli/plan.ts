import { planMigration, type Plan, type PlannedStep } from "../plan/index.js";
import { parseIssueBody } from "../spec/issue.js";
import { InputError } from "../spec/problems.js";
import { renderViolations } from "./check.js";
import { EXIT, paint, readRepoDir, readTextFile, type Io } from "./io.js";

/** The `plan --format json` document (DESIGN section 7), plus each step's status and gate. */
export function planJson(plan: Plan): unknown {
  return {
    issue: plan.issue,
    source: plan.source,
    target: plan.target,
    version: plan.version,
    groups: plan.groups,
    steps: plan.steps.map((s) => ({
      id: s.id,
      kind: s.kind,
      group: s.group,
      cluster: s.cluster,
      branch: s.branch,
      title: s.title,
      status: s.status,
      gate: s.gate,
      changes: s.changes.map(({ path, action, content, diff }) => ({ path, action, content, diff })),
    })),
    warnings: plan.warnings,
  };
}

function colorDiff(io: Io, diff: string): string {
  return diff
    .split("\n")
    .map((line) =>
      line.startsWith("+") && !line.startsWith("+++")
        ? paint(io, "green", line)
        : line.startsWith("-") && !line.startsWith("---")
          ? paint(io, "red", line)
          : line.startsWith("@@")
            ? paint(io, "cyan", line)
            : line,
    )
    .join("\n");
}

function renderStep(io: Io, step: PlannedStep, index: number): string {
  const head = `${paint(io, "bold", `${index + 1}. ${step.id}`)}  ${step.title}`;
  const gate = step.gate
    ? `gate: ${step.gate.cluster} healthy (${step.gate.checks.length} check${step.gate.checks.length === 1 ? "" : "s"}, soak ${step.gate.soak}, timeout ${step.gate.timeout})`
    : "gate: none (decommission needs an authorized `/handover decommission`)";
  const lines = [head, `   branch ${step.branch}`, `   ${gate}`];
  if (step.status === "no-diff")
    lines.push(`   ${paint(io, "dim", "no changes: already on the default branch (skipped, no PR)")}`);
  for (const change of step.changes) lines.push(`   ${change.action} ${change.path}`);
  const diffs = step.changes.map((c) => colorDiff(io, c.diff)).join("");
  return `${lines.join("\n")}\n${diffs ? `\n${diffs}` : ""}\n`;
}

export function renderPlan(io: Io, plan: Plan): string {
  const groups = plan.groups.map((g) => `${g.name} (${g.backends.join(", ")})`).join(", ");
  const header = [
    paint(
      io,
      "bold",
      `Plan for issue #${plan.issue}: ${plan.source} -> ${plan.target} (Replicante Core ${plan.version})`,
    ),
    `Groups: ${groups || "none"}`,
    `${plan.steps.length} steps, each opened only after the previous one merged and its gate passed.`,
    "",
  ].join("\n");
  const warnings = plan.warnings.length
    ? `${paint(io, "yellow", "Warnings:")}\n${plan.warnings.map((w) => `  - ${w}\n`).join("")}`
    : "";
  return `${header}\n${plan.steps.map((s, i) => renderStep(io, s, i)).join("\n")}${warnings}`;
}

/** `handover plan`: the steps for a migration issue against a config repo. */
export async function planCommand(
  io: Io,
  options: { repo: string; issue: string; number: number; format: "text" | "json" },
): Promise<number> {
  const tree = await readRepoDir(options.repo);
  const body = await readTextFile("--issue", options.issue);
  const parsed = parseIssueBody(body);
  const result = planMigration(tree, parsed.request, options.number, parsed.problems);
  if (result.ok) {
    io.out(
      options.format === "json" ? `${JSON.stringify(planJson(result.plan), null, 2)}\n` : renderPlan(io, result.plan),
    );
    return EXIT.ok;
  }
  if (result.kind === "input")
    throw new InputError(result.problems.map((p) => (parsed.problems.includes(p) ? `${options.issue}: ${p}` : p)));
  const where =
    result.step === null ? "the repo already breaks the invariant" : `step ${result.step} would break the invariant`;
  if (options.format === "json") {
    io.out(
      `${JSON.stringify({ ok: false, step: result.step, violations: result.violations.map(({ rule, message, clusters, subject, files }) => ({ rule, message, clusters, subject, files })) }, null, 2)}\n`,
    );
  } else {
    io.out(`${paint(io, "red", "Refused:")} ${where}; no step is opened.\n${renderViolations(io, result.violations)}`);
  }
  io.err(`handover plan: refused: ${where} (${result.violations.map((v) => v.rule).join(", ")})\n`);
  return EXIT.refused;
}
