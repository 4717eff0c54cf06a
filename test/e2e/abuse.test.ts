import { describe, expect, it } from "vitest";
import { decodeState } from "../../src/engine/index.js";
import { DASHBOARD_MARKER } from "../../src/spec/markers.js";
import { BOT } from "../../src/rehearse/world.js";
import type { GitHubSim } from "../../src/sim/index.js";
import { EXAMPLE_ISSUE, run } from "./helpers.js";

const GITHUB_BODY_MAX = 65_536;

function dashboardOf(sim: GitHubSim): string {
  return sim.listComments(1).find((c) => c.user === BOT && c.body.includes(DASHBOARD_MARKER))?.body ?? "";
}

describe("abuse through comments, driven through the real App and the simulator", () => {
  it("a 40,000-character command from someone without permission neither overflows the dashboard nor stops the chain", async () => {
    const huge = `/handover ${"x".repeat(40_000)}`;
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [
        { after: "release-canary", event: "opened", delay: 0, user: "mallory", permission: "none", body: huge },
        { after: "adopt-canary", event: "opened", delay: 0, user: "mallory", permission: "none", body: huge },
      ],
    });
    expect(report.completed).toBe(true);
    const sim = sims[0] as GitHubSim;
    for (const comment of sim.listComments(1)) expect(comment.body.length).toBeLessThanOrEqual(GITHUB_BODY_MAX);
    const hidden = decodeState(dashboardOf(sim));
    const mallory = hidden?.audit.filter((a) => a.user === "mallory") ?? [];
    expect(mallory.map((a) => [a.command.length, a.command.slice(0, 12), a.result])).toEqual([
      [200, "/handover xx", "unknown"],
      [200, "/handover xx", "unknown"],
    ]);
    // The unknown word is quoted cut, in a code span it cannot leave.
    expect(report.comments[0]?.reply?.split("\n")[0]).toBe(
      `@mallory \`${"x".repeat(39)}…\` is not a Handover command.`,
    );
  });

  it("echoed user text cannot break out of its code span or ping anyone", async () => {
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [
        {
          after: "release-canary",
          event: "opened",
          delay: 0,
          user: "mallory",
          permission: "none",
          body: "/handover x`@acme/everyone`",
        },
        {
          after: "release-canary",
          event: "opened",
          delay: 0,
          user: "mallory",
          permission: "none",
          body: "/handover retry a`b@acme/everyone",
        },
        {
          after: "adopt-canary",
          event: "opened",
          delay: 60,
          user: "alice",
          permission: "write",
          body: "/handover abort -- see @acme/everyone <b>now</b>",
        },
      ],
    });
    expect(report.comments.map((c) => c.reply?.split("\n")[0])).toEqual([
      "@mallory `x'@acme/everyone'` is not a Handover command.",
      "@mallory `a'b@acme/everyone` is not a step id (lowercase letters, digits and dashes, at most 61 characters, as shown on the dashboard); write `/handover retry [step]`.",
      undefined,
    ]);
    const sim = sims[0] as GitHubSim;
    const closed = sim.listPulls().find((p) => p.pull.headRef === "handover/1/adopt-canary");
    const closing = sim.listComments(closed?.number ?? 0).map((c) => c.body);
    expect(closing).toEqual([
      "Closed by Handover: @alice aborted the migration (#1): see @\u200bacme/everyone &lt;b&gt;now&lt;/b&gt;.\nThe step branch is deleted; nothing else will be opened.",
    ]);
  });
});
