import { describe, expect, test } from "vitest";
import { removeSeqItems, unifiedDiff } from "../../../src/edit/index.js";
import { coreConfig, files } from "./fixtures.js";

describe("unifiedDiff", () => {
  test("modified file: git headers and 3 lines of context", () => {
    const after = removeSeqItems(coreConfig, files, (v) => v === "conf.d/mongo.yaml");
    expect(unifiedDiff("clusters/replicore-a/replicante.yaml", coreConfig, after)).toBe(
      [
        "diff --git a/clusters/replicore-a/replicante.yaml b/clusters/replicore-a/replicante.yaml",
        "--- a/clusters/replicore-a/replicante.yaml",
        "+++ b/clusters/replicore-a/replicante.yaml",
        "@@ -6,6 +6,5 @@",
        "   backends:",
        "     files:",
        "       - 'conf.d/kafka.yaml'   # the kafka fleet",
        '-      - "conf.d/mongo.yaml"',
        "       - /opt/replicante/conf.d/zookeeper.yaml",
        "   interval: 60",
        "",
      ].join("\n"),
    );
  });

  test("created and deleted files use /dev/null", () => {
    expect(unifiedDiff("conf.d/mongo.yaml", null, "cluster_id: mongo\n")).toBe(
      [
        "diff --git a/conf.d/mongo.yaml b/conf.d/mongo.yaml",
        "new file mode 100644",
        "--- /dev/null",
        "+++ b/conf.d/mongo.yaml",
        "@@ -0,0 +1,1 @@",
        "+cluster_id: mongo",
        "",
      ].join("\n"),
    );
    expect(unifiedDiff("conf.d/mongo.yaml", "a\nb", null)).toBe(
      [
        "diff --git a/conf.d/mongo.yaml b/conf.d/mongo.yaml",
        "deleted file mode 100644",
        "--- a/conf.d/mongo.yaml",
        "+++ /dev/null",
        "@@ -1,2 +0,0 @@",
        "-a",
        "-b",
        "\\ No newline at end of file",
        "",
      ].join("\n"),
    );
  });

  test("equal contents give an empty string", () => {
    expect(unifiedDiff("x.yaml", coreConfig, coreConfig)).toBe("");
    expect(unifiedDiff("x.yaml", null, null)).toBe("");
  });
});
