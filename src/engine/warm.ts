// What a process pays the first time it judges a gate, saves a started migration's state and reads a command, paid
// when the App loads instead (about 5 ms in all, in the reconcile after the first merge: the glob matcher's code, the
// state schema's code for each of its parts, the command parser). Pure: nothing is read or written.
import { parseCommand } from "../chatops/index.js";
import { deploymentObservations, evaluateGate, statusObservations } from "../health/index.js";
import { decodeState, emptyState, encodeState, type HiddenState } from "./state.js";

const AT = Date.parse("2026-01-01T00:00:00Z");
const MIN = 60_000;

/** A state with every part set, as a migration's state has them at one time or another. */
function everyPart(): HiddenState {
  const actor = { by: "warm-up", at: AT };
  return {
    ...emptyState(),
    base: "0".repeat(40),
    handled: [1],
    handledBelow: 1,
    paused: actor,
    aborted: { ...actor, reason: "warm-up" },
    decommission: actor,
    steps: {
      prepare: {
        pr: 2,
        mergeSha: "1".repeat(40),
        mergedAt: AT,
        noDiff: { sha: "2".repeat(40), at: AT },
        windowStart: AT,
        gatePassedAt: AT + 10 * MIN,
        skipped: actor,
        approved: actor,
        failed: { reason: "warm-up", at: AT },
        probes: { "http https://warm-up/": [{ at: AT, state: "success", detail: "HEALTHY" }] },
        reopen: true,
        autoMerge: {
          pr: 2,
          at: AT,
          method: "merge",
          clean: true,
          merged: true,
          queued: "4".repeat(40),
          refused: "warm-up",
        },
        soak: "10m",
      },
    },
    audit: [{ at: AT, user: "warm-up", command: "/handover status", result: "applied", note: "warm-up" }],
    rollback: {
      step: "prepare",
      attempt: 1,
      by: "warm-up",
      at: AT,
      pr: 3,
      mergeSha: "3".repeat(40),
      mergedAt: AT,
      probes: { "http https://warm-up/": [{ at: AT, state: "success", detail: "HEALTHY" }] },
    },
    undone: [4],
    rollbacks: { prepare: 1 },
    outbox: [{ commentId: 1, on: 1, reaction: "+1", reply: "warm-up" }],
    tampered: { at: AT },
    frozen: { source: "a", target: "b", version: "0.3.1", groups: [{ name: "canary", items: ["mongo"], line: 1 }] },
    blocked: { at: AT, kind: "bug", status: 500, request: "GET /", message: "warm-up" },
  };
}

/** Runs each of those once; true when each gave what it should (a state read back as written, a gate passed). */
export function warmEngine(): boolean {
  const written = encodeState(everyPart());
  const read = decodeState(`<!-- warm-up -->\n${written}`);
  const statuses = statusObservations(
    "kustomization/warm-up/*",
    [{ context: "kustomization/warm-up/1", state: "success", description: null, created_at: "2026-01-01T00:01:00Z" }],
    [],
  );
  const deployed = deploymentObservations(
    "warm-up",
    AT,
    [{ id: 1, sha: "1".repeat(40), environment: "warm-up", created_at: "2026-01-01T00:01:00Z" }],
    new Map([[1, [{ state: "success", created_at: "2026-01-01T00:02:00Z" }]]]),
  );
  const gate = evaluateGate({
    checks: [
      { label: "status", spec: { kind: "status", pattern: "kustomization/warm-up/*" }, observations: statuses },
      { label: "deployment", spec: { kind: "deployment", environment: "warm-up" }, observations: deployed },
    ],
    windowStart: AT,
    soakMs: 10 * MIN,
    timeoutMs: 120 * MIN,
    now: AT + 20 * MIN,
  });
  const command = parseCommand("/handover status");
  return read !== undefined && encodeState(read) === written && gate.state === "passed" && command.kind === "command";
}
