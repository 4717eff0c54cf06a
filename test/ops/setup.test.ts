import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { APP_BIN, childEnv, FakeGitHub, freePort, json, PRIVATE_KEY, runToEnd } from "./spawn.js";

const APP_YML = parseYaml(readFileSync("app.yml", "utf8")) as Record<string, unknown>;

describe("handover-app setup", () => {
  const github = new FakeGitHub();
  beforeAll(() => github.start());
  afterAll(() => github.stop());

  it("refuses bad flags with one line each and exit 2", async () => {
    expect(await runToEnd(APP_BIN, ["setup", "--org", "a b"], childEnv({ PORT: "x" }))).toEqual({
      code: 2,
      stdout: "",
      stderr: [
        "handover-app setup: --url is required: where GitHub will reach handover-app (https://...)",
        'handover-app setup: --org "a b" is not an organization login',
        'handover-app setup: PORT "x" is not a whole number from 1 to 65535',
        "",
      ].join("\n"),
    });
  });

  it("posts app.yml with the webhook URL to GitHub, exchanges the code and writes .env", async () => {
    github.routes.set("POST /app-manifests/c0de/conversions", (_req, res) =>
      json(res, 201, {
        id: 4321,
        slug: "handover-acme",
        pem: PRIVATE_KEY,
        webhook_secret: "3f1e9c0d5b7a2468ace13579bdf02468",
        html_url: `http://${github.host}/apps/handover-acme`,
        client_id: "Iv1.abc",
        client_secret: "shh",
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), "handover-setup-"));
    writeFileSync(join(dir, ".env"), "LOG_LEVEL=debug\nAPP_ID=1\n");
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [APP_BIN, "setup", "--url", "https://handover.example.com", "--org", "acme"],
      {
        cwd: dir,
        env: childEnv({ PORT: String(port), HOST: "127.0.0.1", GHE_HOST: github.host, GHE_PROTOCOL: "http" }),
      },
    );
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((done) => child.on("close", done));
    while (!stdout.includes("to register the App")) await new Promise((wait) => setTimeout(wait, 50));

    const html = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    const action = /<form action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, "&") ?? "";
    expect(action).toMatch(
      new RegExp(`^http://${github.host}/organizations/acme/settings/apps/new\\?state=[0-9a-f]{32}$`),
    );
    const manifest = JSON.parse(
      (/name="manifest" value="([^"]+)"/.exec(html)?.[1] ?? "")
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&amp;/g, "&"),
    ) as Record<string, unknown>;
    expect(manifest).toEqual({
      ...APP_YML,
      url: "https://handover.example.com",
      hook_attributes: { url: "https://handover.example.com/api/github/webhooks", active: true },
      redirect_url: `http://127.0.0.1:${port}/callback`,
    });

    const state = new URL(action).searchParams.get("state");
    const wrong = await fetch(`http://127.0.0.1:${port}/callback?code=c0de&state=forged`, { redirect: "manual" });
    expect(wrong.status).toBe(400);
    const back = await fetch(`http://127.0.0.1:${port}/callback?code=c0de&state=${state}`, { redirect: "manual" });
    expect([back.status, back.headers.get("location")]).toEqual([
      302,
      `http://${github.host}/apps/handover-acme/installations/new`,
    ]);
    expect(await exited).toBe(0);
    const envText = readFileSync(join(dir, ".env"), "utf8");
    expect(parseEnv(envText)).toEqual({
      LOG_LEVEL: "debug",
      APP_ID: "4321",
      PRIVATE_KEY: PRIVATE_KEY.trim(),
      WEBHOOK_SECRET: "3f1e9c0d5b7a2468ace13579bdf02468",
      GHE_HOST: github.host,
      GITHUB_CLIENT_ID: "Iv1.abc",
      GITHUB_CLIENT_SECRET: "shh",
    });
    expect(statSync(join(dir, ".env")).mode & 0o777).toBe(0o600);
    expect(stdout.split("\n").slice(-3)).toEqual([
      `App handover-acme (id 4321) created; its settings are in ${join(dir, ".env")}`,
      `Install it on the config repository: http://${github.host}/apps/handover-acme/installations/new`,
      "",
    ]);
    expect(github.requests).toContain("POST /app-manifests/c0de/conversions");
  });
});
