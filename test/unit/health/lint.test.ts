import { describe, expect, it } from "vitest";
import { healthWarnings } from "../../../src/health/index.js";

describe("healthWarnings: what the schema cannot see", () => {
  it("no entries: the gate would pass on time alone; health: none says it on purpose", () => {
    expect(healthWarnings("replicore-a", [])).toStrictEqual([
      "cluster replicore-a has no health checks: its gates would pass on the soak time alone, and the App will not start a migration of it; add a flux:, argocd:, status:, deployment: or http: entry, or write `health: none` to say so",
    ]);
    expect(healthWarnings("replicore-a", "none")).toStrictEqual([]);
  });

  it.each([
    ["flux/kustomization/replicore-a*", "Flux", "kustomization/replicore-a/0c9c2e41", "flux: replicore-a"],
    ["Kustomization/replicore-a/*", "Flux", "kustomization/replicore-a/0c9c2e41", "flux: replicore-a"],
    ["kustomization/replicore-a", "Flux", "kustomization/replicore-a/0c9c2e41", "flux: replicore-a"],
    ["argocd/continuous-delivery/replicore-a", "Argo CD", "continuous-delivery/replicore-a", "argocd: replicore-a"],
  ])("status %j never matches what %s posts (%s)", (glob, tool, context, preset) => {
    const posts =
      tool === "Flux"
        ? "kustomization/<name>/<provider-uid-prefix> (lower-cased)"
        : "continuous-delivery/<app> (the label of its GitHub status template)";
    expect(healthWarnings("replicore-a", [{ status: glob }])).toStrictEqual([
      `cluster replicore-a: status ${JSON.stringify(glob)} looks like a ${tool} context, but ${tool} posts ${posts}, e.g. ${context}, which it never matches: write \`${preset}\` instead`,
    ]);
  });

  it.each([
    "kustomization/replicore-a/*",
    "kustomization/replicore-a/0c9c2e41",
    "kustomization/*/*",
    "continuous-delivery/replicore-a",
    "continuous-delivery/*",
    "ci/deploy-replicore-a*",
  ])("status %j matches what the tool posts (or is no tool's): no warning", (glob) => {
    expect(healthWarnings("replicore-a", [{ status: glob }, { flux: "replicore-a" }])).toStrictEqual([]);
  });
});
