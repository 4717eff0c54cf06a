import { describe, expect, it } from "vitest";
import { environmentProblems } from "../../../src/server.js";

const KEY = "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----";

describe("npm start refuses a missing secret instead of defaulting it", () => {
  it.each([
    [{ APP_ID: "12", PRIVATE_KEY: KEY, WEBHOOK_SECRET: "s3cret" }, []],
    [{ APP_ID: "12", PRIVATE_KEY_PATH: "key.pem", WEBHOOK_SECRET: "s3cret" }, []],
    [
      { APP_ID: "12", PRIVATE_KEY: KEY },
      [
        'WEBHOOK_SECRET is not set: Handover refuses to start without it (Probot would silently accept the secret "development")',
      ],
    ],
    [
      { APP_ID: "12", PRIVATE_KEY: KEY, WEBHOOK_SECRET: "" },
      [
        'WEBHOOK_SECRET is not set: Handover refuses to start without it (Probot would silently accept the secret "development")',
      ],
    ],
    [{ APP_ID: "twelve", PRIVATE_KEY: KEY, WEBHOOK_SECRET: "s" }, ['APP_ID "twelve" is not a number']],
    [
      {},
      [
        "APP_ID is not set: the GitHub App's numeric id (its settings page shows it)",
        "PRIVATE_KEY (or PRIVATE_KEY_PATH) is not set: the App's private key, PEM or base64 of it",
        'WEBHOOK_SECRET is not set: Handover refuses to start without it (Probot would silently accept the secret "development")',
      ],
    ],
  ])("%j -> %j", (env, expected) => {
    expect(environmentProblems(env)).toEqual(expected);
  });
});
