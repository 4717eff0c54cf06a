import { CODELOAD_PATH, HTML_URL } from "../core.js";
import { intParam, json, listResponse, paginate, type Router, type SimRequest, type SimResponse } from "../http.js";
import { notFound } from "../http-error.js";
import { iso, type Permission } from "../model.js";
import { base64Wrapped, fileJson, repoJson, restCommitJson, userJson } from "../render.js";
import type { RepoState } from "../repo-state.js";
import { repoRoute, type RouteContext } from "./context.js";

const APP_PERMISSIONS = {
  contents: "write",
  pull_requests: "write",
  issues: "write",
  statuses: "read",
  checks: "write",
  deployments: "read",
  metadata: "read",
};
const APP_EVENTS = ["issues", "issue_comment", "pull_request", "push", "status", "check_run", "deployment_status"];

/** The permission field is the legacy one: maintain reads as write, triage as read; role_name is exact. */
const LEGACY_PERMISSION: Record<Permission, string> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
  none: "none",
};

/** App and installation, repository, contents, branches, commits, compare, collaborators. */
export function registerRepoRoutes(router: Router, ctx: RouteContext): void {
  const route = (method: string, path: string, handler: (req: SimRequest, repo: RepoState) => SimResponse) =>
    repoRoute(router, ctx, method, path, handler);
  const core = ctx.core;
  const slug = core.bot.login.replace(/\[bot\]$/, "");
  const installation = () => {
    const owner = ctx.repos()[0]?.owner ?? "";
    return {
      id: core.installationId,
      account: userJson(owner),
      app_id: core.appId,
      app_slug: slug,
      target_id: userJson(owner).id,
      target_type: "User",
      repository_selection: "selected",
      permissions: APP_PERMISSIONS,
      events: APP_EVENTS,
      created_at: iso(0),
      updated_at: iso(0),
    };
  };

  router.add("GET", "/app", () =>
    json(200, {
      id: core.appId,
      slug,
      name: slug,
      owner: userJson(ctx.repos()[0]?.owner ?? ""),
      permissions: APP_PERMISSIONS,
      events: APP_EVENTS,
    }),
  );
  router.add("GET", "/app/installations", () => json(200, [installation()]));
  router.add("GET", "/app/installations/:id", (req) => {
    if (intParam(req, "id") !== core.installationId) throw notFound();
    return json(200, installation());
  });
  router.add("POST", "/app/installations/:id/access_tokens", (req) => {
    if (intParam(req, "id") !== core.installationId) throw notFound();
    return json(201, {
      token: `ghs_sim${core.installationId}`,
      expires_at: iso(core.clock.now() + 3_600_000),
      permissions: APP_PERMISSIONS,
      repository_selection: "selected",
    });
  });
  router.add("GET", "/installation/repositories", (req) => {
    const { page, headers } = paginate(req, ctx.repos());
    return json(
      200,
      { total_count: ctx.repos().length, repository_selection: "selected", repositories: page.map(repoJson) },
      headers,
    );
  });
  route("GET", "/installation", () => json(200, installation()));
  route("GET", "", (_req, repo) => {
    const methods = repo.settings.mergeMethods;
    return json(200, {
      ...repoJson(repo),
      allow_merge_commit: methods.includes("merge"),
      allow_squash_merge: methods.includes("squash"),
      allow_rebase_merge: methods.includes("rebase"),
      allow_auto_merge: repo.settings.autoMerge,
    });
  });

  const contents = (req: SimRequest, repo: RepoState, path: string): SimResponse => {
    const ref = req.query.get("ref") ?? repo.defaultBranch;
    const sha = repo.resolveCommit(ref);
    if (!sha) throw notFound(`No commit found for the ref ${ref}`);
    const entry = repo.objects.lookupPath(repo.treeOf(sha), path);
    if (!entry) throw notFound();
    const describe = (name: string, entryPath: string, type: string, objectSha: string, size: number) => ({
      type,
      name,
      path: entryPath,
      sha: objectSha,
      size,
      url: `${core.apiUrl()}/repos/${repo.fullName}/contents/${entryPath}?ref=${ref}`,
      html_url: `${HTML_URL}/${repo.fullName}/${type === "dir" ? "tree" : "blob"}/${ref}/${entryPath}`,
      git_url: `${core.apiUrl()}/repos/${repo.fullName}/git/${type === "dir" ? "trees" : "blobs"}/${objectSha}`,
      download_url: type === "file" ? `${HTML_URL}/${repo.fullName}/raw/${ref}/${entryPath}` : null,
    });
    if (entry.type === "tree") {
      const listing = (repo.objects.getTree(entry.sha) ?? []).map((e) => {
        const entryPath = path ? `${path.replace(/\/+$/, "")}/${e.name}` : e.name;
        const type = e.type === "tree" ? "dir" : e.type === "commit" ? "submodule" : "file";
        return describe(
          e.name,
          entryPath,
          type,
          e.sha,
          e.type === "blob" ? (repo.objects.getBlob(e.sha)?.length ?? 0) : 0,
        );
      });
      return json(200, listing);
    }
    const blob = repo.objects.getBlob(entry.sha) ?? Buffer.alloc(0);
    if (/raw/.test(String(req.headers.accept ?? ""))) {
      return { status: 200, body: blob.toString("utf8"), headers: { "content-type": "text/plain; charset=utf-8" } };
    }
    return json(200, {
      ...describe(entry.name, path, "file", entry.sha, blob.length),
      encoding: "base64",
      content: base64Wrapped(blob),
    });
  };
  route("GET", "/contents", (req, repo) => contents(req, repo, ""));
  route("GET", "/contents/*path", (req, repo) => contents(req, repo, req.params.path ?? ""));
  // GitHub answers a tarball request with a redirect to codeload, which serves the archive (see GitHubSim.start).
  route("GET", "/tarball/*ref", (req, repo) => {
    const sha = repo.resolveCommit(req.params.ref ?? "");
    if (!sha) throw notFound();
    return { status: 302, headers: { location: `${core.apiUrl()}${CODELOAD_PATH}/${repo.fullName}/${sha}` } };
  });

  const branchJson = (repo: RepoState, name: string, sha: string) => {
    const commit = repo.objects.getCommit(sha);
    return {
      name,
      commit: commit ? restCommitJson(repo, commit) : { sha },
      protected: false,
      _links: { html: `${HTML_URL}/${repo.fullName}/tree/${name}` },
    };
  };
  route("GET", "/branches", (req, repo) => {
    const branches = [...repo.refs]
      .filter(([ref]) => ref.startsWith("refs/heads/"))
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return listResponse(req, branches, ([ref, sha]) => {
      const name = ref.slice("refs/heads/".length);
      return { name, commit: { sha, url: `${core.apiUrl()}/repos/${repo.fullName}/commits/${sha}` }, protected: false };
    });
  });
  route("GET", "/branches/*branch", (req, repo) => {
    const name = req.params.branch ?? "";
    const sha = repo.branchSha(name);
    if (!sha) throw notFound("Branch not found");
    return json(200, branchJson(repo, name, sha));
  });

  route("GET", "/compare/*basehead", (req, repo) => {
    const spec = req.params.basehead ?? "";
    const sep = spec.includes("...") ? "..." : "..";
    const at = spec.indexOf(sep);
    if (at < 0) throw notFound();
    const base = repo.resolveCommit(spec.slice(0, at));
    const head = repo.resolveCommit(spec.slice(at + sep.length));
    if (!base || !head) throw notFound();
    const mergeBase = repo.objects.mergeBase(base, head);
    if (!mergeBase)
      throw notFound(`No common ancestor between ${spec.slice(0, at)} and ${spec.slice(at + sep.length)}.`);
    const ahead = repo.objects.commitsBetween(base, head).reverse();
    const behindBy = repo.objects.commitsBetween(head, base).length;
    const status =
      ahead.length === 0 && behindBy === 0
        ? "identical"
        : behindBy === 0
          ? "ahead"
          : ahead.length === 0
            ? "behind"
            : "diverged";
    const commitJson = (sha: string) =>
      restCommitJson(repo, repo.objects.getCommit(sha) as NonNullable<ReturnType<typeof repo.objects.getCommit>>);
    return json(200, {
      url: `${core.apiUrl()}/repos/${repo.fullName}/compare/${spec}`,
      html_url: `${HTML_URL}/${repo.fullName}/compare/${spec}`,
      base_commit: commitJson(base),
      merge_base_commit: commitJson(mergeBase),
      status,
      ahead_by: ahead.length,
      behind_by: behindBy,
      total_commits: ahead.length,
      commits: ahead.slice(0, 250).map((c) => restCommitJson(repo, c)),
      files: repo.diffCommits(mergeBase, head).map((f) => fileJson(repo, f)),
    });
  });

  route("GET", "/commits", (req, repo) => {
    const start = req.query.get("sha") ?? repo.defaultBranch;
    const sha = repo.resolveCommit(start);
    if (!sha) throw notFound(`No commit found for SHA: ${start}`);
    const path = req.query.get("path")?.replace(/\/+$/, "");
    let history = repo.objects.history(sha);
    if (path) {
      history = history.filter((c) =>
        repo.diffCommits(c.parents[0], c.sha).some((f) => f.path === path || f.path.startsWith(`${path}/`)),
      );
    }
    return listResponse(req, history, (c) => restCommitJson(repo, c));
  });

  // registered after the /commits/*ref/status, /statuses and /check-runs routes
  route("GET", "/commits/*ref", (req, repo) => {
    const sha = repo.requireCommit(req.params.ref ?? "");
    const commit = repo.objects.getCommit(sha) as NonNullable<ReturnType<typeof repo.objects.getCommit>>;
    return json(200, restCommitJson(repo, commit, true));
  });

  route("GET", "/collaborators/:user/permission", (req, repo) => {
    const login = req.params.user ?? "";
    const permission = repo.permissionOf(login);
    if (permission === undefined) throw notFound(`${login} is not a user`);
    const rank = ["none", "read", "triage", "write", "maintain", "admin"].indexOf(permission);
    return json(200, {
      permission: LEGACY_PERMISSION[permission],
      role_name: permission,
      user: {
        ...userJson(login),
        permissions: { admin: rank >= 5, maintain: rank >= 4, push: rank >= 3, triage: rank >= 2, pull: rank >= 1 },
        role_name: permission,
      },
    });
  });
  route("GET", "/collaborators/:user", (req, repo) => {
    const permission = repo.permissionOf(req.params.user ?? "");
    if (permission === undefined || permission === "none") throw notFound();
    return { status: 204 };
  });
}
