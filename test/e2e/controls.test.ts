import { describe, expect, it } from "vitest";
import { readDirTree } from "../../src/cli/disk.js";
import { planMigration } from "../../src/plan/index.js";
import { rehearse, type RehearsalOptions } from "../../src/rehearse/run.js";
import { openAt, parseWindow, type ChangeWindow } from "../../src/schedule/index.js";
import { parseIssueBody } from "../../src/spec/issue.js";
import { decodeState } from "../../src/engine/index.js";
import type { GitHubSim } from "../../src/sim/index.js";
import { DASHBOARD_MARKER } from "../../src/spec/markers.js";
import { EXAMPLE_ISSUE, expectStrictOrder } from "./helpers.js";

const CONFIG = ".github/handover.yml";

async function withControls(
  yaml: string,
  extra: Partial<RehearsalOptions> = {},
  edit: (config: string) => string = (config) => config,
): Promise<Awaited<ReturnType<typeof rehearse>>> {
  const files = await readDirTree("examples/config-repo");
  files.set(CONFIG, `${edit(files.get(CONFIG) ?? "")}\n${yaml}`);
  const planned = planMigration(files, parseIssueBody(EXAMPLE_ISSUE).request, 1);
  if (!planned.ok) throw new Error(`test set-up: ${JSON.stringify(planned)}`);
  return rehearse({ files, issueBody: EXAMPLE_ISSUE, plan: planned.plan, replicas: 1, commands: [], ...extra });
}

describe("change windows in a rehearsal (simulated clock)", () => {
  it("every step PR opens inside Mon-Thu 09:00-16:00 Berlin, across a weekend and the spring DST change", async () => {
    const start = Date.parse("2026-03-26T13:00:00Z"); // Thursday 14:00 CET
    const window = parseWindow("Mon-Thu 09:00-16:00 Europe/Berlin") as ChangeWindow;
    const report = await withControls("windows:\n  - Mon-Thu 09:00-16:00 Europe/Berlin\n", { start });
    expect(report.completed).toBe(true);
    expectStrictOrder(report);
    const opened = report.steps.map((s) => start + (s.opened_at ?? Number.NaN) * 1000);
    expect(opened.filter((t) => !openAt([window], [], t)).map((t) => new Date(t).toISOString())).toEqual([]);
    expect(new Date(opened[0] ?? 0).toISOString()).toBe("2026-03-26T13:00:00.000Z");
    // A gate that passes after 16:00 waits over the weekend: the next step opens Monday 09:00 CEST, after the
    // clocks went forward (07:00 UTC, where it was 08:00 UTC the week before).
    const waited = report.steps.filter((s, i) => {
      const before = report.steps[i - 1];
      return before?.gate_passed_at != null && s.opened_at !== null && s.opened_at - before.gate_passed_at > 3600;
    });
    for (const s of waited)
      expect(new Date(start + (s.opened_at ?? 0) * 1000).toISOString().slice(11)).toBe("07:00:00.000Z");
    expect(report.violations).toEqual([]);
  }, 120_000);

  it("a date freeze holds the start until it ends", async () => {
    const start = Date.parse("2026-12-22T10:00:00Z");
    const report = await withControls("freezes:\n  - 2026-12-21..2027-01-03 Europe/Berlin\n", { start });
    expect(report.completed).toBe(true);
    expect(new Date(start + (report.steps[0]?.opened_at ?? 0) * 1000).toISOString()).toBe("2027-01-03T23:00:00.000Z");
  }, 120_000);
});

describe("approvals in a rehearsal (--commands approve)", () => {
  const approve = (after: string, user: string, permission: "write" | "maintain", body = "/handover approve") => ({
    after,
    event: "gate_passed" as const,
    delay: 600,
    user,
    permission,
    body,
  });

  it("each adopt waits after the release gate for a maintainer's approve; a writer's is refused", async () => {
    const approvals: number[] = [];
    const report = await withControls("approve: [adopt]\n", {
      onEvent: (at, line) => {
        if (line.startsWith("@lead (maintain): /handover approve")) approvals.push(at / 1000);
      },
      commands: [
        approve("release-canary", "dev", "write"),
        approve("release-canary", "lead", "maintain"),
        approve("release-wave-1", "lead", "maintain"),
        approve("release-rest", "lead", "maintain", "/handover approve adopt-rest"),
      ],
    });
    expect(report.completed).toBe(true);
    expect(report.comments.map((c) => [c.user, c.reaction, c.accepted])).toEqual([
      ["dev", "-1", false],
      ["lead", "rocket", true],
      ["lead", "rocket", true],
      ["lead", "rocket", true],
    ]);
    // An adopt PR opens at its approval (10 minutes after the release gate was seen passed), not at the gate.
    expect(approvals).toHaveLength(3);
    for (const [i, group] of ["canary", "wave-1", "rest"].entries()) {
      const release = report.steps.find((s) => s.id === `release-${group}`);
      const adopt = report.steps.find((s) => s.id === `adopt-${group}`);
      expect(adopt?.opened_at).toBe(approvals[i]);
      expect((adopt?.opened_at ?? 0) - (release?.gate_passed_at ?? 0)).toBeGreaterThanOrEqual(600);
    }
  }, 120_000);

  it("without an approval the rehearsal stops at the held step, waiting", async () => {
    const report = await withControls("groups:\n  wave-1: {approve: true}\n");
    expect([report.completed, report.stopped_at, report.final_label]).toEqual([
      false,
      "release-wave-1",
      "handover:waiting",
    ]);
    expect(report.steps.find((s) => s.id === "release-wave-1")?.pr).toBeNull();
  }, 120_000);
});

describe("approval by a team in commands.approvers (GET /orgs/{org}/teams/{team_slug}/memberships/{username})", () => {
  it("a member approves with write permission; a writer outside the team and a pending invitee are refused", async () => {
    let sim: GitHubSim | undefined;
    const at = (after: string, user: string, body = "/handover approve") => ({
      after,
      event: "gate_passed" as const,
      delay: 60,
      user,
      permission: "write" as const,
      // erin's membership comes from the scripted comment (`--commands` can say it), frank's invitation from the sim
      ...(user === "erin" ? { teams: ["acme/db-leads"] } : {}),
      body,
    });
    const report = await withControls(
      "groups:\n  canary: {approve: true}\n",
      {
        onSim: (s) => {
          sim = s;
          s.addTeamMember("acme/db-leads", "frank", "pending");
        },
        commands: [
          at("prepare", "dev"),
          at("prepare", "frank"),
          at("prepare", "erin"),
          at("release-canary", "erin", "/handover approve adopt-canary"),
        ],
      },
      (config) => config.replace("elevated: maintain", "elevated: maintain\n  approvers: [acme/other, acme/db-leads]"),
    );
    expect(report.completed).toBe(true);
    const refusal = (user: string) =>
      `@${user} \`/handover approve\` needs **maintain** permission on this repository or membership of a team in \`commands.approvers\` (acme/other, acme/db-leads); @${user} has **write** and is in none of them.`;
    expect(report.comments.map((c) => [c.user, c.reaction, c.reply])).toEqual([
      ["dev", "-1", refusal("dev")],
      ["frank", "-1", refusal("frank")],
      ["erin", "rocket", null],
      ["erin", "rocket", null],
    ]);
    // The audit log says who approved and through which team.
    const dashboard = sim?.listComments(1).find((c) => c.body.includes(DASHBOARD_MARKER));
    const audit = decodeState(dashboard?.body ?? "")?.audit.map((a) => [a.user, a.result, a.note]);
    expect(audit).toEqual([
      ["dev", "refused", "needs maintain, has write"],
      ["frank", "refused", "needs maintain, has write"],
      [
        "erin",
        "applied",
        "release-canary approved: its PR opens now (as a member of acme/db-leads, with write permission)",
      ],
      [
        "erin",
        "applied",
        "adopt-canary approved: its PR opens now (as a member of acme/db-leads, with write permission)",
      ],
      ["operator", "applied", "decommission approved: its PR opens now"],
    ]);
    // Each membership was asked of GitHub: both teams for the refused, up to the first team erin is in.
    expect(sim?.requests.filter((r) => r.path.startsWith("/orgs/")).map((r) => `${r.path} ${r.status}`)).toEqual([
      "/orgs/acme/teams/other/memberships/dev 404",
      "/orgs/acme/teams/db-leads/memberships/dev 404",
      "/orgs/acme/teams/other/memberships/frank 404",
      "/orgs/acme/teams/db-leads/memberships/frank 200",
      "/orgs/acme/teams/other/memberships/erin 404",
      "/orgs/acme/teams/db-leads/memberships/erin 200",
      "/orgs/acme/teams/other/memberships/erin 404",
      "/orgs/acme/teams/db-leads/memberships/erin 304", // a conditional read: unchanged since the first
    ]);
  }, 120_000);
});

describe("the chaos rehearsal with windows and approvals", () => {
  it.each([3, 11])(
    "chaos seed %i: opens only inside the windows, each approval applied once, completes with no duplicate PR",
    async (seed) => {
      const start = Date.parse("2026-03-26T12:00:00Z"); // Thursday
      const window = parseWindow("Mon-Fri 06:00-20:00 UTC") as ChangeWindow;
      const report = await withControls("windows:\n  - Mon-Fri 06:00-20:00 UTC\napprove: [adopt]\n", {
        start,
        chaosSeed: seed,
        commands: ["canary", "wave-1", "rest"].map((group) => ({
          after: `release-${group}`,
          event: "gate_passed" as const,
          delay: 300,
          user: "lead",
          permission: "maintain" as const,
          body: `/handover approve adopt-${group}`,
        })),
      });
      expect([report.completed, report.duplicate_prs, report.violations]).toEqual([true, 0, []]);
      // Applied (rocket) when the adopt already waited, recorded (eyes) when it came before the App saw the gate pass.
      expect(report.comments.map((c) => c.accepted)).toEqual([true, true, true]);
      const outside = report.steps
        .map((s) => start + (s.opened_at ?? Number.NaN) * 1000)
        .filter((t) => !openAt([window], [], t));
      expect(outside).toEqual([]);
    },
    180_000,
  );
});
