import { Octokit } from "@octokit/rest";
import { decide, observe, stateSigner } from "../engine/index.js";
import { DASHBOARD_MARKER } from "../spec/markers.js";
import { classify, fetchProbe, OctokitPort } from "../github/index.js";
import { migrationStatus, renderStatusText } from "../render/status.js";
import { InputError } from "../spec/problems.js";
import { EXIT, type Io } from "./io.js";

export interface StatusOptions {
  repo: string;
  issue: number;
  format: "text" | "json";
}

/** GitHub's REST root: github.com, or GitHub Enterprise Server through GHE_HOST (and GHE_PROTOCOL), as Probot reads them. */
export function apiBaseUrl(env: NodeJS.ProcessEnv): string {
  return env.GHE_HOST ? `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}/api/v3` : "https://api.github.com";
}

/** What a failed GitHub request means for the person running `status`. */
function explain(err: unknown, repo: string, issue: number, baseUrl: string): string | undefined {
  const status = (err as { status?: number }).status;
  if (status === undefined) return undefined;
  // Octokit reports a request that never got an answer as a 500 without a response.
  if (!(err as { response?: unknown }).response) return `cannot reach ${baseUrl} (${(err as Error).message})`;
  switch (classify(err)) {
    case "not-found":
      return `GitHub answered 404: ${repo} or its issue #${issue} does not exist, or GH_TOKEN cannot read it`;
    case "permission":
      return `GitHub answered ${status}: GH_TOKEN is not valid or may not read ${repo}`;
    case "rate-limit":
      return `GitHub answered ${status}: rate limited; try again later`;
    default:
      return `GitHub answered ${status} (${(err as Error).message})`;
  }
}

/** `handover status`: the dashboard's state of a live migration, read from GitHub with the App's own observe code. */
export async function statusCommand(
  io: Io,
  options: StatusOptions,
  env: NodeJS.ProcessEnv = process.env,
  now: () => number = Date.now,
): Promise<number> {
  const match = /^([A-Za-z0-9-]{1,39})\/([A-Za-z0-9._-]{1,100})$/.exec(options.repo);
  if (!match?.[1] || !match[2]) throw new InputError([`--repo ${options.repo}: expected OWNER/NAME`]);
  const token = env.GH_TOKEN;
  if (!token) throw new InputError(["GH_TOKEN is not set: status reads GitHub with a token that can read the repo"]);
  const baseUrl = apiBaseUrl(env);
  const octokit = new Octokit({ auth: token, baseUrl, userAgent: "handover-status", log: silent });
  try {
    const reader = new OctokitPort(octokit, match[1], match[2], "");
    // The dashboard is trusted only when the App wrote it: the App is the bot that wrote the oldest one.
    const comments = await reader.listComments(options.issue);
    const botLogin =
      comments
        .filter((c) => c.author.endsWith("[bot]") && c.body.includes(DASHBOARD_MARKER))
        .sort((a, b) => a.id - b.id)[0]?.author ?? "";
    const port = new OctokitPort(octokit, match[1], match[2], botLogin);
    // The dashboard's state is signed with a key only the App holds: with the App's WEBHOOK_SECRET it is read as the
    // App reads it; without it, it cannot be trusted and the state is re-derived from GitHub, as after a rebuild.
    const secret = env.WEBHOOK_SECRET ?? "";
    const signer = (n: number) => stateSigner(secret, `${match[1]}/${match[2]}#${n}`);
    const observed = await observe({ port, probe: fetchProbe, now, signer }, options.issue);
    if (!observed) {
      io.err(
        `handover status: ${options.repo}#${options.issue} is not an open migration issue (closed, a pull request, or no handover label)\n`,
      );
      return EXIT.refused;
    }
    const status = migrationStatus(observed.snapshot, decide(observed.snapshot).phase);
    io.out(options.format === "json" ? `${JSON.stringify(status, null, 2)}\n` : renderStatusText(status, options.repo));
    return EXIT.ok;
  } catch (err) {
    const why = explain(err, options.repo, options.issue, baseUrl);
    if (why) throw new InputError([why]);
    throw err;
  }
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
