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

  it("a PR's note goes right after the markers its body starts with, is replaced and taken out whole, and what people wrote stays", () => {
    const markers = "<!-- handover:step issue=1 step=prepare -->\n<!-- handover:opened-for eyJ4IjoxfQ== 00ff -->\n";
    const body = `${markers}Step 1 of 6.\n\ndana: zk-b`;
    const noted = withPullNote(body, "> [!WARNING]\n> one");
    expect(noted).toBe(
      `${markers}<!-- handover:note -->\n> [!WARNING]\n> one\n<!-- /handover:note -->\n\nStep 1 of 6.\n\ndana: zk-b`,
    );
    expect(noted.startsWith("<!-- handover:step issue=1 step=prepare -->\n")).toBe(true);
    expect(withPullNote(noted, "> two")).toBe(
      `${markers}<!-- handover:note -->\n> two\n<!-- /handover:note -->\n\nStep 1 of 6.\n\ndana: zk-b`,
    );
    expect(withPullNote(noted, undefined)).toBe(body);
    expect(withPullNote(body, undefined)).toBe(body);
    // a body a person rewrote, without the markers: the note goes at its top
    expect(withPullNote("dana's words", "> n")).toBe(
      "<!-- handover:note -->\n> n\n<!-- /handover:note -->\n\ndana's words",
    );
    // a person moved it below their own line: taken out where it is
    const moved = `dana first\n<!-- handover:note -->\n> n\n<!-- /handover:note -->\n\nrest`;
    expect(withPullNote(moved, undefined)).toBe("dana first\nrest");
    // a start marker without its end (a person cut the note short) is left to them
    const cut = "<!-- handover:note -->\n> [!WARNING]\nrest";
    expect(withPullNote(cut, undefined)).toBe(cut);
  });
});
