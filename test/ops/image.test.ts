// No container daemon here: run what the Dockerfile's final stage would run, outside a container. The files the image
// copies are laid out in a fresh folder (production node_modules linked in), its ENV applied, its CMD started and its
// HEALTHCHECK run, then a signed webhook, /readyz, /metrics and SIGTERM.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppProcess, childEnv, FakeGitHub, freePort, PRIVATE_KEY, SECRET, sendWebhook } from "./spawn.js";

interface FinalStage {
  env: Record<string, string>;
  copies: { from?: string; sources: string[] }[];
  user?: string;
  cmd: string[];
  healthcheck: string[];
}

/** The instructions of the Dockerfile's last stage that say what runs and with what. */
function finalStage(dockerfile: string): FinalStage {
  const lines = dockerfile.split("\n").filter((line) => line.trim() && !line.startsWith("#"));
  const last = lines.map((line) => line.startsWith("FROM ")).lastIndexOf(true);
  const stage: FinalStage = { env: {}, copies: [], cmd: [], healthcheck: [] };
  for (const line of lines.slice(last + 1)) {
    const [instruction, ...rest] = line.split(" ");
    const args = rest.join(" ");
    if (instruction === "ENV") {
      for (const pair of args.split(/\s+/)) {
        const [name, value] = pair.split("=");
        if (name && value !== undefined) stage.env[name] = value;
      }
    } else if (instruction === "COPY") {
      const from = /^--from=(\S+)\s+/.exec(args);
      const parts = args.replace(/^--from=\S+\s+/, "").split(/\s+/);
      stage.copies.push({ ...(from?.[1] ? { from: from[1] } : {}), sources: parts.slice(0, -1) });
    } else if (instruction === "USER") stage.user = args;
    else if (instruction === "CMD") stage.cmd = JSON.parse(args) as string[];
    else if (instruction === "HEALTHCHECK") stage.healthcheck = JSON.parse(args.slice(args.indexOf("CMD ") + 4));
  }
  return stage;
}

const stage = finalStage(readFileSync("Dockerfile", "utf8"));

describe("the Dockerfile's runtime stage", () => {
  it("runs as a non-root user on 0.0.0.0 with a health check and the server as its command", () => {
    expect(stage.user).toBe("node");
    expect(stage.env).toEqual({ NODE_ENV: "production", HOST: "0.0.0.0", PORT: "3000" });
    expect(stage.cmd).toEqual(["node", "bin/handover-app.js"]);
    expect(stage.healthcheck[0]).toBe("node");
    expect(readFileSync("Dockerfile", "utf8")).toContain("RUN npm ci --omit=dev --ignore-scripts");
  });
});

describe("the image's CMD, outside a container", () => {
  const github = new FakeGitHub();
  let root = "";
  let app: AppProcess | undefined;
  let env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    await github.start();
    root = mkdtempSync(join(tmpdir(), "handover-image-"));
    for (const copy of stage.copies) {
      // `--from=build /app/lib` is the compiled lib/ of this checkout; the rest comes from the build context.
      for (const source of copy.sources)
        cpSync(resolve(source.replace(/^\/app\//, "")), join(root, source.replace(/^\/app\//, "")), {
          recursive: true,
        });
    }
    symlinkSync(resolve("node_modules"), join(root, "node_modules"));
    const port = await freePort();
    env = childEnv({
      ...stage.env,
      PORT: String(port),
      APP_ID: "4242",
      PRIVATE_KEY: Buffer.from(PRIVATE_KEY).toString("base64"),
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: github.host,
      GHE_PROTOCOL: "http",
    });
    app = new AppProcess(`http://127.0.0.1:${port}`, env, [], { cwd: root, argv: stage.cmd.slice(1) });
    await app.line("handover-app listening");
  });
  afterAll(async () => {
    app?.kill();
    await github.stop();
  });

  it("copies only what the server needs, and the health check passes", () => {
    expect(stage.copies.flatMap((copy) => copy.sources)).toEqual([
      "package.json",
      "package-lock.json",
      "/app/lib",
      "bin",
      "app.yml",
    ]);
    const [command, ...args] = stage.healthcheck;
    expect(command).toBe("node");
    const check = spawnSync(process.execPath, args, { env, cwd: root, timeout: 10_000 });
    expect(check.status).toBe(0);
  });

  it("takes a signed webhook, answers /readyz and /metrics, and stops on SIGTERM", async () => {
    if (!app) throw new Error("not started");
    const ping = { zen: "Keep it logically awesome.", hook_id: 1, repository: { full_name: "acme/config" } };
    const delivered = await sendWebhook(app.url, "ping", "image-1", ping);
    expect([delivered.status, await delivered.text()]).toEqual([200, "ok\n"]);
    const ready = await fetch(`${app.url}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([
      200,
      "ready: GitHub accepts the credentials of App handover-e2e\n",
    ]);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain('handover_webhook_deliveries_total{event="ping",outcome="ok"} 1');
    app.signal("SIGTERM");
    expect(await app.exited).toBe(0);
    expect(app.lines.find((line) => line.msg === "webhook handled")).toMatchObject({
      level: "info",
      delivery: "image-1",
      event: "ping",
      repo: "acme/config",
    });
    expect(app.lines.at(-1)?.msg).toBe(
      "stopped cleanly: 0 webhook(s) and 0 reconcile(s) in flight finished; nothing is left for the resync",
    );
  });
});
