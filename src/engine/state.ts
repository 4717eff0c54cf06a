import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { type HiddenState, hiddenState, type ProbeObservation } from "../spec/state.js";
import {
  openedForBlock,
  readOpenedForBlock,
  readSignedStateBlock,
  readStateBlock,
  stateBlock,
} from "../spec/markers.js";
import { LruCache } from "../spec/lru.js";

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
    tampered: null,
    blocked: null,
    frozen: null,
  };
}

/** Signs a state payload for one migration issue; only the App holds the key. */
export type StateSigner = (payload: string) => string;

/**
 * HMAC-SHA256 over the payload and the issue it belongs to (a state copied to another issue fails), keyed by a
 * key derived from the webhook secret: write users can edit the App's own comment, but cannot sign.
 */
export function stateSigner(webhookSecret: string, issue: string): StateSigner {
  let signing = signingKeys.get(webhookSecret);
  if (!signing) {
    const key = createHmac("sha256", webhookSecret).update("handover hidden state v1").digest();
    signing = { key, macs: new LruCache<string, string>(64, (signed) => signed.length, 2_000_000) };
    signingKeys.set(webhookSecret, signing);
  }
  const { key, macs } = signing;
  return (payload) => {
    const signed = `${issue}\n${payload}`;
    let mac = macs.get(signed);
    if (mac === undefined) {
      mac = createHmac("sha256", key).update(signed).digest("hex");
      macs.set(signed, mac);
    }
    return mac;
  };
}

/**
 * The key derived from each webhook secret (a process has one or two), derived once, and the signatures it made last:
 * a reconcile signs the state it writes and checks the one it reads, mostly the same payload as the reconcile before.
 */
const signingKeys = new LruCache<string, { key: Buffer; macs: LruCache<string, string> }>(4);

/**
 * The payload each state encodes to, by the state object: a reconcile encodes the same state for the dashboard's
 * budget, its text and its comparison with what GitHub has. States are never changed once built (each stage makes a
 * new one), so the object stands for its content.
 */
const payloads = new WeakMap<HiddenState, string>();

function payloadOf(state: HiddenState): string {
  let payload = payloads.get(state);
  if (payload !== undefined) return payload;
  // Each stage of a reconcile builds a new state object, most often equal to the one before: its JSON text finds the
  // payload without going through the schema again.
  const text = JSON.stringify(state);
  payload = payloadsByText.get(text);
  if (payload === undefined) {
    const json = JSON.stringify(hiddenState.parse(state));
    payload = Buffer.from(json, "utf8").toString("base64");
    payloadsByText.set(text, payload);
    // What the next reconcile reads back from the dashboard written with it: known without parsing it again.
    if (readStates.get(payload) === undefined) readStates.set(payload, deepFreeze(JSON.parse(json) as HiddenState));
  }
  payloads.set(state, payload);
  return payload;
}

/** Payloads by the JSON text of the state they encode, as built in memory (its keys in any order). */
const payloadsByText = new LruCache<string, string>(64, (text, payload) => text.length + payload.length, 4_000_000);

/** Base64 so no value (not even `-->`) can end the HTML comment early; signed when a signer is given. */
export function encodeState(state: HiddenState, sign?: StateSigner): string {
  // Through the schema, so keys come in one order: a state built in memory and the same state read back encode alike
  // (otherwise an unchanged dashboard differs in its state line and is written again).
  const payload = payloadOf(state);
  return stateBlock(payload, sign?.(payload));
}

/** The dashboard comment: the rendered text, then the state block as its last line (the engine owns its state). */
export function withStateBlock(text: string, state: HiddenState, sign?: StateSigner): string {
  return `${text}\n${encodeState(state, sign)}`;
}

function parseState(payload: string): HiddenState | undefined {
  try {
    const parsed = hiddenState.safeParse(JSON.parse(Buffer.from(payload, "base64").toString("utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** parseState for the engine, kept by payload and frozen (see readStates). */
function sharedState(payload: string): HiddenState | undefined {
  const known = readStates.get(payload);
  if (known) return known;
  const state = parseState(payload);
  if (state) readStates.set(payload, deepFreeze(state));
  return state;
}

/**
 * The states the engine read last, by payload: every reconcile reads the dashboard's state, mostly unchanged since
 * the one before. A state read is shared by the reconciles that read it, so it is frozen (each stage builds a new
 * state); decodeState (reports, tests) gives a copy of its own.
 */
const readStates = new LruCache<string, HiddenState>(256, (payload) => payload.length, 16_000_000);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The state block of a dashboard body, unverified (reports and tests); an unreadable block is no state. */
export function decodeState(body: string): HiddenState | undefined {
  const payload = readStateBlock(body);
  return payload ? parseState(payload) : undefined;
}

/** The state of the App's dashboard, trusted only when its signature verifies: else `tampered` (or `missing`). */
export function readState(
  body: string,
  sign: StateSigner,
): { kind: "ok"; state: HiddenState } | { kind: "tampered" } | { kind: "missing" } {
  const block = readSignedStateBlock(body);
  if (!block.payload) return block.found ? { kind: "tampered" } : { kind: "missing" };
  const expected = Buffer.from(sign(block.payload), "hex");
  const given = Buffer.from(block.mac ?? "", "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { kind: "tampered" };
  const state = sharedState(block.payload);
  return state ? { kind: "ok", state } : { kind: "tampered" };
}

/** What a first step prepares: the new cluster, from which, and on which Core version (not the groups). */
const prepared = z.object({ source: z.string(), target: z.string(), version: z.string() });
export type Prepared = z.infer<typeof prepared>;

/** Kept apart from the state's signatures: a MAC made for one can never stand for the other. */
const OPENED_FOR = "opened-for\n";

/** The signed block the first step's PR body carries: what it prepares. */
export function openedFor({ source, target, version }: Prepared, sign: StateSigner): string {
  const payload = Buffer.from(JSON.stringify({ source, target, version }), "utf8").toString("base64");
  return openedForBlock(payload, sign(OPENED_FOR + payload));
}

/** What a first step's PR was opened for, trusted only when its signature verifies (a person edited it: undefined). */
export function readOpenedFor(body: string, sign: StateSigner): Prepared | undefined {
  const block = readOpenedForBlock(body);
  if (!block) return undefined;
  const expected = Buffer.from(sign(OPENED_FOR + block.payload), "hex");
  const given = Buffer.from(block.mac, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const parsed = prepared.safeParse(JSON.parse(Buffer.from(block.payload, "base64").toString("utf8")));
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
