import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { ApplicationFunctionOptions } from "probot";
import { Counter, type Registry } from "prom-client";

/** A route beside the webhook (what Probot's `addHandler` takes): true when it answered. */
export type Route = ApplicationFunctionOptions["addHandler"] extends (handler: infer H) => unknown ? H : never;

export interface Delivery {
  id: string;
  name: string;
  payload: unknown;
}

export interface Readiness {
  ok: boolean;
  /** One line: why not ready, or since when GitHub answered. */
  reason: string;
}

export interface HttpDeps {
  log: Logger;
  secret: string;
  webhookPath: string;
  registry: Registry;
  /** Hands a verified delivery to the App; resolves when its handlers are done. */
  receive(delivery: Delivery, log: Logger): Promise<void>;
  /** The App's own routes (`/healthz`, `/metrics`, `/handover/resync`). */
  routes: Route[];
  /** Whether GitHub answered the App's credentials recently. */
  ready(): Promise<Readiness>;
}

/** GitHub caps webhook payloads at 25 MB. */
const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;
/** GitHub gives up on a delivery after 10 s; answer 202 before that and keep working. */
const ANSWER_WITHIN_MS = 9_000;
const PROBES = new Set(["/healthz", "/readyz", "/metrics"]);

class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PAYLOAD_BYTES) {
        reject(new BadRequest(413, "payload larger than GitHub's 25 MB"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function signatureMatches(secret: string, body: Buffer, signature: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The fields every log line about a delivery carries: repository and issue or PR number, when the payload has them. */
export function deliveryFields(payload: unknown): { repo?: string; issue?: number } {
  const body = payload as {
    repository?: { full_name?: unknown };
    issue?: { number?: unknown };
    pull_request?: { number?: unknown };
    number?: unknown;
  };
  const repo = body?.repository?.full_name;
  const issue = body?.issue?.number ?? body?.pull_request?.number ?? body?.number;
  return {
    ...(typeof repo === "string" ? { repo } : {}),
    ...(typeof issue === "number" ? { issue } : {}),
  };
}

const text = (res: ServerResponse, status: number, body: string): void => {
  if (!res.headersSent) res.writeHead(status, { "content-type": "text/plain" }).end(body);
};

/**
 * The App's HTTP server: GitHub's webhooks (signature checked here, once, without logging the payload), `/readyz`,
 * the App's routes, and 404. Probes are logged at debug level, everything else at info.
 */
export class HandoverHttp {
  readonly server: Server;
  private readonly inflight = new Set<Promise<void>>();
  private readonly deliveries: Counter<"event" | "outcome">;
  private draining = false;
  /** Webhook deliveries finished since draining began. */
  finishedWhileDraining = 0;

  constructor(private readonly deps: HttpDeps) {
    this.deliveries = new Counter({
      name: "handover_webhook_deliveries_total",
      help: "Webhook deliveries, by event and outcome (ok, error, bad_signature, bad_request, draining)",
      labelNames: ["event", "outcome"],
      registers: [deps.registry],
    });
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Listens; rejects with the system error (EADDRINUSE, EACCES, EADDRNOTAVAIL...) when it cannot. */
  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
  }

  /** Stop taking connections and webhooks (503); resolves once every delivery in flight has been handled. */
  async drain(): Promise<void> {
    this.draining = true;
    this.server.close();
    this.server.closeIdleConnections();
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Deliveries being handled right now. */
  get busy(): number {
    return this.inflight.size;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "").split("?")[0] ?? "";
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
      const line = { method: req.method, path, status: res.statusCode, ms };
      if (PROBES.has(path)) this.deps.log.debug(line, "probe");
      else if (path !== this.deps.webhookPath) this.deps.log.info(line, "request");
    });
    try {
      if (path === this.deps.webhookPath && req.method === "POST") return await this.webhook(req, res);
      if (path === "/readyz" && req.method === "GET") return await this.readyz(res);
      for (const route of this.deps.routes) if (await route(req, res)) return;
      text(res, 404, "not found\n");
    } catch (err) {
      this.deps.log.error({ err, method: req.method, path }, "request failed");
      text(res, 500, "internal error\n");
    }
  }

  private async readyz(res: ServerResponse): Promise<void> {
    if (this.draining) return text(res, 503, "not ready: shutting down\n");
    const readiness = await this.deps.ready();
    text(res, readiness.ok ? 200 : 503, `${readiness.ok ? "ready" : "not ready"}: ${readiness.reason}\n`);
  }

  private async webhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return typeof value === "string" && value !== "" ? value : undefined;
    };
    const id = header("x-github-delivery") ?? "none";
    const name = header("x-github-event") ?? "none";
    const log = this.deps.log.child({ delivery: id, event: name });
    const refuse = (status: number, outcome: string, message: string, level: "warn" | "info" = "warn"): void => {
      this.deliveries.inc({ event: name, outcome });
      log[level]({ status }, message);
      text(res, status, `${message}\n`);
    };
    if (this.draining) return refuse(503, "draining", "webhook refused: shutting down (the resync catches up)", "info");
    const signature = header("x-hub-signature-256");
    if (id === "none" || name === "none" || !signature) {
      return refuse(400, "bad_request", "webhook lacks X-GitHub-Delivery, X-GitHub-Event or X-Hub-Signature-256");
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      return refuse(err instanceof BadRequest ? err.status : 400, "bad_request", `webhook body unreadable`);
    }
    if (!signatureMatches(this.deps.secret, body, signature)) {
      return refuse(
        401,
        "bad_signature",
        "webhook signature does not match WEBHOOK_SECRET (check the secret in the App's settings)",
      );
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch {
      return refuse(400, "bad_request", "webhook body is not JSON");
    }
    const scoped = log.child(deliveryFields(payload));
    const work = this.deps.receive({ id, name, payload }, scoped).then(
      () => {
        this.deliveries.inc({ event: name, outcome: "ok" });
        scoped.info("webhook handled");
      },
      (err: unknown) => {
        this.deliveries.inc({ event: name, outcome: "error" });
        scoped.error({ err }, "webhook handler failed; the next event or resync reads GitHub again");
      },
    );
    const tracked = work.finally(() => {
      this.inflight.delete(tracked);
      if (this.draining) this.finishedWhileDraining++;
    });
    this.inflight.add(tracked);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), ANSWER_WITHIN_MS);
    });
    const outcome = await Promise.race([tracked.then(() => "done" as const), late]);
    clearTimeout(timer);
    text(res, outcome === "done" ? 200 : 202, outcome === "done" ? "ok\n" : "accepted, still processing\n");
  }
}
