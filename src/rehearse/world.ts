import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, Probot, type ProbotOctokit } from "probot";
import { handover, type HandoverControls, type Lease } from "../app/index.js";
import { appRequest, HandoverOctokit, type HttpProbe } from "../github/index.js";
import { GitHubSim, seededRandom, type RepoSettings } from "../sim/index.js";
import { inProcessRequest } from "./in-process.js";

export const OWNER = "acme";
export const REPO = "replicante-config";
export const BOT = "handover[bot]";

/** A simulated clock: rehearsals move it forward by hand, so hours of soak run in seconds. */
export class SimulatedClock {
  constructor(public current: number) {}
  now = (): number => this.current;
}

type OctokitPlugin = Parameters<typeof ProbotOctokit.plugin>[0];

/** How the App's requests reach the simulator (`startWorld`). */
export type Transport = "http" | "in-process";

/** What one replica gets besides the defaults: Octokit plugins (e.g. a shared request budget) and a per-issue lease. */
export interface ReplicaSetup {
  plugins?: OctokitPlugin[];
  lease?: Lease;
}

export interface World {
  sim: GitHubSim;
  /** The simulator's REST root (also served under /api/v3, as GitHub Enterprise Server does). */
  baseUrl: string;
  replicas: HandoverControls[];
  stop(): Promise<void>;
  /** The webhook secret the App replicas share (it keys the dashboard state's signature). */
  webhookSecret: string;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** Forward each webhook to one replica, chosen by the seeded RNG (several App processes behind one URL). */
function dispatcher(ports: number[], rng: () => number): Server {
  return createServer((req, res) => {
    const port = ports[Math.floor(rng() * ports.length)] ?? ports[0];
    const upstream = request(
      { host: "127.0.0.1", port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
}

/** The simulator loaded with a repo, and N real App processes (Probot, real Octokit, signed webhooks) on loopback. */
export async function startWorld(options: {
  clock: SimulatedClock;
  files: Map<string, string>;
  replicas: number;
  probe: HttpProbe;
  seed: number;
  settings?: Partial<RepoSettings>;
  replica?: (index: number) => ReplicaSetup;
  /**
   * How the App's requests reach the simulator: over loopback HTTP (the default: the App's own HTTP client, as in
   * production), or answered in the same process without sockets (in-process.ts: the bench's reconcile figures).
   * Webhooks come over HTTP either way.
   */
  transport?: Transport;
}): Promise<World> {
  const secret = randomBytes(16).toString("hex");
  const sim = new GitHubSim({
    clock: options.clock,
    owner: OWNER,
    repo: REPO,
    webhookSecret: secret,
    botLogin: BOT,
    seed: options.seed,
    ...(options.settings ? { settings: options.settings } : {}),
  });
  const baseUrl = await sim.start();
  sim.seedTree(options.files, "Config repo as it is today");
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const request = options.transport === "in-process" ? inProcessRequest(sim, baseUrl) : appRequest;
  const servers: Server[] = [];
  const replicas: HandoverControls[] = [];
  const ports: number[] = [];
  for (let i = 0; i < options.replicas; i++) {
    const setup = options.replica?.(i) ?? {};
    const probot = new Probot({
      appId: 1,
      privateKey,
      secret,
      baseUrl,
      logLevel: "fatal",
      Octokit: HandoverOctokit.plugin(...(setup.plugins ?? [])).defaults((opts: Record<string, unknown>) => ({
        ...opts,
        retry: { enabled: false },
        throttle: { enabled: false },
        request: { ...(opts.request as object | undefined), ...request },
      })),
    });
    const { app, controls } = handover({
      now: options.clock.now,
      probe: options.probe,
      botLogin: BOT,
      webhookSecret: secret,
      ...(setup.lease ? { lease: setup.lease } : {}),
    });
    const middleware = await createNodeMiddleware(app, { probot });
    const server = createServer((req, res) => void middleware(req, res));
    servers.push(server);
    ports.push(await listen(server));
    replicas.push(controls);
  }
  const front = options.replicas > 1 ? dispatcher(ports, seededRandom(options.seed + 7)) : undefined;
  const frontPort = front ? await listen(front) : ports[0];
  sim.setWebhookTarget(`http://127.0.0.1:${frontPort}/api/github/webhooks`);
  return {
    sim,
    baseUrl,
    replicas,
    webhookSecret: secret,
    async stop() {
      await sim.stop();
      for (const server of [...servers, ...(front ? [front] : [])])
        await new Promise((resolve) => server.close(resolve));
    },
  };
}
