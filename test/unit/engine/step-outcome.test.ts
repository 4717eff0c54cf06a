// A step applied on the default branch's head: what observe shows for a step to open, computed once per head commit.
import { describe, expect, it } from "vitest";
import { stepOutcome } from "../../../src/engine/observe.js";
import { applyStep } from "../../../src/plan/index.js";
import { changesOf, PLAN, step } from "./helpers.js";

const BASE_SHA = "base0000000000000000000000000000000000000";
const OTHER_SHA = "head1111111111111111111111111111111111111";

describe("stepOutcome", () => {
  it("on the tree the migration was planned on, prepare's changes are the planned ones", async () => {
    const outcome = await stepOutcome(PLAN, BASE_SHA, PLAN.context.base, step("prepare"));
    expect("changes" in outcome ? outcome.changes : outcome).toEqual(changesOf("prepare"));
  });

  it("is computed once per head commit and step: a waiting step's next reconcile takes the same outcome", async () => {
    const prepared = applyStep(PLAN.context.base, PLAN.context, step("prepare")).tree;
    const first = await stepOutcome(PLAN, OTHER_SHA, prepared, step("release-canary"));
    expect("changes" in first ? first.changes : first).toEqual(changesOf("release-canary"));
    expect(await stepOutcome(PLAN, OTHER_SHA, prepared, step("release-canary"))).toBe(first);
    // Another head commit (the default branch moved) is computed again, even on the same files.
    const again = await stepOutcome(PLAN, `${OTHER_SHA.slice(0, -1)}2`, prepared, step("release-canary"));
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it("a step that cannot be applied on the head gives the user's problem, kept the same way", async () => {
    const broken = new Map(PLAN.context.base);
    broken.set(".github/handover.yml", "version: [");
    const first = await stepOutcome(PLAN, "broken", broken, step("release-canary"));
    expect(first).toEqual({
      problems: [
        ".github/handover.yml:1:11: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
      ],
    });
    expect(await stepOutcome(PLAN, "broken", broken, step("release-canary"))).toBe(first);
  });
});
