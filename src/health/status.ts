import picomatch from "picomatch";
import { LruCache } from "../spec/lru.js";
import {
  TIE_RANK,
  parenthesized,
  type CheckRun,
  type CheckState,
  type CommitStatus,
  type Observation,
} from "./types.js";

/** One report about one status context or check run. */
interface Report {
  at: number;
  key: string; // "status:<context>" or "check:<name>": a status and a check run never merge
  state: CheckState;
  text: string;
}

const STATUS_STATE: Record<CommitStatus["state"], CheckState> = {
  pending: "pending",
  success: "success",
  failure: "failure",
  error: "failure",
};

const CONCLUSION_STATE: Record<string, CheckState> = {
  success: "success",
  neutral: "success",
  skipped: "success",
  failure: "failure",
  timed_out: "failure",
  cancelled: "failure",
  action_required: "failure",
  startup_failure: "failure",
};

function statusReports(statuses: CommitStatus[]): Report[] {
  return statuses.map((status) => ({
    at: Date.parse(status.created_at),
    key: `status:${status.context}`,
    state: STATUS_STATE[status.state],
    text: `${status.context}: ${status.state}${parenthesized(status.description)}`,
  }));
}

/** A check run reports pending when it starts and its conclusion when it completes. */
function checkRunReports(run: CheckRun): Report[] {
  const key = `check:${run.name}`;
  const reports: Report[] = [];
  if (run.started_at !== null) {
    const startedAs = run.status === "queued" ? "queued" : "in_progress";
    reports.push({ at: Date.parse(run.started_at), key, state: "pending", text: `${run.name}: ${startedAs}` });
  }
  if (run.status === "completed" && run.completed_at !== null) {
    const conclusion = run.conclusion ?? "no conclusion";
    const state = CONCLUSION_STATE[conclusion] ?? "pending";
    reports.push({ at: Date.parse(run.completed_at), key, state, text: `${run.name}: ${conclusion}` });
  }
  return reports;
}

function combine(at: number, latest: Map<string, Report>): Observation {
  const reports = [...latest.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const failing = reports.filter((r) => r.state === "failure");
  const waiting = reports.filter((r) => r.state === "pending");
  const [state, shown]: [CheckState, Report[]] =
    failing.length > 0 ? ["failure", failing] : waiting.length > 0 ? ["pending", waiting] : ["success", reports];
  return { at, state, detail: shown.map((r) => r.text).join("; ") };
}

/** Each glob compiled once: a gate's checks are read at every reconcile while it runs. */
const matchers = new LruCache<string, (text: string) => boolean>(256);

function matcher(pattern: string): (text: string) => boolean {
  let matches = matchers.get(pattern);
  if (!matches) {
    matches = picomatch(pattern, { dot: true });
    matchers.set(pattern, matches);
  }
  return matches;
}

/**
 * Every status context and check run matching the glob, pooled over all the commits given,
 * folded into one timeline: one observation per distinct report time.
 */
export function statusObservations(pattern: string, statuses: CommitStatus[], checkRuns: CheckRun[]): Observation[] {
  const matches = matcher(pattern);
  const reports = [
    ...statusReports(statuses.filter((s) => matches(s.context))),
    ...checkRuns.filter((run) => matches(run.name)).flatMap(checkRunReports),
  ]
    .filter((r) => Number.isFinite(r.at))
    .sort((a, b) => a.at - b.at || TIE_RANK[a.state] - TIE_RANK[b.state]);

  const latest = new Map<string, Report>();
  const observations: Observation[] = [];
  reports.forEach((report, i) => {
    latest.set(report.key, report);
    if (reports[i + 1]?.at !== report.at) observations.push(combine(report.at, latest));
  });
  return observations;
}
