import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handover } from "../../../src/app/index.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

async function serve(resyncSecret?: string): Promise<{ url: string; server: Server }> {
  const probot = new Probot({
    appId: 1,
    privateKey,
    secret: "webhook-secret",
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
      ...o,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
  const { app } = handover({
    botLogin: "handover[bot]",
    webhookSecret: "webhook-secret",
    ...(resyncSecret ? { resyncSecret } : {}),
  });
  const middleware = await createNodeMiddleware(app, { probot });
  const server = createServer((req, res) => void middleware(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let running: Server | undefined;
beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterEach(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  if (running) await new Promise((resolve) => running?.close(resolve));
  running = undefined;
});

describe("the App's own HTTP routes", () => {
  it("GET /healthz answers ok", async () => {
    const { url, server } = await serve();
    running = server;
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok\n");
  });

  it("GET /metrics is Prometheus text with Handover's counters", async () => {
    const { url, server } = await serve();
    running = server;
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    for (const name of [
      "handover_reconciles_total",
      "handover_events_total",
      "handover_guard_runs_total",
      "handover_reconcile_seconds",
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it("POST /handover/resync is disabled without RESYNC_SECRET", async () => {
    const { url, server } = await serve();
    running = server;
    const response = await fetch(`${url}/handover/resync`, { method: "POST" });
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("resync endpoint disabled: set RESYNC_SECRET\n");
  });

  it.each([undefined, "Bearer wrong", "s3cret"])(
    "POST /handover/resync refuses the authorization %s",
    async (authorization) => {
      const { url, server } = await serve("s3cret");
      running = server;
      const response = await fetch(`${url}/handover/resync`, {
        method: "POST",
        headers: authorization ? { authorization } : {},
      });
      expect(response.status).toBe(401);
      expect(await response.text()).toBe("bad or missing bearer token\n");
    },
  );

  it("POST /handover/resync with the bearer token starts a resync (202)", async () => {
    const { url, server } = await serve("s3cret");
    running = server;
    const scope = nock("https://api.github.com").get("/app/installations").query(true).reply(200, []);
    const response = await fetch(`${url}/handover/resync`, {
      method: "POST",
      headers: { authorization: "Bearer s3cret" },
    });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("resync started\n");
    // The resync runs after the 202; wait (bounded) until it has listed the installations.
    for (let i = 0; i < 100 && !scope.isDone(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(scope.isDone()).toBe(true);
  });
});
