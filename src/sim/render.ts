import { structuredPatch } from "diff";
import { HTML_URL, renderUser, userId } from "./core.js";
import {
  iso,
  ZERO_SHA,
  type Actor,
  type SimCheckRun,
  type SimComment,
  type SimDeployment,
  type SimDeploymentStatus,
  type SimIssue,
  type SimLabel,
  type SimPullRequest,
  type SimReview,
  type SimStatus,
} from "./model.js";
import type { GitCommit, GitObjectStore } from "./objects.js";
import type { FileChange } from "./model.js";
import type { SimCore } from "./core.js";

/** What rendering reads of a repo (RenderedRepo has it; naming it here keeps render free of repo-state). */
export interface RenderedRepo {
  readonly core: SimCore;
  readonly id: number;
  readonly owner: string;
  readonly name: string;
  readonly defaultBranch: string;
  readonly fullName: string;
  readonly objects: GitObjectStore;
  readonly refs: Map<string, string>;
  readonly comments: Map<number, SimComment>;
  readonly commentReactions: Map<number, { id: number; user: string; content: string; createdAt: number }[]>;
  permissionOf(login: string): string | undefined;
  label(name: string): SimLabel | undefined;
  mergeable(pr: SimPullRequest, read?: boolean): boolean | null;
  rebaseable(pr: SimPullRequest): boolean;
  protectionBlocks(pr: SimPullRequest): string | undefined;
  openPulls(): SimPullRequest[];
  branchSha(branch: string): string | undefined;
  diffCommits(from: string | undefined, to: string): FileChange[];
}

// JSON shapes of GitHub's REST answers and webhook payloads: the fields an App reads, in GitHub's names.

export const userJson = renderUser;

const api = (repo: RenderedRepo, path = ""): string => `${repo.core.apiUrl()}/repos/${repo.fullName}${path}`;
export const html = (repo: RenderedRepo, path = ""): string => `${HTML_URL}/${repo.fullName}${path}`;

/** Base64 wrapped at 60 characters, as the contents and blobs APIs send it. */
export function base64Wrapped(content: Buffer): string {
  return (content.toString("base64").match(/.{1,60}/g) ?? []).map((l) => `${l}\n`).join("");
}

export function repoJson(repo: RenderedRepo): Record<string, unknown> {
  return {
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: repo.fullName,
    private: true,
    visibility: "private",
    fork: false,
    archived: false,
    owner: userJson(repo.owner),
    html_url: html(repo),
    url: api(repo),
    default_branch: repo.defaultBranch,
  };
}

/** Set on what the App itself wrote, as GitHub marks comments and issues made through an App. */
function viaApp(repo: RenderedRepo, login: string): Record<string, unknown> | null {
  return login === repo.core.bot.login ? appJson(repo, login) : null;
}

function authorAssociation(repo: RenderedRepo, login: string): string {
  if (login.toLowerCase() === repo.owner.toLowerCase()) return "OWNER";
  const permission = repo.permissionOf(login);
  return permission && ["admin", "maintain", "write"].includes(permission) ? "COLLABORATOR" : "NONE";
}

export function labelJson(repo: RenderedRepo, label: SimLabel): Record<string, unknown> {
  return {
    id: label.id,
    node_id: `LA_${label.id}`,
    url: api(repo, `/labels/${encodeURIComponent(label.name)}`),
    name: label.name,
    color: label.color,
    default: false,
    description: label.description,
  };
}

function labelsOf(repo: RenderedRepo, issue: SimIssue): Record<string, unknown>[] {
  return issue.labels.map((name) => {
    const label = repo.label(name);
    // A pull request's labels carry a string description (GitHub's description of pulls says so)
    return label
      ? { ...labelJson(repo, label), ...(issue.pull ? { description: label.description ?? "" } : {}) }
      : { name };
  });
}

function commentCount(repo: RenderedRepo, number: number): number {
  let n = 0;
  for (const c of repo.comments.values()) if (c.issue === number) n++;
  return n;
}

export function issueJson(repo: RenderedRepo, issue: SimIssue): Record<string, unknown> {
  const kind = issue.pull ? "pull" : "issues";
  const json: Record<string, unknown> = {
    id: issue.id,
    node_id: `I_${issue.id}`,
    url: api(repo, `/issues/${issue.number}`),
    repository_url: api(repo),
    comments_url: api(repo, `/issues/${issue.number}/comments`),
    html_url: html(repo, `/${kind}/${issue.number}`),
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    state_reason: issue.stateReason,
    locked: false,
    user: userJson(issue.user),
    labels: labelsOf(repo, issue),
    assignee: null,
    assignees: [],
    comments: commentCount(repo, issue.number),
    created_at: iso(issue.createdAt),
    updated_at: iso(issue.updatedAt),
    closed_at: issue.closedAt === null ? null : iso(issue.closedAt),
    author_association: authorAssociation(repo, issue.user),
    performed_via_github_app: viaApp(repo, issue.user),
  };
  if (issue.pull) {
    json.draft = issue.pull.draft;
    json.pull_request = {
      url: api(repo, `/pulls/${issue.number}`),
      html_url: html(repo, `/pull/${issue.number}`),
      diff_url: html(repo, `/pull/${issue.number}.diff`),
      patch_url: html(repo, `/pull/${issue.number}.patch`),
      merged_at: issue.pull.mergedAt === null ? null : iso(issue.pull.mergedAt),
    };
  }
  return json;
}

function branchSide(repo: RenderedRepo, ref: string, sha: string): Record<string, unknown> {
  return { label: `${repo.owner}:${ref}`, ref, sha, user: userJson(repo.owner), repo: repoJson(repo) };
}

/**
 * A pull request. A `list` item lacks what only GET /pulls/{n} and webhooks carry (mergeable, counts); a `read` is a
 * REST read, which may find GitHub still computing mergeability after a push (null, then the answer).
 */
export function pullJson(
  repo: RenderedRepo,
  pr: SimPullRequest,
  mode: "list" | "event" | "read" = "event",
): Record<string, unknown> {
  const p = pr.pull;
  const json: Record<string, unknown> = {
    id: pr.id,
    node_id: `PR_${pr.id}`,
    url: api(repo, `/pulls/${pr.number}`),
    html_url: html(repo, `/pull/${pr.number}`),
    diff_url: html(repo, `/pull/${pr.number}.diff`),
    issue_url: api(repo, `/issues/${pr.number}`),
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    body: pr.body,
    user: userJson(pr.user),
    labels: labelsOf(repo, pr),
    draft: p.draft,
    created_at: iso(pr.createdAt),
    updated_at: iso(pr.updatedAt),
    closed_at: pr.closedAt === null ? null : iso(pr.closedAt),
    merged_at: p.mergedAt === null ? null : iso(p.mergedAt),
    merge_commit_sha: p.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    head: branchSide(repo, p.headRef, p.headSha),
    base: branchSide(repo, p.baseRef, p.baseSha),
    author_association: authorAssociation(repo, pr.user),
    auto_merge: p.autoMerge
      ? {
          enabled_by: userJson(p.autoMerge.enabledBy),
          merge_method: p.autoMerge.method,
          commit_title: "",
          commit_message: "",
        }
      : null,
  };
  if (mode !== "list") {
    const mergeable = repo.mergeable(pr, mode === "read");
    const commits = repo.objects.commitsBetween(p.baseSha, p.headSha);
    const blocked = mergeable && repo.protectionBlocks(pr);
    const state =
      mergeable === null
        ? "unknown"
        : !mergeable
          ? "dirty"
          : p.draft
            ? "draft"
            : blocked
              ? blocked.startsWith("Head branch")
                ? "behind"
                : "blocked"
              : "clean";
    Object.assign(json, {
      merged: p.merged,
      mergeable,
      rebaseable: mergeable === null ? null : mergeable && repo.rebaseable(pr),
      mergeable_state: state,
      merged_by: p.mergedBy === null ? null : userJson(p.mergedBy),
      comments: commentCount(repo, pr.number),
      commits: commits.length,
    });
  }
  return json;
}

export function commentJson(repo: RenderedRepo, comment: SimComment): Record<string, unknown> {
  const reactions = repo.commentReactions.get(comment.id) ?? [];
  const summary: Record<string, unknown> = {
    url: api(repo, `/issues/comments/${comment.id}/reactions`),
    total_count: reactions.length,
  };
  for (const content of ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"]) {
    summary[content] = reactions.filter((r) => r.content === content).length;
  }
  return {
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url: api(repo, `/issues/comments/${comment.id}`),
    html_url: html(repo, `/issues/${comment.issue}#issuecomment-${comment.id}`),
    issue_url: api(repo, `/issues/${comment.issue}`),
    body: comment.body,
    user: userJson(comment.user),
    created_at: iso(comment.createdAt),
    updated_at: iso(comment.updatedAt),
    author_association: authorAssociation(repo, comment.user),
    performed_via_github_app: viaApp(repo, comment.user),
    reactions: summary,
  };
}

export function reactionJson(reaction: {
  id: number;
  user: string;
  content: string;
  createdAt: number;
}): Record<string, unknown> {
  return {
    id: reaction.id,
    node_id: `REA_${reaction.id}`,
    user: userJson(reaction.user),
    content: reaction.content,
    created_at: iso(reaction.createdAt),
  };
}

export function refJson(repo: RenderedRepo, ref: string, sha: string): Record<string, unknown> {
  return {
    ref,
    node_id: `REF_${Buffer.from(ref).toString("base64")}`,
    url: api(repo, `/git/${ref}`),
    object: { sha, type: "commit", url: api(repo, `/git/commits/${sha}`) },
  };
}

function parentsJson(repo: RenderedRepo, commit: GitCommit): Record<string, unknown>[] {
  return commit.parents.map((sha) => ({
    sha,
    url: api(repo, `/commits/${sha}`),
    html_url: html(repo, `/commit/${sha}`),
  }));
}

const UNSIGNED = { verified: false, reason: "unsigned", signature: null, payload: null };

export function gitCommitJson(repo: RenderedRepo, commit: GitCommit): Record<string, unknown> {
  return {
    sha: commit.sha,
    node_id: `C_${commit.sha}`,
    url: api(repo, `/git/commits/${commit.sha}`),
    html_url: html(repo, `/commit/${commit.sha}`),
    author: commit.author,
    committer: commit.committer,
    tree: { sha: commit.tree, url: api(repo, `/git/trees/${commit.tree}`) },
    message: commit.message,
    parents: parentsJson(repo, commit),
    verification: UNSIGNED,
  };
}

// noreply addresses ("<id>+<login>@users.noreply.github.com") name the account, as GitHub resolves them.
function accountOf(email: string): Record<string, unknown> | null {
  if (email === "noreply@github.com") return userJson("web-flow");
  const match = /^\d+\+(.+)@users\.noreply\.github\.com$/.exec(email);
  return match?.[1] ? userJson(match[1]) : null;
}

/** The commits API shape (GET /commits, /commits/{ref}, compare); `files` only when asked. */
export function restCommitJson(repo: RenderedRepo, commit: GitCommit, withFiles = false): Record<string, unknown> {
  const json: Record<string, unknown> = {
    sha: commit.sha,
    node_id: `C_${commit.sha}`,
    commit: {
      author: commit.author,
      committer: commit.committer,
      message: commit.message,
      tree: { sha: commit.tree, url: api(repo, `/git/trees/${commit.tree}`) },
      url: api(repo, `/git/commits/${commit.sha}`),
      comment_count: 0,
      verification: UNSIGNED,
    },
    url: api(repo, `/commits/${commit.sha}`),
    html_url: html(repo, `/commit/${commit.sha}`),
    author: accountOf(commit.author.email),
    committer: accountOf(commit.committer.email),
    parents: parentsJson(repo, commit),
  };
  if (withFiles) {
    const files = repo.diffCommits(commit.parents[0], commit.sha).map((f) => fileJson(repo, f));
    const additions = files.reduce((n, f) => n + (f.additions as number), 0);
    const deletions = files.reduce((n, f) => n + (f.deletions as number), 0);
    json.stats = { total: additions + deletions, additions, deletions };
    json.files = files;
  }
  return json;
}

/** One changed file with line counts and a unified-diff `patch`, as in /pulls/{n}/files. */
export function fileJson(repo: RenderedRepo, change: FileChange): Record<string, unknown> {
  const text = (sha?: string) => (sha ? (repo.objects.getBlob(sha)?.toString("utf8") ?? "") : "");
  const patch = structuredPatch(
    change.path,
    change.path,
    text(change.before),
    text(change.after),
    undefined,
    undefined,
    { context: 3 },
  );
  let additions = 0;
  let deletions = 0;
  const lines: string[] = [];
  for (const hunk of patch.hunks) {
    lines.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
    for (const line of hunk.lines) {
      if (line.startsWith("+")) additions++;
      else if (line.startsWith("-")) deletions++;
      lines.push(line);
    }
  }
  const sha = change.after ?? change.before ?? ZERO_SHA;
  return {
    sha,
    filename: change.path,
    status: change.status,
    additions,
    deletions,
    changes: additions + deletions,
    blob_url: html(repo, `/blob/${sha}/${change.path}`),
    raw_url: html(repo, `/raw/${sha}/${change.path}`),
    contents_url: api(repo, `/contents/${change.path}?ref=${sha}`),
    patch: lines.join("\n"),
  };
}

export function pushJson(
  repo: RenderedRepo,
  ref: string,
  before: string | null,
  after: string | null,
  forced: boolean,
  actor: Actor,
): Record<string, unknown> {
  const otherBase = ref === `refs/heads/${repo.defaultBranch}` ? undefined : repo.branchSha(repo.defaultBranch);
  const commits = after
    ? repo.objects
        .commitsBetween(before ?? otherBase, after)
        .reverse()
        .slice(-20)
    : [];
  const pushCommit = (c: GitCommit) => {
    const files = repo.diffCommits(c.parents[0], c.sha);
    const paths = (status: string) => files.filter((f) => f.status === status).map((f) => f.path);
    return {
      id: c.sha,
      tree_id: c.tree,
      distinct: true,
      message: c.message,
      timestamp: c.committer.date,
      url: html(repo, `/commit/${c.sha}`),
      author: { name: c.author.name, email: c.author.email },
      committer: { name: c.committer.name, email: c.committer.email },
      added: paths("added"),
      removed: paths("removed"),
      modified: paths("modified"),
    };
  };
  const head = after ? repo.objects.getCommit(after) : undefined;
  return {
    ref,
    before: before ?? ZERO_SHA,
    after: after ?? ZERO_SHA,
    created: before === null,
    deleted: after === null,
    forced,
    base_ref: null,
    compare: html(repo, `/compare/${(before ?? ZERO_SHA).slice(0, 12)}...${(after ?? ZERO_SHA).slice(0, 12)}`),
    commits: commits.map(pushCommit),
    head_commit: head ? pushCommit(head) : null,
    pusher: { name: actor.login, email: `${userId(actor.login)}+${actor.login}@users.noreply.github.com` },
  };
}

export function statusJson(repo: RenderedRepo, status: SimStatus): Record<string, unknown> {
  return {
    url: api(repo, `/statuses/${status.sha}`),
    id: status.id,
    node_id: `SC_${status.id}`,
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: iso(status.createdAt),
    updated_at: iso(status.createdAt),
    creator: userJson(status.creator),
  };
}

export function statusEventJson(repo: RenderedRepo, status: SimStatus): Record<string, unknown> {
  const commit = repo.objects.getCommit(status.sha);
  const branches = [...repo.refs]
    .filter(([ref, sha]) => ref.startsWith("refs/heads/") && sha === status.sha)
    .map(([ref, sha]) => ({
      name: ref.slice("refs/heads/".length),
      commit: { sha, url: api(repo, `/commits/${sha}`) },
      protected: false,
    }));
  return {
    id: status.id,
    sha: status.sha,
    name: repo.fullName,
    target_url: status.targetUrl,
    context: status.context,
    description: status.description,
    state: status.state,
    commit: commit ? restCommitJson(repo, commit) : { sha: status.sha },
    branches,
    created_at: iso(status.createdAt),
    updated_at: iso(status.createdAt),
  };
}

function appJson(repo: RenderedRepo, creator: string): Record<string, unknown> {
  const slug = creator.replace(/\[bot\]$/, "");
  const id = creator === repo.core.bot.login ? repo.core.appId : userId(creator);
  return { id, slug, name: slug, owner: userJson(repo.owner) };
}

export function checkRunJson(repo: RenderedRepo, run: SimCheckRun): Record<string, unknown> {
  const pulls = repo.openPulls().filter((p) => p.pull.headSha === run.headSha);
  return {
    id: run.id,
    node_id: `CR_${run.id}`,
    head_sha: run.headSha,
    external_id: run.externalId,
    url: api(repo, `/check-runs/${run.id}`),
    html_url: html(repo, `/runs/${run.id}`),
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: iso(run.startedAt),
    completed_at: run.completedAt === null ? null : iso(run.completedAt),
    output: {
      ...run.output,
      annotations_count: run.annotations.length,
      annotations_url: api(repo, `/check-runs/${run.id}/annotations`),
    },
    name: run.name,
    check_suite: { id: run.suiteId },
    app: appJson(repo, run.creator),
    pull_requests: pulls.map((p) => ({
      number: p.number,
      url: api(repo, `/pulls/${p.number}`),
      head: { ref: p.pull.headRef, sha: p.pull.headSha },
      base: { ref: p.pull.baseRef, sha: p.pull.baseSha },
    })),
  };
}

export function deploymentJson(repo: RenderedRepo, d: SimDeployment): Record<string, unknown> {
  return {
    url: api(repo, `/deployments/${d.id}`),
    id: d.id,
    node_id: `DE_${d.id}`,
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.environment,
    environment: d.environment,
    description: d.description,
    creator: userJson(d.creator),
    created_at: iso(d.createdAt),
    updated_at: iso(d.createdAt),
    statuses_url: api(repo, `/deployments/${d.id}/statuses`),
    repository_url: api(repo),
    transient_environment: d.transientEnvironment,
    production_environment: d.productionEnvironment,
  };
}

export function deploymentStatusJson(repo: RenderedRepo, s: SimDeploymentStatus): Record<string, unknown> {
  return {
    url: api(repo, `/deployments/${s.deploymentId}/statuses/${s.id}`),
    id: s.id,
    node_id: `DES_${s.id}`,
    state: s.state,
    creator: userJson(s.creator),
    description: s.description,
    environment: s.environment,
    target_url: s.logUrl,
    log_url: s.logUrl,
    environment_url: s.environmentUrl,
    created_at: iso(s.createdAt),
    updated_at: iso(s.createdAt),
    deployment_url: api(repo, `/deployments/${s.deploymentId}`),
    repository_url: api(repo),
  };
}

export function reviewJson(repo: RenderedRepo, pr: SimPullRequest, review: SimReview): Record<string, unknown> {
  return {
    id: review.id,
    node_id: `PRR_${review.id}`,
    user: userJson(review.user),
    body: review.body,
    state: review.state,
    html_url: html(repo, `/pull/${pr.number}#pullrequestreview-${review.id}`),
    pull_request_url: api(repo, `/pulls/${pr.number}`),
    author_association: authorAssociation(repo, review.user),
    _links: {
      html: { href: html(repo, `/pull/${pr.number}#pullrequestreview-${review.id}`) },
      pull_request: { href: api(repo, `/pulls/${pr.number}`) },
    },
    submitted_at: iso(review.submittedAt),
    commit_id: review.commitId,
  };
}
