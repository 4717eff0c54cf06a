// The App computes loads and plans in slices: the same result as at once, with the event loop let through inside.
import { describe, expect, it } from "vitest";
import { syntheticRepo } from "../../../src/bench/synthetic.js";
import { loadInSlices, planMigration, planMigrationInSlices } from "../../../src/plan/index.js";
import { loadingRepo, loadRepo } from "../../../src/repo/index.js";
import { finish } from "../../../src/spec/work.js";
import { readingSeqItems, readSeqItems, removeSeqItems } from "../../../src/edit/sequence.js";
import { parseChanged } from "../../../src/plan/slices.js";
import { parsingDocuments, readingYamlDocuments, readYamlDocuments, sourceDocuments } from "../../../src/spec/yaml.js";
import { parseFile } from "../../../src/edit/locate.js";
import { parseAllDocuments } from "yaml";
import { pieces, request } from "./helpers.js";

describe("loadingRepo", () => {
  it("loads a cluster of 250 discovery files in three pieces, as loadRepo does at once", () => {
    const tree = syntheticRepo(250);
    const { value, yields } = pieces(loadingRepo(tree));
    expect(yields).toBe(2);
    expect(value).toEqual(loadRepo(new Map(tree)));
    expect(value.ok && value.model.clusters.get("replicore-a")?.backends.length).toBe(250);
    // Loaded once per tree: asked again, it answers at once with the same model.
    expect(finish(loadingRepo(tree))).toBe(value);
    expect(loadRepo(tree)).toBe(value);
  });

  it("reads a discovery file again when its text changed, and keeps the backends of the files that did not", () => {
    const tree = syntheticRepo(3);
    const before = loadRepo(tree);
    const changed = new Map(tree);
    const path = "clusters/replicore-a/conf.d/store-0001.yaml";
    changed.set(path, "- cluster_id: moved-elsewhere\n  nodes:\n    - 'http://other:1'\n");
    const after = loadRepo(changed);
    const reach = (loaded: typeof before) =>
      loaded.ok ? loaded.model.clusters.get("replicore-a")?.backends.map((b) => b.reach.map((r) => r.value)) : [];
    expect(reach(after)).toEqual([
      ["store-0000", "http://store-0000-1.data:37017", "http://store-0000-2.data:37017"],
      ["moved-elsewhere", "http://other:1"],
      ["store-0002", "http://store-0002-1.data:37017", "http://store-0002-2.data:37017"],
    ]);
    const backends = (loaded: typeof before) => (loaded.ok ? loaded.model.clusters.get("replicore-a")?.backends : []);
    expect(backends(after)?.[0]).toBe(backends(before)?.[0]);
    expect(reach(loadRepo(new Map(tree)))).toEqual(reach(before));
  });

  it("reads a DiscoverySettings file again when its text changed, and keeps what the others gave", () => {
    const object = (name: string, enabled: boolean) =>
      `apiVersion: replicante.io/v0\nkind: DiscoverySettings\nmetadata:\n  namespace: default\n  name: ${name}\nspec:\n  backend: http\n  enabled: ${enabled}\n  url: 'http://${name}.corp:9876/discover'\n`;
    const tree = new Map([
      [
        ".github/handover.yml",
        "version: 1\nclusters:\n  replicore-s:\n    config: clusters/replicore-s/replicante.yaml\n    discovery: settings\n    settings_dir: clusters/replicore-s/apply\n    health: none\n",
      ],
      ["clusters/replicore-s/replicante.yaml", "discovery:\n  interval: 15\n"],
      ["clusters/replicore-s/apply/a.yaml", object("a", true)],
      ["clusters/replicore-s/apply/b.yaml", object("b", true)],
      [
        "clusters/replicore-s/apply/drain.yaml",
        "apiVersion: replicante.io/v0\nkind: NodeAction\nmetadata:\n  cluster: mongo\n  node: 'http://mongo-1:37017/'\n",
      ],
    ]);
    const cluster = (loaded: ReturnType<typeof loadRepo>) =>
      loaded.ok ? loaded.model.clusters.get("replicore-s") : undefined;
    const before = cluster(loadRepo(tree));
    const changed = new Map(tree);
    changed.set("clusters/replicore-s/apply/b.yaml", object("b", false));
    const after = cluster(loadRepo(changed));
    expect(after?.backends.map((b) => [b.id, b.reach.map((r) => r.value)])).toEqual([
      ["a", ["http://a.corp:9876/discover"]],
      ["b", []],
    ]);
    expect(after?.backends[0]).toBe(before?.backends[0]);
    expect(after?.backends[1]).not.toBe(before?.backends[1]);
    expect(after?.actions).toEqual([
      {
        kind: "NodeAction",
        cluster: "mongo",
        node: "http://mongo-1:37017",
        file: "clusters/replicore-s/apply/drain.yaml",
      },
    ]);
    expect(after?.actions).toEqual(before?.actions);
    // Back to its first text: read as it was then.
    expect(cluster(loadRepo(new Map(tree)))?.backends.map((b) => b.reach.length)).toEqual([1, 1]);
  });

  it("in slices, parses ahead and loads what loadRepo loads, pausing between the pieces", async () => {
    const tree = syntheticRepo(250);
    let pauses = 0;
    const loaded = await loadInSlices(tree, {
      sliceMs: 0,
      pause: async () => {
        pauses++;
      },
    });
    // A pause after each of the 253 YAML files parsed ahead, and two inside the list of 250 files.
    expect(pauses).toBe(253 + 2);
    expect(loaded).toEqual(loadRepo(new Map(tree)));
  });
});

describe("planMigrationInSlices on a repo loaded in pieces", () => {
  it("plans what planMigration plans", async () => {
    const tree = syntheticRepo(250);
    const req = request("replicore-a", "replicore-b", "0.3.1");
    let pauses = 0;
    const sliced = await planMigrationInSlices(tree, req, 1, [], {
      sliceMs: 0,
      pause: async () => {
        pauses++;
      },
    });
    expect(JSON.stringify(sliced)).toBe(JSON.stringify(planMigration(new Map(tree), req, 1)));
    expect(pauses).toBeGreaterThan(253 + 502);
  });
});

describe("parsing a long file in pieces", () => {
  const config = syntheticRepo(1000).get("clusters/replicore-a/replicante.yaml") ?? "";

  it("yields and gives the documents parseAllDocuments gives", () => {
    const { value, yields } = pieces(parsingDocuments(config, { keepSourceTokens: true }));
    expect(yields).toBeGreaterThan(5);
    const whole = parseAllDocuments(config, { keepSourceTokens: true });
    expect(value?.map((d) => d.toJS())).toEqual([whole].flat().map((d) => d.toJS()));
    expect(value?.map((d) => String(d))).toEqual([whole].flat().map((d) => String(d)));
  });

  it("leaves a text with an error or a warning to the parser at once", () => {
    expect(finish(parsingDocuments(`${config}  - [broken\n`, {}))).toBeUndefined();
    expect(finish(parsingDocuments(`${config}odd: !unknown-tag x\n`, {}))).toBeUndefined();
  });

  it("leaves the documents it parsed, with their source tokens, to the edits of the same text", () => {
    const text = `${config}# parsed once\n`;
    expect(sourceDocuments.get(text)).toBeUndefined();
    finish(readingYamlDocuments("a/replicante.yaml", text));
    const docs = sourceDocuments.get(text);
    expect(docs).toHaveLength(1);
    expect(parseFile(text, 0, ["discovery"]).docs).toBe(docs);
    expect(docs?.[0]?.contents?.srcToken?.type).toBe("block-map");
  });

  it("reads a text an edit just made from the documents that verified it, without parsing it again", () => {
    // One yield: turning a long text's documents into values is a piece of its own (tens of ms at 1,000 items).
    const before = `${config}# before an edit\n`;
    const after = removeSeqItems(before, ["discovery", "backends", "files"], (_value, i) => i === 3);
    // The edit parsed its result to verify it: those documents are the text's.
    const verified = sourceDocuments.get(after);
    expect(verified).toHaveLength(1);
    const read = pieces(readingYamlDocuments("a/replicante.yaml", after));
    expect(read.yields).toBe(1);
    expect(read.value).toEqual({ ok: true, value: verified?.map((d) => d.toJS()) });
    expect(read.value).toEqual(readYamlDocuments("b/replicante.yaml", `${after}# another text\n`));
    expect(sourceDocuments.get(after)).toBe(verified);
  });

  it("reads what readYamlDocuments reads", () => {
    const piecewise = pieces(readingYamlDocuments("a/replicante.yaml", `${config}# piecewise\n`));
    expect(piecewise.yields).toBeGreaterThan(5);
    expect(piecewise.value).toEqual(readYamlDocuments("b/replicante.yaml", `${config}# at once\n`));
  });
});

describe("reading a long list in pieces", () => {
  const config = syntheticRepo(250).get("clusters/replicore-a/replicante.yaml") ?? "";
  const files = ["discovery", "backends", "files"];

  it("reads the items readSeqItems reads, yielding after each hundred", () => {
    // A text no parse memo has seen: a comment line of its own.
    const text = `${config}# read in pieces\n`;
    const { value, yields } = pieces(readingSeqItems(text, files));
    expect(value).toEqual(readSeqItems(text, files));
    expect(value).toHaveLength(250);
    expect(value[249]).toEqual({ raw: "'conf.d/store-0249.yaml'", value: "conf.d/store-0249.yaml" });
    // Two pieces of items, and the pieces of the parse before them.
    expect(yields).toBeGreaterThan(2);
    const parsed = pieces(readingSeqItems(text, files));
    expect(parsed.yields).toBe(2);
    expect(parsed.value).toEqual(value);
  });

  it("refuses what readSeqItems refuses, with the same message", () => {
    const text = config.replace("discovery:\n  backends:\n    files:", "discovery:\n  backends:\n    files: 3");
    expect(() => readSeqItems(text, files)).toThrow("discovery.backends.files is a scalar, not a sequence");
    expect(() => finish(readingSeqItems(text, files))).toThrow("discovery.backends.files is a scalar, not a sequence");
  });
});

describe("parseChanged", () => {
  it("parses ahead only the long YAML files a step changed, one piece each after their own pieces", () => {
    const before = syntheticRepo(1000);
    const after = new Map(before);
    const config = "clusters/replicore-a/replicante.yaml";
    after.set(config, `${before.get(config)}# changed\n`);
    after.set("clusters/replicore-b/replicante.yaml", `${before.get(config)}# copied\n`);
    after.set("clusters/replicore-a/conf.d/store-0001.yaml", "- cluster_id: small\n");
    after.set("notes/long.txt", "x".repeat(20_000));
    const { yields } = pieces(parseChanged(before, after));
    // Each long config's own pieces and one after it: more than two, fewer than for the whole tree's 1,002 files.
    expect(yields).toBeGreaterThan(2 * 2);
    expect(yields).toBeLessThan(100);
    expect(pieces(parseChanged(before, new Map(before))).yields).toBe(0);
    expect(pieces(parseChanged(after, new Map(after))).yields).toBe(0);
  });
});
