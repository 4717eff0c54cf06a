import {
  intParam,
  json,
  listResponse,
  optionalString,
  requireString,
  type Router,
  type SimRequest,
  type SimResponse,
} from "../http.js";
import { notFound, validationFailed } from "../http-error.js";
import type { SimPullRequest } from "../model.js";
import { fileJson, pullJson, restCommitJson, reviewJson } from "../render.js";
import type { RepoState } from "../repo-state.js";
import { repoRoute, type RouteContext } from "./context.js";
import { sortIssues } from "./issues.js";

/** Pull requests: list, open, edit, merge, files, commits. */
export function registerPullRoutes(router: Router, ctx: RouteContext): void {
  const route = (method: string, path: string, handler: (req: SimRequest, repo: RepoState) => SimResponse) =>
    repoRoute(router, ctx, method, path, handler);
  const pullOf = (req: SimRequest, repo: RepoState) => repo.pull(intParam(req, "number"));

  route("GET", "/pulls", (req, repo) => {
    const state = req.query.get("state") ?? "open";
    const head = req.query.get("head");
    const base = req.query.get("base");
    const [headOwner, headRef] = head?.includes(":") ? (head.split(":", 2) as [string, string]) : [repo.owner, head];
    const pulls = [...repo.issues.values()].filter(
      (i): i is SimPullRequest =>
        i.pull !== undefined &&
        (state === "all" || i.state === state) &&
        (headRef === null || (headOwner.toLowerCase() === repo.owner.toLowerCase() && i.pull.headRef === headRef)) &&
        (base === null || i.pull.baseRef === base),
    );
    const sorted = sortIssues(pulls, req.query.get("sort"), req.query.get("direction")) as SimPullRequest[];
    return listResponse(req, sorted, (p) => pullJson(repo, p, "list"));
  });

  route("POST", "/pulls", (req, repo) => {
    const title = requireString(req.body, "title");
    const head = requireString(req.body, "head");
    const base = requireString(req.body, "base");
    const pr = repo.createPull(ctx.actor(req), {
      title,
      head,
      base,
      body: optionalString(req.body, "body") ?? null,
      draft: req.body.draft === true,
    });
    return json(201, pullJson(repo, pr));
  });

  route("GET", "/pulls/:number", (req, repo) => json(200, pullJson(repo, pullOf(req, repo), "read")));

  route("PATCH", "/pulls/:number", (req, repo) => {
    const pr = pullOf(req, repo);
    const actor = ctx.actor(req);
    const body = req.body;
    if (body.state !== undefined && body.state !== "open" && body.state !== "closed")
      throw validationFailed({ resource: "PullRequest", field: "state", code: "invalid" });
    if (typeof body.base === "string" && body.base !== pr.pull.baseRef) {
      const baseSha = repo.branchSha(body.base);
      if (!baseSha) throw validationFailed({ resource: "PullRequest", field: "base", code: "invalid" });
      pr.pull.baseRef = body.base;
      pr.pull.baseSha = baseSha;
    }
    const edit: { title?: string; body?: string | null } = {};
    if (typeof body.title === "string") edit.title = body.title;
    if (typeof body.body === "string" || body.body === null) edit.body = body.body as string | null;
    repo.editIssue(pr, edit, actor);
    if (body.state === "closed") repo.closeIssue(pr, actor);
    if (body.state === "open") repo.reopenIssue(pr, actor);
    return json(200, pullJson(repo, pr));
  });

  route("PUT", "/pulls/:number/merge", (req, repo) => {
    const opts: { sha?: string; method?: string; commitTitle?: string; commitMessage?: string } = {};
    const sha = optionalString(req.body, "sha");
    const method = optionalString(req.body, "merge_method");
    const commitTitle = optionalString(req.body, "commit_title");
    const commitMessage = optionalString(req.body, "commit_message");
    if (sha !== undefined) opts.sha = sha;
    if (method !== undefined) opts.method = method;
    if (commitTitle !== undefined) opts.commitTitle = commitTitle;
    if (commitMessage !== undefined) opts.commitMessage = commitMessage;
    const mergeSha = repo.mergePull(intParam(req, "number"), ctx.actor(req), opts);
    return json(200, { sha: mergeSha, merged: true, message: "Pull Request successfully merged" });
  });

  route("GET", "/pulls/:number/merge", (req, repo) => {
    if (!pullOf(req, repo).pull.merged) throw notFound();
    return { status: 204 };
  });

  route("GET", "/pulls/:number/files", (req, repo) => {
    const pr = pullOf(req, repo);
    const mergeBase = repo.objects.mergeBase(pr.pull.baseSha, pr.pull.headSha);
    return listResponse(req, repo.diffCommits(mergeBase, pr.pull.headSha), (f) => fileJson(repo, f));
  });

  route("GET", "/pulls/:number/commits", (req, repo) => {
    const pr = pullOf(req, repo);
    const commits = repo.objects.commitsBetween(pr.pull.baseSha, pr.pull.headSha).reverse();
    return listResponse(req, commits, (c) => restCommitJson(repo, c));
  });

  route("GET", "/pulls/:number/reviews", (req, repo) => {
    const pr = pullOf(req, repo);
    return listResponse(req, pr.pull.reviews, (r) => reviewJson(repo, pr, r));
  });

  route("POST", "/pulls/:number/reviews", (req, repo) => {
    const pr = pullOf(req, repo);
    const event = optionalString(req.body, "event");
    // Without an event GitHub keeps a pending review; the sim has no use for one.
    if (event === undefined)
      throw validationFailed({ resource: "PullRequestReview", code: "missing_field", field: "event" });
    const review = repo.addReview(pr, ctx.actor(req), event, optionalString(req.body, "body") ?? "");
    return json(200, reviewJson(repo, pr, review));
  });

  route("PUT", "/pulls/:number/update-branch", (req, repo) => {
    const pr = pullOf(req, repo);
    repo.updateBranch(pr, ctx.actor(req), optionalString(req.body, "expected_head_sha"));
    return json(202, { message: "Updating pull request branch.", url: pullJson(repo, pr, "list").url });
  });
}
