import { readFile } from "node:fs/promises";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { planMigration, planMigrationInSlices } from "../plan/index.js";
import { rehearse } from "../rehearse/run.js";
import { OWNER, REPO, SimulatedClock, startWorld, type Transport, type World } from "../rehearse/world.js";
import { inProcessRequest } from "../rehearse/in-process.js";
import { appRequest, HandoverOctokit, resetCaches } from "../github/index.js";
import { readDirTree } from "../cli/disk.js";
import { formBody, parseIssueBody } from "../spec/issue.js";
import { syntheticHttpRepo, syntheticKustomizeRepo, syntheticRepo, syntheticSettingsRepo } from "./synthetic.js";

/** The migration issue of replicore-a to replicore-b at a Core version (by default 0.3.1, the files era's). */
const ISSUE = (groups: string, version = "0.3.1"): string =>
  formBody({ source: "replicore-a", target: "replicore-b", version, groups });

/** One group per backend. */
const EACH = "_No response_";

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** What the bench reports of one plan. */
type PlanFigures = { groups: number; steps: number; plan_ms: number; heap_mb: number };

/** Plan time and heap for n backend groups (one backend per group: the worst case, 2n + 2 steps). */
function planScaling(n: number): PlanFigures {
  return planOf(syntheticRepo(n), ISSUE(EACH));
}

/**
 * Plan time and heap for n files-era groups (Core 0.3) crossing to Core 0.5 (`files-to-http`: each group's
 * datastores written as a static discovery document, its url listed in the target's http endpoints) or to Core 0.7
 * (`files-to-settings`: the document and a DiscoverySettings object naming it).
 */
function planStatic(era: "files-to-http" | "files-to-settings", n: number): { era: string } & PlanFigures {
  return { era, ...planOf(syntheticRepo(n), ISSUE(EACH, era === "files-to-http" ? "0.5.0" : "0.7.2")) };
}

/** Plan time and heap for n http endpoints crossing from Core 0.5 to 0.7, each written as a DiscoverySettings object. */
function planCrossing(n: number): { era: string } & PlanFigures {
  return { era: "http-to-settings", ...planOf(syntheticHttpRepo(n), ISSUE(EACH, "0.7.2")) };
}

/** Plan time and heap for an http-era cluster (Core 0.5 to 0.5) of n endpoints, one per group. */
function planHttp(n: number): PlanFigures {
  return planOf(syntheticHttpRepo(n), ISSUE(EACH, "0.5.0"));
}

/** Plan time and heap for a settings-era cluster (Core 0.7 to 0.7) of n DiscoverySettings objects, one per group. */
function planSettings(n: number): PlanFigures {
  return planOf(syntheticSettingsRepo(n), ISSUE(EACH, "0.7.2"));
}

/** Plan time and heap for n groups whose discovery files a Kustomize generator lists (each adopt registers a copy). */
function planKustomize(n: number): PlanFigures {
  return planOf(syntheticKustomizeRepo(n), ISSUE(EACH));
}

function planOf(tree: Map<string, string>, issue: string): PlanFigures {
  const request = parseIssueBody(issue).request;
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  const result = planMigration(tree, request, 1);
  const ms = performance.now() - start;
  const heap = process.memoryUsage().heapUsed - heapBefore;
  if (!result.ok) throw new Error(`synthetic plan refused: ${JSON.stringify(result).slice(0, 300)}`);
  return {
    groups: result.plan.groups.length,
    steps: result.plan.steps.length,
    plan_ms: round(ms),
    heap_mb: round(heap / 2 ** 20),
  };
}

/** Slices measured so far: each tree measured gets its own comment, so none of its texts is in a parse memo yet. */
let salts = 0;

/**
 * The longest piece of work between two turns of the event loop while the tree is planned in slices as the App plans
 * it (about 5 ms of work, then setImmediate): what a webhook arriving meanwhile waits at most. Every file of the tree
 * gets a comment line of its own first, so that the plan parses them as a migration's first plan in a process does.
 */
async function longestSlice(planned: Map<string, string>, issue: string): Promise<number> {
  const salt = `# bench slice ${++salts}\n`;
  const tree = new Map([...planned].map(([path, text]) => [path, `${text}${text.endsWith("\n") ? "" : "\n"}${salt}`]));
  const request = parseIssueBody(issue).request;
  let last = performance.now();
  let longest = 0;
  const pause = async () => {
    longest = Math.max(longest, performance.now() - last);
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = performance.now();
  };
  const result = await planMigrationInSlices(tree, request, 1, [], { sliceMs: 5, pause });
  if (!result.ok) throw new Error(`synthetic plan refused: ${JSON.stringify(result).slice(0, 300)}`);
  return round(Math.max(longest, performance.now() - last));
}

/**
 * A migration of 1,000 backends in one group (`all: *`) in each era (files with and without Kustomize packaging, http,
 * settings) and across eras (files to http, http to settings): its release and adopt each move them all at once. Plan
 * time and heap, and the longest slice of the App's event loop. With Kustomize also the group of 999 after a group of
 * one (`shape: one-then-rest`): its copies then go into a list the first adopt made, by the quick path.
 */
async function planOneGroup(): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const all = "all: *";
  const oneThenRest = "first: store-0000\nrest: *";
  for (const [era, packaging, tree, version, groups] of [
    ["files", "none", syntheticRepo(1000), "0.3.1", all],
    ["files", "kustomize", syntheticKustomizeRepo(1000), "0.3.1", all],
    ["files", "kustomize", syntheticKustomizeRepo(1000), "0.3.1", oneThenRest],
    ["http", "none", syntheticHttpRepo(1000), "0.5.0", all],
    ["settings", "none", syntheticSettingsRepo(1000), "0.7.2", all],
    ["files-to-http", "none", syntheticRepo(1000), "0.5.0", all],
    ["http-to-settings", "none", syntheticHttpRepo(1000), "0.7.2", all],
  ] as const) {
    const issue = ISSUE(groups, version);
    const longest = await longestSlice(tree, issue);
    const shape = groups === all ? "all" : "one-then-rest";
    out.push({ era, packaging, shape, ...planOf(tree, issue), longest_slice_ms: longest });
  }
  return out;
}

/**
 * The longest slice of the event loop while a 1,000-group migration of each era (and Kustomize packaging, and the
 * crossing out of the files era into Core 0.5) is planned.
 */
async function sliceByEra(): Promise<Record<string, number>> {
  return {
    files_ms: await longestSlice(syntheticRepo(1000), ISSUE(EACH)),
    kustomize_ms: await longestSlice(syntheticKustomizeRepo(1000), ISSUE(EACH)),
    http_ms: await longestSlice(syntheticHttpRepo(1000), ISSUE(EACH, "0.5.0")),
    settings_ms: await longestSlice(syntheticSettingsRepo(1000), ISSUE(EACH, "0.7.2")),
    files_to_http_ms: await longestSlice(syntheticRepo(1000), ISSUE(EACH, "0.5.0")),
  };
}

function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Every value the App's reconcile histogram observes, in milliseconds (the bench wants percentiles, not buckets). */
function recordReconciles(world: World, into: number[]): void {
  for (const replica of world.replicas) {
    const histogram = replica.metrics.getSingleMetric("handover_reconcile_seconds") as
      | { observe: (...args: unknown[]) => void }
      | undefined;
    if (!histogram) throw new Error("bench: the App has no handover_reconcile_seconds histogram");
    const observe = histogram.observe.bind(histogram);
    histogram.observe = (...args: unknown[]) => {
      const value = args.find((a) => typeof a === "number");
      if (typeof value === "number") into.push(value * 1000);
      observe(...args);
    };
  }
}

const counted = (requests: readonly { status: number }[]): number => requests.filter((r) => r.status !== 304).length;

/**
 * The writes a step cannot do without, one request each: the tree (file contents inline; the Git data API has no
 * commit without a tree), the commit (GraphQL's createCommitOnBranch would fold both, but commits it as GitHub, not as
 * Handover, whose committer tells its commits from people's), one GraphQL request creating the branch, opening the PR
 * and writing the guard's check run on its head (a mutation's fields run one after another), the PR's `handover` label
 * (neither API opens a PR with labels, and the label needs the PR's number), and the dashboard shown twice: the step
 * open for review, and the step merged with its gate running. On top come the migration's own writes (the dashboard's
 * creation, status-label changes, the repo's labels made once, a command's reaction).
 */
const MINIMUM_WRITES_PER_STEP = 6;

/** What one rehearsal gives the bench. */
interface RehearsalFigures {
  steps: number;
  requests: readonly { status: number }[];
  writes: number;
  simulatedSeconds: number;
  wallMs: number;
  /** every reconcile but the first (it starts the migration: the repo read, the first PR), in milliseconds */
  reconcileMs: number[];
  ackMs: number[];
}

/** One migration of `files` rehearsed by the App (one replica, no commands), timed. */
async function rehearseOnce(
  files: Map<string, string>,
  body: string,
  transport: Transport = "http",
): Promise<RehearsalFigures> {
  const planned = planMigration(files, parseIssueBody(body).request, 1);
  if (!planned.ok) throw new Error("bench: the rehearsal's plan was refused");
  const reconcileMs: number[] = [];
  let world: World | undefined;
  // The garbage of what ran before collected now, not during the rehearsal's reconciles.
  global.gc?.();
  const started = performance.now();
  const report = await rehearse({
    files,
    issueBody: body,
    plan: planned.plan,
    replicas: 1,
    commands: [],
    transport,
    onWorld: (w) => {
      world = w;
      recordReconciles(w, reconcileMs);
    },
  });
  if (!world) throw new Error("bench: the rehearsal never started its world");
  return {
    steps: report.steps.length,
    requests: world.sim.requests,
    writes: report.api.writes,
    simulatedSeconds: report.simulated_seconds,
    wallMs: performance.now() - started,
    reconcileMs: reconcileMs.slice(1),
    ackMs: world.sim.deliveries.filter((d) => d.status !== "dropped").map((d) => d.ackMs),
  };
}

const percentiles = (samples: number[]) => ({
  p50_ms: round(percentile(samples, 50)),
  p99_ms: round(percentile(samples, 99)),
});

/**
 * The migration a process rehearses before the bundled example's: the same repo's source cluster moved to another
 * target in other groups (the same kinds of files, gates and steps; none of the new cluster's files, commits or
 * states in common).
 */
const WARM_UP = {
  source: "replicore-a",
  target: "replicore-warm-up",
  version: "0.3.1",
  groups: "first: kafka\nrest: *",
};

/** Rehearsals of the bundled example per transport: 3 × 61 reconciles, so that p99 is not simply the slowest one. */
const RUNS = 3;

/** The example rehearsed RUNS times over `transport`, each reading GitHub as a process's first rehearsal would. */
async function rehearseRuns(
  files: Map<string, string>,
  body: string,
  transport: Transport,
): Promise<RehearsalFigures[]> {
  const runs: RehearsalFigures[] = [];
  for (let i = 0; i < RUNS; i++) {
    // None of the run before's answers is kept (the conditional reads' ETags, commits, trees).
    resetCaches();
    runs.push(await rehearseOnce(files, body, transport));
  }
  return runs;
}

/** p50 and p99 over every reconcile of the runs. */
function reconcileFigures(runs: RehearsalFigures[]): Record<string, unknown> {
  const samples = runs.flatMap((r) => r.reconcileMs);
  return { runs: runs.length, reconciles: samples.length, ...percentiles(samples) };
}

/**
 * GitHub API traffic, reconcile time and webhook answer time over rehearsals of the bundled example, in a process
 * that has rehearsed another migration first, as a long-running App has: the first time a path of the App, Octokit
 * or the simulator runs, V8 compiles it, which is the process starting, not what a reconcile costs (`warm_up` gives
 * that first rehearsal's own figures). The example is rehearsed RUNS times each way:
 * - with the App's requests answered by the simulator in-process (`reconcile`): GitHub's HTTP server does not run on
 *   the App's thread, and over loopback the simulator's does;
 * - over loopback HTTP, the App's own client sending them as in production (`api` and `webhook` from the first of
 *   these, `reconcile_http` from all).
 * The two reconcile figures differ by both HTTP stacks (`client` times them per request).
 */
async function rehearsal(): Promise<Record<string, Record<string, unknown>>> {
  const files = await readDirTree("examples/config-repo");
  const body = await readFile("examples/issue.md", "utf8");
  const warmUp = await rehearseOnce(files, formBody(WARM_UP));
  const inProcess = await rehearseRuns(files, body, "in-process");
  const http = await rehearseRuns(files, body, "http");
  const first = http[0] as RehearsalFigures;
  const { steps, requests, writes, ackMs } = first;
  return {
    api: {
      steps,
      requests: requests.length,
      counted_requests: counted(requests),
      writes,
      writes_per_step: round(writes / steps),
      counted_requests_per_step: round(counted(requests) / steps),
      minimum_writes_per_step: MINIMUM_WRITES_PER_STEP,
      simulated_hours: round(first.simulatedSeconds / 3600, 2),
      wall_seconds: round(first.wallMs / 1000, 2),
    },
    reconcile: { transport: "in-process", ...reconcileFigures(inProcess) },
    reconcile_http: reconcileFigures(http),
    webhook: {
      deliveries: ackMs.length,
      ack_p50_ms: round(percentile(ackMs, 50)),
      ack_p99_ms: round(percentile(ackMs, 99)),
    },
    warm_up: {
      target: WARM_UP.target,
      steps: warmUp.steps,
      reconciles: warmUp.reconcileMs.length,
      ...percentiles(warmUp.reconcileMs),
      ack_p99_ms: round(percentile(warmUp.ackMs, 99)),
    },
  };
}

/** A world on `files` with one App replica and an operator who may do anything. */
async function operatorWorld(files: Map<string, string>, clock: SimulatedClock): Promise<World> {
  const world = await startWorld({ clock, files, replicas: 1, probe: async () => ({ body: "{}" }), seed: 1 });
  world.sim.setPermission("operator", "admin");
  return world;
}

/** Real delay of every simulated answer while round trips are counted. */
const LATENCY_MS = 20;

/** Delivers webhooks until the App has answered every one, including those its own writes caused. */
async function settle(world: World): Promise<void> {
  do {
    await world.sim.deliverAll();
    await Promise.all(world.replicas.map((r) => r.idle()));
  } while (world.sim.pendingEvents() > 0);
}

/** Requests one resync costs per migration when nothing changed (a step PR waiting for review), after the first. */
async function idleResync(): Promise<Record<string, unknown>> {
  const clock = new SimulatedClock(Date.parse("2026-01-01T00:00:00Z"));
  const world = await operatorWorld(await readDirTree("examples/config-repo"), clock);
  try {
    const body = await readFile("examples/issue.md", "utf8");
    world.sim.createIssue("operator", "Upgrade", body, ["handover"]);
    await settle(world);
    const replica = world.replicas[0];
    if (!replica) throw new Error("no replica");
    const all: number[] = [];
    const countedOnes: number[] = [];
    const writes: number[] = [];
    const rounds: number[] = [];
    // A network's delay on every answer, so that requests made together overlap and count as one round trip.
    world.sim.latencyMs = LATENCY_MS;
    for (let i = 0; i < 6; i++) {
      clock.current += 10 * 60_000; // past the resync interval, so every resync reconciles
      const before = world.sim.requests.length;
      const roundsBefore = world.sim.roundTrips;
      await replica.resyncAll();
      await replica.idle();
      const made = world.sim.requests.slice(before);
      if (i === 0) continue; // the first resync may still fill per-process caches
      all.push(made.length);
      countedOnes.push(counted(made));
      writes.push(made.filter((r) => r.write).length);
      rounds.push(world.sim.roundTrips - roundsBefore);
    }
    return {
      requests_per_idle_resync: Math.max(...all),
      counted_requests_per_idle_resync: Math.max(...countedOnes),
      writes_per_idle_resync: Math.max(...writes),
      round_trips_per_idle_resync: Math.max(...rounds),
    };
  } finally {
    await world.stop();
  }
}

/**
 * A migration of a 1,000-file config repo starting: requests until its first step is open, and the longest the
 * App process's event loop was blocked meanwhile (webhooks and timers wait that long).
 */
async function bigRepo(n: number): Promise<{ big_repo: Record<string, unknown>; event_loop: Record<string, unknown> }> {
  const clock = new SimulatedClock(Date.parse("2026-01-01T00:00:00Z"));
  const files = syntheticRepo(n);
  const world = await operatorWorld(files, clock);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  try {
    const before = world.sim.requests.length;
    delay.enable();
    world.sim.createIssue("operator", "Upgrade", ISSUE(EACH), ["handover"]);
    await world.sim.deliverAll();
    await world.replicas[0]?.idle();
    delay.disable();
    const made = world.sim.requests.slice(before);
    const opened = world.sim.listPulls().length;
    return {
      big_repo: { files: files.size, groups: n, first_step_opened: opened > 0, requests_to_plan: made.length },
      event_loop: { max_block_ms: round(delay.max / 1e6) },
    };
  } finally {
    await world.stop();
  }
}

/** Parse time of hostile issue bodies at GitHub's size limit (the guard re-parses every open migration issue per PR). */
function hostileIssue(): Record<string, number> {
  const good = ISSUE("canary: mongo");
  const bodies = {
    padded_heading_64k: good.replace("### Source cluster", `### Source cluster${" ".repeat(64_000)}`),
    blank_lines_64k: good.replace("- [x]", `${"\n".repeat(64_000)}- [x]`),
    group_lines_64k: good.replace("canary: mongo", "g: x\n".repeat(12_000)),
  };
  return Object.fromEntries(
    Object.entries(bodies).map(([name, body]) => {
      const start = performance.now();
      parseIssueBody(body);
      return [`${name}_ms`, round(performance.now() - start)];
    }),
  );
}

/** Conditional reads timed per client, after as many to warm up. */
const CLIENT_READS = 2_000;

/**
 * What one GitHub request costs through the App's client: a conditional read of the default branch, answered 304 by
 * the simulator, in microseconds of CPU (the simulator's included: it runs in this process) and of waiting, one read
 * after another. `production`: Probot's plugins as the App runs them (plugin-throttling's limiters, the retries);
 * `rehearsal`: as the rehearsals and the `api` section run them (both off), so the difference is what the reconcile
 * figures above leave out; `in_process`: the same answered without sockets (the `reconcile` figure's transport), so
 * the difference from `rehearsal` is both HTTP stacks.
 */
async function clientCost(): Promise<Record<string, unknown>> {
  const clock = new SimulatedClock(Date.parse("2026-01-01T00:00:00Z"));
  const world = await operatorWorld(await readDirTree("examples/config-repo"), clock);
  const timed = async (options: Record<string, unknown>) => {
    const octokit = new HandoverOctokit({ auth: "token", baseUrl: world.baseUrl, request: appRequest, ...options });
    const route = "GET /repos/{owner}/{repo}/branches/{branch}";
    const params = { owner: OWNER, repo: REPO, branch: "main" };
    const first = await octokit.request(route, params);
    const headers = { "if-none-match": String(first.headers.etag) };
    const read = () => octokit.request(route, { ...params, headers }).catch((err: { status?: number }) => err.status);
    for (let i = 0; i < CLIENT_READS; i++) await read();
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < CLIENT_READS; i++) if ((await read()) !== 304) throw new Error("bench: a read was not a 304");
    const spent = process.cpuUsage(cpu);
    return {
      read_cpu_us: round((spent.user + spent.system) / CLIENT_READS),
      read_wall_us: round(((performance.now() - started) * 1000) / CLIENT_READS),
    };
  };
  try {
    return {
      client: {
        reads: CLIENT_READS,
        production: await timed({}),
        rehearsal: await timed({ retry: { enabled: false }, throttle: { enabled: false } }),
        in_process: await timed({
          retry: { enabled: false },
          throttle: { enabled: false },
          request: inProcessRequest(world.sim, world.baseUrl),
        }),
      },
    };
  } finally {
    await world.stop();
  }
}

/** The bench's sections; `npm run bench -- resync api` runs only those named (all by default). */
const SECTIONS: Record<string, () => Promise<Record<string, unknown>>> = {
  plan: async () => ({ plan: [10, 100, 1000].map(planScaling) }),
  issue: async () => ({ issue_parse: hostileIssue() }),
  api: rehearsal,
  resync: async () => ({ resync: await idleResync() }),
  big: () => bigRepo(1000),
  client: clientCost,
  // After the sections above, so that their heap and caches do not weigh on the rehearsal's reconciles.
  plans: async () => ({
    plan_kustomize: planKustomize(1000),
    plan_http: planHttp(1000),
    plan_settings: planSettings(1000),
    plan_crossing: planCrossing(1000),
    plan_static: [planStatic("files-to-http", 1000), planStatic("files-to-settings", 1000)],
    plan_one_group: await planOneGroup(),
    longest_plan_slice: await sliceByEra(),
  }),
};

/** `npm run bench`: every performance figure as one JSON document. */
export async function bench(only: readonly string[] = []): Promise<Record<string, unknown>> {
  const unknown = only.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0)
    throw new Error(`bench: no section ${unknown.join(", ")} (${Object.keys(SECTIONS).join(", ")})`);
  let result: Record<string, unknown> = { node: process.version };
  for (const [name, run] of Object.entries(SECTIONS)) {
    if (only.length === 0 || only.includes(name)) result = { ...result, ...(await run()) };
  }
  return result;
}

process.stdout.write(`${JSON.stringify(await bench(process.argv.slice(2)), null, 2)}\n`);
