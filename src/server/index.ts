import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";
import type { Logger } from "pino";
import { Probot, type ProbotOctokit } from "probot";
import { collectDefaultMetrics } from "prom-client";
import { handover } from "../app/index.js";
import { appRequest, HandoverOctokit } from "../github/index.js";
import { VERSION } from "../version.js";
import { readListenConfig, readServerConfig, type ServerConfig } from "./config.js";
import { githubRequestMetrics } from "./github-metrics.js";
import { HandoverHttp, type Readiness, type Route } from "./http.js";
import { createLogger } from "./log.js";
import { localBudget, scaleOut } from "./scale.js";
import { runSetup } from "./setup.js";

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** `/readyz` asks GitHub again when its last answer is older than this. */
const READY_FRESH_MS = 60_000;
const READY_TIMEOUT_MS = 5_000;

const USAGE = `Usage: handover-app [--version | --help]
       handover-app setup --url PUBLIC_URL [--org ORG] [--name NAME]

Runs the Handover GitHub App server. Configuration comes from the environment
(APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, HOST, PORT, LOG_LEVEL,
GHE_HOST, RESYNC_SECRET, REDIS_URL, SHUTDOWN_GRACE_SECONDS) and ./.env; see
docs/operations.md.

setup registers the App on GitHub (or GHE_HOST) with GitHub's manifest flow and
writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET to ./.env; PUBLIC_URL is where
GitHub will reach handover-app (webhooks go to PUBLIC_URL/api/github/webhooks).
See docs/install.md.
`;

/** `handover-app setup ...`: flags checked like the environment (one line each, exit 2), then the manifest flow. */
async function setupCommand(args: string[], env: Record<string, string | undefined>, io: Io): Promise<number> {
  const flags: Record<string, string> = {};
  const problems: string[] = [];
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i] ?? "", args[i + 1]];
    if (!["--url", "--org", "--name"].includes(flag)) problems.push(`unknown argument ${JSON.stringify(flag)}`);
    else if (value === undefined || value.startsWith("--")) problems.push(`${flag} needs a value`);
    else flags[flag.slice(2)] = value;
  }
  const publicUrl = flags.url;
  if (publicUrl === undefined) problems.push("--url is required: where GitHub will reach handover-app (https://...)");
  else if (!/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(publicUrl))
    problems.push(`--url ${JSON.stringify(publicUrl)} is not an http(s) URL`);
  if (flags.org !== undefined && !/^[A-Za-z0-9-]{1,39}$/.test(flags.org)) {
    problems.push(`--org ${JSON.stringify(flags.org)} is not an organization login`);
  }
  const listen = readListenConfig(env);
  if ("problems" in listen) problems.push(...listen.problems);
  if (env.NODE_ENV === "production") problems.push("setup is run once on a workstation, not with NODE_ENV=production");
  if (problems.length > 0 || "problems" in listen || publicUrl === undefined) {
    for (const problem of problems) io.err(`handover-app setup: ${problem}\n`);
    return 2;
  }
  const config = listen.config;
  try {
    const flow = await runSetup({
      publicUrl,
      webhookPath: config.webhookPath,
      ...(flags.org ? { org: flags.org } : {}),
      ...(flags.name ? { name: flags.name } : {}),
      githubHost: env.GHE_HOST || "github.com",
      protocol: env.GHE_PROTOCOL === "http" ? "http" : "https",
      host: config.host,
      port: config.port,
      dir: process.cwd(),
      manifestFile: fileURLToPath(new URL("../../app.yml", import.meta.url)),
      log: (line) => io.out(`${line}\n`),
    });
    await flow.done;
    flow.close();
    return 0;
  } catch (err) {
    io.err(`handover-app setup: cannot listen on ${config.host}:${config.port}: ${(err as Error).message}\n`);
    return 2;
  }
}

/** Whether GitHub accepts the App's credentials: `GET /app` with its JWT, cached for a minute. */
function readinessOf(probot: Probot, now: () => number): () => Promise<Readiness> {
  let last: { at: number; readiness: Readiness } | undefined;
  let asking: Promise<Readiness> | undefined;
  const ask = async (): Promise<Readiness> => {
    try {
      const octokit = await probot.auth();
      const timeout = AbortSignal.timeout(READY_TIMEOUT_MS);
      const { data } = await octokit.request("GET /app", { request: { signal: timeout, retries: 0 } });
      return { ok: true, reason: `GitHub accepts the credentials of App ${(data as { slug?: string }).slug ?? "?"}` };
    } catch (err) {
      const status = (err as { status?: number }).status;
      return {
        ok: false,
        reason: `GitHub did not accept the App's credentials (${status ? `HTTP ${status}` : (err as Error).message})`,
      };
    }
  };
  return async () => {
    if (last && now() - last.at < READY_FRESH_MS) return last.readiness;
    asking ??= ask().then((readiness) => {
      last = { at: now(), readiness };
      asking = undefined;
      return readiness;
    });
    return asking;
  };
}

/** The App server, started: stop() drains it (see shutdown in bin/handover-app.js). */
export interface RunningServer {
  http: HandoverHttp;
  log: Logger;
  url: string;
  stop(signal: string): Promise<void>;
}

/** Starts Probot, the Handover App and the HTTP server with a checked configuration. */
export async function serve(config: ServerConfig, log: Logger): Promise<RunningServer> {
  const onRedisError = (err: unknown) => log.warn({ err }, "redis: request failed; going on without it");
  const scale = config.redisUrl ? scaleOut(config.redisUrl, config.requestBudget, onRedisError) : undefined;
  const { app, controls } = handover({
    resyncTimer: true,
    // GitHub sends a merge's webhooks (the PR closed, the push, the first statuses) within about a second.
    gatherMs: 500,
    webhookSecret: config.webhookSecret,
    ...(config.resyncSecret ? { resyncSecret: config.resyncSecret } : {}),
    ...(scale ? { lease: scale.lease } : {}),
  });
  collectDefaultMetrics({ register: controls.metrics });
  type Plugin = Parameters<typeof ProbotOctokit.plugin>[0];
  const plugins = [githubRequestMetrics(controls.metrics) as Plugin];
  // The budget sits under the metrics: a request is counted when it goes out, after waiting its turn.
  if (scale) plugins.push(scale.plugin);
  else if (config.requestBudget) plugins.push(localBudget(config.requestBudget));
  const probot = new Probot({
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.webhookSecret,
    baseUrl: config.baseUrl,
    log,
    // With Redis, plugin-throttling's limiters (Bottleneck) are kept in Redis too: Probot's cluster mode.
    // GitHub requests go out through Node's http/https clients (http-fetch.ts: less CPU per request than fetch's).
    Octokit: HandoverOctokit.plugin(...plugins).defaults((options: Record<string, unknown>) => ({
      ...options,
      request: { ...(options.request as object | undefined), ...appRequest },
      ...(scale ? { throttle: { ...(options.throttle as object), ...scale.throttle } } : {}),
    })),
  });
  const routes: Route[] = [];
  await probot.load(app, { cwd: process.cwd(), addHandler: (handler) => routes.push(handler) });
  const http = new HandoverHttp({
    log,
    secret: config.webhookSecret,
    webhookPath: config.webhookPath,
    registry: controls.metrics,
    receive: (delivery) => probot.receive(delivery as Parameters<Probot["receive"]>[0]),
    routes,
    ready: readinessOf(probot, Date.now),
  });
  await http.listen(config.host, config.port);
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${config.port}`;
  log.info(
    { version: VERSION, url, webhookPath: config.webhookPath, github: config.baseUrl },
    "handover-app listening",
  );
  return {
    http,
    log,
    url,
    async stop(signal) {
      const grace = config.shutdownGraceMs;
      // No timer fires from now on: what they were waiting for is the resync's, on this replica's successor.
      const { armed } = controls.stop();
      const reconciling = controls.running();
      log.info(
        { signal, graceSeconds: grace / 1000, webhooksInFlight: http.busy, reconciling },
        `${signal}: stopping; webhooks are refused from now on, work in flight gets ${grace / 1000}s to finish`,
      );
      let timer: NodeJS.Timeout | undefined;
      const over = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), grace);
      });
      const clean = await Promise.race([
        http
          .drain()
          .then(() => controls.idle())
          .then(() => true as const),
        over,
      ]);
      clearTimeout(timer);
      await scale?.close();
      const left = controls.running();
      const finished = reconciling.filter((issue) => !left.includes(issue));
      const resync = [...new Set([...left, ...armed])].sort();
      const fields = { signal, webhooksFinished: http.finishedWhileDraining, finished, resync };
      const rest = resync.length === 0 ? "nothing is left for the resync" : `the resync re-checks ${resync.join(", ")}`;
      if (clean) {
        log.info(
          fields,
          `stopped cleanly: ${http.finishedWhileDraining} webhook(s) and ${finished.length} reconcile(s) in flight finished; ${rest}`,
        );
      } else {
        log.warn(
          { ...fields, webhooksLeft: http.busy },
          `grace period over: ${http.busy} webhook(s) and ${left.length} reconcile(s) still running are dropped; ${rest}`,
        );
      }
    },
  };
}

/** `handover-app`: check the environment (one line per problem, exit 2), then serve until SIGTERM or SIGINT. */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: Io = processIo,
): Promise<number | "running"> {
  const [command, ...rest] = argv;
  if (command === "--version" || command === "-V") {
    io.out(`${VERSION}\n`);
    return 0;
  }
  if (command === "--help" || command === "-h") {
    io.out(USAGE);
    return 0;
  }
  // `handover-app setup` writes .env; variables set in the environment win over it.
  const dotenv = join(process.cwd(), ".env");
  const fromFile = existsSync(dotenv) ? parseEnv(readFileSync(dotenv, "utf8")) : {};
  if (command === "setup") return setupCommand(rest, { ...fromFile, ...env }, io);
  if (command !== undefined || rest.length > 0) {
    io.err(`handover-app: unknown argument ${JSON.stringify(command)}; try handover-app --help\n`);
    return 2;
  }
  const read = readServerConfig({ ...fromFile, ...env }, (path) => readFileSync(path, "utf8"));
  if ("problems" in read) {
    for (const problem of read.problems) io.err(`handover-app: ${problem}\n`);
    return 2;
  }
  const log = createLogger(read.config.logLevel);
  let running: RunningServer;
  try {
    running = await serve(read.config, log);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${read.config.host}:${read.config.port}`;
    const reasons: Record<string, string> = {
      EADDRINUSE: `cannot listen on ${where}: the port is already in use (set PORT)`,
      EACCES: `cannot listen on ${where}: permission denied (ports below 1024 need privileges; set PORT)`,
      EADDRNOTAVAIL: `cannot listen on ${where}: no such address on this machine (set HOST, e.g. 0.0.0.0)`,
      ENOTFOUND: `cannot listen on ${where}: HOST does not resolve (set HOST, e.g. 0.0.0.0)`,
    };
    const reason = (code && reasons[code]) ?? `cannot start: ${(err as Error).message.split("\n")[0]}`;
    io.err(`handover-app: ${reason}\n`);
    return 2;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, `${signal} again: exiting now without waiting`);
      process.exit(1);
    }
    stopping = true;
    void running.stop(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "stopping failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  return "running";
}
