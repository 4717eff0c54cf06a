// A real redis-server for the scale-out tests: installed from Debian's packages when missing (CI runs as root on a
// fresh machine), started on a free port with no persistence, stopped after the tests.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { Redis } from "ioredis";
import { freePort } from "./spawn.js";

function has(command: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Why Redis cannot run here, or undefined when redis-server is (now) installed. */
export function ensureRedisServer(): string | undefined {
  if (has("redis-server")) return undefined;
  if (process.getuid?.() !== 0 || !has("apt-get")) return "redis-server is missing and apt-get cannot install it here";
  try {
    execFileSync("sh", ["-c", "apt-get update -qq && apt-get install -y -qq redis-server"], {
      stdio: "ignore",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 300_000,
    });
  } catch (err) {
    return `apt-get install redis-server failed: ${(err as Error).message.split("\n")[0]}`;
  }
  return has("redis-server") ? undefined : "apt-get installed no redis-server";
}

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => 100, maxRetriesPerRequest: null });
  probe.on("error", () => undefined);
  await probe.connect().catch(() => undefined);
  await probe.ping();
  probe.disconnect();
  return {
    url,
    stop: () =>
      new Promise((done) => {
        child.once("close", () => done());
        child.kill("SIGTERM");
      }),
  };
}
