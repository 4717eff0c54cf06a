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
import { notFound } from "../http-error.js";
import { checkRunJson, deploymentJson, deploymentStatusJson, repoJson, statusJson } from "../render.js";
import type { RepoState } from "../repo-state.js";
import { repoRoute, type RouteContext } from "./context.js";

/** Commit statuses, check runs and deployments: what the health gate reads. */
export function registerCheckRoutes(router: Router, ctx: RouteContext): void {
  const route = (method: string, path: string, handler: (req: SimRequest, repo: RepoState) => SimResponse) =>
    repoRoute(router, ctx, method, path, handler);

  route("POST", "/statuses/:sha", (req, repo) => {
    const state = requireString(req.body, "state");
    const status = repo.addStatus(
      req.params.sha ?? "",
      {
        state,
        context: optionalString(req.body, "context") ?? "default",
        description: optionalString(req.body, "description") ?? null,
        target_url: optionalString(req.body, "target_url") ?? null,
      },
      ctx.actor(req),
    );
    return json(201, statusJson(repo, status));
  });

  // suffix routes before GET /commits/*ref (registered by the repo routes after these)
  route("GET", "/commits/*ref/status", (req, repo) => {
    const sha = repo.requireCommit(req.params.ref ?? "");
    const latest = repo.latestStatuses(sha);
    const { page } = paginate(req, latest);
    return json(200, {
      state: repo.combinedState(latest),
      statuses: page.map((s) => statusJson(repo, s)),
      sha,
      total_count: latest.length,
      repository: repoJson(repo),
      commit_url: `${repo.core.apiUrl()}/repos/${repo.fullName}/commits/${sha}`,
      url: `${repo.core.apiUrl()}/repos/${repo.fullName}/commits/${sha}/status`,
    });
  });

  route("GET", "/commits/*ref/statuses", (req, repo) => {
    const sha = repo.requireCommit(req.params.ref ?? "");
    const all = repo.statuses.filter((s) => s.sha === sha).reverse();
    return listResponse(req, all, (s) => statusJson(repo, s));
  });

  route("GET", "/commits/*ref/check-runs", (req, repo) => {
    const sha = repo.requireCommit(req.params.ref ?? "");
    const name = req.query.get("check_name");
    const status = req.query.get("status");
    let runs = [...repo.checkRuns.values()]
      .filter(
        (r) => r.headSha === sha && (name === null || r.name === name) && (status === null || r.status === status),
      )
      .reverse();
    if (req.query.get("filter") !== "all") {
      const seen = new Set<string>();
      runs = runs.filter((r) => !seen.has(r.name) && seen.add(r.name));
    }
    const { page, headers } = paginate(req, runs);
    return json(200, { total_count: runs.length, check_runs: page.map((r) => checkRunJson(repo, r)) }, headers);
  });

  route("POST", "/check-runs", (req, repo) => {
    requireString(req.body, "name");
    requireString(req.body, "head_sha");
    const run = repo.createCheckRun(ctx.actor(req), req.body);
    return json(201, checkRunJson(repo, run));
  });
  route("GET", "/check-runs/:id", (req, repo) => json(200, checkRunJson(repo, repo.checkRun(intParam(req, "id")))));
  route("PATCH", "/check-runs/:id", (req, repo) => {
    const run = repo.checkRun(intParam(req, "id"));
    repo.updateCheckRun(run, req.body, ctx.actor(req));
    return json(200, checkRunJson(repo, run));
  });
  route("GET", "/check-runs/:id/annotations", (req, repo) =>
    listResponse(req, repo.checkRun(intParam(req, "id")).annotations, (a) => a),
  );

  route("POST", "/deployments", (req, repo) => {
    requireString(req.body, "ref");
    return json(201, deploymentJson(repo, repo.createDeployment(ctx.actor(req), req.body)));
  });
  route("GET", "/deployments", (req, repo) => {
    const q = (name: string) => req.query.get(name);
    const list = [...repo.deployments.values()]
      .filter(
        (d) =>
          (q("sha") === null || d.sha === q("sha")) &&
          (q("ref") === null || d.ref === q("ref")) &&
          (q("environment") === null || d.environment === q("environment")) &&
          (q("task") === null || d.task === q("task")),
      )
      .reverse();
    return listResponse(req, list, (d) => deploymentJson(repo, d));
  });
  route("GET", "/deployments/:id", (req, repo) =>
    json(200, deploymentJson(repo, repo.deployment(intParam(req, "id")))),
  );
  route("GET", "/deployments/:id/statuses", (req, repo) => {
    const deployment = repo.deployment(intParam(req, "id"));
    return listResponse(req, repo.deploymentStatusesOf(deployment.id), (s) => deploymentStatusJson(repo, s));
  });
  route("POST", "/deployments/:id/statuses", (req, repo) => {
    const deployment = repo.deployment(intParam(req, "id"));
    requireString(req.body, "state");
    return json(201, deploymentStatusJson(repo, repo.addDeploymentStatus(deployment, req.body, ctx.actor(req))));
  });
  route("GET", "/deployments/:id/statuses/:status", (req, repo) => {
    const deployment = repo.deployment(intParam(req, "id"));
    const status = repo.deploymentStatusesOf(deployment.id).find((s) => s.id === intParam(req, "status"));
    if (!status) throw notFound();
    return json(200, deploymentStatusJson(repo, status));
  });
}
