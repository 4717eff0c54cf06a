import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisLease, scaleOut } from "../../src/server/scale.js";
import { ensureRedisServer, type RedisServer, startRedisServer } from "./redis.js";

const missing = ensureRedisServer();
if (missing) console.warn(`NOTICE: scale-out tests skipped: ${missing}`);

const until = async (done: () => boolean): Promise<void> => {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((wait) => setTimeout(wait, 25));
};

describe.skipIf(missing !== undefined)("REDIS_URL: what replicas share", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.stop());

  it("two replicas together never go past the request budget", async () => {
    const replicas = [0, 1].map(() => scaleOut(redis.url, { requests: 10, perMs: 600_000 }, () => undefined));
    const done: string[] = [];
    replicas.forEach((replica, r) => {
      // A stand-in Octokit: the plugin wraps its request hook exactly as it wraps a real one.
      type Wrapper = (request: (options: { n: number }) => Promise<unknown>, options: { n: number }) => unknown;
      let wrapped: (options: { n: number }) => unknown = () => undefined;
      const standIn = {
        hook: {
          wrap: (_name: "request", wrapper: Wrapper) => {
            wrapped = (options) => wrapper(async (o) => done.push(`${r}:${o.n}`), options);
          },
        },
      };
      (replica.plugin as unknown as (octokit: typeof standIn) => void)(standIn);
      for (let n = 0; n < 15; n++) void Promise.resolve(wrapped({ n })).catch(() => undefined);
    });
    await until(() => done.length >= 10);
    await new Promise((wait) => setTimeout(wait, 500)); // would a replica with its own budget go on?
    expect(done.length).toBe(10);
    expect(new Set(done.map((d) => d[0]))).toEqual(new Set(["0", "1"]));
    await Promise.all(replicas.map((replica) => replica.close()));
  });

  it("a lease lets one replica at a time work on an issue; the other waits its turn", async () => {
    const clients = [new Redis(redis.url), new Redis(redis.url)];
    const [a, b] = clients.map((client) => new RedisLease(client));
    const order: string[] = [];
    let release: () => void = () => undefined;
    const first = a!.hold("acme/config#7", async () => {
      order.push("a starts");
      await new Promise<void>((resolve) => (release = resolve));
      order.push("a ends");
    });
    await until(() => order.length === 1);
    const second = b!.hold("acme/config#7", async () => order.push("b starts"));
    const other = b!.hold("acme/config#8", async () => order.push("b works on #8 meanwhile"));
    await other;
    await new Promise((wait) => setTimeout(wait, 300));
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["a starts", "b works on #8 meanwhile", "a ends", "b starts"]);
    expect(await clients[0]!.exists("handover:lease:acme/config#7")).toBe(0);
    for (const client of clients) client.disconnect();
  });

  it("a lease whose holder died expires, and the waiter goes on", async () => {
    const client = new Redis(redis.url);
    await client.set("handover:lease:acme/config#9", "a replica that crashed", "PX", 400);
    const lease = new RedisLease(client);
    const ran = await lease.hold("acme/config#9", async () => "ran");
    expect(ran).toBe("ran");
    client.disconnect();
  });
});
