// The names and markers Handover writes and reads back are a contract: these pin them to the exact text.
import { describe, expect, it } from "vitest";
import {
  DASHBOARD_MARKER,
  issueOfBranch,
  readStateBlock,
  replyMarker,
  rollbackStepId,
  stateBlock,
  STATUS_LABELS,
  stepBranch,
  stepOfRollback,
  stepTitle,
  withPullNote,
} from "../../../src/spec/markers.js";

describe("markers", () => {
  it("the exact text of every name and marker", () => {
    expect([
      stepBranch(42, "adopt-canary"),
      stepTitle(42, "Adopt canary"),
      rollbackStepId("adopt-canary", 2),
      DASHBOARD_MARKER,
      stateBlock("eyJ2Ijox"),
      replyMarker(9101),
      STATUS_LABELS,
    ]).toStrictEqual([
      "handover/42/adopt-canary",
      "[handover #42] Adopt canary",
      "rollback-adopt-canary-2",
      "<!-- handover:dashboard -->",
      "<!-- handover:state eyJ2Ijox -->",
      "<!-- handover:reply-to=9101 -->",
      [
        "handover:running",
        "handover:waiting",
        "handover:paused",
        "handover:failed",
        "handover:done",
        "handover:aborted",
      ],
    ]);
  });

  it("a step branch and a rollback step id read back", () => {
    expect(issueOfBranch(stepBranch(42, rollbackStepId("adopt-canary", 1)))).toBe(42);
    expect(stepOfRollback(rollbackStepId("release-wave-1", 3))).toBe("release-wave-1");
    expect([stepOfRollback("release-wave-1"), stepOfRollback("rollback-x")]).toStrictEqual([undefined, undefined]);
  });

  it("the state block counts only as the body's last line", () => {
    expect(readStateBlock(`text\n${stateBlock("YWJj")}\n`)).toBe("YWJj");
    expect(readStateBlock(`${stateBlock("YWJj")}\nmore text`)).toBeUndefined();
    expect(readStateBlock("<!-- handover:state not*base64 -->")).toBeUndefined();
  });

  it("a PR's note is put at the top, replaced and taken out whole, and what people wrote around it stays", () => {
    const body = "<!-- handover:step issue=1 step=prepare -->\nStep 1 of 6.\n\ndana: zk-b";
    const noted = withPullNote(body, "> [!WARNING]\n> one");
    expect(noted).toBe(`<!-- handover:note -->\n> [!WARNING]\n> one\n<!-- /handover:note -->\n\n${body}`);
    expect(withPullNote(noted, "> two")).toBe(`<!-- handover:note -->\n> two\n<!-- /handover:note -->\n\n${body}`);
    expect(withPullNote(noted, undefined)).toBe(body);
    expect(withPullNote(body, undefined)).toBe(body);
    // a person moved it below their own line: taken out where it is, put back at the top
    const moved = `dana first\n${noted}`;
    expect(withPullNote(moved, undefined)).toBe(`dana first\n${body}`);
    // a start marker without its end (a person cut the note short) is left to them
    const cut = "<!-- handover:note -->\n> [!WARNING]\nrest";
    expect(withPullNote(cut, undefined)).toBe(cut);
  });
});
