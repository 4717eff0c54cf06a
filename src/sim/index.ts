import { hash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import { createGzip } from "node:zlib";
import { pack } from "tar-stream";
import type { AddressInfo } from "node:net";
import { actorFor, CODELOAD_PATH, personFor, type SimCore } from "./core.js";
import { Router, type SimResponse } from "./http.js";
import { DOCS_URL, SimHttpError } from "./http-error.js";
import {
  iso,
  type CommitState,
  type DeploymentState,
  type MergeMethod,
  type Permission,
  type RepoSettings,
  type SimClock,
  type SimComment,
  type SimIssue,
  type SimPullRequest,
} from "./model.js";
import type { FlatTree } from "./objects.js";
import { RepoState } from "./repo-state.js";
import { registerCheckRoutes } from "./routes/checks.js";
import type { RouteContext } from "./routes/context.js";
import { registerGitRoutes } from "./routes/git.js";
import { registerGraphqlRoutes, type GraphqlRequest } from "./routes/graphql.js";
import { registerIssueRoutes } from "./routes/issues.js";
import { registerOrgRoutes, SimTeams, type TeamMembershipState } from "./routes/orgs.js";
import { registerPullRoutes } from "./routes/pulls.js";
import { registerRepoRoutes } from "./routes/repo.js";
import { registerSearchRoutes } from "./routes/search.js";
import { seededRandom, uuidFrom, WebhookQueue, type ChaosSettings, type DeliveryRecord } from "./webhooks.js";

export type {
  Actor,
  MergeMethod,
  RepoSettings,
  SimReview,
  CommitState,
  DeploymentState,
  Permission,
  SimClock,
  SimComment,
  SimIssue,
  SimLabel,
  SimPull,
  SimPullRequest,
  SimReaction,
  SimStatus,
  SimCheckRun,
  SimDeployment,
  SimDeploymentStatus,
} from "./model.js";
export type { ChaosSettings, DeliveryRecord } from "./webhooks.js";
export type { GraphqlRequest } from "./routes/graphql.js";
export type { TeamMembershipState } from "./routes/orgs.js";
export { seededRandom, signature256 } from "./webhooks.js";
export { SimHttpError } from "./http-error.js";
export { BODY_LIMIT, GITHUB_DEFAULTS, TITLE_LIMIT } from "./model.js";
export type { RepoState } from "./repo-state.js";
export type { SimResponse } from "./http.js";

export type FaultKind = "500" | "502-after-write" | "secondary-rate-limit";

export interface SimRequestInfo {
  method: string;
  /** the URL path without the query string, as sent (percent-encoding kept) */
  path: string;
  write: boolean;
}

export interface SimRequestLog extends SimRequestInfo {
  /** the query string as sent, with its `?` ("" when none) */
  query: string;
  status: number;
  /** simulated time of the request (epoch ms) */
  at: number;
}

/** An answer as the HTTP server sends it. */
export interface SimAnswer {
  status: number;
  headers: Record<string, string>;
  /** the body's text ("" when none) */
  text: string;
}

export interface GitHubSimOptions {
  clock: SimClock;
  owner: string;
  repo: string;
  defaultBranch?: string;
  installationId?: number;
  appId?: number;
  botLogin?: string;
  webhookSecret: string;
  /** seeds the webhook delivery ids */
  seed?: number;
  /** GitHub behaviours to switch (see RepoSettings); the rest keep GitHub's defaults. */
  settings?: Partial<RepoSettings>;
}

const SECONDARY_RATE_LIMIT =
  "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.";

/**
 * A stateful GitHub REST simulator for one installation: the real App talks HTTP to it,
 * and it queues signed webhooks for the App, delivered when the caller says.
 */
export class GitHubSim {
  readonly requests: SimRequestLog[] = [];
  faultHook: ((req: SimRequestInfo) => FaultKind | undefined) | undefined;
  /** Sees every answer as sent (tests check them against GitHub's OpenAPI description). */
  responseHook: ((req: SimRequestInfo, answer: SimResponse) => void) | undefined;
  /** the simulated repository (for inspection beyond the helpers below) */
  readonly repo: RepoState;
  /** Every GraphQL request body received, in order (tests compare them exactly). */
  readonly graphqlRequests: GraphqlRequest[] = [];
  /** the organization's teams (`commands.approvers`) */
  readonly teams = new SimTeams();
  /**
   * Real milliseconds every REST answer waits before it is sent, as a network would (0: at once). With a latency,
   * `roundTrips` tells requests made one after another from requests made together.
   */
  latencyMs = 0;
  /** Round trips so far: requests that arrived while no other was in flight (a batch made together counts once). */
  roundTrips = 0;
  private inFlight = 0;
  private readonly core: SimCore;
  private readonly router = new Router();
  private readonly webhooks: WebhookQueue;
  private server: Server | undefined;
  private baseUrl = "http://127.0.0.1";
  private idSeq = 1000;

  constructor(opts: GitHubSimOptions) {
    const installationId = opts.installationId ?? 1;
    const appId = opts.appId ?? 1;
    const bot = actorFor(opts.botLogin ?? "handover[bot]");
    const idRng = seededRandom(opts.seed ?? 1);
    this.webhooks = new WebhookQueue(opts.webhookSecret, appId, opts.clock, () => uuidFrom(idRng));
    this.core = {
      clock: opts.clock,
      installationId,
      appId,
      bot,
      apiUrl: () => this.baseUrl,
      nextId: () => ++this.idSeq,
      emit: (event, payload) => this.webhooks.enqueue(event, payload),
    };
    this.repo = new RepoState(this.core, opts.owner, opts.repo, opts.defaultBranch ?? "main");
    Object.assign(this.repo.settings, opts.settings ?? {});
    const ctx: RouteContext = { core: this.core, repos: () => [this.repo], actor: () => bot };
    registerGitRoutes(this.router, ctx);
    registerCheckRoutes(this.router, ctx);
    registerRepoRoutes(this.router, ctx);
    registerIssueRoutes(this.router, ctx);
    registerPullRoutes(this.router, ctx);
    registerSearchRoutes(this.router, ctx);
    registerOrgRoutes(this.router, this.teams, () => this.baseUrl);
    registerGraphqlRoutes(this.router, ctx, this.graphqlRequests);
  }

  // ---------- server ----------

  /** Listens on 127.0.0.1 on a free port; returns the base URL to give Octokit. */
  async start(): Promise<string> {
    const server = createServer((req, res) => {
      if (req.url && this.archivePath(req.url)) {
        void this.serveArchive(req.url, res);
        return;
      }
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const answer = await this.serve(
          req.method ?? "GET",
          req.url ?? "/",
          req.headers,
          Buffer.concat(chunks).toString("utf8"),
        );
        res.writeHead(answer.status, answer.headers);
        res.end(answer.text);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  /** Whether a path is the archive download a tarball's redirect points at (served as a stream, over HTTP only). */
  archivePath(pathname: string): boolean {
    return pathname.startsWith(`${CODELOAD_PATH}/`);
  }

  /**
   * One API request answered as the HTTP server sends it: the status, the headers and the body's text, after the
   * latency. The server and the rehearsal's in-process transport (rehearse/in-process.ts) both ask here, so the two
   * give the same answers, faults, request log and round trips.
   */
  async serve(method: string, rawUrl: string, headers: IncomingHttpHeaders, text: string): Promise<SimAnswer> {
    if (this.inFlight++ === 0) this.roundTrips++;
    try {
      const answer = this.handle(method, rawUrl, headers, text);
      const body =
        answer.body === undefined || method === "HEAD"
          ? ""
          : typeof answer.body === "string"
            ? answer.body
            : (serialized.get(answer) ?? JSON.stringify(answer.body));
      const id = `SIM:${this.requests.length}`;
      if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      return {
        status: answer.status,
        headers: {
          "x-github-request-id": id,
          "x-ratelimit-limit": "5000",
          "x-ratelimit-remaining": "4999",
          "x-ratelimit-resource": "core",
          ...(answer.body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
          ...answer.headers,
        },
        text: body,
      };
    } finally {
      this.inFlight--;
    }
  }

  async stop(): Promise<void> {
    this.webhooks.close();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(method: string, rawUrl: string, headers: IncomingHttpHeaders, text: string): SimResponse {
    const url = new URL(rawUrl, this.baseUrl);
    // GitHub Enterprise Server serves the same API under /api/v3 (clients configured through GHE_HOST use it).
    if (url.pathname.startsWith("/api/v3/")) url.pathname = url.pathname.slice("/api/v3".length);
    // ... and GraphQL under /api/graphql.
    if (url.pathname === "/api/graphql") url.pathname = "/graphql";
    const info: SimRequestInfo = { method, path: url.pathname, write: method !== "GET" && method !== "HEAD" };
    const fault = this.faultHook?.(info);
    let answer: SimResponse;
    if (fault === "500") answer = { status: 500, body: { message: "Server Error" } };
    else if (fault === "secondary-rate-limit") {
      answer = {
        status: 403,
        body: {
          message: SECONDARY_RATE_LIMIT,
          documentation_url: `${DOCS_URL}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
        },
        headers: { "retry-after": "1" },
      };
    } else {
      answer = conditional(method, headers, this.dispatch(method, url, headers, text));
      // the ambiguous case: the write happened, the client only sees a bad gateway
      if (fault === "502-after-write") answer = { status: 502, body: { message: "Server Error" } };
    }
    this.requests.push({ ...info, query: url.search, status: answer.status, at: this.core.clock.now() });
    this.responseHook?.(info, answer);
    return answer;
  }

  private dispatch(method: string, url: URL, headers: IncomingHttpHeaders, text: string): SimResponse {
    try {
      return this.router.dispatch(method, url, headers, text);
    } catch (err) {
      if (err instanceof SimHttpError) return { status: err.status, body: err.body, headers: err.headers };
      return {
        status: 500,
        body: { message: `GitHubSim internal error: ${err instanceof Error ? err.stack : String(err)}` },
      };
    }
  }

  // ---------- setup ----------

  /** A commit of exactly these files on the default branch (no webhook); returns its sha. */
  seedTree(files: Map<string, string>, message = "Initial commit"): string {
    const flat: FlatTree = new Map();
    for (const [path, content] of files)
      flat.set(path, { mode: "100644", type: "blob", sha: this.repo.objects.putBlob(content) });
    const parent = this.repo.branchSha(this.repo.defaultBranch);
    const person = personFor(this.repo.owner, iso(this.core.clock.now()));
    const sha = this.repo.objects.putCommit({
      tree: this.repo.objects.buildTree(flat),
      parents: parent ? [parent] : [],
      message,
      author: person,
      committer: person,
    });
    this.repo.setRefQuietly(`refs/heads/${this.repo.defaultBranch}`, sha);
    return sha;
  }

  setPermission(login: string, permission: Permission): void {
    this.repo.permissions.set(login.toLowerCase(), permission);
  }

  /** A person joins an organization team (`org/slug`); `pending`: invited, not accepted yet. */
  addTeamMember(team: string, login: string, state: TeamMembershipState = "active"): void {
    this.teams.add(team, login, state);
  }

  // ---------- webhooks ----------

  setWebhookTarget(url: string): void {
    this.webhooks.target = url;
  }

  get chaos(): ChaosSettings | undefined {
    return this.webhooks.chaos;
  }

  set chaos(settings: ChaosSettings | undefined) {
    this.webhooks.chaos = settings;
  }

  /** Every delivery attempt so far, in order (dropped ones included). */
  get deliveries(): readonly DeliveryRecord[] {
    return this.webhooks.deliveries;
  }

  pendingEvents(): number {
    return this.webhooks.pending();
  }

  /** Names ("event.action") of the queued webhooks, oldest first. */
  pendingEventNames(): string[] {
    return this.webhooks.peek().map((e) => (e.action ? `${e.event}.${e.action}` : e.event));
  }

  /** Forgets queued webhooks (e.g. those caused by setting the scene before the App listens). */
  discardEvents(): number {
    return this.webhooks.discard();
  }

  deliverNext(): Promise<boolean> {
    return this.webhooks.deliverNext();
  }

  /** Delivers until nothing is queued, including what the App causes meanwhile; returns the number handled. */
  deliverAll(limit?: number): Promise<number> {
    return this.webhooks.deliverAll(limit);
  }

  // ---------- actors: people, CI, deploy systems ----------

  /** A person files an issue (with an issue form: the form's labels apply only if the repo has them). */
  createIssue(user: string, title: string, body: string, labels: string[] = []): number {
    const applied = this.repo.settings.formLabelsMustExist ? labels.filter((l) => this.repo.label(l)) : labels;
    return this.repo.createIssue(actorFor(user), title, body, applied).number;
  }

  /** A label as a person creates it in the repo's settings (no webhook the App subscribes to). */
  createLabel(name: string, color = "ededed", description: string | null = null): void {
    this.repo.createLabel(name, color, description);
  }

  /** Label names defined in the repo. */
  labelNames(): string[] {
    return [...this.repo.labelDefs.values()].map((l) => l.name);
  }

  /** A person edits a PR's description (pull_request.edited). */
  editPullBody(number: number, user: string, body: string): void {
    this.repo.editIssue(this.repo.pull(number), { body }, actorFor(user));
  }

  /** A person edits an issue's body (issues.edited). */
  editIssue(user: string, issueNumber: number, body: string): void {
    this.repo.editIssue(this.repo.issue(issueNumber), { body }, actorFor(user));
  }

  comment(user: string, issueNumber: number, body: string): number {
    return this.repo.addComment(this.repo.issue(issueNumber), body, actorFor(user)).id;
  }

  editComment(user: string, commentId: number, body: string): void {
    this.repo.editComment(this.repo.comment(commentId), body, actorFor(user));
  }

  deleteComment(user: string, commentId: number): void {
    this.repo.deleteComment(this.repo.comment(commentId), actorFor(user));
  }

  /** Merges like the merge button; throws SimHttpError (405/409) when it cannot. */
  mergePull(number: number, user: string, method: MergeMethod = "merge"): string {
    return this.repo.mergePull(number, actorFor(user), { method });
  }

  /** What GitHub does as time passes, without any request: the merge queue's timeout. */
  tick(): void {
    this.repo.runQueue();
  }

  /** "Merge when ready" where the default branch requires a merge queue: the PR's merge group is made at once. */
  enqueuePull(number: number, user: string): void {
    this.repo.enqueuePull(this.repo.pull(number), actorFor(user));
  }

  /** A person's approving review (counts for required reviews when they have write access). */
  approvePull(number: number, user: string): void {
    this.repo.addReview(this.repo.pull(number), actorFor(user), "APPROVE", "");
  }

  /** "Ready for review" on a draft PR. */
  markReady(number: number, user: string): void {
    this.repo.markReady(this.repo.pull(number), actorFor(user));
  }

  /** The "Update branch" button: merges the base into the PR's head. */
  updateBranch(number: number, user: string): void {
    this.repo.updateBranch(this.repo.pull(number), actorFor(user));
  }

  /** A person opens a PR from a branch of this repo to the default branch (pull_request.opened); returns its number. */
  openPull(user: string, branch: string, title: string, body = ""): number {
    return this.repo.createPull(actorFor(user), {
      title,
      head: branch,
      base: this.repo.defaultBranch,
      body,
      draft: false,
    }).number;
  }

  closePull(number: number, user: string): void {
    this.repo.closeIssue(this.repo.pull(number), actorFor(user));
  }

  /**
   * A person's commit on a branch (created from the default branch if missing) with the files as they are there and
   * `changes` (null content deletes). `amend` replaces the branch's head commit, and `parent` gives the commit that
   * parent instead of the head (a branch's commits squashed onto it; null: an unrelated history): both force-push.
   */
  pushFiles(
    user: string,
    branch: string,
    changes: { path: string; content: string | null }[],
    message: string,
    options: { amend?: boolean; parent?: string | null } = {},
  ): string {
    return this.repo.commitFiles(branch, changes, message, actorFor(user), options);
  }

  /** The newest commit both commits (shas or branches) have, if any. */
  mergeBase(a: string, b: string): string | undefined {
    const [x, y] = [this.repo.resolveCommit(a), this.repo.resolveCommit(b)];
    return x && y ? this.repo.objects.mergeBase(x, y) : undefined;
  }

  /** A person deletes a branch (GitHub closes the open PRs it heads). */
  deleteBranch(user: string, branch: string): void {
    this.repo.deleteRef(`heads/${branch}`, actorFor(user));
  }

  setStatus(sha: string, context: string, state: CommitState, user = "ci"): void {
    this.repo.addStatus(sha, { state, context }, actorFor(user));
  }

  createCheckRun(
    sha: string,
    name: string,
    status: "queued" | "in_progress" | "completed",
    conclusion?: string,
    user = "ci",
  ): number {
    const req: Record<string, unknown> = { name, head_sha: sha, status };
    if (conclusion !== undefined) req.conclusion = conclusion;
    return this.repo.createCheckRun(actorFor(user), req).id;
  }

  completeCheckRun(id: number, conclusion: string, user = "ci"): void {
    this.repo.updateCheckRun(this.repo.checkRun(id), { status: "completed", conclusion }, actorFor(user));
  }

  createDeployment(sha: string, environment: string, user = "deployer"): number {
    return this.repo.createDeployment(actorFor(user), { ref: sha, environment }).id;
  }

  createDeploymentStatus(id: number, state: DeploymentState, user = "deployer"): void {
    this.repo.addDeploymentStatus(this.repo.deployment(id), { state }, actorFor(user));
  }

  // ---------- inspection ----------

  branchSha(branch: string): string | undefined {
    return this.repo.branchSha(branch);
  }

  /** A codeload download: `/_codeload/<owner>/<repo>/<sha>` as GitHub's tar.gz (one `<owner>-<repo>-<short>/` folder). */
  private async serveArchive(url: string, res: ServerResponse): Promise<void> {
    const sha = url.split("/").pop() ?? "";
    const commit = this.repo.resolveCommit(sha);
    if (!commit) {
      res.writeHead(404).end("Not Found");
      return;
    }
    const folder = `${this.repo.owner}-${this.repo.name}-${commit.slice(0, 7)}`;
    const archive = pack();
    const gzip = createGzip();
    res.writeHead(200, { "content-type": "application/x-gzip" });
    archive.pipe(gzip).pipe(res);
    archive.entry({ name: `${folder}/`, type: "directory" });
    let packed = 0;
    for (const [path, entry] of this.repo.objects.flatten(this.repo.treeOf(commit))) {
      if (entry.type !== "blob") continue;
      archive.entry({ name: `${folder}/${path}` }, this.repo.objects.getBlob(entry.sha) ?? Buffer.alloc(0));
      // The App runs in the same process in tests and the bench: a large archive is packed in pieces.
      if (++packed % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    archive.finalize();
  }

  /** Every file of a commit (sha or branch) as text. */
  readTree(sha: string): Map<string, string> {
    const commit = this.repo.resolveCommit(sha);
    if (!commit) throw new Error(`GitHubSim.readTree: no commit ${sha}`);
    const out = new Map<string, string>();
    for (const [path, entry] of this.repo.objects.flatten(this.repo.treeOf(commit))) {
      if (entry.type === "blob") out.set(path, this.repo.objects.getBlob(entry.sha)?.toString("utf8") ?? "");
    }
    return out;
  }

  /** First-parent commit shas of the default branch, oldest first. */
  defaultBranchHistory(): string[] {
    const tip = this.repo.branchSha(this.repo.defaultBranch);
    return tip ? this.repo.objects.firstParentChain(tip) : [];
  }

  /** Commit parents (for checking merges). */
  commitParents(sha: string): string[] {
    return [...(this.repo.objects.getCommit(sha)?.parents ?? [])];
  }

  listPulls(): SimPullRequest[] {
    return [...this.repo.issues.values()]
      .filter((i): i is SimPullRequest => i.pull !== undefined)
      .map((p) => structuredClone(p));
  }

  getIssue(n: number): SimIssue {
    return structuredClone(this.repo.issue(n));
  }

  listComments(n: number): SimComment[] {
    return [...this.repo.comments.values()].filter((c) => c.issue === n).map((c) => ({ ...c }));
  }

  labels(n: number): string[] {
    return [...this.repo.issue(n).labels];
  }

  /** Reaction contents on a comment, in the order they were added. */
  reactions(commentId: number): string[] {
    return (this.repo.commentReactions.get(commentId) ?? []).map((r) => r.content);
  }
}

/**
 * GitHub's conditional reads: every successful GET carries an ETag naming its content, and a request whose
 * If-None-Match names the current one is answered 304 with no body (and is not counted against the rate limit).
 */
function conditional(method: string, headers: IncomingHttpHeaders, answer: SimResponse): SimResponse {
  if (method !== "GET" || answer.status !== 200 || answer.body === undefined) return answer;
  const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
  const etag = `W/"${hash("sha1", text)}"`;
  if (headers["if-none-match"] === etag) return { status: 304, body: undefined, headers: { etag } };
  const tagged = { ...answer, headers: { ...answer.headers, etag } };
  serialized.set(tagged, text);
  return tagged;
}

/** The JSON text of an answer whose ETag was computed from it: sent as it is, not serialized a second time. */
const serialized = new WeakMap<SimResponse, string>();
