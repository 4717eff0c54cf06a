import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { evaluateGate, type GateInput, type Observation } from "../../../src/health/index.js";

const MIN = 60_000;
const W = Date.parse("2024-05-01T12:00:00Z");
const SETTINGS = { windowStart: W, soakMs: 10 * MIN, timeoutMs: 60 * MIN };

const observation = fc.record({
  at: fc.integer({ min: -10, max: 90 }).map((m) => W + m * MIN),
  state: fc.constantFrom("success", "success", "success", "pending", "failure"),
  detail: fc.constant("x"),
}) as fc.Arbitrary<Observation>;
const checks = fc.array(fc.array(observation, { maxLength: 8 }), { maxLength: 3 }).map((lists) =>
  lists.map((observations, i): GateInput["checks"][number] => ({
    label: `check-${i}`,
    spec: { kind: "status", pattern: `check-${i}` },
    observations,
  })),
);
const minute = fc.integer({ min: 0, max: 100 }).map((m) => W + m * MIN);

const upTo = (input: GateInput["checks"], now: number): GateInput["checks"] =>
  input.map((c) => ({ ...c, observations: c.observations.filter((o) => o.at <= now) }));

describe("evaluateGate properties", () => {
  test.prop([checks, minute, minute])("passed, failed and timed-out never change later", (all, a, b) => {
    const [early, late] = a <= b ? [a, b] : [b, a];
    const first = evaluateGate({ ...SETTINGS, checks: upTo(all, early), now: early });
    if (first.state === "soaking" || first.state === "pending") return;
    expect(evaluateGate({ ...SETTINGS, checks: all, now: late })).toStrictEqual(first);
  });

  test.prop([checks, minute])("the outcome is consistent with its own fields", (all, now) => {
    const result = evaluateGate({ ...SETTINGS, checks: all, now });
    expect(result.deadline).toBe(W + SETTINGS.timeoutMs);
    const failures = all.some((c) => c.observations.some((o) => o.state === "failure" && o.at >= W && o.at <= now));
    if (result.state === "failed") expect(failures).toBe(true);
    if (result.state === "passed") {
      expect(result.passedAt).toBe(result.passingSince! + SETTINGS.soakMs);
      expect(result.passedAt!).toBeLessThanOrEqual(Math.min(now, result.deadline));
      expect(result.checks.every((c) => c.state === "success")).toBe(true);
    }
    if (result.state === "soaking") {
      expect(result.soakLeftMs!).toBeGreaterThan(0);
      expect(now).toBeLessThan(result.deadline);
    }
    if (result.state === "timed-out") expect(now).toBeGreaterThanOrEqual(result.deadline);
  });
});
