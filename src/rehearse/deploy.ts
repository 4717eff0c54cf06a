// The rehearsal's deploy systems: each posts to GitHub exactly what the real tool posts, so a gate that could not see
// the real tool's reports times out here too instead of passing on statuses made to fit it.
import { loadRepo, type FileMap } from "../repo/index.js";
import { healthChecks, type HealthCheck } from "../spec/config.js";
import { readYamlDocuments } from "../spec/yaml.js";

export const DEPLOY_SYSTEMS = ["flux", "argocd", "deployments", "status"] as const;
export type DeploySystem = (typeof DEPLOY_SYSTEMS)[number];

/** The first part of a Flux Provider's UID: notification-controller puts it at the end of every context. */
export const FLUX_PROVIDER_UID_PREFIX = "5f0c3e2a";

/**
 * How long after a merge each tool reports: Flux's GitRepository polls (1m) then the Kustomization applies and waits for
 * health; Argo CD polls git every 3 minutes; a CI deploy job reports about a minute after the push.
 */
export const DEPLOY_DELAY_MS: Record<DeploySystem, number> = {
  flux: 2 * 60_000,
  argocd: 3 * 60_000,
  deployments: 60_000,
  status: 60_000,
};

/** One report to GitHub. */
export type Posting = { kind: "status"; context: string } | { kind: "deployment"; environment: string };

const FLUX_GLOB = /kustomization[/:-]([a-z0-9][a-z0-9.-]*[a-z0-9])/i;
const ARGO_GLOB = /continuous-delivery\/([a-z0-9][a-z0-9.-]*[a-z0-9])/i;

function allChecks(tree: FileMap): HealthCheck[] {
  const loaded = loadRepo(tree);
  return loaded.ok ? [...loaded.model.clusters.values()].flatMap((c) => healthChecks(c.spec.health)) : [];
}

/** The systems a config's health entries name (a `status:` glob shaped like a Flux or Argo context names that tool). */
export function derivedSystems(tree: FileMap): DeploySystem[] {
  const found = new Set<DeploySystem>();
  for (const check of allChecks(tree)) {
    if ("flux" in check || ("status" in check && FLUX_GLOB.test(check.status))) found.add("flux");
    else if ("argocd" in check || ("status" in check && ARGO_GLOB.test(check.status))) found.add("argocd");
    else if ("deployment" in check) found.add("deployments");
    else if ("status" in check) found.add("status");
  }
  return DEPLOY_SYSTEMS.filter((s) => found.has(s));
}

/** Objects of one kind in the tree (`kustomize.toolkit.fluxcd.io` Kustomizations, `argoproj.io` Applications). */
function objectNames(tree: FileMap, apiGroup: string, kind: string): string[] {
  const names = new Set<string>();
  for (const [path, text] of tree) {
    if (!/\.ya?ml$/.test(path) || !text.includes(apiGroup)) continue;
    const docs = readYamlDocuments(path, text);
    if (!docs.ok) continue;
    for (const doc of docs.value) {
      const object = doc as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } } | null;
      const name = object?.metadata?.name;
      if (object?.kind === kind && String(object.apiVersion).startsWith(`${apiGroup}/`) && typeof name === "string")
        names.add(name);
    }
  }
  return [...names].sort();
}

/** Names the config expects of a tool, for objects that live in another repo (a fleet repo applies this one). */
function configuredNames(tree: FileMap, preset: "flux" | "argocd", glob: RegExp): string[] {
  const names = new Set<string>();
  for (const check of allChecks(tree)) {
    if (preset === "flux" && "flux" in check) names.add(check.flux);
    if (preset === "argocd" && "argocd" in check) names.add(check.argocd);
    const fromGlob = "status" in check ? glob.exec(check.status)?.[1] : undefined;
    if (fromGlob) names.add(fromGlob.replace(/[.-]+$/, ""));
  }
  return [...names].sort();
}

/** What one system posts once it has deployed the tree of a commit. */
export function postingsFor(system: DeploySystem, tree: FileMap): Posting[] {
  switch (system) {
    case "flux": {
      // notification-controller: `<kind>/<name>/<provider uid prefix>`, lower-cased, for every Kustomization reconciled.
      const objects = objectNames(tree, "kustomize.toolkit.fluxcd.io", "Kustomization");
      const names = objects.length ? objects : configuredNames(tree, "flux", FLUX_GLOB);
      return names.map((n) => ({
        kind: "status",
        context: `kustomization/${n}/${FLUX_PROVIDER_UID_PREFIX}`.toLowerCase(),
      }));
    }
    case "argocd": {
      // Argo CD notifications' GitHub status template, as its docs write it: label `continuous-delivery/<app>`.
      const objects = objectNames(tree, "argoproj.io", "Application");
      const names = objects.length ? objects : configuredNames(tree, "argocd", ARGO_GLOB);
      return names.map((n) => ({ kind: "status", context: `continuous-delivery/${n}` }));
    }
    case "deployments": {
      const envs = new Set(allChecks(tree).flatMap((c) => ("deployment" in c ? [c.deployment] : [])));
      return [...envs].sort().map((environment) => ({ kind: "deployment", environment }));
    }
    case "status": {
      // A CI job that reports a context of its own: the one the glob describes (`ci/deploy-a*` -> `ci/deploy-a`).
      const contexts = new Set(
        allChecks(tree).flatMap((c) =>
          "status" in c ? [c.status.replace(/\*+/g, "").replace(/[/-]+$/, "") || "deploy"] : [],
        ),
      );
      return [...contexts].sort().map((context) => ({ kind: "status", context }));
    }
  }
}
