import { type DestinationStream, type Logger, pino, stdSerializers } from "pino";
import type { LogLevel } from "./config.js";

/**
 * What an error becomes in a log line: its kind, message, stack and the request that failed, never a payload. Probot
 * and @octokit/webhooks attach the whole webhook (`event`) to errors, and Octokit errors carry request and response
 * bodies; a log line keeps none of them.
 */
export function errorForLog(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const out: Record<string, unknown> = { type: err.name, message: err.message.split("\n")[0], stack: err.stack };
  const fields = err as Error & {
    status?: unknown;
    code?: unknown;
    kind?: unknown;
    request?: { method?: unknown; url?: unknown };
    errors?: unknown;
  };
  if (typeof fields.status === "number") out.status = fields.status;
  if (typeof fields.code === "string") out.code = fields.code;
  if (typeof fields.kind === "string") out.kind = fields.kind;
  if (fields.request && typeof fields.request.url === "string") {
    out.request = `${String(fields.request.method)} ${fields.request.url}`;
  }
  if (err instanceof AggregateError) out.errors = err.errors.slice(0, 5).map(errorForLog);
  return out;
}

/** Probot logs each webhook it receives at debug level with its payload: keep the delivery id and event name only. */
function eventForLog(event: unknown): unknown {
  if (typeof event !== "object" || event === null) return event;
  const { id, name } = event as { id?: unknown; name?: unknown };
  return { id, name };
}

/**
 * The server's logger: one JSON object per line on stdout, ISO time, level as a word. Every line about a webhook
 * carries `delivery`, `event` and `repo`; every line about a migration carries `repo` and `issue`.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: "handover" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    serializers: {
      err: errorForLog,
      error: errorForLog,
      event: eventForLog,
      req: stdSerializers.req,
      res: stdSerializers.res,
    },
  };
  // Synchronous writes: the last lines before process.exit (the shutdown report) must not be lost in a buffer.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
}
