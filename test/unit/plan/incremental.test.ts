// The bench's worst case, planned in full: 1,000 single-backend groups, 2,002 steps, each checked against the
// plan written by hand (a line out of the source's list, a file copied and a line into the target's list, a bump).
import { describe, expect, it } from "vitest";
import {
  syntheticHttpRepo,
  syntheticKustomizeRepo,
  syntheticRepo,
  syntheticSettingsRepo,
} from "../../../src/bench/synthetic.js";
import { checkTree } from "../../../src/invariant/index.js";
import { QuickPlanner, type QuickStep } from "../../../src/plan/incremental.js";
import { planMigration, planMigrationInSlices, type Plan, type PlannedStep } from "../../../src/plan/index.js";
import type { FileMap } from "../../../src/repo/index.js";
import { pieces, planOk, request } from "./helpers.js";

const N = 1000;
const SOURCE_CONFIG = "clusters/replicore-a/replicante.yaml";
const TARGET_CONFIG = "clusters/replicore-b/replicante.yaml";
const name = (i: number) => `store-${String(i).padStart(4, "0")}`;
const line = (i: number) => `      - 'conf.d/${name(i)}.yaml'\n`;
const restart = (value: string, cluster: string) =>
  `apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: ${cluster}\nspec:\n  template:\n    metadata:\n      annotations: {handover.replicante.io/restart: ${value}}\n`;

function contents(step: PlannedStep | undefined): [string, string, string | null][] {
  return (step?.changes ?? []).map((c) => [c.action, c.path, c.content]);
}

/**
 * Replays a plan's release and adopt steps through a quick planner of its own (the plan's own step applied where the
 * quick path leaves it to the general one): each step, what the quick path made of it, and how many times it let the
 * event loop through.
 */
function replay(tree: FileMap, plan: Plan): { step: PlannedStep; spliced: QuickStep | undefined; yields: number }[] {
  const quick = new QuickPlanner(plan.context);
  let current = applied(tree, plan.steps[0]);
  return plan.steps.slice(1, -1).map((step) => {
    const { value, yields } = pieces(quick.stepping(current, step));
    current = value?.tree ?? applied(current, step);
    return { step, spliced: value, yields };
  });
}

/** Checks that each quick step is the step the plan holds; the ids of the steps left to the general path. */
function offQuickPath(tree: FileMap, plan: Plan): string[] {
  const general: string[] = [];
  for (const { step, spliced } of replay(tree, plan)) {
    if (!spliced) general.push(step.id);
    const made = spliced?.changes.map((c) => [c.created ? "create" : "update", c.path, c.content()]);
    if (spliced) expect(made, step.id).toEqual(contents(step));
  }
  return general;
}

/** Each release and adopt step's id, how many times it let the event loop through, and whether it was quick. */
function quickPieces(tree: FileMap, plan: Plan): { id: string; yields: number; quick: boolean }[] {
  return replay(tree, plan).map(({ step, spliced, yields }) => ({ id: step.id, yields, quick: spliced !== undefined }));
}

/** The tree after a step's changes. */
function applied(tree: FileMap, step: PlannedStep | undefined): FileMap {
  const next = new Map(tree);
  for (const c of step?.changes ?? []) {
    if (c.content === null) next.delete(c.path);
    else next.set(c.path, c.content);
  }
  return next;
}

describe("a plan of 1,000 single-backend groups", () => {
  const tree = syntheticRepo(N);
  const plan = planOk(tree, request("replicore-a", "replicore-b", "0.3.1"), 1);

  it("has prepare, release and adopt of every group in order, and decommission", () => {
    const ids = Array.from({ length: N }, (_, i) => [`release-${name(i)}`, `adopt-${name(i)}`]).flat();
    expect(plan.steps.map((s) => s.id)).toEqual(["prepare", ...ids, "decommission"]);
  });

  it("releases and adopts one line at a time, copying each file and bumping each restart key", () => {
    const scaffold = plan.steps[0]?.changes.find((c) => c.path === TARGET_CONFIG)?.content ?? "";
    let source = tree.get(SOURCE_CONFIG) ?? "";
    let target = scaffold.replace("    files: []\n", "    files:\n");
    for (let i = 0; i < N; i++) {
      source = source.replace(line(i), "");
      if (i === N - 1) source = source.replace("    files:\n", "    files: []\n");
      const entry = target.indexOf("  interval: 60");
      target = `${target.slice(0, entry)}${line(i)}${target.slice(entry)}`;
      const copy = `clusters/replicore-b/conf.d/${name(i)}.yaml`;
      expect(contents(plan.steps[2 * i + 1])).toEqual([
        ["update", SOURCE_CONFIG, source],
        ["update", "clusters/replicore-a/statefulset.yaml", restart(`1-release-${name(i)}`, "replicore-a")],
      ]);
      expect(contents(plan.steps[2 * i + 2])).toEqual([
        ["create", copy, tree.get(`clusters/replicore-a/conf.d/${name(i)}.yaml`) ?? null],
        ["update", TARGET_CONFIG, target],
        ["update", "clusters/replicore-b/statefulset.yaml", restart(`1-adopt-${name(i)}`, "replicore-b")],
      ]);
    }
  });

  it("leaves a tree the full checker accepts but for the scaffold's REPLACE-ME, with every datastore on the target", () => {
    const last = new Map(tree);
    for (const step of plan.steps) {
      for (const change of step.changes) {
        if (change.content === null) last.delete(change.path);
        else last.set(change.path, change.content);
      }
    }
    expect(checkTree(last).map((v) => [v.rule, v.clusters])).toEqual([
      ["unfinished-scaffold", ["replicore-b"]],
      ["unfinished-scaffold", ["replicore-b"]],
    ]);
    expect([...last.keys()].filter((p) => p.startsWith("clusters/replicore-a/"))).toEqual([]);
    expect([...last.keys()].filter((p) => p.startsWith("clusters/replicore-b/conf.d/")).length).toBe(N);
  });

  it("computes every release and adopt as a quick step, the first adopt into `files: []` and the last release too", () => {
    const small = syntheticRepo(12);
    expect(offQuickPath(small, planOk(small, request("replicore-a", "replicore-b", "0.3.1"), 1))).toEqual([]);
  });

  it("computes a diff when it is read", () => {
    const step = plan.steps[1001];
    expect(step?.id).toBe("release-store-0500");
    expect(step?.changes[0]?.diff).toContain(`-${line(500).trimEnd()}`);
  });
});

describe("planMigrationInSlices", () => {
  it("plans what planMigration plans, letting the event loop through between every piece of work", async () => {
    const tree = syntheticRepo(20);
    const req = request("replicore-a", "replicore-b", "0.3.1");
    let pauses = 0;
    const sliced = await planMigrationInSlices(tree, req, 1, [], {
      sliceMs: 0,
      pause: async () => {
        pauses++;
      },
    });
    expect(JSON.stringify(sliced)).toBe(JSON.stringify(planMigration(tree, req, 1)));
    // 23 YAML files parsed ahead; before the first step the checker's three parts (shared backends, shared reach,
    // the rest) and the groups apart; 42 steps; the general path's prepare and decommission each made apart from the
    // load of the tree before it and checked apart from its edits, each check in three parts; the prepare scaffold's
    // parts apart (owned files, copies, the list emptied in four parts, two dependency endpoints, the target's shape,
    // its handover.yml entry); the first adopt's edit of the scaffold's `files: []` apart from reading its items, and
    // the last release's removal in four parts (values, aliases, edits, verification); the final load.
    expect(pauses).toBe(23 + (2 + 2) + 42 + 2 * (2 + 2) + (6 + 3) + 1 + 3 + 1);
  });
});

describe("a plan of an http-era cluster with 30 discovery endpoints (quick steps, as files-era ones)", () => {
  const n = 30;
  const tree = syntheticHttpRepo(n);
  const plan = planOk(tree, request("replicore-a", "replicore-b", "0.5.0"), 1);
  const endpoint = (i: number) =>
    `      - url: 'https://inventory-${String(i).padStart(4, "0")}.corp:8443/replicante'\n        method: GET\n`;
  const id = (i: number) => `https---inventory-${String(i).padStart(4, "0")}-corp-8443-replica`;

  it("releases and adopts one endpoint (its two lines) at a time, bumping each restart key", () => {
    expect(plan.steps.map((s) => s.id)).toEqual([
      "prepare",
      ...Array.from({ length: n }, (_, i) => [`release-${id(i)}`, `adopt-${id(i)}`]).flat(),
      "decommission",
    ]);
    const scaffold = plan.steps[0]?.changes.find((c) => c.path === TARGET_CONFIG)?.content ?? "";
    let source = tree.get(SOURCE_CONFIG) ?? "";
    let target = scaffold.replace("    http: []\n", "    http:\n");
    for (let i = 0; i < n; i++) {
      source = source.replace(endpoint(i), "");
      if (i === n - 1) source = source.replace("    http:\n", "    http: []\n");
      const at = target.indexOf("  interval: 60");
      target = `${target.slice(0, at)}${endpoint(i)}${target.slice(at)}`;
      expect(contents(plan.steps[2 * i + 1])).toEqual([
        ["update", SOURCE_CONFIG, source],
        ["update", "clusters/replicore-a/statefulset.yaml", restart(`1-release-${id(i)}`, "replicore-a")],
      ]);
      expect(contents(plan.steps[2 * i + 2])).toEqual([
        ["update", TARGET_CONFIG, target],
        ["update", "clusters/replicore-b/statefulset.yaml", restart(`1-adopt-${id(i)}`, "replicore-b")],
      ]);
    }
  });

  it("crossing into Core 0.7, adopts each endpoint as a DiscoverySettings object of the target's", () => {
    const crossing = planOk(tree, request("replicore-a", "replicore-b", "0.7.2"), 1);
    expect(crossing.steps.map((s) => s.id)).toEqual(plan.steps.map((s) => s.id));
    for (let i = 0; i < n; i++) {
      expect(contents(crossing.steps[2 * i + 1])).toEqual(contents(plan.steps[2 * i + 1]));
      expect(contents(crossing.steps[2 * i + 2])).toEqual([
        [
          "create",
          `clusters/replicore-b/apply/${id(i)}.yaml`,
          [
            "apiVersion: replicante.io/v0",
            "kind: DiscoverySettings",
            "metadata:",
            "  namespace: default",
            `  name: ${id(i)}`,
            "spec:",
            "  backend: http",
            "  enabled: true",
            "  interval: 60",
            `  url: 'https://inventory-${String(i).padStart(4, "0")}.corp:8443/replicante'`,
            "  method: GET",
            "",
          ].join("\n"),
        ],
      ]);
    }
  });

  it("is the plan the general path gives when asked for it alone", () => {
    const general = planMigration(tree, request("replicore-a", "replicore-b", "0.5.0"), 1, [], { incremental: false });
    expect(JSON.stringify(general)).toBe(JSON.stringify({ ok: true, plan }));
  });

  it("computes every release and adopt as a quick step, the first adopt and the last release (`http: []`) too", () => {
    // The first adopt turns the scaffold's `http: []` into a block list, the last release turns the source's into one:
    // both with the general path's edits, without loading the tree.
    expect(offQuickPath(tree, plan)).toEqual([]);
  });

  it("crossing into Core 0.7, computes every release and adopt as a quick step", () => {
    const crossing = planOk(tree, request("replicore-a", "replicore-b", "0.7.2"), 1);
    expect(offQuickPath(tree, crossing)).toEqual([]);
  });
});

describe("a files-era source of 30 groups crossing to Core 0.5 or 0.7 (each group a static discovery document)", () => {
  const n = 30;
  const tree = syntheticRepo(n);
  const to = (version: string) => planOk(tree, request("replicore-a", "replicore-b", version), 1);
  const document = (i: number) =>
    [
      "{",
      '  "cursor": null,',
      '  "clusters": [',
      "    {",
      `      "cluster_id": "${name(i)}",`,
      '      "nodes": [',
      `        "http://${name(i)}-1.data:37017",`,
      `        "http://${name(i)}-2.data:37017"`,
      "      ]",
      "    }",
      "  ]",
      "}",
      "",
    ].join("\n");

  it("writes each group's document and lists its url in the target's http endpoints, a line a step", () => {
    const plan = to("0.5.0");
    for (const i of [1, 2, n - 1]) {
      const adopt = plan.steps[2 * i + 2];
      const before = plan.steps[2 * i]?.changes.find((c) => c.path === TARGET_CONFIG)?.content ?? "";
      const endpoint = `      - url: 'https://REPLACE-ME/replicore-b/${name(i)}.json'\n`;
      expect(contents(adopt)).toEqual([
        ["update", TARGET_CONFIG, before.replace("  interval: 60", `${endpoint}  interval: 60`)],
        ["update", "clusters/replicore-b/statefulset.yaml", restart(`1-adopt-${name(i)}`, "replicore-b")],
        ["create", `discovery/replicore-b/${name(i)}.json`, document(i)],
      ]);
    }
  });

  it("computes every release and adopt as a quick step, the first adopt into Core 0.5 and the last release too", () => {
    // The first adopt turns the scaffold's `http: []` into a block list, the last release the source's `files:` into `[]`.
    expect(offQuickPath(tree, to("0.5.0"))).toEqual([]);
    expect(offQuickPath(tree, to("0.7.2"))).toEqual([]);
  });

  it("is the plan the general path gives when asked for it alone", () => {
    for (const version of ["0.5.0", "0.7.2"]) {
      const general = planMigration(tree, request("replicore-a", "replicore-b", version), 1, [], {
        incremental: false,
      });
      expect(JSON.stringify(general)).toBe(JSON.stringify({ ok: true, plan: to(version) }));
    }
  });
});

describe("a group of 448 files-era backends between two of one", () => {
  const n = 450;
  const tree = syntheticRepo(n);
  const big = Array.from({ length: n - 2 }, (_, i) => name(i + 1)).join(", ");
  const plan = planOk(
    tree,
    request("replicore-a", "replicore-b", "0.3.1", `first: ${name(0)}\nbig: ${big}\nlast: *`),
    1,
  );

  it("moves the big group in quick steps that let the event loop through every 100 or 200 backends", () => {
    const moved = quickPieces(tree, plan).filter((s) => s.quick && s.id.endsWith("-big"));
    // release-big lets 448 backends go 200 a piece (2; the tree adopt-first changed is the quick planner's own, not
    // loaded again). adopt-big copies 448 files 200 a piece (2),
    // reads them 100 a piece (4), checks them for another holder (2) and takes them in (2), 200 a piece. Before these
    // pieces, 1,000 backends adopted at once held the event loop for 40-60 ms.
    expect(moved.map((s) => [s.id, s.yields])).toEqual([
      ["release-big", 2],
      ["adopt-big", 10],
    ]);
  });

  it("is the plan the general path gives when asked for it alone", () => {
    const groups = `first: ${name(0)}\nbig: ${big}\nlast: *`;
    const general = planMigration(tree, request("replicore-a", "replicore-b", "0.3.1", groups), 1, [], {
      incremental: false,
    });
    expect(JSON.stringify(general)).toBe(JSON.stringify({ ok: true, plan }));
  });
});

describe("a group of 448 backends whose discovery files a Kustomize generator lists, between two of one", () => {
  const n = 450;
  const tree = syntheticKustomizeRepo(n);
  const big = Array.from({ length: n - 2 }, (_, i) => name(i + 1)).join(", ");
  const groups = `first: ${name(0)}\nbig: ${big}\nlast: *`;
  const plan = planOk(tree, request("replicore-a", "replicore-b", "0.3.1", groups), 1);

  it("registers the big group's 448 copies in pieces, in one append to the target's generator", () => {
    const pieces = quickPieces(tree, plan);
    const adopt = pieces.find((s) => s.id === "adopt-big");
    // As adopt-big in the files era without Kustomize (10), and the copies' 448 generator entries met 200 a piece (2):
    // registered one at a time, 999 copies held the event loop for 57-90 ms.
    expect(adopt).toEqual({ id: "adopt-big", yields: 12, quick: true });
    // The first adopt writes out the scaffold's `files: []` as the general path would, and is quick as well.
    expect(pieces.filter((p) => !p.quick)).toStrictEqual([]);
    const kustomization = plan.steps[4]?.changes.find((c) => c.path === "clusters/replicore-b/kustomization.yaml");
    const listed = Array.from({ length: n - 1 }, (_, i) => `      - conf.d/${name(i)}.yaml\n`).join("");
    expect(kustomization?.content?.endsWith(`  - name: replicore-b-discovery\n    files:\n${listed}`)).toBe(true);
  });

  it("is the plan the general path gives when asked for it alone", () => {
    const general = planMigration(tree, request("replicore-a", "replicore-b", "0.3.1", groups), 1, [], {
      incremental: false,
    });
    expect(JSON.stringify(general)).toBe(JSON.stringify({ ok: true, plan }));
  });
});

describe("a plan of 50 groups whose discovery files a Kustomize generator lists (the bench's plan_kustomize)", () => {
  const n = 50;
  const plan = planOk(syntheticKustomizeRepo(n), request("replicore-a", "replicore-b", "0.3.1"), 1);
  const generator = (listed: number) =>
    [
      "resources:",
      "  - statefulset.yaml",
      "configMapGenerator:",
      "  - name: replicore-b-config",
      "    files:",
      "      - replicante.yaml",
      "  - name: replicore-b-discovery",
      // The scaffold's discovery generator lists nothing yet, as a flow list the first adopt writes out.
      ...(listed === 0
        ? ["    files: []"]
        : ["    files:", ...Array.from({ length: listed }, (_, i) => `      - conf.d/${name(i)}.yaml`)]),
      "",
    ].join("\n");

  it("gives the target a generator of its own and registers each adopted copy in it, one line a step", () => {
    const kustomization = "clusters/replicore-b/kustomization.yaml";
    expect(plan.steps[0]?.changes.find((c) => c.path === kustomization)).toMatchObject({
      action: "create",
      content: generator(0),
    });
    for (let i = 0; i < n; i++) {
      const adopt = plan.steps[2 * i + 2];
      expect(adopt?.id).toBe(`adopt-${name(i)}`);
      expect(adopt?.changes.map((c) => c.path)).toEqual([
        `clusters/replicore-b/conf.d/${name(i)}.yaml`,
        kustomization,
        TARGET_CONFIG,
        "clusters/replicore-b/statefulset.yaml",
      ]);
      expect(adopt?.changes[1]?.content).toBe(generator(i + 1));
    }
  });
});

describe("a plan of a settings-era cluster with 30 DiscoverySettings objects (quick steps, as files-era ones)", () => {
  const n = 30;
  const tree = syntheticSettingsRepo(n);
  const plan = planOk(tree, request("replicore-a", "replicore-b", "0.7.2"), 1);
  const inventory = (i: number) => `inventory-${String(i).padStart(4, "0")}`;

  it("disables each object in the source's folder, then copies it into the target's, one object a step", () => {
    expect(plan.steps.map((s) => s.id)).toEqual([
      "prepare",
      ...Array.from({ length: n }, (_, i) => [`release-${inventory(i)}`, `adopt-${inventory(i)}`]).flat(),
      "decommission",
    ]);
    for (let i = 0; i < n; i++) {
      const object = tree.get(`clusters/replicore-a/apply/${inventory(i)}.yaml`) ?? "";
      expect(object).toContain("  enabled: true\n");
      expect(contents(plan.steps[2 * i + 1])).toEqual([
        [
          "update",
          `clusters/replicore-a/apply/${inventory(i)}.yaml`,
          object.replace("enabled: true", "enabled: false"),
        ],
      ]);
      expect(contents(plan.steps[2 * i + 2])).toEqual([
        ["create", `clusters/replicore-b/apply/${inventory(i)}.yaml`, object],
      ]);
    }
    expect(contents(plan.steps.at(-1)).filter(([action]) => action === "delete")).toHaveLength(n + 1);
  });

  it("computes every release and adopt as a quick step: no reload of the repo, the step the plan holds", () => {
    expect(offQuickPath(tree, plan)).toEqual([]);
  });

  it("is the plan the general path gives when asked for it alone", () => {
    const general = planMigration(tree, request("replicore-a", "replicore-b", "0.7.2"), 1, [], { incremental: false });
    expect(JSON.stringify(general)).toBe(JSON.stringify({ ok: true, plan }));
  });
  it("lets the event loop through every 5 objects of a group", () => {
    // One object alone, then a group of the other 120: its release turns them off, its adopt copies them.
    const big = syntheticSettingsRepo(121);
    const grouped = planOk(big, request("replicore-a", "replicore-b", "0.7.2", "one: inventory-0000\nrest: *"), 1);
    expect(grouped.steps.map((s) => [s.id, s.changes.length])).toEqual([
      ["prepare", 2],
      ["release-one", 1],
      ["adopt-one", 1],
      ["release-rest", 120],
      ["adopt-rest", 120],
      ["decommission", 123],
    ]);
    const steps = quickPieces(big, grouped);
    expect(steps.map((s) => [s.id, s.quick])).toEqual([
      ["release-one", true],
      ["adopt-one", true],
      ["release-rest", true],
      ["adopt-rest", true],
    ]);
    // release-one loads the tree (the source's 121 objects read 20 a piece: 6 yields); release-rest yields after every
    // 5th object turned off (24), and after every 20th of the 120 it reads again (6); adopt-rest after every 5th copy
    // (24) and every 20th copy read (6). Backends taken into the index or checked for a holder go 200 a piece.
    expect(steps.map((s) => s.yields)).toEqual([6, 0, 30, 30]);
  });
});
