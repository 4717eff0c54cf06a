import {
  intParam,
  json,
  listResponse,
  optionalString,
  paginate,
  requireString,
  type Router,
  type SimRequest,
  type SimResponse,
} from "../http.js";
import { missingField, notFound, validationFailed } from "../http-error.js";
import type { SimIssue, SimReaction } from "../model.js";
import { commentJson, issueJson, labelJson, reactionJson } from "../render.js";
import type { RepoState } from "../repo-state.js";
import { repoRoute, type RouteContext } from "./context.js";

/** Label names from `{labels: [...]}` or a bare array, each a name or `{name}`. */
function labelNames(req: SimRequest): string[] {
  const raw = Array.isArray(req.rawBody) ? req.rawBody : req.body.labels;
  if (!Array.isArray(raw)) throw missingField("labels");
  return raw.map((l) => (typeof l === "string" ? l : String((l as { name?: unknown })?.name ?? "")));
}

/** Sorts and filters for GET /issues and the search API: newest created first unless told. */
export function sortIssues(issues: SimIssue[], sort: string | null, direction: string | null): SimIssue[] {
  const time = (i: SimIssue) => (sort === "updated" ? i.updatedAt : i.createdAt);
  const sign = direction === "asc" ? 1 : -1;
  return [...issues].sort((a, b) => sign * (time(a) - time(b) || a.number - b.number));
}

/** Issues (pull requests included, as on GitHub), comments, labels, reactions. */
export function registerIssueRoutes(router: Router, ctx: RouteContext): void {
  const route = (method: string, path: string, handler: (req: SimRequest, repo: RepoState) => SimResponse) =>
    repoRoute(router, ctx, method, path, handler);
  const issueOf = (req: SimRequest, repo: RepoState) => repo.issue(intParam(req, "number"));
  const commentOf = (req: SimRequest, repo: RepoState) => repo.comment(intParam(req, "id"));

  // comment routes first: "comments" is not an issue number
  route("GET", "/issues/comments", (req, repo) =>
    listResponse(req, [...repo.comments.values()], (c) => commentJson(repo, c)),
  );
  route("GET", "/issues/comments/:id", (req, repo) => json(200, commentJson(repo, commentOf(req, repo))));
  route("PATCH", "/issues/comments/:id", (req, repo) => {
    const comment = commentOf(req, repo);
    repo.editComment(comment, requireString(req.body, "body"), ctx.actor(req));
    return json(200, commentJson(repo, comment));
  });
  route("DELETE", "/issues/comments/:id", (req, repo) => {
    repo.deleteComment(commentOf(req, repo), ctx.actor(req));
    return { status: 204 };
  });

  const reactionRoutes = (path: string, list: (req: SimRequest, repo: RepoState) => SimReaction[]) => {
    route("GET", path, (req, repo) => {
      const content = req.query.get("content");
      const reactions = list(req, repo).filter((r) => content === null || r.content === content);
      return listResponse(req, reactions, reactionJson);
    });
    route("POST", path, (req, repo) => {
      const { reaction, created } = repo.addReaction(
        list(req, repo),
        requireString(req.body, "content"),
        ctx.actor(req),
      );
      return json(created ? 201 : 200, reactionJson(reaction));
    });
    route("DELETE", `${path}/:reaction`, (req, repo) => {
      const reactions = list(req, repo);
      const index = reactions.findIndex((r) => r.id === intParam(req, "reaction"));
      if (index < 0) throw notFound();
      reactions.splice(index, 1);
      return { status: 204 };
    });
  };
  reactionRoutes("/issues/comments/:id/reactions", (req, repo) =>
    repo.reactionList("comment", commentOf(req, repo).id),
  );
  reactionRoutes("/issues/:number/reactions", (req, repo) => repo.reactionList("issue", issueOf(req, repo).number));

  route("GET", "/issues", (req, repo) => {
    const state = req.query.get("state") ?? "open";
    const wanted = (req.query.get("labels") ?? "")
      .split(",")
      .map((l) => l.trim().toLowerCase())
      .filter((l) => l !== "");
    const creator = req.query.get("creator")?.toLowerCase();
    const since = req.query.get("since");
    const issues = [...repo.issues.values()].filter(
      (i) =>
        (state === "all" || i.state === state) &&
        wanted.every((l) => i.labels.some((have) => have.toLowerCase() === l)) &&
        (creator === undefined || i.user.toLowerCase() === creator) &&
        (since === null || i.updatedAt >= Date.parse(since)),
    );
    return listResponse(req, sortIssues(issues, req.query.get("sort"), req.query.get("direction")), (i) =>
      issueJson(repo, i),
    );
  });

  route("POST", "/issues", (req, repo) => {
    const title = requireString(req.body, "title");
    const labels = Array.isArray(req.body.labels) ? labelNames({ ...req, rawBody: req.body.labels }) : [];
    const issue = repo.createIssue(ctx.actor(req), title, optionalString(req.body, "body") ?? null, labels);
    return json(201, issueJson(repo, issue));
  });

  route("GET", "/issues/:number", (req, repo) => json(200, issueJson(repo, issueOf(req, repo))));

  route("PATCH", "/issues/:number", (req, repo) => {
    const issue = issueOf(req, repo);
    const actor = ctx.actor(req);
    const body = req.body;
    if (body.state !== undefined && body.state !== "open" && body.state !== "closed")
      throw validationFailed({ resource: "Issue", field: "state", code: "invalid" });
    const edit: { title?: string; body?: string | null } = {};
    if (typeof body.title === "string") edit.title = body.title;
    if (typeof body.body === "string" || body.body === null) edit.body = body.body as string | null;
    repo.editIssue(issue, edit, actor);
    if (body.state === "closed")
      repo.closeIssue(issue, actor, body.state_reason === "not_planned" ? "not_planned" : "completed");
    if (body.state === "open") repo.reopenIssue(issue, actor);
    if (Array.isArray(body.labels)) repo.setLabels(issue, labelNames({ ...req, rawBody: body.labels }), actor);
    return json(200, issueJson(repo, issue));
  });

  route("GET", "/issues/:number/comments", (req, repo) => {
    const number = issueOf(req, repo).number;
    const since = req.query.get("since");
    const comments = [...repo.comments.values()].filter(
      (c) => c.issue === number && (since === null || c.updatedAt >= Date.parse(since)),
    );
    return listResponse(req, comments, (c) => commentJson(repo, c));
  });
  route("POST", "/issues/:number/comments", (req, repo) => {
    const comment = repo.addComment(issueOf(req, repo), requireString(req.body, "body"), ctx.actor(req));
    return json(201, commentJson(repo, comment));
  });

  const issueLabels = (repo: RepoState, issue: SimIssue) =>
    issue.labels
      .map((name) => repo.label(name))
      .filter((l) => l !== undefined)
      .map((l) => labelJson(repo, l));
  route("GET", "/issues/:number/labels", (req, repo) => {
    const { page, headers } = paginate(req, issueLabels(repo, issueOf(req, repo)));
    return json(200, page, headers);
  });
  route("POST", "/issues/:number/labels", (req, repo) => {
    const issue = issueOf(req, repo);
    repo.addLabels(issue, labelNames(req), ctx.actor(req));
    return json(200, issueLabels(repo, issue));
  });
  route("PUT", "/issues/:number/labels", (req, repo) => {
    const issue = issueOf(req, repo);
    repo.setLabels(issue, labelNames(req), ctx.actor(req));
    return json(200, issueLabels(repo, issue));
  });
  route("DELETE", "/issues/:number/labels", (req, repo) => {
    const issue = issueOf(req, repo);
    repo.setLabels(issue, [], ctx.actor(req));
    return { status: 204 };
  });
  route("DELETE", "/issues/:number/labels/:name", (req, repo) => {
    const issue = issueOf(req, repo);
    repo.removeLabel(issue, req.params.name ?? "", ctx.actor(req));
    return json(200, issueLabels(repo, issue));
  });

  route("GET", "/labels", (req, repo) => listResponse(req, [...repo.labelDefs.values()], (l) => labelJson(repo, l)));
  route("POST", "/labels", (req, repo) => {
    const name = requireString(req.body, "name");
    const label = repo.createLabel(
      name,
      (optionalString(req.body, "color") ?? "ededed").replace(/^#/, ""),
      optionalString(req.body, "description") ?? null,
    );
    return json(201, labelJson(repo, label));
  });
  route("GET", "/labels/:name", (req, repo) => {
    const label = repo.label(req.params.name ?? "");
    if (!label) throw notFound();
    return json(200, labelJson(repo, label));
  });
  route("PATCH", "/labels/:name", (req, repo) => {
    const label = repo.label(req.params.name ?? "");
    if (!label) throw notFound();
    if (typeof req.body.color === "string") label.color = req.body.color.replace(/^#/, "");
    if (typeof req.body.description === "string") label.description = req.body.description;
    return json(200, labelJson(repo, label));
  });
}
