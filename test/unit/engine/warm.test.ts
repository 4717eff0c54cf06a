// The warm-up the App runs at load: the first gate, a started migration's state and a command, each to its end.
import { describe, expect, it } from "vitest";
import { warmEngine } from "../../../src/engine/index.js";

describe("warmEngine", () => {
  it("reads back the state it wrote with every part set, passes its gate and reads its command", () => {
    expect(warmEngine()).toBe(true);
  });
});
