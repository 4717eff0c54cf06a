import { Octokit } from "@octokit/core";
import { afterEach, beforeEach } from "vitest";
import { GitHubSim } from "../../../src/sim/index.js";

export const OWNER = "acme";
export const REPO = "config";
export const SECRET = "sim-secret";

/** A clock the test moves by hand; starts at 2025-01-01T00:00:00Z. */
export class ManualClock {
  ms = Date.UTC(2025, 0, 1);
  now(): number {
    return this.ms;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface Harness {
  sim: GitHubSim;
  clock: ManualClock;
  octokit: Octokit;
  baseUrl: string;
  seed: string;
}

export const SEED_FILES = new Map([
  ["README.md", "# config\n"],
  ["clusters/a/app.yaml", "name: a\nreplicas: 1\n"],
  ["clusters/b/app.yaml", "name: b\nreplicas: 1\n"],
]);

/** A started sim seeded with SEED_FILES and an Octokit pointed at it. */
export async function startSim(seed = 1): Promise<Harness> {
  const clock = new ManualClock();
  const sim = new GitHubSim({ clock, owner: OWNER, repo: REPO, webhookSecret: SECRET, seed });
  const seedSha = sim.seedTree(SEED_FILES);
  const baseUrl = await sim.start();
  const octokit = new Octokit({ baseUrl, auth: "x" });
  return { sim, clock, octokit, baseUrl, seed: seedSha };
}

/** A fresh started sim for each test of the file (the same object, refilled), stopped after it. */
export function useSim(): Harness {
  const harness = {} as Harness;
  beforeEach(async () => {
    Object.assign(harness, await startSim());
  });
  afterEach(async () => {
    await harness.sim.stop();
  });
  return harness;
}

/** The status and body of a request expected to fail. */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ status: number; data: unknown; headers: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { status: number; response?: { data: unknown; headers: Record<string, unknown> } };
    return { status: e.status, data: e.response?.data, headers: e.response?.headers ?? {} };
  }
  throw new Error("expected the request to fail");
}

/** Commits files on top of a parent through the git data API, as the App would; returns the commit sha. */
export async function commitViaApi(
  octokit: Octokit,
  parent: string,
  files: Record<string, string | null>,
  message: string,
): Promise<string> {
  const base = await octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
    owner: OWNER,
    repo: REPO,
    commit_sha: parent,
  });
  const tree = await octokit.request("POST /repos/{owner}/{repo}/git/trees", {
    owner: OWNER,
    repo: REPO,
    base_tree: base.data.tree.sha,
    tree: Object.entries(files).map(([path, content]) =>
      content === null
        ? { path, mode: "100644" as const, type: "blob" as const, sha: null }
        : { path, mode: "100644" as const, type: "blob" as const, content },
    ),
  });
  const commit = await octokit.request("POST /repos/{owner}/{repo}/git/commits", {
    owner: OWNER,
    repo: REPO,
    message,
    tree: tree.data.sha,
    parents: [parent],
  });
  return commit.data.sha;
}

/** A branch from `from` with one API commit on it; returns the new tip. */
export async function branchWithCommit(
  h: Harness,
  branch: string,
  files: Record<string, string | null>,
  from = h.sim.branchSha("main") as string,
): Promise<string> {
  const sha = await commitViaApi(h.octokit, from, files, `change on ${branch}`);
  await h.octokit.request("POST /repos/{owner}/{repo}/git/refs", {
    owner: OWNER,
    repo: REPO,
    ref: `refs/heads/${branch}`,
    sha,
  });
  return sha;
}

/** A branch with one commit (`a.txt`) and its PR to main, opened through the API; the PR's answer. */
export async function featurePull(h: Harness, branch = "feature") {
  await branchWithCommit(h, branch, { "a.txt": "1\n" });
  const { data } = await h.octokit.request("POST /repos/{owner}/{repo}/pulls", {
    owner: OWNER,
    repo: REPO,
    title: "PR",
    head: branch,
    base: "main",
  });
  return data;
}
