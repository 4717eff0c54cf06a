import type { SimCore } from "../core.js";
import type { Router, SimRequest, SimResponse } from "../http.js";
import { notFound } from "../http-error.js";
import type { Actor } from "../model.js";
import type { RepoState } from "../repo-state.js";

/** What route modules see of the simulator. */
export interface RouteContext {
  readonly core: SimCore;
  /** every repository in the sim */
  repos(): RepoState[];
  /** who a request acts as: the App's bot, since every request carries the installation token */
  actor(req: SimRequest): Actor;
}

export function findRepo(ctx: RouteContext, owner: string, name: string): RepoState {
  const repo = ctx
    .repos()
    .find((r) => r.owner.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase());
  if (!repo) throw notFound();
  return repo;
}

export type RepoHandler = (req: SimRequest, repo: RepoState) => SimResponse;

/** Registers a route under /repos/:owner/:repo that gets the repository already looked up. */
export function repoRoute(router: Router, ctx: RouteContext, method: string, path: string, handler: RepoHandler): void {
  router.add(method, `/repos/:owner/:repo${path}`, (req) =>
    handler(req, findRepo(ctx, req.params.owner ?? "", req.params.repo ?? "")),
  );
}
