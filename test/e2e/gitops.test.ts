// GitOps repos as they are applied for real: Kustomize packaging, Flux and Argo CD posting what they really post.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { danglingRefs } from "../../src/repo/index.js";
import type { GitHubSim } from "../../src/sim/index.js";
import { EXAMPLE_ISSUE, expectStrictOrder, issueBody, run, withConfig } from "./helpers.js";

describe("rehearsals with the deploy system the config names", () => {
  it("Kustomize + one Flux Kustomization for the fleet: completes, and every tree on main builds", async () => {
    const { report, sims } = await run(
      "test/fixtures/repos/kustomize",
      issueBody("replicore-a", "replicore-b", "0.3.1", "canary: mongo\nrest: *"),
    );
    expect(report.completed).toBe(true);
    expectStrictOrder(report);
    expect(report.deploy).toStrictEqual({
      systems: ["flux"],
      posted: ["kustomization/fleet/5f0c3e2a"],
      waiting: [],
      build_errors: [],
    });
    expect(report.violations).toEqual([]);
    const sim = sims[0] as GitHubSim;
    for (const commit of sim.defaultBranchHistory()) expect(danglingRefs(sim.readTree(commit)), commit).toEqual([]);
    expect(sim.readTree("main").get("clusters/kustomization.yaml")).toBe(
      "# Everything Flux applies from this repo.\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - shared\n  - ./replicore-b\n",
    );
  });

  it("Flux Kustomization per cluster: prepare adds replicore-b's, whose status is what its gate reads", async () => {
    const { report, sims } = await run(
      "test/fixtures/repos/flux",
      issueBody("replicore-a", "replicore-b", "0.3.1", "canary: etcd\nrest: *"),
    );
    expect(report.completed).toBe(true);
    expect(report.deploy.posted).toStrictEqual([
      "kustomization/replicore-a/5f0c3e2a",
      "kustomization/replicore-b/5f0c3e2a",
    ]);
    const final = (sims[0] as GitHubSim).readTree("main");
    expect([...final.keys()].filter((p) => p.startsWith("clusters/production/")).sort()).toStrictEqual([
      "clusters/production/gotk-sync.yaml",
      "clusters/production/kustomization.yaml",
      "clusters/production/replicore-b.yaml",
    ]);
    expect(final.get("clusters/production/kustomization.yaml")).toBe(
      "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-sync.yaml\n  - replicore-b.yaml\n",
    );
  });

  it("Argo CD Application per cluster: completes on continuous-delivery/<app> statuses", async () => {
    const { report, sims } = await run(
      "test/fixtures/repos/argocd",
      issueBody("replicore-a", "replicore-b", "0.3.1", "canary: postgres\nrest: *"),
    );
    expect(report.completed).toBe(true);
    expect(report.deploy.systems).toStrictEqual(["argocd"]);
    expect(report.deploy.posted).toStrictEqual(["continuous-delivery/replicore-a", "continuous-delivery/replicore-b"]);
    const final = (sims[0] as GitHubSim).readTree("main");
    expect(final.get("argocd/kustomization.yaml")).toBe(
      "# The app-of-apps: every Application Argo CD manages from this repo.\nresources:\n  - replicore-b.yaml\n",
    );
    expect(final.has("argocd/replicore-a.yaml")).toBe(false);
    expect(final.get("argocd/replicore-b.yaml")).toContain("    path: apps/replicore-b\n");
  });
});

describe("a final tree kustomize would not build", () => {
  it("a parent that lists one folder twice: the rehearsal says which kustomization builds which resource twice", async () => {
    const repo = mkdtempSync(join(tmpdir(), "handover-gitops-"));
    cpSync("test/fixtures/repos/kustomize", repo, { recursive: true });
    const parent = join(repo, "clusters/kustomization.yaml");
    writeFileSync(parent, `${readFileSync(parent, "utf8")}  - ./shared\n`);
    const { report } = await run(repo, issueBody("replicore-a", "replicore-b", "0.3.1", "canary: mongo\nrest: *"));
    expect(report.deploy.build_errors).toStrictEqual([
      'clusters/kustomization.yaml: builds Namespace "replicante" twice',
    ]);
  });
});

describe("a gate that cannot see what the real tool posts", () => {
  it("a Flux-looking glob times out in the rehearsal, saying which context was posted and which glob waited", async () => {
    const repo = withConfig("examples/config-repo", (text) =>
      text.replace(/ {6}- flux: replicore-a[^\n]*\n/, '      - status: "flux/kustomization/replicore-a*"\n'),
    );
    const { report } = await run(repo, EXAMPLE_ISSUE);
    expect(report.completed).toBe(false);
    expect(report.stopped_at).toBe("prepare");
    expect(report.final_label).toBe("handover:failed");
    expect(report.deploy.systems).toStrictEqual(["flux", "deployments"]);
    expect(report.deploy.waiting).toStrictEqual([
      'prepare: the gate waited for a status matching "flux/kustomization/replicore-b*", but the deploy system (flux, deployments) posted kustomization/replicore-a/5f0c3e2a, kustomization/replicore-b/5f0c3e2a: none matches',
    ]);
  });

  it("--deploy argocd on a Flux repo (no Application to report on): the flux: gate waits, and the output says nothing was posted", async () => {
    const { report } = await run(
      "test/fixtures/repos/flux",
      issueBody("replicore-a", "replicore-b", "0.3.1", "canary: etcd\nrest: *"),
      { deploy: ["argocd"] },
    );
    expect(report.completed).toBe(false);
    expect(report.deploy.waiting).toStrictEqual([
      'prepare: the gate waited for a status matching "kustomization/replicore-b/*", but the deploy system (argocd) posted no status: none matches',
    ]);
  });

  it("a cluster without health entries: the App refuses to start unless health: none says so", async () => {
    const repo = withConfig("test/fixtures/repos/argocd", (text) =>
      text.replace(
        "    health:\n      - argocd: replicore-a   # Argo CD notifications: status continuous-delivery/replicore-a\n",
        "",
      ),
    );
    const refused = await run(repo, issueBody("replicore-a", "replicore-b", "0.3.1"));
    expect(refused.report.completed).toBe(false);
    expect(refused.report.final_label).toBe("handover:failed");
    expect(refused.report.steps.every((s) => s.pr === null)).toBe(true);
    expect(refused.plan.ungated).toStrictEqual(["replicore-a", "replicore-b"]);
    expect(refused.plan.warnings).toContain(
      "cluster replicore-a has no health checks: its gates would pass on the soak time alone, and the App will not start a migration of it; add a flux:, argocd:, status:, deployment: or http: entry, or write `health: none` to say so",
    );
    const explicit = withConfig("test/fixtures/repos/argocd", (text) =>
      text.replace(
        "    health:\n      - argocd: replicore-a   # Argo CD notifications: status continuous-delivery/replicore-a\n",
        "    health: none\n",
      ),
    );
    const allowed = await run(explicit, issueBody("replicore-a", "replicore-b", "0.3.1"));
    expect(allowed.report.completed).toBe(true);
  });
});
