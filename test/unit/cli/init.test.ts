// Every inference of `handover init`, each on its own small repo.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cli } from "./helpers.js";

const CORE = "discovery:\n  backends:\n    files: []\n";

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "handover-init-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function init(
  files: Record<string, string>,
): Promise<{ dir: string; config: { clusters: Record<string, Record<string, unknown>> } }> {
  const dir = repo(files);
  const run = await cli(["init", "--repo", dir]);
  expect(run.code).toBe(0);
  const check = await cli(["check", "--repo", dir, "--format", "json"]);
  expect(JSON.parse(check.out)).toEqual({ ok: true, violations: [] });
  return { dir, config: parse(readFileSync(join(dir, ".github/handover.yml"), "utf8")) };
}

function workload(kind: string, name: string, extra = ""): string {
  return `apiVersion: apps/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n        - image: replicanteio/replicante:v0.3.2\n${extra}`;
}

describe("handover init reads the repo", () => {
  it("names a cluster after the workload that runs it when a folder of its path is that name", async () => {
    const { config } = await init({
      "deploy/replicore-east/config/replicante.yaml": CORE,
      "deploy/replicore-east/statefulset.yaml": workload("StatefulSet", "replicore-east"),
    });
    expect(Object.keys(config.clusters)).toStrictEqual(["replicore-east"]);
  });

  it("names a cluster after the folder above generic ones (config, base, overlays/<env>)", async () => {
    const { config } = await init({
      "apps/replicore-west/base/replicante.yaml": CORE,
      "apps/replicore-west/base/deployment.yaml": workload("Deployment", "replicore"),
      "fleet/replicore-north/overlays/production/replicante.yaml": CORE,
    });
    expect(Object.keys(config.clusters).sort()).toStrictEqual(["replicore-north", "replicore-west"]);
  });

  it("takes the restart file from the Deployment or StatefulSet beside (or above) the config, with its document", async () => {
    const { config } = await init({
      "clusters/replicore-a/etc/replicante.yaml": CORE,
      "clusters/replicore-a/workload.yaml": `apiVersion: v1\nkind: Service\nmetadata:\n  name: core\n---\n${workload("StatefulSet", "replicore-a")}`,
    });
    expect(config.clusters["replicore-a"]?.restart).toStrictEqual({
      file: "clusters/replicore-a/workload.yaml",
      key: ["spec", "template", "metadata", "annotations", "handover.replicante.io/restart"],
      document: 1,
    });
  });

  it("gates on the Flux Kustomization that deploys the cluster's folder", async () => {
    const { config } = await init({
      "apps/replicore-a/replicante.yaml": CORE,
      "clusters/prod/replicore-a.yaml":
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: Replicore-A\nspec:\n  path: ./apps/replicore-a\n",
    });
    expect(config.clusters["replicore-a"]?.health).toStrictEqual([{ flux: "replicore-a" }]);
  });

  it("gates on the Argo CD Application that deploys the cluster's folder", async () => {
    const { config } = await init({
      "apps/replicore-a/replicante.yaml": CORE,
      "argocd/apps.yaml":
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: core-a\nspec:\n  source:\n    path: apps/replicore-a\n",
    });
    expect(config.clusters["replicore-a"]?.health).toStrictEqual([{ argocd: "core-a" }]);
  });

  it("without a deployer: health [] with a comment saying what to add, and an issue.example.md that plans", async () => {
    const { dir, config } = await init({
      "clusters/replicore-a/replicante.yaml": CORE,
      "clusters/replicore-a/statefulset.yaml": workload("StatefulSet", "replicore-a"),
    });
    expect(config.clusters["replicore-a"]?.health).toStrictEqual([]);
    const text = readFileSync(join(dir, ".github/handover.yml"), "utf8");
    expect(text).toContain("or write `health: none`; until then the App will not start a migration of it");
    const issue = readFileSync(join(dir, "issue.example.md"), "utf8");
    expect(issue).toContain(
      "### Source cluster\n\nreplicore-a\n\n### Target cluster\n\nreplicore-a-next\n\n### Target version\n\n0.3.2\n",
    );
    const plan = await cli(["plan", "--repo", dir, "--issue", join(dir, "issue.example.md")]);
    expect(plan.code).toBe(0);
  });
});
