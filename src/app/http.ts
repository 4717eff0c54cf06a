import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";

export interface RouteDeps {
  metrics: Registry;
  /** Shared secret for `POST /handover/resync`; without it the route answers 404. */
  resyncSecret?: string;
  /** Starts a resync; the route answers 202 without waiting for it. */
  resync(): void;
}

/** The App's own routes beside Probot's webhook route: `GET /healthz`, `GET /metrics`, `POST /handover/resync`. */
export function appRoutes(deps: RouteDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method === "GET" && path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return true;
    }
    if (req.method === "GET" && path === "/metrics") {
      void deps.metrics
        .metrics()
        .then((text) => res.writeHead(200, { "content-type": deps.metrics.contentType }).end(text));
      return true;
    }
    if (req.method === "POST" && path === "/handover/resync") {
      if (!deps.resyncSecret) {
        res.writeHead(404, { "content-type": "text/plain" }).end("resync endpoint disabled: set RESYNC_SECRET\n");
        return true;
      }
      if (req.headers.authorization !== `Bearer ${deps.resyncSecret}`) {
        res.writeHead(401, { "content-type": "text/plain" }).end("bad or missing bearer token\n");
        return true;
      }
      deps.resync();
      res.writeHead(202, { "content-type": "text/plain" }).end("resync started\n");
      return true;
    }
    return false;
  };
}
