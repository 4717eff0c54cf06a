// Runs the real bin/handover-app.js (compiled lib/) as a child process, with a fake GitHub API beside it.
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const APP_BIN = resolve("bin/handover-app.js");
export const CLI_BIN = resolve("bin/handover.js");
export const SECRET = "e2e-webhook-secret-0123456789";

export const PRIVATE_KEY = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;

/** The environment of a child: PATH only, so nothing from this machine's environment leaks in. */
export function childEnv(vars: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR };
  for (const [name, value] of Object.entries(vars)) if (value !== undefined) env[name] = value;
  return env;
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a bin to its end (bad configuration, --version) in an empty folder (no .env). */
export function runToEnd(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  const child = spawn(process.execPath, [bin, ...args], { env, cwd: mkdtempSync(join(tmpdir(), "handover-bin-")) });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((done) => child.on("close", (code) => done({ code, stdout, stderr })));
}

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  await new Promise((closed) => server.close(closed));
  return port;
}

type FakeRoute = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A GitHub Enterprise-shaped API on localhost: routes by `METHOD /path` under /api/v3, 404 otherwise. */
export class FakeGitHub {
  readonly requests: string[] = [];
  readonly routes = new Map<string, FakeRoute>();
  private server?: Server;
  host = "";

  constructor() {
    this.routes.set("GET /app", (_req, res) => json(res, 200, { id: 12, slug: "handover-e2e" }));
    this.routes.set("POST /app/installations/1/access_tokens", (_req, res) =>
      json(res, 201, { token: "ghs_e2e", expires_at: "2099-01-01T00:00:00Z" }),
    );
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? "").split("?")[0]?.replace(/^\/api\/v3/, "") ?? "";
      const key = `${req.method} ${path}`;
      this.requests.push(key);
      const route = this.routes.get(key);
      if (route) void route(req, res);
      else json(res, 404, { message: "Not Found" });
    });
    await new Promise<void>((ready) => this.server?.listen(0, "127.0.0.1", ready));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((closed) => this.server?.close(() => closed()));
  }
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { "content-type": "application/json; charset=utf-8", "x-ratelimit-remaining": "4999" })
    .end(JSON.stringify(body));
}

/** A started `handover-app`, its JSON log lines as they come, and how it ended. */
export class AppProcess {
  readonly lines: Record<string, unknown>[] = [];
  stderr = "";
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private waiters: (() => void)[] = [];

  /** `where.argv` replaces `bin/handover-app.js` (run from `where.cwd`), as the image's CMD does. */
  constructor(
    readonly url: string,
    env: NodeJS.ProcessEnv,
    args: string[] = [],
    where: { cwd?: string; argv?: string[] } = {},
  ) {
    this.child = spawn(process.execPath, [...(where.argv ?? [APP_BIN]), ...args], {
      env,
      cwd: where.cwd ?? mkdtempSync(join(tmpdir(), "handover-app-")),
    });
    let buffer = "";
    this.child.stdout?.on("data", (chunk) => {
      buffer += chunk;
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      for (const part of parts) if (part.trim()) this.lines.push(JSON.parse(part) as Record<string, unknown>);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.stderr?.on("data", (chunk) => (this.stderr += chunk));
    this.exited = new Promise((done) =>
      this.child.on("close", (code) => {
        for (const wake of this.waiters.splice(0)) wake();
        done(code);
      }),
    );
  }

  /** Resolves with the first log line whose message is `msg` (waits at most 20 s). */
  async line(msg: string | RegExp): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = this.lines.find((l) => (typeof msg === "string" ? l.msg === msg : msg.test(String(l.msg))));
      if (found) return found;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(
          `no log line ${msg}; got:\n${this.lines.map((l) => JSON.stringify(l)).join("\n")}${this.stderr}`,
        );
      }
      await new Promise<void>((wake) => {
        this.waiters.push(wake);
        setTimeout(wake, 200);
      });
    }
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

/** Starts the App against the fake GitHub and waits until it listens. */
export async function startApp(github: FakeGitHub, vars: Record<string, string> = {}): Promise<AppProcess> {
  const port = await freePort();
  const app = new AppProcess(
    `http://127.0.0.1:${port}`,
    childEnv({
      APP_ID: "12",
      PRIVATE_KEY: PRIVATE_KEY,
      WEBHOOK_SECRET: SECRET,
      HOST: "127.0.0.1",
      PORT: String(port),
      GHE_HOST: github.host,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "debug",
      ...vars,
    }),
  );
  await app.line("handover-app listening");
  return app;
}

/** POSTs a webhook signed with `secret` the way GitHub does. */
export function sendWebhook(
  url: string,
  event: string,
  delivery: string,
  payload: unknown,
  secret = SECRET,
): Promise<Response> {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  return fetch(`${url}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": delivery,
      "x-hub-signature-256": signature,
    },
    body,
  });
}
