import picomatch from "picomatch";
import type { HealthCheck } from "../spec/config.js";

/** A Provider UID prefix as Flux's notification-controller puts it in a context (the first dash-separated part). */
const SAMPLE_UID = "0c9c2e41";

/** Contexts a tool posts, and how to tell a glob meant for it: a test of what the real tool would post. */
const TOOLS = [
  {
    tool: "Flux",
    looksLike: /kustomization/i,
    name: /kustomization[/:-]([a-z0-9][a-z0-9.-]*[a-z0-9])/i,
    context: (name: string) => `kustomization/${name.toLowerCase()}/${SAMPLE_UID}`,
    posts: "kustomization/<name>/<provider-uid-prefix> (lower-cased)",
    preset: (name: string) => `flux: ${name.toLowerCase()}`,
  },
  {
    tool: "Argo CD",
    looksLike: /continuous-delivery/i,
    name: /continuous-delivery\/([a-z0-9][a-z0-9.-]*[a-z0-9])/i,
    context: (name: string) => `continuous-delivery/${name}`,
    posts: "continuous-delivery/<app> (the label of its GitHub status template)",
    preset: (name: string) => `argocd: ${name}`,
  },
] as const;

/** Problems with a cluster's health entries that no schema can see: no gate at all, globs the real tools never match. */
export function healthWarnings(cluster: string, health: "none" | HealthCheck[]): string[] {
  if (health === "none") return [];
  if (health.length === 0) {
    return [
      `cluster ${cluster} has no health checks: its gates would pass on the soak time alone, and the App will not start a migration of it; add a flux:, argocd:, status:, deployment: or http: entry, or write \`health: none\` to say so`,
    ];
  }
  const warnings: string[] = [];
  for (const check of health) {
    if (!("status" in check)) continue;
    const glob = check.status;
    for (const t of TOOLS) {
      if (!t.looksLike.test(glob)) continue;
      const name = t.name.exec(glob)?.[1]?.replace(/[.-]+$/, "") ?? cluster;
      const context = t.context(name);
      if (picomatch(glob, { dot: true })(context)) continue;
      warnings.push(
        `cluster ${cluster}: status ${JSON.stringify(glob)} looks like a ${t.tool} context, but ${t.tool} posts ${t.posts}, e.g. ${context}, which it never matches: write \`${t.preset(name)}\` instead`,
      );
    }
  }
  return warnings;
}
