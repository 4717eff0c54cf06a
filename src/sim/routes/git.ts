import { personFor } from "../core.js";
import { json, optionalString, requireString, type Router, type SimRequest } from "../http.js";
import { missingField, notFound, unprocessable, validationFailed } from "../http-error.js";
import { iso } from "../model.js";
import type { FlatTree } from "../objects.js";
import { base64Wrapped, gitCommitJson, refJson } from "../render.js";
import type { RepoState } from "../repo-state.js";
import { repoRoute, type RouteContext } from "./context.js";

const FILE_MODES = ["100644", "100755", "040000", "160000", "120000"];

/** Git data API: refs, commits, trees, blobs. */
export function registerGitRoutes(router: Router, ctx: RouteContext): void {
  const route = (
    method: string,
    path: string,
    handler: (req: SimRequest, repo: RepoState) => ReturnType<typeof json>,
  ) => repoRoute(router, ctx, method, path, handler);

  route("GET", "/git/ref/*ref", (req, repo) => {
    const full = `refs/${req.params.ref}`;
    const sha = repo.refs.get(full);
    if (!sha) throw notFound();
    return json(200, refJson(repo, full, sha));
  });

  const matching = (repo: RepoState, prefix: string) =>
    [...repo.refs]
      .filter(([ref]) => ref.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([ref, sha]) => refJson(repo, ref, sha));

  route("GET", "/git/matching-refs/*ref", (req, repo) => json(200, matching(repo, `refs/${req.params.ref}`)));

  // The legacy form: one ref when it matches exactly, else every ref under the prefix.
  route("GET", "/git/refs/*ref", (req, repo) => {
    const full = `refs/${req.params.ref}`;
    const sha = repo.refs.get(full);
    if (sha) return json(200, refJson(repo, full, sha));
    const list = matching(repo, `${full}/`);
    if (list.length === 0) throw notFound();
    return json(200, list);
  });

  route("POST", "/git/refs", (req, repo) => {
    const ref = requireString(req.body, "ref");
    const sha = requireString(req.body, "sha");
    repo.createRef(ref, sha, ctx.actor(req));
    return json(201, refJson(repo, ref, sha), { location: `${repo.core.apiUrl()}/repos/${repo.fullName}/git/${ref}` });
  });

  route("PATCH", "/git/refs/*ref", (req, repo) => {
    const sha = requireString(req.body, "sha");
    repo.updateRef(req.params.ref ?? "", sha, req.body.force === true, ctx.actor(req));
    const full = repo.fullRef(req.params.ref ?? "");
    return json(200, refJson(repo, full, sha));
  });

  route("DELETE", "/git/refs/*ref", (req, repo) => {
    repo.deleteRef(req.params.ref ?? "", ctx.actor(req));
    return { status: 204 };
  });

  route("GET", "/git/commits/:sha", (req, repo) => {
    const commit = repo.objects.getCommit(req.params.sha ?? "");
    if (!commit) throw notFound();
    return json(200, gitCommitJson(repo, commit));
  });

  route("POST", "/git/commits", (req, repo) => {
    const message = requireString(req.body, "message");
    const tree = requireString(req.body, "tree");
    const parents = req.body.parents ?? [];
    if (!Array.isArray(parents) || parents.some((p) => typeof p !== "string"))
      throw validationFailed({ resource: "Commit", field: "parents", code: "invalid" });
    if (repo.objects.getTree(tree) === undefined) throw unprocessable("Tree SHA does not exist");
    for (const parent of parents as string[]) {
      if (!repo.objects.getCommit(parent)) throw unprocessable("Parent SHA does not exist or is not a commit object");
    }
    const date = iso(repo.now());
    const person = (value: unknown) => {
      if (!value || typeof value !== "object") return personFor(ctx.actor(req).login, date);
      const p = value as Record<string, unknown>;
      return {
        name: optionalString(p, "name") ?? "",
        email: optionalString(p, "email") ?? "",
        date: optionalString(p, "date") ?? date,
      };
    };
    const author = person(req.body.author);
    const committer = req.body.committer ? person(req.body.committer) : author;
    const sha = repo.objects.putCommit({ tree, parents: parents as string[], message, author, committer });
    const commit = repo.objects.getCommit(sha);
    return json(201, gitCommitJson(repo, commit as NonNullable<typeof commit>));
  });

  route("GET", "/git/trees/*sha", (req, repo) => {
    const id = req.params.sha ?? "";
    const treeSha = repo.objects.getTree(id)
      ? id
      : repo.resolveCommit(id)
        ? repo.treeOf(repo.resolveCommit(id) as string)
        : undefined;
    if (!treeSha) throw notFound();
    const recursive = req.query.has("recursive") && !["0", "false"].includes(req.query.get("recursive") ?? "");
    return json(200, treeJson(repo, treeSha, recursive));
  });

  route("POST", "/git/trees", (req, repo) => {
    const entries = req.body.tree;
    if (!Array.isArray(entries)) throw missingField("tree");
    const baseTree = optionalString(req.body, "base_tree");
    if (baseTree !== undefined && repo.objects.getTree(baseTree) === undefined)
      throw unprocessable("Invalid tree info");
    const flat: FlatTree = baseTree ? repo.objects.flatten(baseTree) : new Map();
    for (const raw of entries as Record<string, unknown>[]) applyTreeEntry(repo, flat, raw);
    return json(201, treeJson(repo, repo.objects.buildTree(flat), false));
  });

  route("GET", "/git/blobs/:sha", (req, repo) => {
    const sha = req.params.sha ?? "";
    const blob = repo.objects.getBlob(sha);
    if (!blob) throw notFound();
    return json(200, {
      sha,
      node_id: `B_${sha}`,
      size: blob.length,
      url: blobUrl(repo, sha),
      content: base64Wrapped(blob),
      encoding: "base64",
    });
  });

  route("POST", "/git/blobs", (req, repo) => {
    const content = requireString(req.body, "content");
    const encoding = optionalString(req.body, "encoding") ?? "utf-8";
    if (!["utf-8", "utf8", "base64"].includes(encoding))
      throw validationFailed({ resource: "Blob", field: "encoding", code: "invalid" });
    const sha = repo.objects.putBlob(Buffer.from(content, encoding === "base64" ? "base64" : "utf8"));
    return json(201, { sha, url: blobUrl(repo, sha) });
  });
}

function blobUrl(repo: RepoState, sha: string): string {
  return `${repo.core.apiUrl()}/repos/${repo.fullName}/git/blobs/${sha}`;
}

function treeJson(repo: RepoState, treeSha: string, recursive: boolean): Record<string, unknown> {
  const api = `${repo.core.apiUrl()}/repos/${repo.fullName}/git`;
  return {
    sha: treeSha,
    url: `${api}/trees/${treeSha}`,
    tree: repo.objects.listTree(treeSha, recursive).map((e) => {
      const entry: Record<string, unknown> = { path: e.path, mode: e.mode, type: e.type, sha: e.sha };
      if (e.type === "blob") entry.size = repo.objects.getBlob(e.sha)?.length ?? 0;
      if (e.type !== "commit") entry.url = `${api}/${e.type}s/${e.sha}`;
      return entry;
    }),
    truncated: false,
  };
}

function removeUnder(flat: FlatTree, path: string): void {
  flat.delete(path);
  for (const key of [...flat.keys()]) if (key.startsWith(`${path}/`)) flat.delete(key);
}

/** One entry of POST /git/trees: content makes a blob, sha points at an object, sha null deletes. */
function applyTreeEntry(repo: RepoState, flat: FlatTree, raw: Record<string, unknown>): void {
  const invalid = (field: string) => validationFailed({ resource: "Tree", field, code: "invalid" });
  const path = typeof raw.path === "string" ? raw.path.replace(/\/+$/, "") : "";
  if (path === "" || path.startsWith("/")) throw invalid("path");
  const mode = typeof raw.mode === "string" ? raw.mode : "";
  if (!FILE_MODES.includes(mode)) throw invalid("mode");
  const type = raw.type === "tree" || raw.type === "commit" ? raw.type : raw.type === "blob" ? "blob" : undefined;
  if (!type) throw invalid("type");
  const hasContent = typeof raw.content === "string";
  if (hasContent && typeof raw.sha === "string")
    throw unprocessable("Must supply either tree.sha or tree.content, not both");
  if ("sha" in raw && raw.sha === null) {
    removeUnder(flat, path);
    return;
  }
  if (hasContent) {
    removeUnder(flat, path);
    flat.set(path, { mode, type: "blob", sha: repo.objects.putBlob(raw.content as string) });
    return;
  }
  const sha = typeof raw.sha === "string" ? raw.sha : undefined;
  if (!sha) throw unprocessable("Must supply either tree.sha or tree.content");
  removeUnder(flat, path);
  if (type === "tree") {
    if (repo.objects.getTree(sha) === undefined) throw unprocessable("Invalid tree info");
    for (const [sub, entry] of repo.objects.flatten(sha)) flat.set(`${path}/${sub}`, entry);
  } else if (type === "commit") {
    flat.set(path, { mode, type: "commit", sha });
  } else {
    if (!repo.objects.getBlob(sha)) throw unprocessable("Invalid tree info");
    flat.set(path, { mode, type: "blob", sha });
  }
}
