import { Counter, Histogram, Registry } from "prom-client";

/** The App's Prometheus metrics, served on `GET /metrics`; one registry per App instance (replicas, tests). */
export interface AppMetrics {
  registry: Registry;
  /** Reconciles run, by outcome: the phase label, `ignored`, or `error:<kind>`. */
  reconciles: Counter<"outcome">;
  /** Webhook deliveries Handover reads, by event name. */
  events: Counter<"event">;
  /** Guard check runs, by conclusion. */
  guards: Counter<"conclusion">;
  /** Wall time of one reconcile. */
  duration: Histogram;
}

export function createMetrics(): AppMetrics {
  const registry = new Registry();
  return {
    registry,
    reconciles: new Counter({
      name: "handover_reconciles_total",
      help: "Reconciles run, by outcome",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    events: new Counter({
      name: "handover_events_total",
      help: "Webhook events received, by name",
      labelNames: ["event"],
      registers: [registry],
    }),
    guards: new Counter({
      name: "handover_guard_runs_total",
      help: "Guard check runs, by conclusion",
      labelNames: ["conclusion"],
      registers: [registry],
    }),
    duration: new Histogram({
      name: "handover_reconcile_seconds",
      help: "Wall time of one reconcile",
      registers: [registry],
    }),
  };
}
