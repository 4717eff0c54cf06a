import { z } from "zod";
import type { CheckState, Observation } from "./types.js";

// Replicante serialises each result as {"status": "HEALTHY"} or {"status": "FAILED", "details": "..."}.
const HealthBodySchema = z.object({
  results: z.record(z.string(), z.object({ status: z.string(), details: z.unknown().optional() })),
});
const VersionBodySchema = z.object({ version: z.string() });

const HEALTH_STATE: Record<string, CheckState> = { HEALTHY: "success", DEGRADED: "pending", FAILED: "failure" };

type Probe = { body?: string; error?: string };
type Parsed<T> = { ok: true; value: T } | { ok: false; detail: string };

const SNIPPET_LENGTH = 60;

/** Parse a probe's JSON body with a schema, or say in one phrase why it could not be read. */
function parseProbe<T>(what: string, probe: Probe, schema: z.ZodType<T>): Parsed<T> {
  if (probe.error !== undefined) return { ok: false, detail: `${what} probe error: ${probe.error}` };
  if (probe.body === undefined) return { ok: false, detail: `${what} probe returned no body` };
  let json: unknown;
  try {
    json = JSON.parse(probe.body);
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const snippet = probe.body.length > SNIPPET_LENGTH ? `${probe.body.slice(0, SNIPPET_LENGTH)}...` : probe.body;
  return { ok: false, detail: `${what} response unparsable: ${JSON.stringify(snippet)}` };
}

function describe(name: string, result: { status: string; details?: unknown }): string {
  const details = typeof result.details === "string" && result.details.trim() ? ` (${result.details.trim()})` : "";
  return `${name} ${result.status.toUpperCase()}${details}`;
}

/** success / pending / failure of a parsed health body, with the results that decided it. */
function judgeHealth(results: Record<string, { status: string; details?: unknown }>): {
  state: CheckState;
  detail: string;
} {
  const entries = Object.entries(results).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return { state: "pending", detail: "health reports no results yet" };
  const stateOf = (status: string): CheckState | undefined => HEALTH_STATE[status.toUpperCase()];
  const failed = entries.filter(([, r]) => stateOf(r.status) === "failure");
  if (failed.length > 0) return { state: "failure", detail: failed.map(([n, r]) => describe(n, r)).join("; ") };
  const notHealthy = entries.filter(([, r]) => stateOf(r.status) !== "success");
  if (notHealthy.length > 0) {
    const text = notHealthy.map(([n, r]) =>
      stateOf(r.status) ? describe(n, r) : `${n} unknown status ${JSON.stringify(r.status)}`,
    );
    return { state: "pending", detail: text.join("; ") };
  }
  return { state: "success", detail: `HEALTHY: ${entries.map(([n]) => n).join(", ")}` };
}

/**
 * One observation of a Replicante Core `/introspect/health` probe (always HTTP 200: the body
 * decides), plus, when asked, the `/introspect/version` probe against the expected version.
 */
export function httpObservation(at: number, health: Probe, version?: Probe & { expect: string }): Observation {
  const parsedHealth = parseProbe("health", health, HealthBodySchema);
  if (!parsedHealth.ok) return { at, state: "pending", detail: parsedHealth.detail };
  const judged = judgeHealth(parsedHealth.value.results);
  if (judged.state !== "success" || version === undefined) return { at, ...judged };

  const parsedVersion = parseProbe("version", version, VersionBodySchema);
  if (!parsedVersion.ok) return { at, state: "pending", detail: parsedVersion.detail };
  const running = parsedVersion.value.version.trim();
  if (running !== version.expect) {
    return { at, state: "pending", detail: `version ${running}, want ${version.expect}` };
  }
  return { at, state: "success", detail: `${judged.detail}; version ${running}` };
}
