import { randomUUID } from "node:crypto";
import Bottleneck from "bottleneck";
import { Redis } from "ioredis";
import type { ProbotOctokit } from "probot";
import type { Lease } from "../app/index.js";

/** At most `requests` GitHub requests per `perMs`, counted across every replica that shares the Redis. */
export interface RequestBudget {
  requests: number;
  perMs: number;
}

/** An Octokit plugin, as Probot's Octokit class takes it. */
export type OctokitPlugin = Parameters<typeof ProbotOctokit.plugin>[0];
type OctokitHooks = Parameters<OctokitPlugin>[0];

/** What REDIS_URL gives the server: a shared rate limit, Probot's throttling in cluster mode, and per-issue leases. */
export interface ScaleOut {
  /** An Octokit plugin: every request waits for the shared budget, when there is one. */
  plugin: OctokitPlugin;
  /** plugin-throttling's options for Bottleneck cluster mode: its limiter groups live in Redis. */
  throttle: { Bottleneck: typeof Bottleneck; connection: Bottleneck.IORedisConnection; id: string };
  lease: Lease;
  close(): Promise<void>;
}

const PREFIX = "handover";
/** A replica that dies holding a lease frees it after this; a live one renews it every third of it. */
export const LEASE_MS = 60_000;
const LEASE_POLL_MS = 50;

const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

/** The lease on Redis: SET NX PX, renewed while the work runs, deleted only by its holder. */
export class RedisLease implements Lease {
  constructor(
    private readonly client: Redis,
    private readonly ttlMs = LEASE_MS,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  async hold<T>(key: string, work: () => Promise<T>): Promise<T> {
    const name = `${PREFIX}:lease:${key}`;
    const token = randomUUID();
    try {
      while ((await this.client.set(name, token, "PX", this.ttlMs, "NX")) !== "OK") {
        await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS));
      }
    } catch (err) {
      // Redis is away: work without the lease. Two replicas on one issue cost requests, never correctness.
      this.onError(err);
      return work();
    }
    const renew = setInterval(
      () => void this.client.eval(RENEW, 1, name, token, this.ttlMs).catch(this.onError),
      Math.floor(this.ttlMs / 3),
    );
    renew.unref();
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await this.client.eval(RELEASE, 1, name, token).catch(this.onError);
    }
  }
}

/** The budget's limiter: in Redis when replicas share it, else in this process. */
function budgetLimiter(budget: RequestBudget, connection?: Bottleneck.IORedisConnection): Bottleneck {
  return new Bottleneck({
    reservoir: budget.requests,
    reservoirRefreshAmount: budget.requests,
    reservoirRefreshInterval: budget.perMs,
    // In cluster mode a waiting request re-checks the shared reservoir on this heartbeat (Bottleneck's default: 5 s).
    ...(connection ? { id: `${PREFIX}-github-budget`, datastore: "ioredis", connection, heartbeatInterval: 250 } : {}),
  });
}

/** An Octokit plugin: every request waits for the budget. */
function budgetPlugin(limiter: Bottleneck | undefined): OctokitPlugin {
  return (octokit: OctokitHooks) => {
    if (limiter) octokit.hook.wrap("request", (request, options) => limiter.schedule(async () => request(options)));
  };
}

/** A budget for one process (no REDIS_URL): the same cap, counted by this replica alone. */
export function localBudget(budget: RequestBudget): OctokitPlugin {
  return budgetPlugin(budgetLimiter(budget));
}

/** Connects to Redis and builds the shared limits; `budget` caps GitHub requests across replicas. */
export function scaleOut(url: string, budget: RequestBudget | undefined, onError: (err: unknown) => void): ScaleOut {
  const client = new Redis(url, { maxRetriesPerRequest: 3 });
  client.on("error", onError);
  const connection = new Bottleneck.IORedisConnection({ client });
  connection.on("error", onError);
  const limiter = budget ? budgetLimiter(budget, connection) : undefined;
  limiter?.on("error", onError);
  return {
    plugin: budgetPlugin(limiter),
    throttle: { Bottleneck, connection, id: `${PREFIX}-octokit` },
    lease: new RedisLease(client, LEASE_MS, onError),
    async close() {
      // QUIT, not a dropped connection: commands still on the wire (the budget's heartbeat) get their answers instead
      // of a "Connection is closed" rejection nobody awaits. The connection quits the client and its subscriber.
      try {
        // (a limiter on a connection it was given answers undefined, not a promise)
        await limiter?.disconnect(true);
        await connection.disconnect(true);
      } catch (err) {
        onError(err);
      }
      if (client.status !== "end") client.disconnect();
    },
  };
}
