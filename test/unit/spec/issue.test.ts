import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MAX_ISSUE_BODY, parseIssueBody } from "../../../src/spec/issue.js";

const EXAMPLE = readFileSync("examples/issue.md", "utf8");

describe("parseIssueBody on hostile input", () => {
  // Before the fix the heading regex backtracked over the padding: this parse took over a minute (the test timed out).
  it("a heading padded to 64 KB with spaces reads as that heading", () => {
    const body = EXAMPLE.replace("### Source cluster", `### Source cluster${" ".repeat(64_000)}`);
    expect(body.length).toBeLessThanOrEqual(MAX_ISSUE_BODY);
    const parsed = parseIssueBody(body);
    expect(parsed.problems).toEqual([]);
    expect(parsed.request.source).toBe("replicore-a");
  });

  it("a ticked box after thousands of blank lines still counts", () => {
    const body = EXAMPLE.replace("- [x]", `${"\n".repeat(30_000)}- [x]`);
    const parsed = parseIssueBody(body);
    expect(parsed.problems).toEqual([]);
    expect(parsed.request.notesAcknowledged).toBe(true);
  });

  it("a body longer than GitHub's limit is one clear problem, nothing read from it", () => {
    const body = `${EXAMPLE}\n${"x".repeat(MAX_ISSUE_BODY)}`;
    expect(parseIssueBody(body)).toEqual({
      ok: false,
      problems: [
        `Issue body: ${body.length} characters, more than GitHub's limit of 65536: write the form's fields only`,
      ],
      request: { source: "", target: "", version: "", groups: null, notesAcknowledged: false },
    });
  });

  it("thousands of group lines with one name report it once per repeat", () => {
    const lines = Array.from({ length: 4_000 }, () => "canary: mongo");
    const body = EXAMPLE.replace("canary: mongo\nwave-1: kafka\nrest: *", lines.join("\n"));
    const problems = parseIssueBody(body).problems;
    expect(problems).toHaveLength(3_999);
    expect(problems[0]).toBe('Backend groups: line 2: group name "canary" is used twice');
  });
});
