import { planMigration } from "../plan/index.js";
import type { DeploySystem } from "../rehearse/deploy.js";
import { rehearse, scriptedComment, type RehearsalReport } from "../rehearse/run.js";
import { parseIssueBody } from "../spec/issue.js";
import { formatZodIssues, InputError } from "../spec/problems.js";
import { readYaml } from "../spec/yaml.js";
import { z } from "zod";
import { checkOutDir, writeOutDir } from "./disk.js";
import { EXIT, paint, readRepoDir, readTextFile, type Io } from "./io.js";
import { formatElapsed } from "../health/index.js";

export interface RehearseOptions {
  repo: string;
  issue: string;
  format: "text" | "json";
  failHealth?: string;
  chaos?: number;
  replicas: number;
  commands?: string;
  merge?: "merge" | "squash" | "rebase";
  /** commander's --no-drafts / --no-labels: false when given */
  drafts?: boolean;
  reviews?: number;
  labels?: boolean;
  /** commander's --no-auto-merge: false when given */
  autoMerge?: boolean;
  out?: string;
  start?: number;
  deploy?: DeploySystem[];
}

function summary(io: Io, report: RehearsalReport): string {
  const head = report.completed
    ? paint(
        io,
        "green",
        `✓ Rehearsal completed: ${report.steps.length} steps in ${formatElapsed(report.simulated_seconds)} of simulated time`,
      )
    : paint(
        io,
        "red",
        `✗ Rehearsal stopped at ${report.stopped_at ?? "?"} (${report.final_label ?? "no label"}) after ${formatElapsed(report.simulated_seconds)} of simulated time`,
      );
  const rows = report.steps.map(
    (s) =>
      `  ${s.id.padEnd(24)} ${s.pr ? `#${s.pr}`.padEnd(5) : "-    "} ${(s.state ?? "not opened").padEnd(10)} ${s.gate_passed_at !== null ? `gate passed at ${formatElapsed(s.gate_passed_at)}` : ""}`,
  );
  const comments = report.comments.map(
    (c) =>
      `  @${c.user}: ${c.body.split("\n")[0]} -> ${c.reaction ?? "no reaction"}${c.accepted ? "" : " (not applied)"}`,
  );
  return [
    "",
    head,
    ...rows,
    ...(comments.length ? ["Commands:", ...comments] : []),
    `Deploy systems: ${report.deploy.systems.join(", ") || "none"} (posted ${report.deploy.posted.join(", ") || "nothing"})`,
    ...report.deploy.waiting.map((w) => paint(io, "red", `  ${w}`)),
    report.deploy.build_errors.length === 0
      ? "Packaging: the final tree builds (every kustomization entry names a file that exists, no resource twice)"
      : paint(
          io,
          "red",
          `Packaging: kustomize build fails on the final tree: ${report.deploy.build_errors.join("; ")}`,
        ),
    `Invariant: ${report.violations.length === 0 ? "held at every commit of the default branch" : paint(io, "red", `BROKEN at ${report.violations.length} commit(s)`)}; duplicate PRs: ${report.duplicate_prs}`,
    `GitHub API: ${report.api.requests} requests (${report.api.writes} writes)`,
    "",
  ].join("\n");
}

/** Tells a newcomer where to look after `rehearse --out`. */
function whereToLook(dir: string, files: Map<string, string>): string {
  const count = (prefix: string): number => [...files.keys()].filter((p) => p.startsWith(prefix)).length;
  return [
    `What GitHub would show is in ${dir}/ (${files.size} files):`,
    `  ${dir}/dashboard.md      the migration issue's dashboard comment at the end`,
    `  ${dir}/dashboards/       the dashboard at each of its ${count("dashboards/")} changes, numbered`,
    `  ${dir}/prs/              title and body of each of the ${count("prs/")} step PRs`,
    `  ${dir}/replies/          the ${count("replies/")} replies Handover posted`,
    `  ${dir}/tree/             the config repo's default branch at the end`,
    "",
  ].join("\n");
}

async function readCommands(path: string | undefined): Promise<z.infer<typeof scriptedComment>[]> {
  if (!path) return [];
  const text = await readTextFile("--commands", path);
  const yaml = readYaml(path, text);
  if (!yaml.ok) throw new InputError(yaml.problems);
  const parsed = z.array(scriptedComment).safeParse(yaml.value ?? []);
  if (!parsed.success) throw new InputError(formatZodIssues(path, parsed.error.issues, yaml.value));
  return parsed.data;
}

/** `handover rehearse`: the whole migration end to end against the GitHub simulator. */
export async function rehearseCommand(io: Io, options: RehearseOptions): Promise<number> {
  const files = await readRepoDir(options.repo);
  const body = await readTextFile("--issue", options.issue);
  const commands = await readCommands(options.commands);
  const parsed = parseIssueBody(body);
  const planned = planMigration(files, parsed.request, 1, parsed.problems);
  if (!planned.ok)
    throw new InputError(
      planned.kind === "input"
        ? planned.problems
        : planned.violations.map((v) => `refused${planned.step ? ` at ${planned.step}` : ""}: ${v.message}`),
    );
  const ids = planned.plan.steps.map((s) => s.id);
  if (options.failHealth && !ids.includes(options.failHealth))
    throw new InputError([`--fail-health ${options.failHealth}: not a step of this plan (steps: ${ids.join(", ")})`]);
  const unknown = commands.find((c) => !ids.includes(c.after));
  if (unknown)
    throw new InputError([
      `--commands: after: ${JSON.stringify(unknown.after)} is not a step of this plan (steps: ${ids.join(", ")})`,
    ]);
  const refusal = options.out ? await checkOutDir(options.out) : undefined;
  if (refusal) throw new InputError([refusal]);
  const text = options.format === "text";
  let shown: Map<string, string> | undefined;
  const report = await rehearse({
    files,
    issueBody: body,
    plan: planned.plan,
    replicas: options.replicas,
    commands,
    repo: {
      merge: options.merge ?? "merge",
      noDrafts: options.drafts === false,
      reviews: options.reviews ?? 0,
      noLabels: options.labels === false,
      noAutoMerge: options.autoMerge === false,
    },
    ...(options.deploy ? { deploy: options.deploy } : {}),
    ...(options.failHealth ? { failHealth: options.failHealth } : {}),
    ...(options.chaos !== undefined ? { chaosSeed: options.chaos } : {}),
    ...(options.start !== undefined ? { start: options.start } : {}),
    ...(options.out ? { onShown: (files: Map<string, string>) => void (shown = files) } : {}),
    ...(text
      ? {
          onEvent: (at: number, line: string) =>
            io.out(`${paint(io, "dim", `[${formatElapsed(Math.round(at / 1000))}]`)} ${line}\n`),
        }
      : {}),
  });
  if (options.out && shown) await writeOutDir(options.out, shown);
  io.out(text ? summary(io, report) : `${JSON.stringify(report, null, 2)}\n`);
  if (text && options.out && shown) io.out(whereToLook(options.out, shown));
  return report.completed && report.deploy.build_errors.length === 0 ? EXIT.ok : EXIT.refused;
}
