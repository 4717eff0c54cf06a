import { describe, expect, it } from "vitest";
import { isMigrationIssue } from "../../../src/engine/observe.js";

const issue = (labels: string[], body: string) => ({
  number: 1,
  title: "t",
  body,
  state: "open" as const,
  labels,
  isPullRequest: false,
  author: "alice",
});
const FORM = "### Source cluster\n\nreplicore-a\n\n### Target cluster\n\nreplicore-b\n\n### Target version\n\n0.3.1\n";

describe("isMigrationIssue", () => {
  it.each([
    [["handover"], "", true],
    [["Handover"], "", true],
    [["HANDOVER", "bug"], "", true],
    [[], FORM, true],
    [["bug"], FORM.replaceAll("### ", "###  ").replace("###  Source", "### source"), true],
    [[], FORM.replace("### Target version", "### Version"), false],
    [["handover:done"], "### Source cluster\n", false],
    [[], "", false],
  ])("labels %j, body %j: %s", (labels, body, expected) => {
    expect(isMigrationIssue(issue(labels, body))).toBe(expected);
  });
});
