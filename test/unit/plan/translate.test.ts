import { describe, expect, it } from "vitest";
import { expandForeignAliases, renameClusterKeys } from "../../../src/plan/translate.js";
import { InputError } from "../../../src/spec/problems.js";

function refusal(text: string): string[] | undefined {
  try {
    renameClusterKeys("conf.d/x.yaml", text);
    return undefined;
  } catch (err) {
    return err instanceof InputError ? [...err.problems] : [String(err)];
  }
}

const NOT_A_LIST = ["conf.d/x.yaml: expected a discovery file (a YAML list of clusters) to rename cluster: keys in"];

describe("renameClusterKeys", () => {
  it("renames a cluster: key and keeps every other byte", () => {
    expect(renameClusterKeys("f", "- cluster: a  # was\n  nodes: []\n- cluster_id: b\n  cluster: c\n")).toBe(
      "- cluster_id: a  # was\n  nodes: []\n- cluster_id: b\n  cluster: c\n",
    );
  });

  it("gives back a list that has no cluster: key as it is", () => {
    const text = "- cluster_id: a\n  nodes: ['http://a:1']\n";
    expect(renameClusterKeys("f", text)).toBe(text);
  });

  it("refuses a text that is not one readable list, with or without a cluster: key", () => {
    expect(refusal("- cluster_id: [a\n")).toEqual(NOT_A_LIST);
    expect(refusal("- cluster_id: a\n---\n- cluster_id: b\n")).toEqual(NOT_A_LIST);
    expect(refusal("cluster_id: a\n")).toEqual(NOT_A_LIST);
    expect(refusal("")).toEqual(NOT_A_LIST);
    expect(refusal("- cluster: [a\n")).toEqual(NOT_A_LIST);
  });
});

describe("expandForeignAliases", () => {
  it("writes out an alias whose anchor is outside the item, and leaves an item without one as it is", () => {
    const anchors = new Map<string, unknown>([["port", 8080]]);
    expect(expandForeignAliases("url: 'http://a'\nport: *port", anchors)).toBe("url: 'http://a'\nport: 8080");
    expect(expandForeignAliases("url: 'http://a'\nport: 1", anchors)).toBe("url: 'http://a'\nport: 1");
  });
});
