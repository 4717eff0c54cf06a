import { formatClock, formatDuration } from "./duration.js";
import type { CheckSpec, CheckState, Observation } from "./types.js";

export interface GateInput {
  checks: { label: string; spec: CheckSpec; observations: Observation[] }[];
  /** Merge time, or the time of the last `/handover retry`; earlier observations are ignored. */
  windowStart: number;
  soakMs: number;
  timeoutMs: number;
  now: number;
}

export type GateState = "passed" | "soaking" | "pending" | "failed" | "timed-out";

/** A gate still under way: waiting for its checks (pending) or for its soak (soaking); not passed, failed or timed out. */
export function gateUnderWay(state: GateState): boolean {
  return state === "pending" || state === "soaking";
}

export interface GateCheckResult {
  label: string;
  state: CheckState;
  /** When the check entered its current state (absent while it has reported nothing). */
  since?: number;
  detail: string;
}

export interface GateResult {
  state: GateState;
  /** When every check became success, uninterrupted since. */
  passingSince?: number;
  /** passingSince + soakMs, when state is passed. */
  passedAt?: number;
  /** When soaking. */
  soakLeftMs?: number;
  /** windowStart + timeoutMs. */
  deadline: number;
  /** Each check as it stood when the gate's state was decided. */
  checks: GateCheckResult[];
  /** One sentence for the dashboard. */
  reason: string;
}

interface Track {
  label: string;
  latest?: Observation;
  since?: number;
}

interface Event {
  track: Track;
  observation: Observation;
}

const NO_REPORT = "nothing reported yet";

/** Observations in [windowStart, now], grouped by time, in time order (stable within a check). */
function timeline(input: GateInput, tracks: Track[]): Event[][] {
  const events = input.checks.flatMap((check, i) =>
    check.observations
      .filter((o) => o.at >= input.windowStart && o.at <= input.now)
      .map((observation) => ({ track: tracks[i]!, observation })),
  );
  events.sort((a, b) => a.observation.at - b.observation.at);
  const groups: Event[][] = [];
  for (const event of events) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.observation.at === event.observation.at) last.push(event);
    else groups.push([event]);
  }
  return groups;
}

function apply({ track, observation }: Event): void {
  if (track.latest?.state !== observation.state) track.since = observation.at;
  track.latest = observation;
}

/** The moment every check became success (windowStart when there are none), if all are. */
function allPassingSince(tracks: Track[], windowStart: number): number | undefined {
  let since = windowStart;
  for (const track of tracks) {
    if (track.latest?.state !== "success" || track.since === undefined) return undefined;
    since = Math.max(since, track.since);
  }
  return since;
}

function snapshot(tracks: Track[]): GateCheckResult[] {
  return tracks.map(({ label, latest, since }) => ({
    label,
    state: latest?.state ?? "pending",
    ...(since !== undefined ? { since } : {}),
    detail: latest?.detail ?? NO_REPORT,
  }));
}

function waitingFor(tracks: Track[]): string {
  return tracks
    .filter((t) => t.latest?.state !== "success")
    .map((t) => `${t.label} (${t.latest?.detail ?? NO_REPORT})`)
    .join(", ");
}

/**
 * Decide a health gate: any failure in the window fails it; it passes once every check has
 * been success, without a break, for soakMs, no later than the deadline; else it times out
 * at the deadline. Pure: `now` is given.
 */
export function evaluateGate(input: GateInput): GateResult {
  const { windowStart, soakMs, timeoutMs, now } = input;
  const deadline = windowStart + timeoutMs;
  const tracks: Track[] = input.checks.map((c) => ({ label: c.label }));
  let passingSince = allPassingSince(tracks, windowStart);
  const passedBy = (t: number): boolean =>
    passingSince !== undefined && passingSince + soakMs <= t && passingSince + soakMs <= deadline;

  const passed = (since: number): GateResult => ({
    state: "passed",
    passingSince: since,
    passedAt: since + soakMs,
    deadline,
    checks: snapshot(tracks),
    reason:
      tracks.length === 0
        ? `no health checks configured; soak of ${formatDuration(soakMs)} done at ${formatClock(since + soakMs)}`
        : `every check healthy since ${formatClock(since)}; soak of ${formatDuration(soakMs)} done at ${formatClock(since + soakMs)}`,
  });

  for (const group of timeline(input, tracks)) {
    const at = group[0]!.observation.at;
    if (passingSince !== undefined && passedBy(at)) return passed(passingSince);
    if (at >= deadline) break; // the gate timed out before these were reported
    group.forEach(apply);
    const failure = group.find((e) => e.observation.state === "failure");
    if (failure) {
      return {
        state: "failed",
        deadline,
        checks: snapshot(tracks),
        reason: `${failure.track.label} failed at ${formatClock(at)}: ${failure.observation.detail}`,
      };
    }
    passingSince = allPassingSince(tracks, windowStart);
  }

  if (passingSince !== undefined && passedBy(now)) return passed(passingSince);
  const since = passingSince !== undefined ? { passingSince } : {};
  if (now >= deadline) {
    const still =
      passingSince !== undefined
        ? `healthy only since ${formatClock(passingSince)}`
        : `still waiting for ${waitingFor(tracks)}`;
    return {
      state: "timed-out",
      ...since,
      deadline,
      checks: snapshot(tracks),
      reason: `not healthy for ${formatDuration(soakMs)} within ${formatDuration(timeoutMs)} (deadline ${formatClock(deadline)}); ${still}`,
    };
  }
  if (passingSince !== undefined) {
    const soakLeftMs = passingSince + soakMs - now;
    return {
      state: "soaking",
      passingSince,
      soakLeftMs,
      deadline,
      checks: snapshot(tracks),
      reason: `every check healthy since ${formatClock(passingSince)}; ${formatDuration(soakLeftMs)} of soak left`,
    };
  }
  return { state: "pending", deadline, checks: snapshot(tracks), reason: `waiting for ${waitingFor(tracks)}` };
}
