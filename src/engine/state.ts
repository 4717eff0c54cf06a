import { type HiddenState, hiddenState, type ProbeObservation } from "../spec/state.js";
import { readStateBlock, stateBlock } from "../spec/markers.js";

export type { AuditEntry, HiddenState, StepRecord } from "../spec/state.js";

export function emptyState(): HiddenState {
  return {
    v: 1,
    base: null,
    handled: [],
    handledBelow: 0,
    paused: null,
    aborted: null,
    decommission: null,
    steps: {},
    audit: [],
    rollback: null,
    undone: [],
    rollbacks: {},
    outbox: [],
  };
}

/** Base64 so no value (not even `-->`) can end the HTML comment early. */
export function encodeState(state: HiddenState): string {
  return stateBlock(Buffer.from(JSON.stringify(state), "utf8").toString("base64"));
}

/** The dashboard comment: the rendered text, then the state block as its last line (the engine owns its state). */
export function withStateBlock(text: string, state: HiddenState): string {
  return `${text}\n${encodeState(state)}`;
}

/** The state block of a dashboard body; an unreadable or invalid block is treated as no state. */
export function decodeState(body: string): HiddenState | undefined {
  const payload = readStateBlock(body);
  if (!payload) return undefined;
  try {
    const parsed = hiddenState.safeParse(JSON.parse(Buffer.from(payload, "base64").toString("utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Keep the state small: http probe history as transitions, audit capped. */
export function compactProbes(list: ProbeObservation[]): ProbeObservation[] {
  const out: ProbeObservation[] = [];
  for (const item of list) {
    const last = out[out.length - 1];
    if (!last || last.state !== item.state) out.push(item);
  }
  const latest = list[list.length - 1];
  if (latest && out[out.length - 1] !== latest) out.push(latest);
  return out.slice(-40);
}
