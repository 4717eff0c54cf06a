import { describe, expect, it } from "vitest";
import { stepTitle } from "../../../src/spec/markers.js";

describe("stepTitle", () => {
  it("is cut to GitHub's 256-character limit for a group naming many backends", () => {
    const summary = `Adopt wave-1 (${Array.from({ length: 60 }, (_, i) => `backend-${i}`).join(", ")}) into replicore-b`;
    const title = stepTitle(12, summary);
    expect(title).toHaveLength(256);
    expect(title).toBe(`[handover #12] ${summary}`.slice(0, 255) + "…");
  });

  it("is left whole when it fits", () => {
    expect(stepTitle(3, "Prepare replicore-b")).toBe("[handover #3] Prepare replicore-b");
  });
});
