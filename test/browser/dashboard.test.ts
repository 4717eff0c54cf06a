import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, EXAMPLE_ISSUE, EXAMPLE_REPO, issueFile, readTree, removeTempDirs, tempDir } from "../unit/cli/helpers.js";
import { ensureChromium, startChromium } from "./chromium.js";
import { renderInBrowser, type Rendered } from "./github-html.js";

const STEPS = [
  "prepare",
  "release-canary",
  "adopt-canary",
  "release-wave-1",
  "adopt-wave-1",
  "release-rest",
  "adopt-rest",
  "decommission",
];

const browser = ensureChromium();
if ("missing" in browser)
  console.warn(`\n*** SKIPPED: the dashboard browser rendering checks need Chromium: ${browser.missing} ***\n`);

/** What would look broken on GitHub: the steps table, the chain diagram, the audit log. */
function problems(page: Rendered): string[] {
  const out: string[] = [];
  const [steps, audit] = page.tables;
  if (!steps) return ["no steps table"];
  if (JSON.stringify(steps[0]) !== JSON.stringify(["#", "step", "state", "PR", "gate"]))
    out.push(`steps table header: ${JSON.stringify(steps[0])}`);
  if (steps.length !== STEPS.length + 1) out.push(`steps table: ${steps.length - 1} rows`);
  steps.slice(1).forEach((row, i) => {
    if (row.length !== 5) out.push(`steps row ${i + 1}: ${row.length} cells`);
    if (row[1] !== STEPS[i]) out.push(`steps row ${i + 1}: step ${JSON.stringify(row[1])}`);
  });
  for (const [i, row] of (audit ?? []).entries()) if (row.length !== 5) out.push(`audit row ${i}: ${row.length} cells`);
  const [diagram] = page.diagrams;
  if (!diagram) out.push("no diagram");
  else if (diagram.error) out.push(`diagram: ${diagram.error}`);
  else {
    if (JSON.stringify(diagram.nodes) !== JSON.stringify(STEPS)) out.push(`diagram nodes: ${diagram.nodes.join(", ")}`);
    if (diagram.edges !== STEPS.length - 1) out.push(`diagram: ${diagram.edges} edges`);
  }
  for (const text of page.leftovers) out.push(`unrendered markdown: ${text.slice(0, 60)}`);
  if (JSON.stringify(page.details) !== JSON.stringify(["Audit log"])) out.push(`details: ${page.details.join(", ")}`);
  return out;
}

async function dashboards(flags: string[]): Promise<Map<string, string>> {
  const dir = join(tempDir("shown"), "out");
  const run = await cli([
    "rehearse",
    "--repo",
    EXAMPLE_REPO,
    "--issue",
    issueFile(EXAMPLE_ISSUE),
    ...flags,
    "--out",
    dir,
  ]);
  if (run.err) throw new Error(`test set-up: ${run.err}`);
  return new Map([...readTree(dir)].filter(([path]) => path.startsWith("dashboard")));
}

describe.skipIf("missing" in browser)("the dashboard as GitHub renders it, in headless Chromium", () => {
  let chrome: Awaited<ReturnType<typeof startChromium>>;
  beforeAll(async () => {
    if ("path" in browser) chrome = await startChromium(browser.path);
  }, 60_000);
  afterAll(async () => {
    await chrome?.close();
    removeTempDirs();
  });

  it("every version of a rehearsal's dashboard shows a whole table, the chain and the audit log", async () => {
    const commands = join(tempDir("commands"), "commands.yml");
    writeFileSync(
      commands,
      [
        "- {after: release-canary, event: merged, user: visitor, permission: read, body: '/handover pause | <b>now</b> `x`'}",
        "- {after: adopt-canary, event: opened, user: lead, permission: write, body: /handover pause}",
        "- {after: adopt-canary, event: opened, delay: 600, user: lead, permission: write, body: /handover resume}",
        "",
      ].join("\n"),
    );
    const shown = await dashboards(["--commands", commands]);
    expect(shown.size).toBeGreaterThan(20);
    const found = new Map<string, string[]>();
    const drawn = new Map<string, Rendered["diagrams"]>();
    for (const [path, markdown] of shown) {
      // Mermaid is slow: each distinct chain is drawn once, and its result reused for the versions that repeat it.
      const chain = /```mermaid[\s\S]*?```/.exec(markdown)?.[0] ?? "";
      const page = await renderInBrowser(chrome.context, markdown, { diagrams: !drawn.has(chain) });
      if (!drawn.has(chain)) drawn.set(chain, page.diagrams);
      found.set(path, problems({ ...page, diagrams: drawn.get(chain) ?? [] }));
    }
    expect([...found].filter(([, list]) => list.length > 0)).toEqual([]);
    const final = await renderInBrowser(chrome.context, shown.get("dashboard.md") ?? "");
    expect(final.tables[1]?.slice(0, 2)).toEqual([
      ["when", "who", "command", "result", "note"],
      [
        "2026-01-01 00:31:00 UTC",
        "@visitor",
        "/handover pause | <b>now</b> 'x'",
        "invalid",
        "/handover pause takes no arguments; write /handover pause.",
      ],
    ]);
  }, 180_000);

  it("a failed migration's dashboard renders too (the failed step's class in the chain)", async () => {
    const shown = await dashboards(["--fail-health", "release-canary"]);
    const page = await renderInBrowser(chrome.context, shown.get("dashboard.md") ?? "");
    expect(problems(page)).toEqual([]);
    expect(page.tables[0]?.[2]?.[2]).toBe("❌ gate failed");
  }, 180_000);

  it("a broken table or diagram is caught", async () => {
    const good = readFileSync(join(import.meta.dirname, "fixtures", "dashboard.md"), "utf8");
    expect(problems(await renderInBrowser(chrome.context, good))).toEqual([]);
    const brokenRow = good.replace("| 3 | adopt-canary | · not started |", "| 3 | adopt-canary · not started |");
    expect(problems(await renderInBrowser(chrome.context, brokenRow))).toEqual([
      'steps row 3: step "adopt-canary · not started"',
    ]);
    const brokenHeader = good.replace("|---|---|---|---|---|\n| 1 |", "|---|---|---|---|\n| 1 |");
    expect(problems(await renderInBrowser(chrome.context, brokenHeader))[0]).toBe("no steps table");
    const brokenDiagram = good.replace('s2["adopt-canary"]:::todo', 's2["adopt-"canary"]:::todo');
    expect(problems(await renderInBrowser(chrome.context, brokenDiagram))).toEqual([
      expect.stringMatching(/^diagram: (Parse error|Lexical error|Syntax error)/),
    ]);
    const openFence = good.replace(
      "  classDef todo fill:#f1f3f5,stroke:#868e96\n```",
      "  classDef todo fill:#f1f3f5,stroke:#868e96\n",
    );
    expect(problems(await renderInBrowser(chrome.context, openFence)).length).toBeGreaterThan(0);
  }, 60_000);
});
