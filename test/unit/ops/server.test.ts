import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readServerConfig } from "../../../src/server/config.js";

const { privateKey: KEY } = generateKeyPairSync("rsa", {
  modulusLength: 1024,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const EC_KEY = generateKeyPairSync("ec", {
  namedCurve: "P-256",
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;
const SECRET = "0123456789abcdef";
const GOOD = { APP_ID: "12", PRIVATE_KEY: KEY, WEBHOOK_SECRET: SECRET };
const files: Record<string, string> = { "/keys/app.pem": KEY, "/keys/ec.pem": EC_KEY, "/keys/junk.pem": "hello" };
const readFile = (path: string): string => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
  return text;
};
const problems = (env: Record<string, string | undefined>): string[] => {
  const read = readServerConfig(env, readFile);
  return "problems" in read ? read.problems : [];
};

describe("the App server's environment", () => {
  it("defaults everything but the credentials", () => {
    expect(readServerConfig(GOOD, readFile)).toEqual({
      config: {
        appId: 12,
        privateKey: KEY.trim(),
        webhookSecret: SECRET,
        host: "localhost",
        port: 3000,
        webhookPath: "/api/github/webhooks",
        logLevel: "info",
        baseUrl: "https://api.github.com",
        shutdownGraceMs: 25_000,
      },
    });
  });

  it("takes every variable it knows", () => {
    const env = {
      APP_ID: "7",
      PRIVATE_KEY_PATH: "/keys/app.pem",
      WEBHOOK_SECRET: SECRET,
      HOST: "0.0.0.0",
      PORT: "8080",
      WEBHOOK_PATH: "/hooks",
      LOG_LEVEL: "debug",
      LOG_FORMAT: "json",
      GHE_HOST: "github.example.com:8443",
      GHE_PROTOCOL: "http",
      RESYNC_SECRET: "fedcba9876543210",
      REDIS_URL: "redis://redis:6379/0",
      SHUTDOWN_GRACE_SECONDS: "50",
      GITHUB_REQUEST_BUDGET: "3000",
      GITHUB_REQUEST_BUDGET_SECONDS: "600",
    };
    expect(readServerConfig(env, readFile)).toEqual({
      config: {
        appId: 7,
        privateKey: KEY.trim(),
        webhookSecret: SECRET,
        host: "0.0.0.0",
        port: 8080,
        webhookPath: "/hooks",
        logLevel: "debug",
        baseUrl: "http://github.example.com:8443/api/v3",
        resyncSecret: "fedcba9876543210",
        redisUrl: "redis://redis:6379/0",
        shutdownGraceMs: 50_000,
        requestBudget: { requests: 3000, perMs: 600_000 },
      },
    });
  });

  it.each([
    ["a PEM with \\n escapes", KEY.replace(/\n/g, "\\n")],
    ["base64 of the PEM", Buffer.from(KEY).toString("base64")],
  ])("reads PRIVATE_KEY as %s", (_name, value) => {
    const read = readServerConfig({ ...GOOD, PRIVATE_KEY: value }, readFile);
    expect("config" in read && read.config.privateKey).toBe(KEY.trim());
  });

  it.each([
    [{ ...GOOD, APP_ID: undefined }, "APP_ID is not set: the GitHub App's numeric id (its settings page shows it)"],
    [{ ...GOOD, APP_ID: "twelve" }, 'APP_ID "twelve" is not a number'],
    [
      { ...GOOD, PRIVATE_KEY: undefined },
      "PRIVATE_KEY (or PRIVATE_KEY_PATH) is not set: the App's private key, PEM or base64 of it",
    ],
    [
      { ...GOOD, PRIVATE_KEY: "garbage" },
      "PRIVATE_KEY is not a PEM private key (download one from the App's settings page, Private keys)",
    ],
    [{ ...GOOD, PRIVATE_KEY: EC_KEY }, "PRIVATE_KEY is a ec key; GitHub Apps use RSA keys"],
    [
      { ...GOOD, PRIVATE_KEY_PATH: "/keys/app.pem" },
      "PRIVATE_KEY and PRIVATE_KEY_PATH are both set: set only one of them",
    ],
    [
      { ...GOOD, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: "/keys/missing.pem" },
      'PRIVATE_KEY_PATH "/keys/missing.pem" cannot be read (ENOENT)',
    ],
    [
      { ...GOOD, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: "/keys/junk.pem" },
      'PRIVATE_KEY_PATH "/keys/junk.pem" is not a PEM private key (download one from the App\'s settings page, Private keys)',
    ],
    [
      { ...GOOD, WEBHOOK_SECRET: "" },
      'WEBHOOK_SECRET is not set: Handover refuses to start without it (Probot would accept "development")',
    ],
    [{ ...GOOD, WEBHOOK_SECRET: "development" }, 'WEBHOOK_SECRET "development" is Probot\'s default, not a secret'],
    [
      { ...GOOD, WEBHOOK_SECRET: "s3cret" },
      "WEBHOOK_SECRET is 6 characters long; use at least 16 random ones (openssl rand -hex 32)",
    ],
    [
      { ...GOOD, RESYNC_SECRET: "short" },
      "RESYNC_SECRET is 5 characters long; use at least 16 random ones (openssl rand -hex 32)",
    ],
    [{ ...GOOD, PORT: "abc" }, 'PORT "abc" is not a whole number from 1 to 65535'],
    [{ ...GOOD, PORT: "70000" }, 'PORT "70000" is not a whole number from 1 to 65535'],
    [{ ...GOOD, PORT: "0" }, 'PORT "0" is not a whole number from 1 to 65535'],
    [
      { ...GOOD, HOST: "http://0.0.0.0" },
      'HOST "http://0.0.0.0" is not a host name or IP address (0.0.0.0 listens on all)',
    ],
    [
      { ...GOOD, LOG_LEVEL: "verbose" },
      'LOG_LEVEL "verbose" is not one of trace, debug, info, warn, error, fatal, silent',
    ],
    [
      { ...GOOD, LOG_FORMAT: "pretty" },
      'LOG_FORMAT "pretty" is not supported: Handover logs JSON lines (pipe them to npx pino-pretty to read them)',
    ],
    [
      { ...GOOD, GHE_HOST: "https://github.example.com" },
      'GHE_HOST "https://github.example.com" is not a host name (e.g. github.example.com, no https://)',
    ],
    [{ ...GOOD, GHE_HOST: "github.example.com", GHE_PROTOCOL: "ftp" }, 'GHE_PROTOCOL "ftp" is not one of https, http'],
    [{ ...GOOD, WEBHOOK_PATH: "hooks" }, 'WEBHOOK_PATH "hooks" is not a URL path starting with /'],
    [{ ...GOOD, REDIS_URL: "localhost:6379" }, 'REDIS_URL "localhost:6379" is not a redis:// or rediss:// URL'],
    [{ ...GOOD, GITHUB_REQUEST_BUDGET: "0" }, 'GITHUB_REQUEST_BUDGET "0" is not a whole number from 1 to 1000000'],
    [{ ...GOOD, SHUTDOWN_GRACE_SECONDS: "-1" }, 'SHUTDOWN_GRACE_SECONDS "-1" is not a whole number from 1 to 3600'],
  ])("%j is refused with one line", (env, line) => {
    expect(problems(env)).toEqual([line]);
  });

  it("lists every problem at once", () => {
    expect(problems({ PORT: "x" })).toEqual([
      "APP_ID is not set: the GitHub App's numeric id (its settings page shows it)",
      "PRIVATE_KEY (or PRIVATE_KEY_PATH) is not set: the App's private key, PEM or base64 of it",
      'WEBHOOK_SECRET is not set: Handover refuses to start without it (Probot would accept "development")',
      'PORT "x" is not a whole number from 1 to 65535',
    ]);
  });
});
