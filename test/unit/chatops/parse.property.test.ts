import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { VERBS, parseCommand } from "../../../src/chatops/index.js";

const word = fc.constantFrom(...VERBS, "Pause", "--", "-- why", "release-a", "x y", "", "```", "~~~", "> ", "    ");
const line = fc.oneof(
  fc.string(),
  fc.array(word, { maxLength: 4 }).map((words) => `/handover ${words.join(" ")}`),
  fc.array(word, { maxLength: 3 }).map((words) => words.join(" ")),
);

describe("parseCommand properties", () => {
  test.prop([fc.array(line, { maxLength: 6 })])("never throws, and a command's line starts with /handover", (lines) => {
    const result = parseCommand(lines.join("\n"));
    if (result.kind === "command") expect(result.command.line.toLowerCase().startsWith("/handover")).toBe(true);
  });
});
