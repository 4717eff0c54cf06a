import { describe, expect, it } from "vitest";
import { httpObservation, type Observation } from "../../../src/health/index.js";

const AT = Date.parse("2024-05-01T12:00:00Z");

const body = (results: Record<string, unknown>): string => JSON.stringify({ age_secs: 3, results });
const ALL_HEALTHY = body({
  coordination: { status: "HEALTHY" },
  "store-primary": { status: "HEALTHY" },
  "tasks-consumer": { status: "HEALTHY" },
  "tasks-producer": { status: "HEALTHY" },
});
const HEALTHY_NAMES = "HEALTHY: coordination, store-primary, tasks-consumer, tasks-producer";
const version = (v: string): string => JSON.stringify({ commit: "abc", taint: "not tainted", version: v });

type Probe = { body?: string; error?: string };
const cases: { name: string; health: Probe; version?: Probe & { expect: string }; want: Omit<Observation, "at"> }[] = [
  { name: "all HEALTHY", health: { body: ALL_HEALTHY }, want: { state: "success", detail: HEALTHY_NAMES } },
  {
    name: "Rust-style Healthy is accepted",
    health: { body: body({ coordination: { status: "Healthy" }, "store-primary": { status: "HEALTHY" } }) },
    want: { state: "success", detail: "HEALTHY: coordination, store-primary" },
  },
  {
    name: "one DEGRADED is pending, with its details",
    health: {
      body: body({ coordination: { status: "HEALTHY" }, "tasks-consumer": { status: "DEGRADED", details: "lagging" } }),
    },
    want: { state: "pending", detail: "tasks-consumer DEGRADED (lagging)" },
  },
  {
    name: "Rust-style Degraded is pending",
    health: { body: body({ coordination: { status: "Degraded" } }) },
    want: { state: "pending", detail: "coordination DEGRADED" },
  },
  {
    name: "any FAILED is failure, even next to a DEGRADED one",
    health: {
      body: body({
        "store-primary": { status: "FAILED", details: "connection refused" },
        "tasks-consumer": { status: "DEGRADED" },
        coordination: { status: "Failed", details: "no ensemble" },
      }),
    },
    want: { state: "failure", detail: "coordination FAILED (no ensemble); store-primary FAILED (connection refused)" },
  },
  {
    name: "an unknown status is pending",
    health: { body: body({ coordination: { status: "Starting" } }) },
    want: { state: "pending", detail: 'coordination unknown status "Starting"' },
  },
  {
    name: "empty results are pending",
    health: { body: body({}) },
    want: { state: "pending", detail: "health reports no results yet" },
  },
  {
    name: "garbage body is pending and says so",
    health: { body: "<html>502 Bad Gateway</html>" },
    want: { state: "pending", detail: 'health response unparsable: "<html>502 Bad Gateway</html>"' },
  },
  {
    name: "JSON without results is unparsable",
    health: { body: '{"status":"ok"}' },
    want: { state: "pending", detail: 'health response unparsable: "{\\"status\\":\\"ok\\"}"' },
  },
  {
    name: "a long garbage body is cut short in the detail",
    health: { body: "x".repeat(100) },
    want: { state: "pending", detail: `health response unparsable: "${"x".repeat(60)}..."` },
  },
  {
    name: "network error is pending",
    health: { error: "connect ECONNREFUSED 10.0.0.1:16016" },
    want: { state: "pending", detail: "health probe error: connect ECONNREFUSED 10.0.0.1:16016" },
  },
  {
    name: "no body and no error is pending",
    health: {},
    want: { state: "pending", detail: "health probe returned no body" },
  },
  {
    name: "healthy and the expected version",
    health: { body: ALL_HEALTHY },
    version: { body: version("0.3.1"), expect: "0.3.1" },
    want: { state: "success", detail: `${HEALTHY_NAMES}; version 0.3.1` },
  },
  {
    name: "healthy but still the old version is pending",
    health: { body: ALL_HEALTHY },
    version: { body: version("0.3.0"), expect: "0.3.1" },
    want: { state: "pending", detail: "version 0.3.0, want 0.3.1" },
  },
  {
    name: "healthy but the version probe failed",
    health: { body: ALL_HEALTHY },
    version: { error: "timeout", expect: "0.3.1" },
    want: { state: "pending", detail: "version probe error: timeout" },
  },
  {
    name: "healthy but the version body is garbage",
    health: { body: ALL_HEALTHY },
    version: { body: "nope", expect: "0.3.1" },
    want: { state: "pending", detail: 'version response unparsable: "nope"' },
  },
  {
    name: "FAILED wins over a version mismatch",
    health: { body: body({ coordination: { status: "FAILED" } }) },
    version: { body: version("0.3.0"), expect: "0.3.1" },
    want: { state: "failure", detail: "coordination FAILED" },
  },
  {
    name: "DEGRADED is reported before the version",
    health: { body: body({ coordination: { status: "DEGRADED" } }) },
    version: { body: version("0.3.0"), expect: "0.3.1" },
    want: { state: "pending", detail: "coordination DEGRADED" },
  },
];

describe("httpObservation", () => {
  it.each(cases)("$name", ({ health, version, want }) => {
    expect(httpObservation(AT, health, version)).toEqual({ at: AT, ...want });
  });
});
