import { describe, expect, test } from "vitest";
import { setScalar } from "../../../src/edit/index.js";
import { readYamlDocuments } from "../../../src/spec/yaml.js";

describe("readYamlDocuments", () => {
  test("a copy of a file under another path reads the same values", () => {
    const text = "- cluster_id: copied-store\n  nodes: ['http://copied:1']\n";
    const first = readYamlDocuments("a/conf.d/copied.yaml", text);
    expect(readYamlDocuments("b/conf.d/copied.yaml", text)).toEqual(first);
    expect(first).toEqual({ ok: true, value: [[{ cluster_id: "copied-store", nodes: ["http://copied:1"] }]] });
  });

  test("a text that does not parse is reported under each path it is read under", () => {
    const text = "- cluster_id: [broken\n";
    const first = readYamlDocuments("a/broken.yaml", text);
    const second = readYamlDocuments("b/broken.yaml", text);
    const files = (read: typeof first) => [...new Set(read.ok ? [] : read.problems.map((p) => p.split(":")[0]))];
    expect([files(first), files(second)]).toEqual([["a/broken.yaml"], ["b/broken.yaml"]]);
  });

  test("a text an edit made reads the values it holds, from the documents the edit parsed to verify it", () => {
    const text = "# the store\nstore: # kept\n  url: http://old:1\n  nodes: [a, b]\n---\nother: 1\n";
    const edited = setScalar(text, ["store", "url"], "http://new:2");
    expect(edited).toBe("# the store\nstore: # kept\n  url: http://new:2\n  nodes: [a, b]\n---\nother: 1\n");
    expect(readYamlDocuments("store.yaml", edited)).toEqual({
      ok: true,
      value: [{ store: { url: "http://new:2", nodes: ["a", "b"] } }, { other: 1 }],
    });
  });
});
