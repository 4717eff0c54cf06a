import { describe, expect, test } from "vitest";
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
});
