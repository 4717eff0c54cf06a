import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  APP_BIN,
  type AppProcess,
  CLI_BIN,
  childEnv,
  FakeGitHub,
  freePort,
  json,
  PRIVATE_KEY,
  runToEnd,
  SECRET,
  sendWebhook,
  startApp,
} from "./spawn.js";

const VERSION = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;
const GOOD = { APP_ID: "12", PRIVATE_KEY, WEBHOOK_SECRET: SECRET };

describe("both bins print their version", () => {
  it.each([APP_BIN, CLI_BIN])("%s --version", async (bin) => {
    expect(await runToEnd(bin, ["--version"], childEnv({}))).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
  });
});

describe("handover-app refuses bad configuration with one line and exit 2", () => {
  it.each([
    [
      { ...GOOD, PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END RSA PRIVATE KEY-----" },
      "PRIVATE_KEY is not a PEM private key (download one from the App's settings page, Private keys)",
    ],
    [
      { ...GOOD, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: "/nonexistent/key.pem" },
      'PRIVATE_KEY_PATH "/nonexistent/key.pem" cannot be read (ENOENT)',
    ],
    [{ ...GOOD, WEBHOOK_SECRET: "development" }, 'WEBHOOK_SECRET "development" is Probot\'s default, not a secret'],
    [{ ...GOOD, PORT: "abc" }, 'PORT "abc" is not a whole number from 1 to 65535'],
    [{ ...GOOD, PORT: "70000" }, 'PORT "70000" is not a whole number from 1 to 65535'],
    [
      { ...GOOD, LOG_LEVEL: "verbose" },
      'LOG_LEVEL "verbose" is not one of trace, debug, info, warn, error, fatal, silent',
    ],
    [
      { ...GOOD, HOST: "0.0.0.0:3000" },
      'HOST "0.0.0.0:3000" is not a host name or IP address (0.0.0.0 listens on all)',
    ],
  ])("%# %j", async (env, line) => {
    expect(await runToEnd(APP_BIN, [], childEnv(env))).toEqual({
      code: 2,
      stdout: "",
      stderr: `handover-app: ${line}\n`,
    });
  });

  it("names every missing credential and never starts Probot's setup mode", async () => {
    expect(await runToEnd(APP_BIN, [], childEnv({ NODE_ENV: "development" }))).toEqual({
      code: 2,
      stdout: "",
      stderr: [
        "handover-app: APP_ID is not set: the GitHub App's numeric id (its settings page shows it)",
        "handover-app: PRIVATE_KEY (or PRIVATE_KEY_PATH) is not set: the App's private key, PEM or base64 of it",
        'handover-app: WEBHOOK_SECRET is not set: Handover refuses to start without it (Probot would accept "development")',
        "",
      ].join("\n"),
    });
  });

  it("an unknown argument", async () => {
    expect(await runToEnd(APP_BIN, ["--port", "3000"], childEnv(GOOD))).toEqual({
      code: 2,
      stdout: "",
      stderr: 'handover-app: unknown argument "--port"; try handover-app --help\n',
    });
  });

  it("a port in use", async () => {
    const port = await freePort();
    const taken = createServer();
    await new Promise<void>((ready) => taken.listen(port, "127.0.0.1", ready));
    try {
      const result = await runToEnd(APP_BIN, [], childEnv({ ...GOOD, HOST: "127.0.0.1", PORT: String(port) }));
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `handover-app: cannot listen on 127.0.0.1:${port}: the port is already in use (set PORT)\n`,
      );
    } finally {
      await new Promise((closed) => taken.close(closed));
    }
  });
});

describe("a started handover-app", () => {
  const github = new FakeGitHub();
  let app: AppProcess | undefined;
  beforeAll(async () => {
    await github.start();
    return () => github.stop();
  });
  afterEach(() => app?.kill());

  it("answers /healthz, /readyz and /metrics, logs probes at debug, and stops on SIGTERM", async () => {
    app = await startApp(github);
    expect(await (await fetch(`${app.url}/healthz`)).text()).toBe("ok\n");
    const ready = await fetch(`${app.url}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([
      200,
      "ready: GitHub accepts the credentials of App handover-e2e\n",
    ]);
    expect(github.requests).toContain("GET /app");
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain('handover_github_requests_total{endpoint="app",method="GET",status="200"} 1');
    expect(metrics).toContain('handover_github_rate_limit_remaining{resource="core"} 4999');
    expect(metrics).toContain("# TYPE process_cpu_seconds_total counter");
    expect(metrics).toContain("# TYPE nodejs_heap_size_used_bytes gauge");
    app.signal("SIGTERM");
    expect(await app.exited).toBe(0);
    const probes = app.lines
      .filter((line) => line.msg === "probe")
      .map(({ level, path, status }) => ({ level, path, status }));
    expect(probes).toEqual([
      { level: "debug", path: "/healthz", status: 200 },
      { level: "debug", path: "/readyz", status: 200 },
      { level: "debug", path: "/metrics", status: 200 },
    ]);
    expect(app.lines.at(-1)).toMatchObject({
      level: "info",
      signal: "SIGTERM",
      webhooksFinished: 0,
      msg: "stopped cleanly: 0 webhook(s) and 0 reconcile(s) in flight finished; nothing is left for the resync",
    });
  });

  it("/readyz is 503 while GitHub refuses the App's credentials", async () => {
    const answer = github.routes.get("GET /app");
    github.routes.set("GET /app", (_req, res) => json(res, 401, { message: "A JSON web token could not be decoded" }));
    try {
      app = await startApp(github);
      const ready = await fetch(`${app.url}/readyz`);
      expect([ready.status, await ready.text()]).toEqual([
        503,
        "not ready: GitHub did not accept the App's credentials (HTTP 401)\n",
      ]);
    } finally {
      if (answer) github.routes.set("GET /app", answer);
    }
  });

  it("logs a bad signature once, at warn, without the payload, and answers 401", async () => {
    app = await startApp(github);
    const payload = {
      action: "opened",
      issue: { number: 7, body: "SECRET BODY TEXT" },
      repository: { full_name: "o/r" },
    };
    const response = await sendWebhook(app.url, "issues", "delivery-1", payload, "not-the-secret-at-all");
    expect(response.status).toBe(401);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain('handover_webhook_deliveries_total{event="issues",outcome="bad_signature"} 1');
    app.signal("SIGTERM");
    await app.exited;
    const about = app.lines.filter((line) => JSON.stringify(line).includes("delivery-1"));
    expect(about).toEqual([
      expect.objectContaining({
        level: "warn",
        delivery: "delivery-1",
        event: "issues",
        status: 401,
        msg: "webhook signature does not match WEBHOOK_SECRET (check the secret in the App's settings)",
      }),
    ]);
    expect(app.lines.map((line) => JSON.stringify(line)).join("\n")).not.toContain("SECRET BODY TEXT");
  });
});
