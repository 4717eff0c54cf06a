import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  compactProbes,
  decodeState,
  emptyState,
  encodeState,
  openedFor,
  readOpenedFor,
  readState,
  stateSigner,
  type HiddenState,
} from "../../../src/engine/state.js";
import { hiddenState } from "../../../src/spec/state.js";
import { MIN, NOW, doneBefore, hiddenWith } from "./helpers.js";

type Probe = Parameters<typeof compactProbes>[0][number];

const FULL: HiddenState = hiddenWith({
  handled: [11, 12, 13],
  paused: { by: "bob", at: NOW - 3 * MIN },
  aborted: { by: "alice", at: NOW, reason: 'stop --> now <!-- x --> & "quotes" ünïcödé 🚀' },
  decommission: { by: "mia", at: NOW - MIN },
  steps: {
    ...doneBefore("release-canary"),
    "release-canary": {
      pr: 102,
      mergeSha: "abc",
      mergedAt: NOW - 20 * MIN,
      windowStart: NOW - 2 * MIN,
      failed: { reason: "check --> failed", at: NOW - 5 * MIN },
      probes: { "https://replicore-a/health": [{ at: NOW - 4 * MIN, state: "failure", detail: "FAILED -->" }] },
      reopen: false,
    },
    "adopt-canary": { noDiff: { sha: "h", at: NOW }, skipped: { by: "mia", at: NOW }, gatePassedAt: NOW },
  },
  audit: [
    {
      at: NOW,
      user: "dave",
      command: "/handover abort -- stop --> now",
      result: "applied",
      note: "aborted: stop --> now",
    },
  ],
});

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const block = (payload: string) => `<!-- handover:state ${payload} -->`;

describe("encodeState / decodeState", () => {
  it.each([
    { name: "the empty state", state: emptyState() },
    { name: "a state with every field, `-->` in reasons and notes", state: FULL },
  ])("round trip: $name", ({ state }) => {
    expect(decodeState(encodeState(state))).toStrictEqual(state);
    expect(
      decodeState(`<!-- handover:dashboard -->\n## Handover\n\ntext --> more\n${encodeState(state)}`),
    ).toStrictEqual(state);
  });

  it("the encoded block is one HTML comment whose only `-->` is its own end", () => {
    const encoded = encodeState(FULL);
    expect(encoded.startsWith("<!-- handover:state ")).toBe(true);
    expect(encoded.endsWith(" -->")).toBe(true);
    expect(encoded.indexOf("-->")).toBe(encoded.length - 3);
    expect(encoded.indexOf("<!--", 1)).toBe(-1);
    expect(encoded).toMatch(/^<!-- handover:state [A-Za-z0-9+/=]+ -->$/);
  });

  const valid = JSON.stringify(emptyState());
  it.each([
    { name: "no block", body: "<!-- handover:dashboard -->\nnothing here" },
    { name: "empty body", body: "" },
    { name: "characters outside base64", body: block("eyJ2IjoxfQ!!") },
    {
      name: "tampered base64 (one character changed)",
      body: block(b64(valid).replace(/^./, (c) => (c === "A" ? "B" : "A"))),
    },
    { name: "truncated base64", body: block(b64(valid).slice(0, 20)) },
    { name: "not JSON", body: block(b64("{v:1, base: null")) },
    { name: "JSON null", body: block(b64("null")) },
    { name: "JSON array", body: block(b64("[]")) },
    { name: "wrong version", body: block(b64(JSON.stringify({ ...emptyState(), v: 2 }))) },
    { name: "field missing", body: block(b64(JSON.stringify({ ...emptyState(), handled: undefined }))) },
    { name: "wrong type", body: block(b64(JSON.stringify({ ...emptyState(), paused: "bob" }))) },
    {
      name: "bad audit result",
      body: block(
        b64(JSON.stringify({ ...emptyState(), audit: [{ at: 1, user: "u", command: "c", result: "ok", note: "" }] })),
      ),
    },
    {
      name: "bad probe state",
      body: block(
        b64(
          JSON.stringify({
            ...emptyState(),
            steps: { prepare: { probes: { u: [{ at: 1, state: "HEALTHY", detail: "" }] } } },
          }),
        ),
      ),
    },
  ])("invalid -> undefined: $name", ({ body }) => {
    expect(decodeState(body)).toBeUndefined();
  });

  it("unknown keys are dropped, not trusted", () => {
    expect(
      decodeState(block(b64(JSON.stringify({ ...emptyState(), admin: true, steps: { prepare: { pr: 1, evil: 1 } } })))),
    ).toStrictEqual({ ...emptyState(), steps: { prepare: { pr: 1 } } });
  });
});

describe("compactProbes", () => {
  const p = (minute: number, state: Probe["state"], detail = `d${minute}`): Probe => ({
    at: NOW + minute * MIN,
    state,
    detail,
  });

  it.each([
    { name: "empty", list: [], out: [] },
    { name: "one", list: [p(0, "pending")], out: [p(0, "pending")] },
    {
      name: "repeats collapse to the first, plus the latest",
      list: [p(0, "pending"), p(1, "pending"), p(2, "success"), p(3, "success"), p(4, "success")],
      out: [p(0, "pending"), p(2, "success"), p(4, "success")],
    },
    {
      name: "latest is a transition: not doubled",
      list: [p(0, "success"), p(1, "success"), p(2, "failure")],
      out: [p(0, "success"), p(2, "failure")],
    },
    {
      name: "every change kept",
      list: [p(0, "success"), p(1, "failure"), p(2, "success"), p(3, "pending")],
      out: [p(0, "success"), p(1, "failure"), p(2, "success"), p(3, "pending")],
    },
    {
      name: "a compacted list compacts to itself plus the new latest",
      list: [p(0, "pending"), p(2, "success"), p(4, "success"), p(6, "success")],
      out: [p(0, "pending"), p(2, "success"), p(6, "success")],
    },
  ])("$name", ({ list, out }) => {
    expect(compactProbes(list)).toStrictEqual(out);
  });

  it("caps at 40, keeping the newest transitions and the latest", () => {
    const list = Array.from({ length: 100 }, (_, i) => p(i, i % 2 === 0 ? "success" : "failure"));
    const out = compactProbes(list);
    expect(out).toStrictEqual(list.slice(60));
    expect(out.length).toBe(40);
  });

  it("caps at 40 with a trailing repeat: 39 transitions and the latest", () => {
    const list = [
      ...Array.from({ length: 60 }, (_, i) => p(i, i % 2 === 0 ? "success" : "failure")),
      p(60, "failure"),
      p(61, "failure"),
    ];
    expect(compactProbes(list)).toStrictEqual([...list.slice(21, 60), p(61, "failure")]);
  });
});

describe("readState: the hidden state is trusted only with the App's signature for this issue", () => {
  const sign = stateSigner("webhook-secret", "acme/config#42");
  const body = `<!-- handover:dashboard -->\ntext\n${encodeState(FULL, sign)}`;

  it("reads a state the App signed for this issue", () => {
    expect(readState(body, sign)).toStrictEqual({ kind: "ok", state: FULL });
  });

  it.each([
    ["unsigned (written without the key)", `text\n${encodeState(FULL)}`],
    ["signed with another secret", `text\n${encodeState(FULL, stateSigner("guess", "acme/config#42"))}`],
    ["copied from another issue", `text\n${encodeState(FULL, stateSigner("webhook-secret", "acme/config#41"))}`],
    ["payload edited, signature kept", body.replace(/state (\S+) /, (_m, p: string) => `state ${p.slice(0, -4)}AAA= `)],
    ["not the last line any more", `${body}\nmore text`],
  ])("%s: tampered", (_name, text) => {
    expect(readState(text, sign)).toStrictEqual({ kind: "tampered" });
  });

  it("a body without any state block has none", () => {
    expect(readState("<!-- handover:dashboard -->\nno state here", sign)).toStrictEqual({ kind: "missing" });
  });

  it("the same state read again is the same object, frozen: reconciles share it and build new ones from it", () => {
    const first = readState(body, sign);
    const again = readState(body, stateSigner("webhook-secret", "acme/config#42"));
    if (first.kind !== "ok" || again.kind !== "ok") throw new Error("not read");
    expect(again.state).toBe(first.state);
    expect(Object.isFrozen(first.state.steps)).toBe(true);
    expect(() => {
      (first.state.audit as unknown[]).push("x");
    }).toThrow(TypeError);
    expect(readState(body, stateSigner("guess", "acme/config#42"))).toStrictEqual({ kind: "tampered" });
    // decodeState (reports, tests) gives a state of its own, which its reader may change.
    const decoded = decodeState(body);
    expect(decoded).toStrictEqual(FULL);
    expect(decoded).not.toBe(first.state);
    expect(Object.isFrozen(decoded?.audit)).toBe(false);
  });

  it("a signature is HMAC-SHA256 of the issue and payload under the key derived from the secret, whenever asked", () => {
    const key = createHmac("sha256", "memo-secret").update("handover hidden state v1").digest();
    const expected = (issue: string, payload: string) =>
      createHmac("sha256", key).update(`${issue}\n${payload}`).digest("hex");
    const payload = "eyJ2IjoxLCJtZW1vIjp0cnVlfQ==";
    for (let i = 0; i < 3; i++) {
      expect(stateSigner("memo-secret", "acme/config#7")(payload)).toBe(expected("acme/config#7", payload));
      expect(stateSigner("memo-secret", "acme/config#8")(payload)).toBe(expected("acme/config#8", payload));
      expect(stateSigner("memo-secret", "acme/config#7")(`${payload}A`)).toBe(expected("acme/config#7", `${payload}A`));
      // The same issue and payload under another secret: signed with that secret's key, not the one remembered.
      expect(stateSigner("other-memo-secret", "acme/config#7")(payload)).not.toBe(expected("acme/config#7", payload));
    }
  });

  it("a signer made again for the same secret and issue signs alike; another secret does not", () => {
    const payload = "eyJ2IjoxfQ==";
    expect(stateSigner("webhook-secret", "acme/config#42")(payload)).toBe(sign(payload));
    expect(stateSigner("webhook-secret", "acme/config#42")(payload)).toMatch(/^[0-9a-f]{64}$/);
    expect(stateSigner("other-secret", "acme/config#42")(payload)).not.toBe(sign(payload));
    expect(stateSigner("webhook-secret", "acme/config#43")(payload)).not.toBe(sign(payload));
  });
});

describe("openedFor / readOpenedFor: what the first step's PR prepares, trusted only with the App's signature", () => {
  const sign = stateSigner("webhook-secret", "acme/config#42");
  const prepared = { source: "replicore-a", target: "replicore-b", version: "0.3.1" };
  const block = openedFor(prepared, sign);
  const body = `<!-- handover:step issue=42 step=prepare -->\n${block}\n**Handover step 1 of 8**`;

  it("writes one comment line, base64 JSON and a hex MAC, and reads it back from anywhere in a PR body", () => {
    const payload = Buffer.from(JSON.stringify(prepared), "utf8").toString("base64");
    expect(block).toBe(`<!-- handover:opened-for ${payload} ${sign(`opened-for\n${payload}`)} -->`);
    expect(readOpenedFor(body, sign)).toStrictEqual(prepared);
  });

  it.each([
    ["signed with another secret", openedFor(prepared, stateSigner("guess", "acme/config#42"))],
    ["copied from another issue's PR", openedFor(prepared, stateSigner("webhook-secret", "acme/config#41"))],
    [
      "target edited, signature kept",
      block.replace(
        /opened-for (\S+) /,
        () => `opened-for ${Buffer.from(JSON.stringify({ ...prepared, target: "x" })).toString("base64")} `,
      ),
    ],
    [
      "a state's signature over the same payload",
      block.replace(/ ([0-9a-f]{64}) -->/, () => ` ${sign(block.split(" ")[2] ?? "")} -->`),
    ],
    ["no block", "<!-- handover:step issue=42 step=prepare -->"],
  ])("%s: not trusted", (_name, text) => {
    expect(readOpenedFor(text, sign)).toBeUndefined();
  });

  it("a signed payload that is not what a first step prepares is not trusted either", () => {
    const payload = Buffer.from(JSON.stringify({ target: "replicore-b" }), "utf8").toString("base64");
    expect(
      readOpenedFor(`<!-- handover:opened-for ${payload} ${sign(`opened-for\n${payload}`)} -->`, sign),
    ).toBeUndefined();
  });
});

describe("encoding a state goes through the schema once per content", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** A state no other test encodes (the memos are the process's). */
  const unique = (n: number): HiddenState => ({ ...emptyState(), handled: [n, n + 1], base: `sha-${n}` });

  it("equal states built apart, even with their keys in another order, encode alike with one parse", () => {
    const parse = vi.spyOn(hiddenState, "parse");
    const first = unique(9001);
    const { handled, base, ...rest } = first;
    const reordered: HiddenState = { ...rest, base, handled: [...handled] };
    const a = encodeState(first);
    const b = encodeState({ ...first, handled: [...handled] });
    expect(b).toBe(a);
    expect(parse).toHaveBeenCalledTimes(1);
    // Another key order is another text: parsed again, and the schema's order makes the same payload.
    expect(encodeState(reordered)).toBe(a);
    expect(parse).toHaveBeenCalledTimes(2);
    expect(encodeState(unique(9003))).not.toBe(a);
    expect(parse).toHaveBeenCalledTimes(3);
  });

  it("a state the App encoded is read back from its dashboard without parsing it again, frozen", () => {
    const sign = stateSigner("webhook-secret", "acme/config#42");
    const state = hiddenWith({ ...unique(9101), paused: { by: "bob", at: NOW }, steps: doneBefore("release-canary") });
    const body = `<!-- handover:dashboard -->\ntext\n${encodeState(state, sign)}`;
    const safeParse = vi.spyOn(hiddenState, "safeParse");
    const read = readState(body, sign);
    expect(safeParse).not.toHaveBeenCalled();
    expect(read).toStrictEqual({ kind: "ok", state });
    if (read.kind !== "ok") throw new Error("not read");
    expect(read.state).not.toBe(state);
    expect(Object.isFrozen(read.state.steps)).toBe(true);
    expect(Object.isFrozen(state.steps)).toBe(false);
    // Someone else's payload is still parsed, and its signature still checked.
    expect(readState(`text\n${encodeState(state)}`, sign)).toStrictEqual({ kind: "tampered" });
    expect(decodeState(body)).toStrictEqual(state);
    expect(safeParse).toHaveBeenCalledTimes(1);
  });
});
