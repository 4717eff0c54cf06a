// Markdown rendered as GitHub renders a comment: GFM (the CommonMark spec GitHub's cmark-gfm implements, with tables,
// task lists and autolinks), inline HTML kept, and ```mermaid blocks drawn by mermaid in the page.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import type { BrowserContext } from "playwright-core";

const require = createRequire(import.meta.url);
const MERMAID = readFileSync(require.resolve("mermaid/dist/mermaid.min.js"), "utf8");

export function githubHtml(markdown: string): string {
  const body = micromark(markdown, {
    allowDangerousHtml: true,
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>dashboard</title></head><body>${body}</body></html>`;
}

/** What the page shows: tables as rows of cell texts, mermaid diagrams as nodes and edges, or render errors. */
export interface Rendered {
  tables: string[][][];
  diagrams: { nodes: string[]; edges: number; error?: string }[];
  /** Markdown that did not render (a table row outside a table, a fence left open). */
  leftovers: string[];
  details: string[];
}

/** Runs in the page (plain JavaScript: the tests compile without DOM types). */
const READ_PAGE = `(async (drawDiagrams) => {
  if (drawDiagrams) mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  const diagrams = [];
  const blocks = [...document.querySelectorAll("pre > code.language-mermaid")];
  for (const [i, block] of blocks.entries()) {
    const holder = document.createElement("div");
    block.parentElement.replaceWith(holder);
    if (!drawDiagrams) continue;
    try {
      const { svg } = await mermaid.render("diagram" + i, block.textContent);
      holder.innerHTML = svg;
      const nodes = [...holder.querySelectorAll("g.node")].map((n) => n.textContent.trim());
      const edges = holder.querySelectorAll("path.flowchart-link").length;
      diagrams.push({ nodes, edges });
    } catch (err) {
      diagrams.push({ nodes: [], edges: 0, error: String(err && err.message ? err.message : err).split("\\n")[0] });
    }
  }
  const tables = [...document.querySelectorAll("table")].map((t) =>
    [...t.querySelectorAll("tr")].map((tr) => [...tr.children].map((c) => c.textContent.trim())),
  );
  const leftovers = [...document.querySelectorAll("p, li")]
    .map((p) => p.textContent)
    .filter((text) => /^\\s*\\|.*\\|\\s*$/m.test(text) || text.includes("\`\`\`"));
  const details = [...document.querySelectorAll("details > summary")].map((s) => s.textContent);
  return { tables, diagrams, leftovers, details };
})`;

/** Load the markdown as GitHub would show it and read back what a person sees. */
export async function renderInBrowser(
  context: BrowserContext,
  markdown: string,
  options: { diagrams: boolean } = { diagrams: true },
): Promise<Rendered> {
  const page = await context.newPage();
  try {
    await page.setContent(githubHtml(markdown));
    if (options.diagrams) await page.addScriptTag({ content: MERMAID });
    return (await page.evaluate(`${READ_PAGE}(${options.diagrams})`)) as Rendered;
  } finally {
    await page.close();
  }
}
