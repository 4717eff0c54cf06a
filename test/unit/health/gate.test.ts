import { describe, expect, it } from "vitest";
import {
  evaluateGate,
  gateUnderWay,
  type CheckSpec,
  type GateInput,
  type GateResult,
  type Observation,
} from "../../../src/health/index.js";

// Window opens at 12:00:00 UTC; soak 10m; timeout 2h -> deadline 14:00:00 UTC.
const W = Date.parse("2024-05-01T12:00:00Z");
const MIN = 60_000;
const m = (minutes: number): number => W + minutes * MIN;
const SOAK = 10 * MIN;
const TIMEOUT = 120 * MIN;
const DEADLINE = m(120);

const ok = (min: number, detail = "flux: success"): Observation => ({ at: m(min), state: "success", detail });
const wait = (min: number, detail = "flux: pending"): Observation => ({ at: m(min), state: "pending", detail });
const bad = (min: number, detail = "flux: failure (Health check failed)"): Observation => ({
  at: m(min),
  state: "failure",
  detail,
});

const FLUX: CheckSpec = { kind: "status", pattern: "flux/*" };
const DEPLOY: CheckSpec = { kind: "deployment", environment: "replicore-a" };
type Check = GateInput["checks"][number];
const flux = (...observations: Observation[]): Check => ({ label: "flux/*", spec: FLUX, observations });
const deploy = (...observations: Observation[]): Check => ({
  label: "deployment replicore-a",
  spec: DEPLOY,
  observations,
});

const cases: { name: string; checks: Check[]; now: number; want: GateResult }[] = [
  {
    name: "zero checks: soaking from windowStart",
    checks: [],
    now: m(4),
    want: {
      state: "soaking",
      passingSince: W,
      soakLeftMs: 6 * MIN,
      deadline: DEADLINE,
      checks: [],
      reason: "every check healthy since 12:00:00 UTC; 6m of soak left",
    },
  },
  {
    name: "zero checks: passes at windowStart + soak",
    checks: [],
    now: m(10),
    want: {
      state: "passed",
      passingSince: W,
      passedAt: m(10),
      deadline: DEADLINE,
      checks: [],
      reason: "no health checks configured; soak of 10m done at 12:10:00 UTC",
    },
  },
  {
    name: "nothing reported yet is pending",
    checks: [flux()],
    now: m(1),
    want: {
      state: "pending",
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "pending", detail: "nothing reported yet" }],
      reason: "waiting for flux/* (nothing reported yet)",
    },
  },
  {
    name: "success, soak not over: soaking",
    checks: [flux(wait(0.5), ok(1))],
    now: m(5),
    want: {
      state: "soaking",
      passingSince: m(1),
      soakLeftMs: 6 * MIN,
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "success", since: m(1), detail: "flux: success" }],
      reason: "every check healthy since 12:01:00 UTC; 6m of soak left",
    },
  },
  {
    name: "repeated success observations do not restart the soak",
    checks: [flux(ok(1), ok(3), ok(9))],
    now: m(11),
    want: {
      state: "passed",
      passingSince: m(1),
      passedAt: m(11),
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "success", since: m(1), detail: "flux: success" }],
      reason: "every check healthy since 12:01:00 UTC; soak of 10m done at 12:11:00 UTC",
    },
  },
  {
    name: "passed stays passed after the deadline; passedAt is not now",
    checks: [flux(ok(1))],
    now: m(180),
    want: {
      state: "passed",
      passingSince: m(1),
      passedAt: m(11),
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "success", since: m(1), detail: "flux: success" }],
      reason: "every check healthy since 12:01:00 UTC; soak of 10m done at 12:11:00 UTC",
    },
  },
  {
    name: "a failure after the gate passed does not undo it",
    checks: [flux(ok(1), bad(20))],
    now: m(30),
    want: {
      state: "passed",
      passingSince: m(1),
      passedAt: m(11),
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "success", since: m(1), detail: "flux: success" }],
      reason: "every check healthy since 12:01:00 UTC; soak of 10m done at 12:11:00 UTC",
    },
  },
  {
    name: "a failure reported the instant the soak ends comes too late to fail it",
    checks: [flux(ok(0), bad(10))],
    now: m(10),
    want: {
      state: "passed",
      passingSince: W,
      passedAt: m(10),
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "success", since: W, detail: "flux: success" }],
      reason: "every check healthy since 12:00:00 UTC; soak of 10m done at 12:10:00 UTC",
    },
  },
  {
    name: "failure before soak",
    checks: [flux(wait(1), bad(2))],
    now: m(3),
    want: {
      state: "failed",
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "failure", since: m(2), detail: "flux: failure (Health check failed)" }],
      reason: "flux/* failed at 12:02:00 UTC: flux: failure (Health check failed)",
    },
  },
  {
    name: "failure during soak fails even when it recovered",
    checks: [flux(ok(1), bad(5), ok(6))],
    now: m(30),
    want: {
      state: "failed",
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "failure", since: m(5), detail: "flux: failure (Health check failed)" }],
      reason: "flux/* failed at 12:05:00 UTC: flux: failure (Health check failed)",
    },
  },
  {
    name: "pending after success resets the soak",
    checks: [flux(ok(1), wait(5), ok(7))],
    now: m(12),
    want: {
      state: "soaking",
      passingSince: m(7),
      soakLeftMs: 5 * MIN,
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "success", since: m(7), detail: "flux: success" }],
      reason: "every check healthy since 12:07:00 UTC; 5m of soak left",
    },
  },
  {
    name: "success then pending now: pending, naming the check",
    checks: [flux(ok(1), wait(5, "flux: pending (Reconciling)"))],
    now: m(12),
    want: {
      state: "pending",
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "pending", since: m(5), detail: "flux: pending (Reconciling)" }],
      reason: "waiting for flux/* (flux: pending (Reconciling))",
    },
  },
  {
    name: "two checks: soak starts when the last one turns success",
    checks: [flux(ok(1)), deploy(wait(2, "deployment 3: in_progress"), ok(4, "deployment 3: success"))],
    now: m(10),
    want: {
      state: "soaking",
      passingSince: m(4),
      soakLeftMs: 4 * MIN,
      deadline: DEADLINE,
      checks: [
        { label: "flux/*", state: "success", since: m(1), detail: "flux: success" },
        { label: "deployment replicore-a", state: "success", since: m(4), detail: "deployment 3: success" },
      ],
      reason: "every check healthy since 12:04:00 UTC; 4m of soak left",
    },
  },
  {
    name: "two checks: one still pending keeps the gate pending",
    checks: [flux(ok(1)), deploy()],
    now: m(10),
    want: {
      state: "pending",
      deadline: DEADLINE,
      checks: [
        { label: "flux/*", state: "success", since: m(1), detail: "flux: success" },
        { label: "deployment replicore-a", state: "pending", detail: "nothing reported yet" },
      ],
      reason: "waiting for deployment replicore-a (nothing reported yet)",
    },
  },
  {
    name: "two checks failing at the same moment: the first configured is named",
    checks: [flux(bad(3)), deploy(bad(3, "deployment 3: failure"))],
    now: m(10),
    want: {
      state: "failed",
      deadline: DEADLINE,
      checks: [
        { label: "flux/*", state: "failure", since: m(3), detail: "flux: failure (Health check failed)" },
        { label: "deployment replicore-a", state: "failure", since: m(3), detail: "deployment 3: failure" },
      ],
      reason: "flux/* failed at 12:03:00 UTC: flux: failure (Health check failed)",
    },
  },
  {
    name: "the earliest failure is named, and the snapshot is taken then",
    checks: [flux(ok(1), bad(8)), deploy(bad(6, "deployment 3: failure"))],
    now: m(10),
    want: {
      state: "failed",
      deadline: DEADLINE,
      checks: [
        { label: "flux/*", state: "success", since: m(1), detail: "flux: success" },
        { label: "deployment replicore-a", state: "failure", since: m(6), detail: "deployment 3: failure" },
      ],
      reason: "deployment replicore-a failed at 12:06:00 UTC: deployment 3: failure",
    },
  },
  {
    name: "observations before windowStart are ignored (an old failure is forgiven)",
    checks: [flux(bad(-5), ok(1))],
    now: m(11),
    want: {
      state: "passed",
      passingSince: m(1),
      passedAt: m(11),
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "success", since: m(1), detail: "flux: success" }],
      reason: "every check healthy since 12:01:00 UTC; soak of 10m done at 12:11:00 UTC",
    },
  },
  {
    name: "observations before windowStart are ignored (an old success does not count)",
    checks: [flux(ok(-20))],
    now: m(11),
    want: {
      state: "pending",
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "pending", detail: "nothing reported yet" }],
      reason: "waiting for flux/* (nothing reported yet)",
    },
  },
  {
    name: "observations after now are ignored",
    checks: [flux(ok(1), bad(8))],
    now: m(5),
    want: {
      state: "soaking",
      passingSince: m(1),
      soakLeftMs: 6 * MIN,
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "success", since: m(1), detail: "flux: success" }],
      reason: "every check healthy since 12:01:00 UTC; 6m of soak left",
    },
  },
  {
    name: "never healthy by the deadline: timed out",
    checks: [flux(wait(1))],
    now: DEADLINE,
    want: {
      state: "timed-out",
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "pending", since: m(1), detail: "flux: pending" }],
      reason: "not healthy for 10m within 2h (deadline 14:00:00 UTC); still waiting for flux/* (flux: pending)",
    },
  },
  {
    name: "healthy too late to finish the soak before the deadline: timed out",
    checks: [flux(ok(115))],
    now: m(125),
    want: {
      state: "timed-out",
      passingSince: m(115),
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "success", since: m(115), detail: "flux: success" }],
      reason: "not healthy for 10m within 2h (deadline 14:00:00 UTC); healthy only since 13:55:00 UTC",
    },
  },
  {
    name: "a soak ending exactly at the deadline passes",
    checks: [flux(ok(110))],
    now: m(121),
    want: {
      state: "passed",
      passingSince: m(110),
      passedAt: DEADLINE,
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "success", since: m(110), detail: "flux: success" }],
      reason: "every check healthy since 13:50:00 UTC; soak of 10m done at 14:00:00 UTC",
    },
  },
  {
    name: "a failure reported after the deadline leaves the gate timed out",
    checks: [flux(wait(1), bad(121))],
    now: m(122),
    want: {
      state: "timed-out",
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "pending", since: m(1), detail: "flux: pending" }],
      reason: "not healthy for 10m within 2h (deadline 14:00:00 UTC); still waiting for flux/* (flux: pending)",
    },
  },
  {
    name: "a failure and a success in the same instant fail the gate",
    checks: [flux(bad(2), ok(2))],
    now: m(20),
    want: {
      state: "failed",
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "success", since: m(2), detail: "flux: success" }],
      reason: "flux/* failed at 12:02:00 UTC: flux: failure (Health check failed)",
    },
  },
  {
    name: "observations given out of order are sorted",
    checks: [flux(ok(7), wait(5), ok(1))],
    now: m(12),
    want: {
      state: "soaking",
      passingSince: m(7),
      soakLeftMs: 5 * MIN,
      deadline: DEADLINE,
      checks: [{ label: "flux/*", state: "success", since: m(7), detail: "flux: success" }],
      reason: "every check healthy since 12:07:00 UTC; 5m of soak left",
    },
  },
];

describe("evaluateGate", () => {
  it.each(cases)("$name", ({ checks, now, want }) => {
    expect(evaluateGate({ checks, windowStart: W, soakMs: SOAK, timeoutMs: TIMEOUT, now })).toStrictEqual(want);
  });
});

describe("gateUnderWay", () => {
  it("is true while a gate waits for its checks or its soak, false once it passed, failed or timed out", () => {
    const states = ["pending", "soaking", "passed", "failed", "timed-out"] as const;
    expect(states.filter(gateUnderWay)).toEqual(["pending", "soaking"]);
  });
});
