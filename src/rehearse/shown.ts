import { DASHBOARD_MARKER } from "../spec/markers.js";
import type { GitHubSim } from "../sim/index.js";

/** The hidden state is invisible on GitHub (an HTML comment) and keyed with a per-run secret: never written out. */
const STATE_LINE = /\n<!-- handover:state [A-Za-z0-9+/=.:-]+(?: [0-9a-f]{64})? -->\s*$/;

/** The first line of the README in a rehearsal's --out directory (marks a directory safe to replace). */
export const SHOWN_HEADING = "# What GitHub would show";

export function visibleBody(body: string): string {
  return body.replace(STATE_LINE, "\n");
}

function pad(n: number): string {
  return String(n).padStart(3, "0");
}

/**
 * What a person would see on GitHub during a rehearsal, as files: the dashboard at every change,
 * each step PR's title and body, each reply Handover posted, and the final default-branch tree.
 */
export class ShownRecorder {
  private readonly dashboards: { at: number; body: string }[] = [];

  constructor(
    private readonly botLogin: string,
    private readonly start: number,
  ) {}

  /** Keep the dashboard if it changed since the last look. */
  look(sim: GitHubSim, issue: number, now: number): void {
    const dashboard = sim
      .listComments(issue)
      .find((c) => c.user === this.botLogin && c.body.startsWith(DASHBOARD_MARKER));
    if (!dashboard) return;
    const body = visibleBody(dashboard.body);
    if (this.dashboards[this.dashboards.length - 1]?.body === body) return;
    this.dashboards.push({ at: now, body });
  }

  private clock(at: number): string {
    const seconds = Math.round((at - this.start) / 1000);
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return `${h}h${String(m).padStart(2, "0")}m${String(s).padStart(2, "0")}s`;
  }

  /** Every file, by path relative to the output directory. */
  files(sim: GitHubSim, issue: number): Map<string, string> {
    const out = new Map<string, string>();
    const index: string[] = [];
    const last = this.dashboards[this.dashboards.length - 1];
    if (last) out.set("dashboard.md", last.body);
    this.dashboards.forEach((d, i) => {
      out.set(`dashboards/${pad(i + 1)}.md`, d.body);
      index.push(`- [dashboards/${pad(i + 1)}.md](dashboards/${pad(i + 1)}.md) at +${this.clock(d.at)}`);
    });
    const prs = sim.listPulls().sort((a, b) => a.number - b.number);
    for (const pr of prs) {
      const name = `prs/${pad(pr.number)}-${pr.pull.headRef.split("/").pop() ?? "pr"}.md`;
      const state = pr.pull.merged ? "merged" : pr.state;
      out.set(
        name,
        `# ${pr.title}\n\n<sub>#${pr.number} · ${pr.pull.headRef} → ${pr.pull.baseRef} · ${state}${pr.pull.draft && state === "open" ? " · draft" : ""} · labels: ${pr.labels.join(", ") || "none"}</sub>\n\n${pr.body ?? ""}\n`,
      );
    }
    const replies = this.replies(
      sim,
      issue,
      prs.map((p) => p.number),
    );
    replies.forEach((text, i) => out.set(`replies/${pad(i + 1)}.md`, text));
    const tip = sim.defaultBranchHistory().at(-1);
    const tree = tip ? sim.readTree(tip) : new Map<string, string>();
    for (const [path, text] of [...tree].sort(([a], [b]) => (a < b ? -1 : 1))) out.set(`tree/${path}`, text);
    out.set(
      "README.md",
      [
        SHOWN_HEADING,
        "",
        `- [dashboard.md](dashboard.md): the migration issue's dashboard comment at the end (${this.dashboards.length} version(s) below)`,
        ...index.map((line) => `  ${line}`),
        `- prs/: the title and body of each of the ${prs.length} pull request(s) Handover opened`,
        `- replies/: the ${replies.length} comment(s) Handover posted besides the dashboard, each under the comment it answers`,
        `- tree/: the ${tree.size} file(s) of the default branch at the end`,
        "",
      ].join("\n"),
    );
    return out;
  }

  /** Handover's comments other than the dashboard, each quoting the comment it answers when there is one. */
  private replies(sim: GitHubSim, issue: number, prs: number[]): string[] {
    const all = [issue, ...prs].flatMap((n) => sim.listComments(n)).sort((a, b) => a.id - b.id);
    return all
      .filter((c) => c.user === this.botLogin && !c.body.startsWith(DASHBOARD_MARKER))
      .map((c) => {
        const to = /^<!-- handover:reply-to=(\d+) -->/.exec(c.body)?.[1];
        const asked = to ? all.find((q) => q.id === Number(to)) : undefined;
        const where = c.issue === issue ? `issue #${c.issue}` : `PR #${c.issue}`;
        return [
          `On ${where} at +${this.clock(c.createdAt)}:`,
          "",
          ...(asked ? [`> @${asked.user}:`, ">", ...asked.body.split("\n").map((l) => `> ${l}`), ""] : []),
          `**@${c.user}**:`,
          "",
          visibleBody(c.body),
          "",
        ].join("\n");
      });
  }
}
