import { healthWarnings } from "../health/index.js";
import { checkReadableTree } from "../invariant/index.js";
import { loadRepo, type FileMap } from "../repo/index.js";
import { InputError } from "../spec/problems.js";
import { RULES, type Violation } from "../spec/violation.js";
import { EXIT, paint, readRepoDir, type Io } from "./io.js";

export function renderViolations(io: Io, violations: readonly Violation[]): string {
  return violations
    .map(
      (v) =>
        `${paint(io, "red", "✗")} ${paint(io, "bold", v.rule)}: ${v.message}\n    files: ${v.files.join(", ") || "-"}\n`,
    )
    .join("");
}

/** What the schema cannot see in handover.yml: gates that pass on time alone, globs no deploy tool ever matches. */
function configWarnings(tree: FileMap): string[] {
  const loaded = loadRepo(tree);
  if (!loaded.ok) return [];
  return [...loaded.model.clusters.values()].flatMap((c) => healthWarnings(c.name, c.spec.health));
}

/** `handover check`: the invariant checker on a checked-out config repo. */
export async function checkCommand(io: Io, options: { repo: string; format: "text" | "json" }): Promise<number> {
  const tree = await readRepoDir(options.repo);
  const result = checkReadableTree(tree);
  if (!result.readable) throw new InputError(result.problems);
  const violations = result.violations;
  const warnings = configWarnings(tree);
  if (options.format === "json") {
    io.out(
      `${JSON.stringify({ ok: violations.length === 0, violations: violations.map(({ rule, message, clusters, subject, files }) => ({ rule, message, clusters, subject, files })) }, null, 2)}\n`,
    );
    // The JSON document keeps the shape scripts rely on; warnings go where a person sees them.
    for (const w of warnings) io.err(`handover check: warning: ${w}\n`);
  } else if (violations.length === 0) {
    io.out(
      `${paint(io, "green", "✓")} ${options.repo}: no two Replicante Core clusters share a backend, datastore or dependency\n`,
    );
  } else {
    io.out(
      `${paint(io, "red", `${violations.length} violation${violations.length > 1 ? "s" : ""}`)} in ${options.repo}:\n${renderViolations(io, violations)}`,
    );
    const rules = [...new Set(violations.map((v) => v.rule))];
    io.out(`\nRules broken: ${rules.map((r) => `${r} (${RULES[r]})`).join("; ")}\n`);
  }
  if (options.format === "text" && warnings.length > 0)
    io.out(`${paint(io, "yellow", "Warnings:")}\n${warnings.map((w) => `  - ${w}\n`).join("")}`);
  return violations.length === 0 ? EXIT.ok : EXIT.refused;
}
