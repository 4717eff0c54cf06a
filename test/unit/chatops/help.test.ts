import { describe, expect, it } from "vitest";
import { commandLine, helpText, VERBS } from "../../../src/chatops/index.js";

const FOOTER =
  "Write the command at the start of a line in a comment on the migration issue or a step PR. " +
  "Lines in code blocks or quotes are ignored, and only the first command in a comment counts. " +
  "Regular commands need `commands.permission` on this repository, elevated ones `commands.elevated`.";

describe("helpText", () => {
  it("is a table of every verb", () => {
    expect(helpText()).toBe(
      [
        "| Command | Arguments | What it does | Permission |",
        "|---|---|---|---|",
        "| `/handover help` | none | Reply with this table. | regular |",
        "| `/handover status` | none | Re-check every gate now and refresh the dashboard. | regular |",
        "| `/handover pause` | none | Stop opening and advancing steps until `resume`. | regular |",
        "| `/handover resume` | none | Continue a paused migration from where it stopped. | regular |",
        "| `/handover retry [step]` | optional step id, e.g. `release-canary` | Start the failed (or named) step's health gate again from now; earlier results are ignored. | regular |",
        "| `/handover skip [step]` | optional step id, e.g. `release-canary` | Treat the current (or named) step's gate as passed and go on with the next step. | elevated |",
        "| `/handover abort [-- reason]` | optional `-- reason` | Stop the migration: close the open step PR with a comment and delete its branch. | regular |",
        "| `/handover rollback` | none | Open a revert PR for the last merged step; it goes through the guard and a gate like any step. | elevated |",
        "| `/handover decommission` | none | Approve the last step, which deletes the source cluster's files, once every adopt gate passed. | elevated |",
        "| `/handover approve [step]` | optional step id, e.g. `release-canary` | Let the waiting (or named) step open: handover.yml's `approve` holds those steps after the previous gate. | elevated |",
        "",
        FOOTER,
      ].join("\n"),
    );
  });

  it("names the configured permissions when given the config", () => {
    const lines = helpText({ permission: "write", elevated: "admin" }).split("\n");
    expect(lines[2]).toBe("| `/handover help` | none | Reply with this table. | regular (**write**) |");
    expect(lines[10]).toBe(
      "| `/handover decommission` | none | Approve the last step, which deletes the source cluster's files, once every adopt gate passed. | elevated (**admin**) |",
    );
  });
});

describe("commandLine", () => {
  it("every verb once, help last, with its argument form", () => {
    expect(commandLine(" · ")).toBe(
      "`/handover status` · `pause` · `resume` · `retry [step]` · `skip [step]` · `abort -- reason` · `rollback` · `decommission` · `approve [step]` · `help`",
    );
    expect(commandLine(", ", " or ").split(/, | or /).length).toBe(VERBS.length);
  });
});
