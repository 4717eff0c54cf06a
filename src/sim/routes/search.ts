import { json, paginate, type Router } from "../http.js";
import { validationFailed } from "../http-error.js";
import type { SimIssue } from "../model.js";
import { issueJson } from "../render.js";
import type { RepoState } from "../repo-state.js";
import type { RouteContext } from "./context.js";
import { sortIssues } from "./issues.js";

/** Splits a search query into words, keeping "quoted phrases" (also after a qualifier: label:"a b") whole. */
export function searchTerms(q: string): string[] {
  return (q.match(/-?[\w.-]*:"[^"]*"|"[^"]*"|\S+/g) ?? []).map((t) => t.replace(/"/g, ""));
}

type Predicate = (issue: SimIssue, repo: RepoState) => boolean;

const QUALIFIERS: Record<string, (value: string) => Predicate> = {
  is: (v) => {
    const table: Record<string, Predicate> = {
      issue: (i) => !i.pull,
      pr: (i) => !!i.pull,
      open: (i) => i.state === "open",
      closed: (i) => i.state === "closed",
      merged: (i) => !!i.pull?.merged,
      unmerged: (i) => !!i.pull && !i.pull.merged,
    };
    return table[v] ?? (() => true);
  },
  type: (v) => (v === "pr" ? (i) => !!i.pull : (i) => !i.pull),
  state: (v) => (i) => i.state === v,
  label: (v) => (i) => i.labels.some((l) => l.toLowerCase() === v.toLowerCase()),
  author: (v) => (i) => i.user.toLowerCase() === v.toLowerCase(),
  head: (v) => (i) => i.pull?.headRef === v,
  base: (v) => (i) => i.pull?.baseRef === v,
  repo: (v) => (_i, r) => r.fullName.toLowerCase() === v.toLowerCase(),
};

/** GET /search/issues: repo:, is:, type:, state:, label:, author:, head:, base:, in:title|body|comments, and free text. */
export function registerSearchRoutes(router: Router, ctx: RouteContext): void {
  router.add("GET", "/search/issues", (req) => {
    const q = req.query.get("q");
    if (!q) throw validationFailed({ resource: "Search", field: "q", code: "missing" });
    const predicates: Predicate[] = [];
    const words: string[] = [];
    const fields = new Set<string>();
    for (const term of searchTerms(q)) {
      const negate = term.startsWith("-") && term.includes(":");
      const [key, ...rest] = (negate ? term.slice(1) : term).split(":");
      const value = rest.join(":");
      if (key === "in" && rest.length > 0) value.split(",").forEach((f) => fields.add(f));
      else if (key !== undefined && rest.length > 0 && QUALIFIERS[key]) {
        const p = QUALIFIERS[key](value);
        predicates.push(negate ? (i, r) => !p(i, r) : p);
      } else words.push(term.toLowerCase());
    }
    if (fields.size === 0) ["title", "body"].forEach((f) => fields.add(f));
    const haystack = (i: SimIssue, repo: RepoState) => {
      const parts: string[] = [];
      if (fields.has("title")) parts.push(i.title);
      if (fields.has("body")) parts.push(i.body ?? "");
      if (fields.has("comments")) for (const c of repo.comments.values()) if (c.issue === i.number) parts.push(c.body);
      return parts.join("\n").toLowerCase();
    };
    const hits: { issue: SimIssue; repo: RepoState }[] = [];
    for (const repo of ctx.repos()) {
      for (const issue of sortIssues([...repo.issues.values()], req.query.get("sort"), req.query.get("order"))) {
        if (predicates.every((p) => p(issue, repo)) && words.every((w) => haystack(issue, repo).includes(w)))
          hits.push({ issue, repo });
      }
    }
    const { page, headers } = paginate(req, hits);
    return json(
      200,
      {
        total_count: hits.length,
        incomplete_results: false,
        items: page.map((h) => ({ ...issueJson(h.repo, h.issue), score: 1 })),
      },
      headers,
    );
  });
}
