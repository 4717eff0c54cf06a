import { createHmac } from "node:crypto";
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import type { SimClock } from "./model.js";

/** Probabilities applied to each delivery, drawn from `rng` so a seed replays exactly. */
export interface ChaosSettings {
  rng: () => number;
  duplicate: number;
  reorder: number;
  drop: number;
}

export interface QueuedEvent {
  id: string;
  event: string;
  action: string | undefined;
  body: string;
  /** a chaos duplicate: same delivery id and body, as a GitHub redelivery */
  redelivery: boolean;
}

export interface DeliveryRecord {
  id: string;
  event: string;
  action: string | undefined;
  /** HTTP status of the App's answer; 0 when the request failed; "dropped" when chaos lost it */
  status: number | "dropped";
  redelivery: boolean;
  at: number;
  /** Wall milliseconds until the App answered (what GitHub's 10 s delivery timeout measures); 0 when dropped. */
  ackMs: number;
}

/** A small deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A version-4 UUID from a random source. */
export function uuidFrom(rng: () => number): string {
  let out = "";
  for (let i = 0; i < 16; i++) {
    let byte = Math.floor(rng() * 256);
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    if (i === 8) byte = (byte & 0x3f) | 0x80;
    if (i === 4 || i === 6 || i === 8 || i === 10) out += "-";
    out += HEX[byte];
  }
  return out;
}

/** Each byte's two hex digits. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

export function signature256(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * Webhooks wait in a queue until the caller delivers them, one at a time, each awaited:
 * the test or rehearsal decides when the App hears about a change, and chaos decides how.
 */
export class WebhookQueue {
  private readonly queue: QueuedEvent[] = [];
  readonly deliveries: DeliveryRecord[] = [];
  target: string | undefined;
  chaos: ChaosSettings | undefined;

  constructor(
    private readonly secret: string,
    private readonly appId: number,
    private readonly clock: SimClock,
    private readonly newId: () => string,
  ) {}

  enqueue(event: string, payload: Record<string, unknown>): void {
    const action = typeof payload.action === "string" ? payload.action : undefined;
    this.queue.push({ id: this.newId(), event, action, body: JSON.stringify(payload), redelivery: false });
  }

  pending(): number {
    return this.queue.length;
  }

  /** Events still queued, oldest first (for inspection). */
  peek(): readonly QueuedEvent[] {
    return this.queue;
  }

  discard(): number {
    return this.queue.splice(0).length;
  }

  /** Delivers (or, under chaos, drops) one event; false when nothing was queued. */
  async deliverNext(): Promise<boolean> {
    if (this.queue.length === 0) return false;
    if (!this.target) throw new Error("GitHubSim: no webhook target; call setWebhookTarget(url) first");
    const chaos = this.chaos;
    let index = 0;
    if (chaos && this.queue.length > 1 && chaos.rng() < chaos.reorder)
      index = 1 + Math.floor(chaos.rng() * (this.queue.length - 1));
    const [item] = this.queue.splice(index, 1) as [QueuedEvent];
    if (chaos && chaos.rng() < chaos.drop) {
      this.record(item, "dropped", 0);
      return true;
    }
    if (chaos && !item.redelivery && chaos.rng() < chaos.duplicate) {
      this.queue.splice(Math.floor(chaos.rng() * (this.queue.length + 1)), 0, { ...item, redelivery: true });
    }
    const sent = performance.now();
    const status = await this.post(this.target, item);
    this.record(item, status, performance.now() - sent);
    return true;
  }

  /** Delivers until the queue is empty (events the App causes meanwhile included); returns how many were handled. */
  async deliverAll(limit = 100_000): Promise<number> {
    let handled = 0;
    while (handled < limit && (await this.deliverNext())) handled++;
    return handled;
  }

  /** Connections to the App kept open between deliveries, as GitHub's hookshot keeps them. */
  private readonly agent = new Agent({ keepAlive: true });

  /**
   * POSTs one delivery; the App's HTTP status once its answer is read, 0 when the request failed. Node's HTTP client,
   * not fetch: the App runs in the same process in tests and the bench, and fetch's streams cost it CPU time.
   */
  private post(target: string, item: QueuedEvent): Promise<number> {
    return new Promise((resolve) => {
      const body = Buffer.from(item.body, "utf8");
      const sent = request(
        target,
        {
          method: "POST",
          agent: this.agent,
          headers: {
            "content-type": "application/json",
            "content-length": String(body.length),
            "user-agent": "GitHub-Hookshot/sim",
            "x-github-event": item.event,
            "x-github-delivery": item.id,
            "x-hub-signature-256": signature256(this.secret, item.body),
            "x-github-hook-installation-target-type": "integration",
            "x-github-hook-installation-target-id": String(this.appId),
          },
        },
        (answer) => {
          answer.resume();
          answer.once("end", () => resolve(answer.statusCode ?? 0));
          answer.once("error", () => resolve(0));
        },
      );
      sent.once("error", () => resolve(0));
      sent.end(body);
    });
  }

  /** Closes the connections kept open to the App. */
  close(): void {
    this.agent.destroy();
  }

  private record(item: QueuedEvent, status: number | "dropped", ackMs: number): void {
    this.deliveries.push({
      id: item.id,
      event: item.event,
      action: item.action,
      status,
      redelivery: item.redelivery,
      at: this.clock.now(),
      ackMs,
    });
  }
}
