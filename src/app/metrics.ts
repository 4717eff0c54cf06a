import { Counter, Gauge, Histogram, Registry } from "prom-client";

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
  /** Reconciles that failed, by the class of the error. */
  reconcileErrors: Counter<"kind">;
  /** Migrations by status label and kind of step, as last reconciled here (set from a collect callback). */
  migrations: Gauge<"state" | "step">;
  /** Health gates settled, by outcome. */
  gateOutcomes: Counter<"outcome">;
  /** From a gate's window start to its outcome. */
  gateSeconds: Histogram<"outcome">;
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
    reconcileErrors: new Counter({
      name: "handover_reconcile_errors_total",
      help: "Reconciles that failed, by error kind (rate-limit, transient, conflict, permission, not-found, invalid, bug...)",
      labelNames: ["kind"],
      registers: [registry],
    }),
    migrations: new Gauge({
      name: "handover_migrations",
      help: "Migrations by status label and kind of step, as of their last reconcile on this replica",
      labelNames: ["state", "step"],
      registers: [registry],
    }),
    gateOutcomes: new Counter({
      name: "handover_gate_outcomes_total",
      help: "Health gates settled while this replica watched, by outcome (passed, failed, skipped)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    gateSeconds: new Histogram({
      name: "handover_gate_seconds",
      help: "From the start of a gate's window (merge or retry) to its outcome",
      labelNames: ["outcome"],
      buckets: [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 259_200],
      registers: [registry],
    }),
  };
}
