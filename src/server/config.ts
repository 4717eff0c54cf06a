import { createPrivateKey } from "node:crypto";
import { isIP } from "node:net";

/** Everything the App server reads from its environment, checked. */
export interface ServerConfig {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  host: string;
  port: number;
  webhookPath: string;
  logLevel: LogLevel;
  /** GitHub's REST base URL: api.github.com, or `<GHE_PROTOCOL>://<GHE_HOST>/api/v3`. */
  baseUrl: string;
  /** Bearer token of `POST /handover/resync`; the route is off without it. */
  resyncSecret?: string;
  /** Replicas share GitHub's rate-limit budget and per-issue leases through this Redis. */
  redisUrl?: string;
  /** How long SIGTERM waits for in-flight work before exiting anyway. */
  shutdownGraceMs: number;
  /** At most this many GitHub requests per window, across the replicas sharing REDIS_URL (this process without). */
  requestBudget?: { requests: number; perMs: number };
}

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** GitHub's advice is a random string with high entropy; 16 characters is the least Handover takes. */
export const MIN_SECRET_LENGTH = 16;

export type ReadFile = (path: string) => string;

type Checked<T> = { value: T } | { problem: string };

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const quote = (value: string): string => JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);

function isHost(value: string): boolean {
  return HOSTNAME.test(value) || isIP(value.replace(/^\[(.*)\]$/, "$1")) !== 0;
}

/** A PEM as it arrives in an environment: the text itself, with `\n` escapes, or base64 of it. */
function pemOf(raw: string): string {
  const text = raw.trim();
  if (text.includes("-----BEGIN")) return text.replace(/\\n/g, "\n").trim();
  const decoded = Buffer.from(text, "base64").toString("utf8");
  return decoded.includes("-----BEGIN") ? decoded.trim() : text;
}

function keyProblem(pem: string): string | undefined {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === "rsa" ? undefined : `is a ${key.asymmetricKeyType} key; GitHub Apps use RSA keys`;
  } catch {
    return "is not a PEM private key (download one from the App's settings page, Private keys)";
  }
}

function privateKey(env: Record<string, string | undefined>, readFile: ReadFile): Checked<string> {
  if (env.PRIVATE_KEY && env.PRIVATE_KEY_PATH) {
    return { problem: "PRIVATE_KEY and PRIVATE_KEY_PATH are both set: set only one of them" };
  }
  if (env.PRIVATE_KEY) {
    const pem = pemOf(env.PRIVATE_KEY);
    const problem = keyProblem(pem);
    return problem ? { problem: `PRIVATE_KEY ${problem}` } : { value: pem };
  }
  if (env.PRIVATE_KEY_PATH) {
    let text: string;
    try {
      text = readFile(env.PRIVATE_KEY_PATH);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
      return { problem: `PRIVATE_KEY_PATH ${quote(env.PRIVATE_KEY_PATH)} cannot be read (${code})` };
    }
    const pem = pemOf(text);
    const problem = keyProblem(pem);
    return problem ? { problem: `PRIVATE_KEY_PATH ${quote(env.PRIVATE_KEY_PATH)} ${problem}` } : { value: pem };
  }
  return {
    problem: "PRIVATE_KEY (or PRIVATE_KEY_PATH) is not set: the App's private key, PEM or base64 of it",
  };
}

function secret(name: string, value: string | undefined, required: boolean): Checked<string | undefined> {
  if (value === undefined || value === "") {
    return required
      ? { problem: `${name} is not set: Handover refuses to start without it (Probot would accept "development")` }
      : { value: undefined };
  }
  if (value === "development") return { problem: `${name} "development" is Probot's default, not a secret` };
  if (value.length < MIN_SECRET_LENGTH) {
    return {
      problem: `${name} is ${value.length} characters long; use at least ${MIN_SECRET_LENGTH} random ones (openssl rand -hex 32)`,
    };
  }
  return { value };
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): Checked<number> {
  if (raw === undefined || raw === "") return { value: fallback };
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    return { problem: `${name} ${quote(raw)} is not a whole number from ${min} to ${max}` };
  }
  return { value };
}

function oneOf<T extends string>(name: string, raw: string | undefined, values: readonly T[], fallback: T): Checked<T> {
  if (raw === undefined || raw === "") return { value: fallback };
  return (values as readonly string[]).includes(raw)
    ? { value: raw as T }
    : { problem: `${name} ${quote(raw)} is not one of ${values.join(", ")}` };
}

function baseUrl(env: Record<string, string | undefined>): Checked<string> {
  const protocol = oneOf("GHE_PROTOCOL", env.GHE_PROTOCOL, ["https", "http"] as const, "https");
  if ("problem" in protocol) return protocol;
  if (!env.GHE_HOST) return { value: "https://api.github.com" };
  const [host, port, ...rest] = env.GHE_HOST.split(":");
  if (rest.length > 0 || !host || !isHost(host) || (port !== undefined && !/^\d{1,5}$/.test(port))) {
    return { problem: `GHE_HOST ${quote(env.GHE_HOST)} is not a host name (e.g. github.example.com, no https://)` };
  }
  return { value: `${protocol.value}://${env.GHE_HOST}/api/v3` };
}

function redisUrl(raw: string | undefined): Checked<string | undefined> {
  if (raw === undefined || raw === "") return { value: undefined };
  try {
    const url = new URL(raw);
    if (url.protocol === "redis:" || url.protocol === "rediss:") return { value: raw };
  } catch {
    // reported below
  }
  return { problem: `REDIS_URL ${quote(raw)} is not a redis:// or rediss:// URL` };
}

export interface ListenConfig {
  host: string;
  port: number;
  webhookPath: string;
  baseUrl: string;
}

const LISTEN_FALLBACK: ListenConfig = { host: "", port: 0, webhookPath: "", baseUrl: "" };

/** What the server and `handover-app setup` share: where to listen, the webhook path, which GitHub. */
export function readListenConfig(
  env: Record<string, string | undefined>,
): { config: ListenConfig } | { problems: string[] } {
  const problems: string[] = [];
  const host = env.HOST === undefined || env.HOST === "" ? "localhost" : env.HOST;
  if (!isHost(host)) problems.push(`HOST ${quote(host)} is not a host name or IP address (0.0.0.0 listens on all)`);
  const port = integer("PORT", env.PORT, 3000, 1, 65535);
  if ("problem" in port) problems.push(port.problem);
  const webhookPath = env.WEBHOOK_PATH || "/api/github/webhooks";
  if (!/^\/[A-Za-z0-9/_.-]*$/.test(webhookPath)) {
    problems.push(`WEBHOOK_PATH ${quote(webhookPath)} is not a URL path starting with /`);
  }
  const api = baseUrl(env);
  if ("problem" in api) problems.push(api.problem);
  if (problems.length > 0 || "problem" in port || "problem" in api) return { problems };
  return { config: { host, port: port.value, webhookPath, baseUrl: api.value } };
}

/** The server's configuration, or every problem with the environment, one line each naming the variable. */
export function readServerConfig(
  env: Record<string, string | undefined>,
  readFile: ReadFile,
): { config: ServerConfig } | { problems: string[] } {
  const problems: string[] = [];
  const take = <T>(checked: Checked<T>, fallback: T): T => {
    if ("problem" in checked) {
      problems.push(checked.problem);
      return fallback;
    }
    return checked.value;
  };
  let appId = 0;
  if (!env.APP_ID) problems.push("APP_ID is not set: the GitHub App's numeric id (its settings page shows it)");
  else if (!/^[1-9]\d{0,15}$/.test(env.APP_ID)) problems.push(`APP_ID ${quote(env.APP_ID)} is not a number`);
  else appId = Number(env.APP_ID);
  const key = take(privateKey(env, readFile), "");
  const webhookSecret = take(secret("WEBHOOK_SECRET", env.WEBHOOK_SECRET, true), undefined) ?? "";
  const resyncSecret = take(secret("RESYNC_SECRET", env.RESYNC_SECRET, false), undefined);
  const listen = readListenConfig(env);
  if ("problems" in listen) problems.push(...listen.problems);
  const { host, port, webhookPath, baseUrl: api } = "config" in listen ? listen.config : LISTEN_FALLBACK;
  const logLevel = take(oneOf("LOG_LEVEL", env.LOG_LEVEL, LOG_LEVELS, "info"), "info");
  if (env.LOG_FORMAT && env.LOG_FORMAT !== "json") {
    problems.push(
      `LOG_FORMAT ${quote(env.LOG_FORMAT)} is not supported: Handover logs JSON lines (pipe them to npx pino-pretty to read them)`,
    );
  }
  const redis = take(redisUrl(env.REDIS_URL), undefined);
  const graceSeconds = take(integer("SHUTDOWN_GRACE_SECONDS", env.SHUTDOWN_GRACE_SECONDS, 25, 1, 3600), 0);
  const budget = take(integer("GITHUB_REQUEST_BUDGET", env.GITHUB_REQUEST_BUDGET, 0, 1, 1_000_000), 0);
  const window = take(integer("GITHUB_REQUEST_BUDGET_SECONDS", env.GITHUB_REQUEST_BUDGET_SECONDS, 60, 1, 86_400), 0);
  if (problems.length > 0) return { problems };
  return {
    config: {
      appId,
      privateKey: key,
      webhookSecret,
      host,
      port,
      webhookPath,
      logLevel,
      baseUrl: api,
      ...(resyncSecret ? { resyncSecret } : {}),
      ...(redis ? { redisUrl: redis } : {}),
      shutdownGraceMs: graceSeconds * 1000,
      ...(budget > 0 ? { requestBudget: { requests: budget, perMs: window * 1000 } } : {}),
    },
  };
}
