import { statusGlob, type HealthCheck } from "../spec/config.js";
import type { PlannedStep } from "../plan/index.js";
import type { FileChange } from "../repo/index.js";
import { PLACEHOLDER } from "../repo/index.js";
import { commandLine } from "../chatops/index.js";
import { stepMarker } from "../spec/markers.js";

function describeCheck(check: HealthCheck): string {
  if ("flux" in check)
    return `Flux Kustomization \`${check.flux}\` reports success (commit status \`${statusGlob(check)}\`)`;
  if ("argocd" in check)
    return `Argo CD Application \`${check.argocd}\` reports success (commit status \`${statusGlob(check)}\`)`;
  if ("status" in check) return `commit status / check run \`${check.status}\` is success`;
  if ("deployment" in check) return `newest deployment to \`${check.deployment}\` is success`;
  return `\`${check.http}\` reports every result HEALTHY${check.version ? " and the target version" : ""}`;
}

const WHY: Record<PlannedStep["kind"], string> = {
  prepare:
    "Stands up the new Core cluster on its own dependencies with no discovery backends (steps 2-5 of Replicante's Breaking Upgrades guide).",
  release:
    "Removes these backends from the old cluster and asks for its rolling restart, so it stops managing them (steps 6.1-6.2 of Replicante's Breaking Upgrades guide).",
  adopt:
    "Adds these backends to the new cluster and asks for its rolling restart, so it starts managing them (steps 6.3-6.4 of Replicante's Breaking Upgrades guide).",
  decommission:
    "Deletes the old cluster's files and its handover.yml entry (step 7 of Replicante's Breaking Upgrades guide), approved with `/handover decommission`.",
};

/** The body of a step PR: marker, links, what it changes and why, the gate that follows, what to do. */
export function renderPrBody(args: {
  issue: number;
  step: PlannedStep;
  index: number;
  total: number;
  previousPr: number | null;
  changes: readonly FileChange[];
  version: string;
  rollbackOf?: string;
  /** handover.yml marks the step for GitHub's auto-merge. */
  automerge?: boolean;
  /** The first step's signed opened-for block (engine/state.ts, `openedFor`). */
  openedFor?: string;
}): string {
  const { issue, step } = args;
  const gate = step.gate
    ? [
        `After merge, **${step.gate.cluster}** must stay healthy for **${step.gate.soak}** without a break (time-out ${step.gate.timeout}) before the next step opens:`,
        ...(step.gate.checks.length
          ? step.gate.checks.map((c) => `- ${describeCheck(c)}`)
          : ["- (no checks configured: only the soak time)"]),
      ]
    : args.rollbackOf
      ? [
          `No gate: this revert takes **${step.cluster}** out of \`.github/handover.yml\`, so it has no health left to wait for; the chain pauses once it merged.`,
        ]
      : ["No gate: this is the last step."];
  const checklist =
    !args.rollbackOf && step.kind === "prepare" && args.changes.some((c) => c.content?.includes(PLACEHOLDER))
      ? [
          "",
          "### Before you merge",
          `- [ ] Replace every \`${PLACEHOLDER}\` with the new cluster's **own** dependencies (Zookeeper ensemble, MongoDB uri, Kafka brokers): it must not share any with the old cluster.`,
          `- [ ] Check the new cluster runs Replicante Core **${args.version}** (image tags).`,
          "- [ ] Push your changes to this branch: Handover never overwrites commits made by people.",
          "- [ ] Mark the PR ready for review; the `handover/guard` check fails while a placeholder is left.",
        ]
      : [];
  return [
    stepMarker(issue, step.id),
    ...(args.openedFor ? [args.openedFor] : []),
    args.rollbackOf
      ? `**Handover rollback** for #${issue}: ${step.summary}.`
      : `**Handover step ${args.index + 1} of ${args.total}** for #${issue}: ${step.summary}.`,
    "",
    args.rollbackOf
      ? `Reverts ${args.previousPr === null ? args.rollbackOf : `#${args.previousPr}`}: every file it changed gets its content from before that merge back, and the restart key is bumped so the cluster picks it up. Requested with \`/handover rollback\`; after its gate passes the chain pauses.`
      : WHY[step.kind],
    "",
    `Previous step: ${args.previousPr === null ? "none (this is the first PR)" : `#${args.previousPr}`}`,
    "",
    "### Changes",
    ...args.changes.map((c) => `- ${c.action} \`${c.path}\``),
    "",
    ...(step.unplaced?.length && !args.rollbackOf
      ? [
          "### Not copied",
          "These files of the old cluster's folder do not contain its name, so Handover could not tell where the new cluster's copies belong; copy what it needs by hand on this branch:",
          ...step.unplaced.map((path) => `- \`${path}\``),
          "",
        ]
      : []),
    "### Gate",
    ...gate,
    ...(args.automerge
      ? [
          "",
          "### Auto-merge",
          "Auto-merge is on for this step (`automerge` in `.github/handover.yml`): Handover turns on GitHub's auto-merge, so this PR merges by itself once branch protection's required reviews and checks pass. Turn it off on the PR to review and merge it yourself.",
        ]
      : []),
    ...checklist,
    "",
    `<sub>Comment ${commandLine(", ", " or ")} here or on #${issue}. Every step is checked so that no two Replicante Core clusters ever manage the same datastore.</sub>`,
  ].join("\n");
}
