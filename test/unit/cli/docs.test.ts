// docs/config-reference.md is generated from the zod schema (`npm run docs`): it must match what the schema says now.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configJsonSchema, configReferenceMarkdown } from "../../../src/cli/schema.js";
import { ROOT } from "./helpers.js";

const DOC = readFileSync(join(ROOT, "docs/config-reference.md"), "utf8");

describe("docs/config-reference.md", () => {
  it("equals what configReferenceMarkdown() generates (run `npm run docs` after changing the schema)", () => {
    expect(DOC).toBe(configReferenceMarkdown());
  });

  it("has a row for every top-level option of the schema", () => {
    const rows = DOC.split("\n")
      .filter((line) => line.startsWith("| `"))
      .map((line) => /^\| `([^`]+)`/.exec(line)?.[1]);
    for (const key of Object.keys(configJsonSchema().properties ?? {})) expect(rows).toContain(key);
    for (const key of [
      "clusters.<name>.config",
      "clusters.<name>.soak",
      "defaults.soak",
      "defaults.timeout",
      "commands.permission",
      "resync",
    ]) {
      expect(rows).toContain(key);
    }
  });
});
